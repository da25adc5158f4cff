"""An epic's progress, rolled up from its stories (backlog/rollup.py keeps the totals): what the roadmap,
the API and the leadership dashboard show as done."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..rollup import EpicTotals, epic_totals, epic_totals_live


@dataclass(frozen=True)
class Progress:
    points_done: int = 0
    points_total: int = 0
    stories_done: int = 0
    stories_total: int = 0
    stories_estimated: int = 0

    @property
    def percent(self) -> int:
        """Percent of points done; by story count when nothing is estimated."""
        if self.points_total:
            return round(100 * self.points_done / self.points_total)
        if self.stories_total:
            return round(100 * self.stories_done / self.stories_total)
        return 0

    @property
    def estimate_coverage(self) -> float | None:
        return self.stories_estimated / self.stories_total if self.stories_total else None

    def __add__(self, other: Progress) -> Progress:
        return Progress(
            self.points_done + other.points_done,
            self.points_total + other.points_total,
            self.stories_done + other.stories_done,
            self.stories_total + other.stories_total,
            self.stories_estimated + other.stories_estimated,
        )


def epic_progress(epic_ids: Sequence[int]) -> dict[int, Progress]:
    """Progress per epic from its stories (under its features or directly under it), in one query that
    does not grow with the backlog on PostgreSQL (backlog/rollup.py). Epics without stories are left out."""
    return {epic_id: _progress(totals) for epic_id, totals in epic_totals(epic_ids).items()}


def epic_progress_live(epic_ids: Sequence[int]) -> dict[int, Progress]:
    """epic_progress computed from every story of the epics: the reference in tests."""
    return {epic_id: _progress(totals) for epic_id, totals in epic_totals_live(epic_ids).items()}


def _progress(totals: EpicTotals) -> Progress:
    return Progress(
        points_done=totals.points_done,
        points_total=totals.points,
        stories_done=totals.stories_done,
        stories_total=totals.stories,
        stories_estimated=totals.stories_estimated,
    )
