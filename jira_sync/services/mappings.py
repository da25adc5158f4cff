"""Project mappings: what a Jira project offers (issue types, statuses, fields), sensible defaults
(types by name and hierarchyLevel, statuses by name then category, the story-points field by schema),
and validation of field directions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from backlog.models import StatusCategory, WorkflowStatus
from workspaces.models import Product

from ..jira import JiraClient, JiraNotFound
from ..models import FIELDS, Direction, JiraConnection, ProjectMapping, StatusMapping
from .connections import client_for

STORY_POINTS_SCHEMAS = (
    "com.pyxis.greenhopper.jira:jsw-story-points",
    "com.atlassian.jira.plugin.system.customfieldtypes:float",
)
EPIC_LINK_SCHEMA = "com.pyxis.greenhopper.jira:gh-epic-link"
PARENT_LINK_SCHEMA = "com.atlassian.jpo:jpo-custom-field-parent"
CATEGORY_TO_OURS = {
    "new": StatusCategory.TODO,
    "indeterminate": StatusCategory.IN_PROGRESS,
    "done": StatusCategory.DONE,
}


@dataclass
class Discovery:
    project: dict[str, Any]
    issue_types: list[dict[str, Any]]  # id, name, hierarchyLevel (sub-tasks left out)
    statuses: list[dict[str, Any]]  # id, name, category
    fields: list[dict[str, Any]]  # id, name, custom type
    defaults: dict[str, Any] = field(default_factory=dict)


def discover(*, connection: JiraConnection, project_key: str, client: JiraClient | None = None) -> Discovery:
    """What the project offers, and the defaults a mapping would take. Raises ValidationError in words
    when the project cannot be seen."""
    own = client is None
    client = client or client_for(connection)
    try:
        try:
            project = client.project(project_key)
        except JiraNotFound as exc:
            raise ValidationError(
                {"jira_project_key": f"Jira has no project {project_key}, or the integration account cannot see it."}
            ) from exc
        types = [
            {"id": str(t["id"]), "name": t["name"], "hierarchyLevel": int(t.get("hierarchyLevel", 0))}
            for t in client.issue_types_for_project(str(project["id"]))
            if not t.get("subtask")
        ]
        statuses: dict[str, dict[str, Any]] = {}
        for per_type in client.project_statuses(project_key):
            for status in per_type.get("statuses", []):
                category = (status.get("statusCategory") or {}).get("key", "new")
                statuses.setdefault(
                    str(status["id"]), {"id": str(status["id"]), "name": status["name"], "category": category}
                )
        fields = [
            {"id": f["id"], "name": f["name"], "custom": (f.get("schema") or {}).get("custom", "")}
            for f in client.fields()
        ]
    finally:
        if own:
            client.close()
    discovery = Discovery(project=project, issue_types=types, statuses=list(statuses.values()), fields=fields)
    discovery.defaults = _defaults(discovery)
    return discovery


def _type_named(types: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((t for t in types if t["name"].lower() == name), None)


def _defaults(d: Discovery) -> dict[str, Any]:
    types = d.issue_types
    top = max(types, key=lambda t: t["hierarchyLevel"], default=None)
    epic = _type_named(types, "epic") or top
    story = _type_named(types, "story") or next((t for t in types if t["hierarchyLevel"] == 0), None)
    feature = _type_named(types, "feature")

    def field_with(*schemas: str) -> str:
        return next((f["id"] for f in d.fields if f["custom"] in schemas), "")

    return {
        "epic_type_id": epic["id"] if epic else "",
        "feature_type_id": feature["id"] if feature else "",
        "story_type_id": story["id"] if story else "",
        "epic_level": epic["hierarchyLevel"] if epic else 1,
        "feature_level": feature["hierarchyLevel"] if feature else 0,
        "story_level": story["hierarchyLevel"] if story else 0,
        "story_points_field_id": field_with(*STORY_POINTS_SCHEMAS),
        "epic_link_field_id": field_with(EPIC_LINK_SCHEMA),
        "parent_link_field_id": field_with(PARENT_LINK_SCHEMA),
    }


def validate_directions(directions: dict[str, str]) -> dict[str, str]:
    errors = []
    for name, direction in directions.items():
        if name not in FIELDS:
            errors.append(f"“{name}” is not a field the sync carries (choose from {', '.join(FIELDS)}).")
        elif direction not in Direction.values:
            errors.append(f"“{direction}” is not a direction for {name}: use two_way, to_jira, from_jira or set_once.")
        elif name == "assignee" and direction in {Direction.TWO_WAY, Direction.TO_JIRA}:
            errors.append("The assignee comes from Jira only: Jira hides most e-mail addresses and wants account ids.")
    if errors:
        raise ValidationError({"directions": errors})
    return dict(directions)


def default_status_mapping(product: Product, statuses: list[dict[str, Any]]) -> dict[str, WorkflowStatus]:
    """Jira status id → ours: the same name first, else the first of ours in the same category."""
    ours = list(WorkflowStatus.objects.filter(product=product).order_by("position", "pk"))
    chosen: dict[str, WorkflowStatus] = {}
    for status in statuses:
        same_name = next((s for s in ours if s.name.lower() == status["name"].lower()), None)
        same_category = next((s for s in ours if s.category == CATEGORY_TO_OURS.get(status["category"])), None)
        target = same_name or same_category or (ours[0] if ours else None)
        if target is not None:
            chosen[status["id"]] = target
    return chosen


@transaction.atomic
def mapping_create(
    *,
    connection: JiraConnection,
    product: Product,
    actor: AbstractBaseUser | None,
    project_key: str,
    discovery: Discovery | None = None,
    directions: dict[str, str] | None = None,
    status_overrides: dict[str, WorkflowStatus] | None = None,
    **choices: Any,
) -> ProjectMapping:
    """Map a product to a Jira project with the discovered defaults, overridden by `choices`
    (epic_type_id, feature_type_id, story_type_id, story_points_field_id, …)."""
    if product.workspace_id != connection.workspace_id:
        raise ValidationError({"product": "Map a product of the connection's workspace."})
    if ProjectMapping.objects.filter(product=product).exists():
        raise ValidationError({"product": f"{product.name} is already mapped to a Jira project."})
    discovery = discovery or discover(connection=connection, project_key=project_key)
    settings_ = {**discovery.defaults, **choices}
    levels = {t["id"]: t["hierarchyLevel"] for t in discovery.issue_types}
    for kind in ("epic", "feature", "story"):
        type_id = settings_.get(f"{kind}_type_id", "")
        if type_id and type_id not in levels:
            raise ValidationError({f"{kind}_type_id": f"Project {project_key} has no issue type {type_id}."})
        if type_id:
            settings_[f"{kind}_level"] = levels[type_id]
    if not settings_.get("epic_type_id") or not settings_.get("story_type_id"):
        raise ValidationError({"story_type_id": "Choose the Jira issue types that carry our epics and stories."})
    mapping = ProjectMapping.objects.create(
        connection=connection,
        product=product,
        jira_project_key=str(discovery.project["key"]),
        jira_project_id=str(discovery.project["id"]),
        directions=validate_directions(directions or {}),
        **{k: v for k, v in settings_.items() if k in _MAPPING_FIELDS},
    )
    chosen = default_status_mapping(product, discovery.statuses) | (status_overrides or {})
    by_id = {s["id"]: s for s in discovery.statuses}
    StatusMapping.objects.bulk_create(
        StatusMapping(
            mapping=mapping,
            jira_status_id=jira_id,
            jira_status_name=by_id[jira_id]["name"],
            jira_category=by_id[jira_id]["category"],
            workflow_status=ours,
        )
        for jira_id, ours in chosen.items()
        if jira_id in by_id
    )
    return mapping


_MAPPING_FIELDS = {
    "epic_type_id",
    "feature_type_id",
    "story_type_id",
    "epic_level",
    "feature_level",
    "story_level",
    "story_points_field_id",
    "epic_link_field_id",
    "parent_link_field_id",
}


@transaction.atomic
def mapping_set_directions(
    *, mapping: ProjectMapping, actor: AbstractBaseUser | None, directions: dict[str, str]
) -> ProjectMapping:
    mapping = ProjectMapping.objects.select_for_update().get(pk=mapping.pk)
    mapping.directions = validate_directions(directions)
    mapping.save(update_fields=["directions", "updated_at"])
    return mapping


@transaction.atomic
def status_mapping_set(
    *, mapping: ProjectMapping, jira_status_id: str, workflow_status: WorkflowStatus
) -> StatusMapping:
    if workflow_status.product_id != mapping.product_id:
        raise ValidationError({"workflow_status": "Choose a status of the mapped product."})
    row = StatusMapping.objects.select_for_update().get(mapping=mapping, jira_status_id=jira_status_id)
    row.workflow_status = workflow_status
    row.save(update_fields=["workflow_status"])
    return row
