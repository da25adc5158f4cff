"""Reads of the PRD pages: the list, one PRD, its history, its requirements table and coverage.

Each runs a fixed number of queries whatever the number of PRDs, versions, requirements or stories:
counts are subqueries (never joins that multiply rows), related rows are prefetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, Func, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from backlog.models import Feature, StatusCategory, Story
from workspaces.models import Product

from .models import PRD, PRDVersion, Requirement, ReviewFlag, SignOff

LIVE_SIGNOFF_STATES = (SignOff.State.PENDING, SignOff.State.APPROVED, SignOff.State.REJECTED)


def _count(queryset: QuerySet) -> Subquery:
    """COUNT(*) of a correlated queryset as a subquery: several counts on one row without join fan-out."""
    # Func rather than Count: Django adds no GROUP BY, so the subquery is one row, the count.
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _traced() -> Q:
    """A requirement that some feature or story delivers."""
    features = Requirement.features.through.objects.filter(requirement_id=OuterRef("pk"))
    stories = Requirement.stories.through.objects.filter(requirement_id=OuterRef("pk"))
    return Q(Exists(features)) | Q(Exists(stories))


def _with_figures(prds: QuerySet[PRD]) -> QuerySet[PRD]:
    """Annotate the latest version, requirement counts (all, traced) and live sign-offs by state."""
    latest = PRDVersion.objects.filter(prd=OuterRef("pk")).order_by("-number")
    requirements = Requirement.objects.filter(prd=OuterRef("pk"))
    signoffs = SignOff.objects.filter(prd=OuterRef("pk"))
    return prds.annotate(
        current_version=Subquery(latest.values("number")[:1]),
        current_version_id=Subquery(latest.values("pk")[:1]),
        requirement_count=_count(requirements),
        traced_count=_count(requirements.filter(_traced())),
        signoffs_pending=_count(signoffs.filter(state=SignOff.State.PENDING)),
        signoffs_approved=_count(signoffs.filter(state=SignOff.State.APPROVED)),
        signoffs_rejected=_count(signoffs.filter(state=SignOff.State.REJECTED)),
        signoffs_stale=_count(signoffs.filter(state=SignOff.State.STALE)),
    )


def coverage_percent(prd: PRD) -> int | None:
    """Share of the PRD's requirements that something delivers; None when it has none."""
    if not prd.requirement_count:
        return None
    return round(100 * prd.traced_count / prd.requirement_count)


def prd_list_for_product(*, product: Product) -> list[PRD]:
    """The product's PRDs by title with owner, version, requirement, coverage and sign-off figures (one query)."""
    prds = list(_with_figures(PRD.objects.filter(product=product).select_related("owner")).order_by("title", "pk"))
    for prd in prds:
        prd.coverage_percent = coverage_percent(prd)
    return prds


def prd_for_page(*, product: Product, prd_id: int) -> PRD | None:
    """One PRD with its figures and owner; its sections come prefetched in order (two queries)."""
    prd = (
        _with_figures(PRD.objects.filter(product=product, pk=prd_id).select_related("owner"))
        .prefetch_related("sections")
        .first()
    )
    if prd is not None:
        prd.coverage_percent = coverage_percent(prd)
    return prd


def prd_open_flags(*, prd: PRD, limit: int = 20) -> list[ReviewFlag]:
    """Open re-review flags raised by changes to this PRD's requirements, newest first."""
    return list(ReviewFlag.objects.open().filter(requirement__prd=prd).select_related("raised_by")[:limit])


def prd_versions(*, prd: PRD) -> QuerySet[PRDVersion]:
    """The PRD's versions, newest first, without their content (the history lists them, a page at a time).

    Each has `previous_id`: the version just before it, to compare with.
    """
    previous = PRDVersion.objects.filter(prd=OuterRef("prd"), number__lt=OuterRef("number")).order_by("-number")
    return (
        PRDVersion.objects.filter(prd=prd)
        .select_related("created_by")
        .defer("content")
        .annotate(previous_id=Subquery(previous.values("pk")[:1]))
        .order_by("-number")
    )


# --- Requirements table ----------------------------------------------------------------------------------


@dataclass
class Delivery:
    """How far the work that delivers a requirement has got, from the status categories of its items."""

    category: str  # "" (nothing traced), todo, in_progress, done
    label: str


def delivery_of(items: list[Any]) -> Delivery:
    categories = {item.status.category for item in items}
    if not categories:
        return Delivery("", "Not traced")
    if categories == {StatusCategory.DONE}:
        return Delivery(StatusCategory.DONE, "Delivered")
    if categories == {StatusCategory.TODO}:
        return Delivery(StatusCategory.TODO, "Not started")
    return Delivery(StatusCategory.IN_PROGRESS, "In progress")


def requirements_for_table(*, prd: PRD) -> list[Requirement]:
    """The PRD's requirements in order, each with the features and stories that deliver it (three queries).

    Each requirement gets `delivered_by` (features then stories, each with `kind`: "feature" or
    "story") and `delivery` (a Delivery).
    """
    requirements = list(
        prd.requirements.order_by("position", "number").prefetch_related(
            Prefetch("features", Feature.objects.select_related("status").order_by("rank")),
            Prefetch("stories", Story.objects.select_related("status").order_by("rank")),
        )
    )
    for requirement in requirements:
        for kind, items in (("feature", requirement.features.all()), ("story", requirement.stories.all())):
            for item in items:
                item.kind = kind
        requirement.delivered_by = [*requirement.features.all(), *requirement.stories.all()]
        requirement.delivery = delivery_of(requirement.delivered_by)
    return requirements


def backlog_item_by_key(*, product: Product, key: str) -> Feature | Story | None:
    """The feature or story keyed `PAY-12` (or `12`) in the product; keys share one sequence per product."""
    text = key.strip().upper()
    prefix = f"{product.key.upper()}-"
    if text.startswith(prefix):
        text = text[len(prefix) :]
    if not text.isdigit():
        return None
    number = int(text)
    return (
        Feature.objects.filter(product=product, number=number).first()
        or Story.objects.filter(product=product, number=number).first()
    )


# --- Coverage -------------------------------------------------------------------------------------------


@dataclass
class CoveragePage:
    unbuilt_requirements: list[Requirement]
    requirements_total: int
    untraced_stories: QuerySet[Story]
    untraced_features: QuerySet[Feature]
    prd: PRD | None = None

    @property
    def traced_count(self) -> int:
        return self.requirements_total - len(self.unbuilt_requirements)

    @property
    def percent_requirements_covered(self) -> int:
        if not self.requirements_total:
            return 100
        return round(100 * self.traced_count / self.requirements_total)


def untraced_stories(*, product: Product) -> QuerySet[Story]:
    """Stories no requirement asked for, directly or through their feature, in backlog order (lazy: paginate it)."""
    story_asked = Requirement.stories.through.objects.filter(story_id=OuterRef("pk"))
    feature_asked = Requirement.features.through.objects.filter(feature_id=OuterRef("feature_id"))
    return (
        Story.objects.filter(product=product)
        .filter(~Exists(story_asked), ~Exists(feature_asked))
        .select_related("status")
        .order_by("rank")
    )


def untraced_features(*, product: Product) -> QuerySet[Feature]:
    """Features that no requirement names and none of whose stories a requirement names (lazy: paginate it)."""
    feature_asked = Requirement.features.through.objects.filter(feature_id=OuterRef("pk"))
    story_asked = Requirement.stories.through.objects.filter(story__feature_id=OuterRef("pk"))
    return (
        Feature.objects.filter(product=product)
        .filter(~Exists(feature_asked), ~Exists(story_asked))
        .select_related("status")
        .order_by("rank")
    )


def coverage_for_page(*, product: Product, prd: PRD | None = None) -> CoveragePage:
    """Requirements nothing delivers (of one PRD or the product) and lazy lists of untraced work (two queries here)."""
    requirements = Requirement.objects.filter(product=product)
    if prd is not None:
        requirements = requirements.filter(prd=prd)
    unbuilt = list(requirements.exclude(_traced()).select_related("prd").order_by("number"))
    return CoveragePage(
        unbuilt_requirements=unbuilt,
        requirements_total=requirements.count(),
        untraced_stories=untraced_stories(product=product),
        untraced_features=untraced_features(product=product),
        prd=prd,
    )
