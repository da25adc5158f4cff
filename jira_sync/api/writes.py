"""Mapping writes for the API on top of jira_sync.services.mappings: the project's offer is read from Jira
first (outside any transaction), the choices are checked against it, then written in one transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from backlog.models import WorkflowStatus
from workspaces.models import Product

from ..models import JiraConnection, ProjectMapping, StatusMapping
from ..services.mappings import Discovery, discover, mapping_create, status_mapping_set, validate_directions

TYPE_FIELDS = ("epic_type_id", "feature_type_id", "story_type_id")
FIELD_ID_FIELDS = ("story_points_field_id", "epic_link_field_id", "parent_link_field_id")


def _check_choices(discovery: Discovery, project_key: str, choices: dict[str, Any]) -> dict[str, Any]:
    """The type and field ids chosen exist in the project; returns the levels of the chosen types."""
    levels = {t["id"]: t["hierarchyLevel"] for t in discovery.issue_types}
    field_ids = {f["id"] for f in discovery.fields}
    errors: dict[str, str] = {}
    extra: dict[str, Any] = {}
    for name in TYPE_FIELDS:
        value = choices.get(name)
        if value and value not in levels:
            names = ", ".join(f"{t['id']} ({t['name']})" for t in discovery.issue_types)
            errors[name] = f"Project {project_key} has no issue type {value}; it has {names}."
        elif value:
            extra[name.replace("_type_id", "_level")] = levels[value]
    for name in FIELD_ID_FIELDS:
        value = choices.get(name)
        if value and value not in field_ids:
            errors[name] = f"Jira has no field {value}."
    if errors:
        raise ValidationError(errors)
    return extra


def _status_overrides(rows: list[dict[str, Any]], known: set[str]) -> dict[str, WorkflowStatus]:
    unknown = [row["jira_status_id"] for row in rows if row["jira_status_id"] not in known]
    if unknown:
        raise ValidationError({"status_mappings": f"The project has no status {', '.join(unknown)}."})
    return {row["jira_status_id"]: row["workflow_status"] for row in rows}


def mapping_create_checked(
    *, connection: JiraConnection, product: Product, actor: AbstractBaseUser, data: dict[str, Any]
) -> ProjectMapping:
    project_key = data.pop("jira_project_key")
    rows = data.pop("status_mappings", None) or []
    directions = data.pop("directions", None) or {}
    validate_directions(directions)
    discovery = discover(connection=connection, project_key=project_key)
    _check_choices(discovery, project_key, data)
    overrides = _status_overrides(rows, {s["id"] for s in discovery.statuses})
    return mapping_create(
        connection=connection,
        product=product,
        actor=actor,
        project_key=project_key,
        discovery=discovery,
        directions=directions,
        status_overrides=overrides,
        **data,
    )


def mapping_update_checked(
    *, mapping: ProjectMapping, actor: AbstractBaseUser, data: dict[str, Any], partial: bool
) -> ProjectMapping:
    rows = data.pop("status_mappings", None)
    directions = data.pop("directions", None)
    if directions is not None:
        directions = validate_directions({**(mapping.directions or {}), **directions} if partial else directions)
    ids = {name: value for name, value in data.items() if value != getattr(mapping, name)}
    levels: dict[str, Any] = {}
    if ids:
        discovery = discover(connection=mapping.connection, project_key=mapping.jira_project_key)
        levels = _check_choices(discovery, mapping.jira_project_key, ids)
    with transaction.atomic():
        locked = ProjectMapping.objects.select_for_update().get(pk=mapping.pk)
        if ids:
            for name, value in {**ids, **levels}.items():
                setattr(locked, name, value)
            locked.save(update_fields=[*ids, *levels, "updated_at"])
        if directions is not None:
            locked.directions = directions
            locked.save(update_fields=["directions", "updated_at"])
        if rows:
            known = set(StatusMapping.objects.filter(mapping=locked).values_list("jira_status_id", flat=True))
            for jira_status_id, ours in _status_overrides(rows, known).items():
                status_mapping_set(mapping=locked, jira_status_id=jira_status_id, workflow_status=ours)
            if not (ids or directions is not None):
                locked.save(update_fields=["updated_at"])
    return locked
