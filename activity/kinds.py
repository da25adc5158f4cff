"""The kinds of rows that take comments and appear in search: their URL names, keyword arguments and pages.

One entry per kind. The comments URL of a kind is `activity:comments_<kind>` at
`p/<product_id>/comments/<slug>/<kwarg>/`; the page of a row is `page_url` (docs/ui.md's names), linked
only when that name resolves (the page may not exist yet).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model
from django.urls import NoReverseMatch, reverse

from backlog.models import Epic, Feature, Story, TechDebtItem
from decisions.models import PRD, DecisionRecord, Requirement
from roadmap.models import RoadmapItem


@dataclass(frozen=True)
class Kind:
    name: str  # URL name suffix and template key: "story", "roadmap_item"
    model: type[Model]
    slug: str  # URL segment: "story", "roadmap-item"
    kwarg: str  # the URL keyword argument naming a row (docs/ui.md): "story_id", "item_id"
    label: str  # singular, for people
    plural: str
    page_url: str  # URL name of the row's page, with (product_id, <kwarg>)
    product_path: str = "product"  # how a row reaches its product

    @property
    def comments_url_name(self) -> str:
        return f"activity:comments_{self.name}"


KINDS: tuple[Kind, ...] = (
    Kind("story", Story, "story", "story_id", "story", "Stories", "backlog:story_detail"),
    Kind("epic", Epic, "epic", "epic_id", "epic", "Epics", "backlog:epic_detail"),
    Kind("feature", Feature, "feature", "feature_id", "feature", "Features", "backlog:feature_detail"),
    Kind(
        "techdebt", TechDebtItem, "tech-debt", "techdebt_id", "tech-debt item", "Tech debt", "backlog:techdebt_detail"
    ),
    Kind(
        "roadmap_item",
        RoadmapItem,
        "roadmap-item",
        "item_id",
        "roadmap item",
        "Roadmap items",
        "roadmap:item_detail",
        product_path="roadmap__product",
    ),
    Kind("prd", PRD, "prd", "prd_id", "PRD", "PRDs", "decisions:prd_detail"),
    Kind("requirement", Requirement, "requirement", "requirement_id", "requirement", "Requirements", ""),
    Kind(
        "decision",
        DecisionRecord,
        "decision",
        "decision_id",
        "decision record",
        "Decision records",
        "decisions:decision_detail",
    ),
)
KIND_BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}
KIND_BY_MODEL: dict[type[Model], Kind] = {kind.model: kind for kind in KINDS}


def kind_of(obj: Model) -> Kind:
    try:
        return KIND_BY_MODEL[type(obj)]
    except KeyError:
        raise ValueError(f"{type(obj).__name__} rows take no comments") from None


def product_id_of(obj: Model) -> int:
    """The product of a commentable row, without a query when the relation is already loaded."""
    if isinstance(obj, RoadmapItem):
        return obj.roadmap.product_id
    return obj.product_id  # type: ignore[attr-defined]


def page_url(obj: Model, *, product_id: int | None = None) -> str | None:
    """The page of a row, or None while that page does not exist (the `{% url … as %}` guard, in Python).

    A requirement's page is named by its PRD too (`decisions:requirement_detail`); without it, the
    requirement is shown in its PRD, at `#requirement-<pk>`.
    """
    pid = product_id if product_id is not None else product_id_of(obj)
    try:
        if isinstance(obj, Requirement):
            try:
                return reverse("decisions:requirement_detail", args=[pid, obj.prd_id, obj.pk])
            except NoReverseMatch:
                return reverse("decisions:prd_detail", args=[pid, obj.prd_id]) + f"#requirement-{obj.pk}"
        if isinstance(obj, TechDebtItem):
            try:
                return reverse("backlog:techdebt_detail", args=[pid, obj.pk])
            except NoReverseMatch:
                return reverse("backlog:techdebt", args=[pid]) + f"#techdebt-{obj.pk}"
        return reverse(kind_of(obj).page_url, args=[pid, obj.pk])
    except NoReverseMatch:
        return None


def comments_url(obj: Model, *, product_id: int | None = None) -> str:
    kind = kind_of(obj)
    pid = product_id if product_id is not None else product_id_of(obj)
    return reverse(kind.comments_url_name, args=[pid, obj.pk])
