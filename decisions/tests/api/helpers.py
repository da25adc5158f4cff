"""What the decisions API tests share: a client per role, and a fingerprint of every decisions row."""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from decisions.models import (
    PRD,
    DecisionOption,
    DecisionParticipant,
    DecisionRecord,
    PRDSection,
    PRDVersion,
    Requirement,
    ReviewFlag,
    SignOff,
    SignOffEvent,
)

ROLE_FIXTURES = {"viewer": "viewer", "contributor": "contributor", "editor": "editor", "admin": "admin_user"}

TRACKED = (
    PRD,
    PRDSection,
    PRDVersion,
    Requirement,
    DecisionRecord,
    DecisionOption,
    DecisionParticipant,
    SignOff,
    SignOffEvent,
    ReviewFlag,
    PRD.epics.through,
    PRD.roadmap_items.through,
    Requirement.features.through,
    Requirement.stories.through,
    DecisionRecord.epics.through,
    DecisionRecord.roadmap_items.through,
    DecisionRecord.prds.through,
)


def fingerprint() -> dict[str, Any]:
    """Row counts of the decisions tables and the latest change of each that records one."""
    state: dict[str, Any] = {}
    for model in TRACKED:
        label = model._meta.label
        state[label] = model._default_manager.count()
        if any(field.name == "updated_at" for field in model._meta.concrete_fields):
            state[f"{label}.updated"] = model._default_manager.aggregate(last=Max("updated_at"))["last"]
    return state


def client_as(request, token_client, role: str):
    """A token client of the workspace member with this role (viewer, contributor, editor, admin)."""
    return token_client(request.getfixturevalue(ROLE_FIXTURES[role]))


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]
