"""Shared by the generated tenancy walks (test_api_tenancy.py, test_ui_tenancy.py).

- `url_routes()`: every URL pattern as (route string, pattern), includes flattened;
- `route_to_url()`: a concrete URL from a route and keyword values;
- `database_fingerprint()`: row counts and latest changes, to prove a refused request changed nothing;
- `UI_OBJECT_KWARGS` / `object_for_kwarg()`: how a browser URL's keyword argument names a model (docs/ui.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Max, Model, Q
from django.urls import URLPattern, URLResolver, get_resolver


def url_routes() -> list[tuple[str, URLPattern]]:
    """(route, pattern) for every URL the project serves, with the prefixes of its includes."""
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append((prefix + str(pattern.pattern), pattern))

    walk(get_resolver().url_patterns, "")
    return found


def route_kwargs(route: str) -> list[str]:
    """The keyword arguments of a path() or re_path() route, in order."""
    return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)]


def route_to_url(route: str, kwargs: dict[str, Any]) -> str:
    """A concrete URL from a path() or regex route and its keyword values."""
    url = "/" + route.replace("^", "").replace("$", "")
    for name, value in kwargs.items():
        url = re.sub(rf"\(\?P<{name}>[^)]*\)|<(?:\w+:)?{name}>", str(value), url)
    return url


def database_fingerprint() -> dict[str, Any]:
    """Row counts of every table and the latest change of every model that records one."""
    fingerprint: dict[str, Any] = {}
    for model in apps.get_models(include_auto_created=True):
        manager = model._default_manager
        fingerprint[f"{model._meta.label}.count"] = manager.count()
        field_names = {field.name for field in model._meta.concrete_fields}
        if "updated_at" in field_names:
            fingerprint[f"{model._meta.label}.updated"] = manager.aggregate(last=Max("updated_at"))["last"]
    return fingerprint


# --- Browser URLs: which model a keyword argument names -------------------------------------------


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
# id adds its line here; the walk fails on a keyword argument it cannot map.
UI_OBJECT_KWARGS: dict[str, UrlObject] = {
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
    if name in UI_OBJECT_KWARGS:
        return UI_OBJECT_KWARGS[name]
    suffixes = [key for key in UI_OBJECT_KWARGS if name.endswith(f"_{key}")]
    return UI_OBJECT_KWARGS[max(suffixes, key=len)] if suffixes else None
