"""Mapping writes for the API on top of jira_sync.services.mappings: the project's offer is read from Jira
first, the choices are checked against it by the services, then written in one transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from backlog.models import WorkflowStatus
from workspaces.models import Product

from ..models import JiraConnection, ProjectMapping, StatusMapping
from ..services.mappings import (
    CHOICE_FIELDS,
    discover,
    mapping_create,
    mapping_set_directions,
    mapping_update,
    status_mapping_set,
    validate_directions,
)


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
    choices = {name: data[name] for name in CHOICE_FIELDS if name in data and data[name] != getattr(mapping, name)}
    # Jira is asked only when a type or field changes (by project id: its key may have changed in Jira).
    discovery = discover(connection=mapping.connection, project_key=mapping.jira_project_id) if choices else None
    with transaction.atomic():
        locked = ProjectMapping.objects.select_for_update().get(pk=mapping.pk)
        if choices:
            locked = mapping_update(mapping=locked, actor=actor, discovery=discovery, **choices)
        if directions is not None:
            locked = mapping_set_directions(mapping=locked, actor=actor, directions=directions)
        if rows:
            known = set(StatusMapping.objects.filter(mapping=locked).values_list("jira_status_id", flat=True))
            for jira_status_id, ours in _status_overrides(rows, known).items():
                status_mapping_set(mapping=locked, jira_status_id=jira_status_id, workflow_status=ours)
            if not (choices or directions is not None):
                locked.save(update_fields=["updated_at"])
    return locked
