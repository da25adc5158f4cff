"""Global search of a product (or of every product of its workspace): items and documents, by words or by key.

On PostgreSQL: full-text search (`websearch_to_tsquery`: quotes, `or`, `-word`), ranked, with
highlighted snippets. Every vector below is the exact expression of a GIN index (the backlog, decisions
and roadmap migrations "search index(es)"): change one, change the other, or the index stops being used.
Work per kind is bounded whatever the product's size: at most CANDIDATES matching rows (found through
the index) are ranked, the best PER_KIND shown. On SQLite (make run): `icontains` on the same fields.

Keys are found exactly: PAY-12 (an epic, feature, story or tech-debt item of the product with key
PAY), REQ-3 (a requirement), ADR-2 (a decision record).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from backlog.models import Epic, Feature, Story, TechDebtItem
from decisions.models import PRD, DecisionRecord, PRDSection, Requirement
from roadmap.models import RoadmapItem
from workspaces.models import Product

from .kinds import KIND_BY_NAME, Kind, page_url

CONFIG = "english"
PER_KIND = 10
# Rows ranked per kind at most: a word found in 50,000 stories ranks the first CANDIDATES the index gives.
CANDIDATES = 400
KEY_PATTERN = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]{0,9})-(\d{1,9})\s*$")
# Markers put around matches by ts_headline; the text is escaped in Python, then they become <mark>.
START, STOP = "\x02", "\x03"
SNIPPET_CHARS = 160


@dataclass(frozen=True)
class Source:
    """One searchable kind: its model, weighted text fields, and how its rows reach their product."""

    kind: str
    model: type[Model]
    fields: tuple[tuple[str, str], ...]  # (field, weight): title first
    product_path: str = "product"
    snippet_field: str = "description"  # the body shown under the title
    related: tuple[str, ...] = ()

    @property
    def vector(self) -> Any:
        from django.contrib.postgres.search import SearchVector

        return reduce(
            lambda a, b: a + b,
            [SearchVector(name, weight=weight, config=CONFIG) for name, weight in self.fields],
        )


BACKLOG_FIELDS = (("title", "A"), ("description", "B"))
SOURCES: tuple[Source, ...] = (
    Source("story", Story, BACKLOG_FIELDS),
    Source("epic", Epic, BACKLOG_FIELDS),
    Source("feature", Feature, BACKLOG_FIELDS),
    Source("techdebt", TechDebtItem, BACKLOG_FIELDS),
    Source("roadmap_item", RoadmapItem, BACKLOG_FIELDS, product_path="roadmap__product", related=("roadmap",)),
    Source("requirement", Requirement, BACKLOG_FIELDS),
    Source(
        "decision",
        DecisionRecord,
        (("title", "A"), ("context", "B"), ("outcome", "B"), ("consequences", "C")),
        snippet_field="context",
    ),
)
PRD_TITLE = Source("prd", PRD, (("title", "A"),), snippet_field="")
PRD_SECTIONS = Source(
    "prd", PRDSection, (("title", "A"), ("body", "B")), product_path="prd__product", snippet_field="body"
)


@dataclass
class Hit:
    obj: Model
    title: str
    key: str = ""
    snippet: SafeString = field(default_factory=lambda: mark_safe(""))
    url: str | None = None
    product: Product | None = None
    section: str = ""  # a PRD hit found in one of its sections


@dataclass
class Group:
    kind: Kind
    hits: list[Hit]
    more: bool  # more matches than shown


@dataclass
class Results:
    query: str
    exact: list[Hit]
    groups: list[Group]

    @property
    def total_shown(self) -> int:
        return len(self.exact) + sum(len(group.hits) for group in self.groups)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def search_product(*, product: Product, query: str, user: AbstractBaseUser, whole_workspace: bool = False) -> Results:
    """What matches `query` in the product (or in every product of its workspace), grouped by kind."""
    if not has_terms(query):  # only exclusions ("-word"): everything would match, nothing is useful
        return Results(query=query, exact=[], groups=[])
    products = list(Product.objects.filter(workspace_id=product.workspace_id)) if whole_workspace else [product]
    by_id = {p.pk: p for p in products}
    exact = find_by_key(query, products=products)
    groups: list[Group] = []
    sources = [*SOURCES[:5], PRD_TITLE, *SOURCES[5:]]  # the order of the page: backlog, roadmap, PRDs, …
    for source in sources:
        if source is PRD_TITLE:
            hits, more = search_prds(query, by_id)
        else:
            hits, more = search_source(source, query, by_id)
        exact_keys = {(type(h.obj), h.obj.pk) for h in exact}
        hits = [hit for hit in hits if (type(hit.obj), hit.obj.pk) not in exact_keys]
        if hits:
            groups.append(Group(kind=KIND_BY_NAME[source.kind], hits=hits, more=more))
    for hit in [*exact, *(h for g in groups for h in g.hits)]:
        hit.product = by_id.get(_product_id(hit.obj))
        if hit.url is None:
            hit.url = page_url(hit.obj, product_id=_product_id(hit.obj))
    return Results(query=query, exact=exact, groups=groups)


def has_terms(query: str) -> bool:
    """At least one word to look for (not an exclusion, not the `or` operator)."""
    return any(w.strip('"') and not w.startswith("-") and w.lower() != "or" for w in query.split())


def _product_id(obj: Model) -> int:
    if isinstance(obj, RoadmapItem):
        return obj.roadmap.product_id
    return obj.product_id  # type: ignore[attr-defined]


def _in_products(source: Source, by_id: dict[int, Product]) -> QuerySet[Any]:
    return source.model._default_manager.filter(**{f"{source.product_path}_id__in": list(by_id)})


# --- Keys ----------------------------------------------------------------------------------------


def find_by_key(query: str, *, products: list[Product]) -> list[Hit]:
    """PAY-12, REQ-3, ADR-2 → that row (in the products searched), at the top of the results."""
    match = KEY_PATTERN.match(query)
    if not match:
        return []
    prefix, number = match.group(1).upper(), int(match.group(2))
    product_ids = [p.pk for p in products]
    rows: list[Model] = []
    if prefix == "REQ":
        rows += Requirement.objects.filter(product_id__in=product_ids, number=number)
    elif prefix == "ADR":
        rows += DecisionRecord.objects.filter(product_id__in=product_ids, number=number)
    keyed = [p for p in products if p.key.upper() == prefix]
    if keyed:
        # One number sequence per product across the four kinds: at most one of them has it.
        for model in (Story, Epic, Feature, TechDebtItem):
            row = model.objects.filter(product=keyed[0], number=number).first()
            if row is not None:
                rows.append(row)
                break
    hits = []
    for row in rows:
        row.product = next(p for p in products if p.pk == row.product_id)  # the key reads product.key
        hits.append(Hit(obj=row, title=row.title, key=row.key, snippet=plain_snippet(_snippet_text(row), "")))
    return hits


def _snippet_text(row: Model) -> str:
    if isinstance(row, DecisionRecord):
        return row.context
    return getattr(row, "description", "") or ""


# --- Words ---------------------------------------------------------------------------------------


def search_source(source: Source, query: str, by_id: dict[int, Product]) -> tuple[list[Hit], bool]:
    """The best PER_KIND rows of one kind, and whether there are more."""
    rows = _in_products(source, by_id)
    if source.related:
        rows = rows.select_related(*source.related)
    if is_postgres():
        found = _ranked(source, rows, query)
    else:
        found = list(rows.filter(_icontains(source, query)).order_by("-updated_at", "pk")[: PER_KIND + 1])
        for row in found:
            row.headline = plain_snippet(getattr(row, source.snippet_field, "") or "", query)
    more = len(found) > PER_KIND
    hits = []
    for row in found[:PER_KIND]:
        if hasattr(row, "product_id") and row.product_id in by_id:
            row.product = by_id[row.product_id]  # `key` reads product.key: no query per row
        hits.append(
            Hit(
                obj=row,
                title=row.title,
                key=getattr(row, "key", ""),
                snippet=row.headline if isinstance(row.headline, SafeString) else marked_snippet(row.headline),
            )
        )
    return hits, more


def search_prds(query: str, by_id: dict[int, Product]) -> tuple[list[Hit], bool]:
    """PRDs whose title or one of whose sections matches: one hit per PRD, the section's text as snippet."""
    titles, more_titles = search_source(PRD_TITLE, query, by_id)
    sections, more_sections = search_source(PRD_SECTIONS, query, by_id)
    hits: dict[int, Hit] = {hit.obj.pk: hit for hit in titles}
    section_prds = {s.obj.prd_id for s in sections if s.obj.prd_id not in hits}
    prds = {prd.pk: prd for prd in PRD.objects.filter(pk__in=section_prds)}
    for section in sections:
        prd_id = section.obj.prd_id
        if prd_id in hits:
            hit = hits[prd_id]
            if not hit.section:
                hit.section, hit.snippet = section.obj.title, section.snippet
            continue
        prd = prds[prd_id]
        hits[prd_id] = Hit(obj=prd, title=prd.title, snippet=section.snippet, section=section.obj.title)
    ordered = list(hits.values())
    return ordered[:PER_KIND], more_titles or more_sections or len(ordered) > PER_KIND


def _ranked(source: Source, rows: QuerySet[Any], query: str) -> list[Any]:
    """Rank at most CANDIDATES matches (found through the GIN index), keep the best, headline only those."""
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

    search_query = SearchQuery(query, search_type="websearch", config=CONFIG)
    vector = source.vector
    candidates = rows.annotate(document=vector).filter(document=search_query).order_by().values("pk")[:CANDIDATES]
    best = (
        source.model._default_manager.filter(pk__in=candidates)
        .annotate(search_rank=SearchRank(vector, search_query))
        .order_by("-search_rank", "pk")
        .values("pk")[: PER_KIND + 1]
    )
    headline: Any = (
        SearchHeadline(
            source.snippet_field,
            search_query,
            config=CONFIG,
            start_sel=START,
            stop_sel=STOP,
            max_words=24,
            min_words=10,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
        if source.snippet_field
        else None
    )
    annotations: dict[str, Any] = {"search_rank": SearchRank(vector, search_query)}
    if headline is not None:
        annotations["search_headline"] = headline
    found = list(rows.filter(pk__in=best).annotate(**annotations).order_by("-search_rank", "pk"))
    for row in found:
        row.headline = getattr(row, "search_headline", "")
    return found


def _icontains(source: Source, query: str) -> Q:
    """Every word of the query in one of the fields (SQLite has no full-text search here)."""
    words = [word for word in re.split(r"\s+", query.replace('"', " ")) if word and not word.startswith("-")]
    condition = Q()
    for word in words[:8]:
        condition &= reduce(lambda a, b: a | b, [Q(**{f"{name}__icontains": word}) for name, _ in source.fields])
    return condition


# --- Snippets ------------------------------------------------------------------------------------


def marked_snippet(headline: str | None) -> SafeString:
    """ts_headline's text with its START/STOP markers: escaped, then the markers become <mark>."""
    if not headline:
        return mark_safe("")
    text = escape(headline.replace("\n", " "))
    return mark_safe(text.replace(START, "<mark>").replace(STOP, "</mark>"))


def plain_snippet(text: str, query: str) -> SafeString:
    """Around the first word of the query found in the text (or its start), escaped, the words marked."""
    text = " ".join((text or "").split())
    if not text:
        return mark_safe("")
    words = sorted(
        {w for w in re.split(r"\s+", query.replace('"', " ")) if len(w) > 1 and not w.startswith("-")},
        key=len,
        reverse=True,
    )
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - SNIPPET_CHARS // 3) if first else 0
    excerpt = text[start : start + SNIPPET_CHARS]
    pieces = pattern.split(excerpt) if pattern else [excerpt]
    matches = pattern.findall(excerpt) if pattern else []
    html = escape(pieces[0]) + "".join(
        f"<mark>{escape(match)}</mark>{escape(piece)}" for match, piece in zip(matches, pieces[1:], strict=True)
    )
    prefix = "… " if start else ""
    suffix = " …" if start + SNIPPET_CHARS < len(text) else ""
    return mark_safe(f"{prefix}{html}{suffix}")
