"""Project mappings: what a Jira project offers (issue types, statuses, fields), sensible defaults
(types by name and hierarchyLevel, statuses by name then category, the story-points field by schema),
validation of the choices and of field directions; creating, changing and disconnecting a mapping.

Disconnecting keeps what matters: our backlog items are untouched, and the links to Jira issues stay
(archived, "project disconnected") so that mapping the product to the same project again reconnects
each item to its issue instead of importing a duplicate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backlog.models import StatusCategory, WorkflowStatus
from core.errors import ApplicationError
from workspaces.models import Product

from ..jira import JiraClient, JiraNotFound
from ..models import FIELDS, Conflict, Direction, IssueLink, JiraConnection, ProjectMapping, PushIntent, StatusMapping
from .connections import client_for

STORY_POINTS_SCHEMAS = (
    "com.pyxis.greenhopper.jira:jsw-story-points",
    "com.atlassian.jira.plugin.system.customfieldtypes:float",
)
EPIC_LINK_SCHEMA = "com.pyxis.greenhopper.jira:gh-epic-link"
EPIC_NAME_SCHEMA = "com.pyxis.greenhopper.jira:gh-epic-label"
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
    if connection.is_cloud:
        # Cloud creates epics without Epic Name (a legacy field there that may not even be on the screen).
        discovery.defaults["epic_name_field_id"] = ""
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
        "epic_name_field_id": field_with(EPIC_NAME_SCHEMA),
    }


# The choices a mapping holds that a person may change (the project itself is fixed: to sync another
# project, disconnect and map again). The conflict policy lives on the connection, not here.
CHOICE_FIELDS = (
    "epic_type_id",
    "feature_type_id",
    "story_type_id",
    "story_points_field_id",
    "epic_link_field_id",
    "parent_link_field_id",
    "epic_name_field_id",
)
TYPE_FIELDS = ("epic_type_id", "feature_type_id", "story_type_id")
KIND_OF_TYPE_FIELD = {"epic_type_id": "epics", "feature_type_id": "features", "story_type_id": "stories"}


def check_choices(discovery: Discovery, choices: dict[str, Any]) -> dict[str, Any]:
    """The chosen issue types and fields exist in the project (in words, per field); returns the choices
    with the hierarchy level of each chosen type. `choices` must name every type (blank: none)."""
    key = str(discovery.project.get("key", ""))
    levels = {t["id"]: t["hierarchyLevel"] for t in discovery.issue_types}
    field_ids = {f["id"] for f in discovery.fields}
    errors: dict[str, str] = {}
    checked = dict(choices)
    for name in TYPE_FIELDS:
        value = str(choices.get(name) or "")
        if value and value not in levels:
            offered = ", ".join(f"{t['id']} ({t['name']})" for t in discovery.issue_types)
            errors[name] = f"Project {key} has no issue type {value}; it has {offered}."
        elif value:
            checked[name.replace("_type_id", "_level")] = levels[value]
        elif name != "feature_type_id":
            errors[name] = f"Choose the Jira issue type that carries our {KIND_OF_TYPE_FIELD[name]}."
    epic, story = choices.get("epic_type_id"), choices.get("story_type_id")
    if epic and epic == story and not errors:
        errors["story_type_id"] = "Our epics and stories need different Jira issue types."
    for name in CHOICE_FIELDS:
        value = choices.get(name)
        if name not in TYPE_FIELDS and value and value not in field_ids:
            errors[name] = f"Jira has no field {value}."
    if errors:
        raise ValidationError(errors)
    return checked


def validate_directions(directions: dict[str, str]) -> dict[str, str]:
    errors = []
    for name, direction in directions.items():
        if name not in FIELDS:
            errors.append(f"“{name}” is not a field the sync carries (choose from {', '.join(FIELDS)}).")
        elif direction not in Direction.values:
            errors.append(f"“{direction}” is not a direction for {name}: use two_way, to_jira, from_jira or set_once.")
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
    unknown = sorted(set(choices) - set(CHOICE_FIELDS))
    if unknown:
        raise ValidationError({name: "Not a choice of a mapping." for name in unknown})
    settings_ = check_choices(discovery, {**discovery.defaults, **choices})
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
    # Links left by an earlier mapping of this product (disconnected): this mapping owns them again, and
    # the next pull of each issue reconnects it to its item (identity is the issue id, never duplicated).
    IssueLink.objects.filter(connection=connection, mapping__isnull=True).filter(_items_of(product)).update(
        mapping=mapping
    )
    return mapping


def _items_of(product: Product, prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}epic__product": product})
        | Q(**{f"{prefix}feature__product": product})
        | Q(**{f"{prefix}story__product": product})
    )


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
    "epic_name_field_id",
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


def mapping_update(
    *,
    mapping: ProjectMapping,
    actor: AbstractBaseUser | None,
    discovery: Discovery | None = None,
    **changes: Any,
) -> ProjectMapping:
    """Change the issue types and fields a mapping uses (any of CHOICE_FIELDS), checked against what the
    project offers now, as on create. Jira is asked first (outside the transaction) unless `discovery`
    is given. Items already linked stay linked to their issues; issues of a newly mapped type come
    over with the next full reconcile. Agile fields the mapping lacks (Epic Link, Parent Link, Epic Name)
    are filled from the discovery on the way."""
    unknown = sorted(set(changes) - set(CHOICE_FIELDS))
    if unknown:
        raise ValidationError({name: "Not a choice a mapping can change." for name in unknown})
    changes = {name: str(value or "").strip() for name, value in changes.items()}
    changed = {name: value for name, value in changes.items() if value != getattr(mapping, name)}
    if not changed:
        return mapping
    # By id: the project's key may have changed in Jira since it was mapped.
    discovery = discovery or discover(connection=mapping.connection, project_key=mapping.jira_project_id)
    with transaction.atomic():
        locked = ProjectMapping.objects.select_for_update().get(pk=mapping.pk)
        current = {name: getattr(locked, name) for name in CHOICE_FIELDS}
        for name in ("epic_link_field_id", "parent_link_field_id", "epic_name_field_id"):
            if not current[name] and name not in changes:
                current[name] = discovery.defaults.get(name, "")
        checked = check_choices(discovery, current | changed)
        updates = {name: value for name, value in checked.items() if getattr(locked, name) != value}
        for name, value in updates.items():
            setattr(locked, name, value)
        if updates:
            locked.save(update_fields=[*updates, "updated_at"])
    return locked


@dataclass(frozen=True)
class Disconnected:
    project_key: str
    links_archived: int
    pushes_dropped: int
    conflicts_closed: int


@transaction.atomic
def mapping_delete(*, mapping: ProjectMapping, actor: AbstractBaseUser | None) -> Disconnected:
    """Disconnect the product from its Jira project: the mapping and its status map go, syncing stops.

    - Our epics, features and stories are not touched.
    - Live links are archived ("project disconnected") and kept: mapping the product to the same
      project again reconnects every item to its issue (a pull never duplicates an issue it has a link
      for); links archived for other reasons keep theirs (an item deleted here stays deleted).
    - Pending pushes of the product's items are closed unsent (with the reason on the row), open
      conflicts of its links closed without picking a side: nothing is left that would reach Jira.
    - Runs stay as history (at the connection's level).

    A pull or reconcile holding the mapping's lease is not cut off mid-page: the disconnect is refused
    in words until it ends. The mapping row is locked for the transaction, so a sync cannot start
    meanwhile; a push or webhook already past its checks finds the mapping gone and stops cleanly."""
    now = timezone.now()
    locked = ProjectMapping.objects.select_for_update().select_related("product").filter(pk=mapping.pk).first()
    if locked is None:
        raise ApplicationError("This product is not mapped to a Jira project (any more).")
    if locked.lease_until is not None and locked.lease_until > now:
        # The lease is renewed by every page: its end says when the pull last showed life, not when it ends.
        raise ApplicationError(
            f"A sync of {locked.product.name} with {locked.jira_project_key} is running; disconnect once it has "
            "finished (its progress shows on the sync runs page).",
            extra={"running": True},
        )
    product = locked.product
    links = IssueLink.objects.filter(mapping=locked)
    archived = links.filter(archived_at__isnull=True).update(
        archived_at=now, archived_reason=IssueLink.ArchiveReason.UNMAPPED
    )
    closed = Conflict.objects.filter(link__mapping=locked, status=Conflict.Status.OPEN).update(
        status=Conflict.Status.RESOLVED, resolved_at=now, resolved_by=actor if getattr(actor, "pk", None) else None
    )
    dropped = (
        PushIntent.objects.filter(connection_id=locked.connection_id, done_at__isnull=True)
        .filter(_items_of(product))
        .update(
            done_at=now,
            last_error=f"Not pushed: {product.name} was disconnected from Jira project {locked.jira_project_key}.",
        )
    )
    key = locked.jira_project_key
    locked.delete()  # status rows go with it; links and runs keep their rows (mapping set to null)
    return Disconnected(project_key=key, links_archived=archived, pushes_dropped=dropped, conflicts_closed=closed)
