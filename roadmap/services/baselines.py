"""Baselines: a named snapshot of every item of a roadmap, to compare the plan with later."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from core.db import save_or_field_error

from ..models import Baseline, Roadmap, RoadmapItem

SNAPSHOT_FIELDS = ("title", "lane", "status", "start_date", "end_date", "confidence", "milestone_id")


def item_snapshot(item: RoadmapItem) -> dict[str, Any]:
    data: dict[str, Any] = {"id": item.pk}
    for field in SNAPSHOT_FIELDS:
        value = getattr(item, field)
        data[field] = value.isoformat() if isinstance(value, date) else value
    return data


@transaction.atomic
def baseline_create(*, roadmap: Roadmap, name: str, actor: AbstractBaseUser | None) -> Baseline:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the baseline, for example 'Q3 planning review'."})
    duplicate = f"{roadmap.name} already has a baseline called {name}."
    if Baseline.objects.filter(roadmap=roadmap, name=name).exists():
        raise ValidationError({"name": duplicate})
    items = RoadmapItem.objects.filter(roadmap=roadmap).order_by("rank")
    baseline = Baseline(roadmap=roadmap, name=name, created_by=actor, snapshot=[item_snapshot(item) for item in items])
    # The snapshot of an empty roadmap is [], which full_clean would call blank.
    baseline.full_clean(exclude=["snapshot"], validate_constraints=False)
    save_or_field_error(baseline, constraint="baseline_unique_name_per_roadmap", field="name", message=duplicate)
    return baseline
