"""The computed confidence signal of roadmap items, with the reasons behind it.

Beside the confidence a person states, the workspace reads the evidence: how much of
the linked work is estimated, which dependencies are still open (or end after this
item starts), which linked PRDs are not signed off, which linked decisions are still
open, and whether the end date has passed. PRDs and decisions are reached through
their reverse relations (`prds`, `decisions`) so the roadmap does not import them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from backlog.selectors.progress import Progress

from .models import Confidence, Dependency, RoadmapItem
from .selectors import roadmap_item_progress

ESTIMATE_COVERAGE_FLOOR = 0.8
AT_RISK_SCORE = 1
OFF_TRACK_SCORE = 3
OPEN_DECISION_STATES = ("proposed", "in_review")
SIGNED_OFF_PRD_STATE = "approved"


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    weight: int


@dataclass
class ConfidenceSignal:
    reasons: list[Reason] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(reason.weight for reason in self.reasons)

    @property
    def level(self) -> str:
        if self.score >= OFF_TRACK_SCORE:
            return Confidence.OFF_TRACK
        if self.score >= AT_RISK_SCORE:
            return Confidence.AT_RISK
        return Confidence.ON_TRACK

    @property
    def label(self) -> str:
        return Confidence(self.level).label


def confidence_signals(
    items: Sequence[RoadmapItem], *, today: date | None = None, progress: dict[int, Progress] | None = None
) -> dict[int, ConfidenceSignal]:
    """A signal per item, in five queries (three when progress is passed in), whatever the number of items."""
    today = today or timezone.localdate()
    ids = [item.pk for item in items]
    progress = progress if progress is not None else roadmap_item_progress(items)

    blockers: dict[int, list[Dependency]] = defaultdict(list)
    for dep in Dependency.objects.filter(blocked_id__in=ids).select_related("blocker").order_by("blocker__title"):
        blockers[dep.blocked_id].append(dep)

    # Every linked PRD, approved ones filtered out here: an exclude() across the many-to-many
    # would drop the whole item as soon as one of its PRDs is approved.
    unsigned_prds: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for item_id, title, status in (
        RoadmapItem.objects.filter(pk__in=ids, prds__isnull=False)
        .values_list("pk", "prds__title", "prds__status")
        .order_by("pk", "prds__title")
    ):
        if status != SIGNED_OFF_PRD_STATE:
            unsigned_prds[item_id].append((title, status))

    open_decisions: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for item_id, number, title in (
        RoadmapItem.objects.filter(pk__in=ids, decisions__status__in=OPEN_DECISION_STATES)
        .values_list("pk", "decisions__number", "decisions__title")
        .order_by("pk", "decisions__number")
    ):
        open_decisions[item_id].append((number, title))

    signals = {}
    for item in items:
        signal = ConfidenceSignal()
        if item.status != RoadmapItem.Status.DONE:
            _estimate_reasons(signal, progress.get(item.pk, Progress()), item)
            _dependency_reasons(signal, item, blockers[item.pk])
            for title, status in unsigned_prds[item.pk]:
                state = status.replace("_", " ")
                signal.reasons.append(Reason("prd_unsigned", f"PRD “{title}” is not signed off ({state}).", 1))
            for number, title in open_decisions[item.pk]:
                signal.reasons.append(Reason("decision_open", f"Decision ADR-{number} “{title}” is still open.", 1))
            if item.end_date and item.end_date < today:
                signal.reasons.append(
                    Reason("overdue", f"The end date ({item.end_date:%d %b %Y}) has passed and it is not done.", 2)
                )
        signals[item.pk] = signal
    return signals


def _estimate_reasons(signal: ConfidenceSignal, progress: Progress, item: RoadmapItem) -> None:
    coverage = progress.estimate_coverage
    if coverage is None:
        if item.lane == "now":
            signal.reasons.append(Reason("no_stories", "It is in Now but no stories are linked to it yet.", 1))
        return
    if coverage < ESTIMATE_COVERAGE_FLOOR:
        signal.reasons.append(
            Reason(
                "low_estimates",
                f"Only {progress.stories_estimated} of {progress.stories_total} stories are estimated "
                f"({round(coverage * 100)}%).",
                1,
            )
        )


def _dependency_reasons(signal: ConfidenceSignal, item: RoadmapItem, deps: list[Dependency]) -> None:
    for dep in deps:
        blocker = dep.blocker
        if blocker.status == RoadmapItem.Status.DONE:
            continue
        if item.start_date and blocker.end_date and blocker.end_date > item.start_date:
            signal.reasons.append(
                Reason(
                    "dependency_late",
                    f"Depends on “{blocker.title}”, planned to end {blocker.end_date:%d %b %Y}, "
                    f"after this starts ({item.start_date:%d %b %Y}).",
                    2,
                )
            )
        else:
            signal.reasons.append(Reason("dependency_open", f"Depends on “{blocker.title}”, not done yet.", 1))
