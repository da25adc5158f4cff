"""Reads shared by the roadmap's pages and endpoints: progress roll-up and baseline diffs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from backlog.selectors.progress import Progress, epic_progress

from .models import Baseline, RoadmapItem
from .services import item_snapshot


def roadmap_item_progress(items: Sequence[RoadmapItem]) -> dict[int, Progress]:
    """Progress per roadmap item, rolled up from its linked epics' stories: two queries, whatever the count."""
    links = RoadmapItem.epics.through.objects.filter(roadmapitem_id__in=[item.pk for item in items])
    epics_of: dict[int, list[int]] = defaultdict(list)
    for item_id, epic_id in links.values_list("roadmapitem_id", "epic_id"):
        epics_of[item_id].append(epic_id)
    per_epic = epic_progress(sorted({e for ids in epics_of.values() for e in ids}))
    result = {}
    for item in items:
        total = Progress()
        for epic_id in epics_of.get(item.pk, ()):
            total += per_epic.get(epic_id, Progress())
        result[item.pk] = total
    return result


@dataclass
class Change:
    item_id: int
    title: str
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass
class BaselineDiff:
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    redated: list[Change] = field(default_factory=list)
    relaned: list[Change] = field(default_factory=list)
    confidence_changed: list[Change] = field(default_factory=list)
    retitled: list[Change] = field(default_factory=list)
    status_changed: list[Change] = field(default_factory=list)
    # Moved to another milestone or release, or taken off one / put on one: {"milestone_id": id or None}.
    milestone_changed: list[Change] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


def baseline_diff(baseline: Baseline) -> BaselineDiff:
    """What moved on the roadmap since the baseline was taken.

    An item changed in several ways appears in each bucket; every Change carries only its bucket's fields.
    """
    then = {row["id"]: row for row in baseline.snapshot}
    now = {row["id"]: row for row in map(item_snapshot, RoadmapItem.objects.filter(roadmap_id=baseline.roadmap_id))}
    diff = BaselineDiff()
    diff.added = [now[pk] for pk in now if pk not in then]
    diff.removed = [then[pk] for pk in then if pk not in now]
    checks = (
        ("redated", ("start_date", "end_date")),
        ("relaned", ("lane",)),
        ("confidence_changed", ("confidence",)),
        ("retitled", ("title",)),
        ("status_changed", ("status",)),
        ("milestone_changed", ("milestone_id",)),
    )
    for pk in then.keys() & now.keys():
        before, after = then[pk], now[pk]
        for bucket, fields in checks:
            if any(before.get(f) != after.get(f) for f in fields):
                getattr(diff, bucket).append(
                    Change(pk, after["title"], {f: before.get(f) for f in fields}, {f: after.get(f) for f in fields})
                )
    for name in diff.__dataclass_fields__:
        getattr(diff, name).sort(key=lambda row: row["id"] if isinstance(row, dict) else row.item_id)
    return diff
