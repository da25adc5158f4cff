"""A sprint's burn-down: the figures per day and the geometry of the SVG the sprint page draws on the server.

Method (what the chart claims, and what it does not):
- The scope is the sprint's stories as they are now: `total` is the sum of their points (a story
  without an estimate counts 0). A story added or taken out mid-sprint moves the whole line, not
  the day it happened (the stories' history could tell that day; this chart does not read it).
- Remaining on a day = total − the points of the stories in a done-category status whose
  `completed_at` (in the site's time zone) falls on or before that day. A story finished before the
  sprint started counts as done on the first day. A story reopened has no `completed_at` any more,
  so it counts as remaining on every day (its earlier dip is not shown).
- Remaining is measured at the end of each day, and drawn for the days up to today (all of them
  once the sprint is over); the ideal line falls evenly over calendar days, from `total` on the
  first day to 0 on the last.

Pure functions of plain values, so that the figures can be asserted on known data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

WIDTH = 720
HEIGHT = 300
MARGIN_LEFT = 56
MARGIN_RIGHT = 20
MARGIN_TOP = 28
MARGIN_BOTTOM = 52
MAX_X_LABELS = 10
MAX_Y_TICKS = 6


@dataclass(frozen=True)
class BurndownDay:
    day: date
    ideal: float
    remaining: int | None  # None: a day still to come

    @property
    def ideal_label(self) -> str:
        return f"{self.ideal:.1f}".removesuffix(".0")


def burndown_series(
    *, start: date, end: date, total: int, completions: Iterable[tuple[date, int]], today: date
) -> list[BurndownDay]:
    """One entry per calendar day from `start` to `end` (inclusive): the ideal and the remaining points."""
    days = max((end - start).days, 0) + 1
    done_by_day = [0] * days
    for day, points in completions:
        index = (day - start).days
        if index < days:
            done_by_day[max(index, 0)] += points  # before the start: done on day one
    series = []
    burnt = 0
    for index in range(days):
        day = start + timedelta(days=index)
        burnt += done_by_day[index]
        ideal = total * (1 - index / (days - 1)) if days > 1 else 0.0
        series.append(BurndownDay(day=day, ideal=round(ideal, 2), remaining=total - burnt if day <= today else None))
    return series


@dataclass(frozen=True)
class Tick:
    position: float  # x for a day, y for a value
    label: str
    day: date | None = None


@dataclass(frozen=True)
class Burndown:
    days: list[BurndownDay]
    total: int
    width: int
    height: int
    left: int
    top: int
    right: int  # x of the plot's right edge
    bottom: int  # y of the plot's bottom edge (the x axis)
    ideal_points: str  # SVG polyline points
    actual_points: str
    actual_dots: list[tuple[float, float, BurndownDay]]
    x_ticks: list[Tick]
    y_ticks: list[Tick]

    @property
    def measured(self) -> list[BurndownDay]:
        return [d for d in self.days if d.remaining is not None]

    @property
    def measured_until(self) -> date | None:
        measured = self.measured
        return measured[-1].day if measured else None

    @property
    def remaining_now(self) -> int | None:
        measured = self.measured
        return measured[-1].remaining if measured else None


def nice_step(top: int, ticks: int = MAX_Y_TICKS) -> int:
    """The smallest of 1, 2, 5, 10, 20, 25, 50, … that draws `top` in at most `ticks` intervals."""
    if top <= 0:
        return 1
    magnitude = 10 ** max(int(math.log10(top)) - 1, 0)
    for base in (1, 2, 2.5, 5, 10, 20, 25, 50, 100):
        step = int(base * magnitude)
        if step >= 1 and step == base * magnitude and top / step <= ticks:
            return step
    return math.ceil(top / ticks)


def burndown_chart(days: list[BurndownDay], *, total: int) -> Burndown:
    """Where each line, dot and label goes in a WIDTH × HEIGHT view box (y grows downwards)."""
    left, top = MARGIN_LEFT, MARGIN_TOP
    right, bottom = WIDTH - MARGIN_RIGHT, HEIGHT - MARGIN_BOTTOM
    step = nice_step(total)
    y_max = max(step * math.ceil(total / step), step)
    spread = max(len(days) - 1, 1)

    def x(index: int) -> float:
        return round(left + (right - left) * index / spread, 1)

    def y(value: float) -> float:
        return round(bottom - (bottom - top) * value / y_max, 1)

    ideal = " ".join(f"{x(i)},{y(d.ideal)}" for i, d in enumerate(days))
    dots = [(x(i), y(d.remaining), d) for i, d in enumerate(days) if d.remaining is not None]
    every = math.ceil(len(days) / MAX_X_LABELS)
    x_ticks = [
        Tick(position=x(i), label=d.day.strftime("%-d %b"), day=d.day)
        for i, d in enumerate(days)
        if i % every == 0 or i == len(days) - 1
    ]
    if len(x_ticks) > 1 and (len(days) - 1) % every and x_ticks[-1].position - x_ticks[-2].position < 40:
        del x_ticks[-2]  # the last day's label would overlap the one before it
    y_ticks = [Tick(position=y(value), label=str(value)) for value in range(0, y_max + 1, step)]
    return Burndown(
        days=days,
        total=total,
        width=WIDTH,
        height=HEIGHT,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        ideal_points=ideal,
        actual_points=" ".join(f"{dx},{dy}" for dx, dy, _ in dots),
        actual_dots=dots,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
    )
