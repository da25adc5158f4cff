"""Objects named in a product URL: found within the request's product, or 404."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.apps import apps
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from workspaces.models import Product

M = TypeVar("M", bound=Model)


def get_in_product_or_404(
    queryset: QuerySet[M] | type[M], *, product: Product, pk: int, product_path: str | None = None
) -> M:
    """The row `pk` of `queryset` if it belongs to `product`, else 404 (a foreign id never answers data).

    `product_path` is how the model reaches its product; by default the queryset's own
    `product_path` (ProductScopedQuerySet) or "product". A row reached through one of two parents
    (a sign-off: its PRD or its decision) is looked up through the parent, found here first.
    """
    qs = queryset if isinstance(queryset, QuerySet) else queryset._default_manager.all()
    path = product_path or getattr(qs, "product_path", "product")
    try:
        return qs.get(**{path: product, "pk": pk})
    except qs.model.DoesNotExist as exc:
        raise Http404(f"No such {qs.model._meta.verbose_name}.") from exc


# --- Which model a URL's keyword argument names (docs/ui.md) ----------------------------------------


@dataclass(frozen=True)
class UrlObject:
    """A model named by a URL keyword argument, and how its rows reach their product or workspace."""

    model: str  # "app_label.ModelName"
    product: tuple[str, ...] = ()  # ORM paths to the Product (any of them); empty when not product-owned
    workspace: str = ""  # ORM path to the Workspace, for rows that belong to a workspace, not a product

    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    def rows_in(self, *, workspace_id: int, product_id: int | None) -> Any:
        """This model's rows in the workspace, and in the product when one is given."""
        manager = self.model_class()._default_manager
        if not self.product:
            return manager.filter(**{"pk" if self.workspace == "pk" else f"{self.workspace}_id": workspace_id})
        condition = Q()
        for path in self.product:
            condition |= Q(**{f"{path}_id": product_id} if product_id else {f"{path}__workspace_id": workspace_id})
        return manager.filter(condition)


# The convention of docs/ui.md: a URL names an object by `<int:<name>_id>`; a prefix may tell two of a
# kind apart (`<int:from_version_id>`). `product_id` is the product itself. A page with a new kind of
# id adds its line here; the tenancy walk (tpm_workspace/tests) fails on one it cannot map.
URL_OBJECTS: dict[str, UrlObject] = {
    "workspace_id": UrlObject("workspaces.Workspace", workspace="pk"),
    # backlog
    "epic_id": UrlObject("backlog.Epic", product=("product",)),
    "feature_id": UrlObject("backlog.Feature", product=("product",)),
    "story_id": UrlObject("backlog.Story", product=("product",)),
    "techdebt_id": UrlObject("backlog.TechDebtItem", product=("product",)),
    "sprint_id": UrlObject("backlog.Sprint", product=("product",)),
    "status_id": UrlObject("backlog.WorkflowStatus", product=("product",)),
    "label_id": UrlObject("backlog.Label", product=("product",)),
    "criterion_id": UrlObject("backlog.AcceptanceCriterion", product=("story__product",)),
    # roadmap
    "roadmap_id": UrlObject("roadmap.Roadmap", product=("product",)),
    "item_id": UrlObject("roadmap.RoadmapItem", product=("roadmap__product",)),
    "milestone_id": UrlObject("roadmap.Milestone", product=("product",)),
    "goal_id": UrlObject("roadmap.Goal", product=("product",)),
    "baseline_id": UrlObject("roadmap.Baseline", product=("roadmap__product",)),
    "dependency_id": UrlObject("roadmap.Dependency", product=("blocked__roadmap__product",)),
    # decisions
    "prd_id": UrlObject("decisions.PRD", product=("product",)),
    "section_id": UrlObject("decisions.PRDSection", product=("prd__product",)),
    "version_id": UrlObject("decisions.PRDVersion", product=("prd__product",)),
    "requirement_id": UrlObject("decisions.Requirement", product=("product",)),
    "decision_id": UrlObject("decisions.DecisionRecord", product=("product",)),
    "option_id": UrlObject("decisions.DecisionOption", product=("record__product",)),
    "signoff_id": UrlObject("decisions.SignOff", product=("prd__product", "decision__product")),
    "flag_id": UrlObject("decisions.ReviewFlag", product=("product",)),
    # activity
    "comment_id": UrlObject("activity.Comment", workspace="workspace"),
    "notification_id": UrlObject("activity.Notification", workspace="workspace"),
    # jira_sync
    "run_id": UrlObject("jira_sync.SyncRun", product=("mapping__product",)),
    "conflict_id": UrlObject("jira_sync.Conflict", product=("link__mapping__product",)),
}


def object_for_kwarg(name: str) -> UrlObject | None:
    """The model a keyword argument names: an exact entry, else the longest entry it ends with after "_"."""
    if name in URL_OBJECTS:
        return URL_OBJECTS[name]
    suffixes = [key for key in URL_OBJECTS if name.endswith(f"_{key}")]
    return URL_OBJECTS[max(suffixes, key=len)] if suffixes else None


def named_rows_in_product(*, product: Product, kwargs: dict[str, Any]) -> bool:
    """Whether every product-owned object a URL names (its `<…>_id` keyword arguments) is `product`'s."""
    for name, value in kwargs.items():
        found = object_for_kwarg(name)
        if found is None or not found.product:
            continue
        if not found.rows_in(workspace_id=product.workspace_id, product_id=product.pk).filter(pk=value).exists():
            return False
    return True
