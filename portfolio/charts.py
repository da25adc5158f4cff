"""Geometry of the dashboard's two SVG charts: a release burn-up and a roadmap timeline strip.

Pure functions of plain values (dates and numbers in, coordinates out), so that where a point lands
can be asserted; the templates only draw what these return, with SVG attributes and CSS classes (the
Content-Security-Policy forbids style attributes, and the charts need no JavaScript).

Burn-up method (what the chart claims): the scope on a day is the points of the release's stories, as
estimated now, created on or before that day; done on a day is the points of its stories in a
done-category status completed on or before that day. Both are measured at the end of each day and
drawn as steps up to today; a story removed from the release or re-estimated moves its whole line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

from backlog.burndown import nice_step

# Burn-up view box.
BURNUP_WIDTH = 640
BURNUP_HEIGHT = 240
BURNUP_MARGIN_LEFT = 48
BURNUP_MARGIN_RIGHT = 24  # room for half of the last date label
BURNUP_MARGIN_TOP = 16
BURNUP_MARGIN_BOTTOM = 40
BURNUP_X_TICKS = 6

# Timeline strip view box: a label column, then the time axis.
STRIP_WIDTH = 760
STRIP_LABEL_WIDTH = 200
STRIP_MARGIN_RIGHT = 12
STRIP_AXIS_HEIGHT = 40  # month names, years and milestone marks above the bars
STRIP_ROW_HEIGHT = 22
STRIP_BAR_HEIGHT = 12
STRIP_FOOTER = 8
STRIP_LABEL_CHARS = 28
STRIP_PAST_DAYS = 365  # the strip shows at most a year back and two ahead of today
STRIP_FUTURE_DAYS = 730
STRIP_MAX_MONTH_LABELS = 12


def fmt(value: float) -> str:
    """A coordinate for an SVG attribute: one decimal, no trailing '.0', never a localised comma."""
    return f"{value:.1f}".removesuffix(".0")


def path_of(vertices: Sequence[tuple[float, float]]) -> str:
    """SVG path data through the vertices: 'M x,y L x,y …'."""
    return " ".join(f"{'M' if i == 0 else 'L'}{fmt(x)},{fmt(y)}" for i, (x, y) in enumerate(vertices))


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


# --- Burn-up -----------------------------------------------------------------------------------


def cumulative_steps(increments: Iterable[tuple[date, int]], *, start: date, until: date) -> list[tuple[date, int]]:
    """(day, running total) on each day the total changes, from `start` (included, with what came
    before it) to `until`; what is dated after `until` is counted on `until` (a clock a little ahead)."""
    by_day: dict[date, int] = {}
    for day, points in increments:
        day = min(max(day, start), until)
        by_day[day] = by_day.get(day, 0) + points
    steps = [(start, by_day.pop(start, 0))]
    total = steps[0][1]
    for day in sorted(by_day):
        if by_day[day]:
            total += by_day[day]
            steps.append((day, total))
    return steps


@dataclass(frozen=True)
class Burnup:
    start: date
    end: date
    today: date
    release_date: date
    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    y_max: int
    scope_steps: list[tuple[date, int]]
    done_steps: list[tuple[date, int]]
    scope_vertices: list[tuple[float, float]]
    done_vertices: list[tuple[float, float]]
    today_x: float
    release_x: float
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)

    @property
    def scope_path(self) -> str:
        return path_of(self.scope_vertices)

    @property
    def done_path(self) -> str:
        return path_of(self.done_vertices)

    @property
    def scope_now(self) -> int:
        return self.scope_steps[-1][1]

    @property
    def done_now(self) -> int:
        return self.done_steps[-1][1]

    @property
    def done_dot(self) -> tuple[float, float]:
        return self.done_vertices[-1]

    @property
    def scope_dot(self) -> tuple[float, float]:
        return self.scope_vertices[-1]


def burnup_chart(
    *,
    start: date,
    release_date: date,
    today: date,
    scope: Iterable[tuple[date, int]],
    done: Iterable[tuple[date, int]],
) -> Burnup:
    """Lay out a burn-up from `start` to the later of the release date and today.

    `scope` and `done` are (day, points) increments; lines are steps measured up to today.
    """
    end = max(release_date, today, start)
    until = min(today, end)
    scope_steps = cumulative_steps(scope, start=start, until=until)
    done_steps = cumulative_steps(done, start=start, until=until)
    left, top = BURNUP_MARGIN_LEFT, BURNUP_MARGIN_TOP
    right, bottom = BURNUP_WIDTH - BURNUP_MARGIN_RIGHT, BURNUP_HEIGHT - BURNUP_MARGIN_BOTTOM
    highest = max(scope_steps[-1][1], done_steps[-1][1], 1)  # running totals: the last is the largest
    step = nice_step(highest)
    y_max = step * math.ceil(highest / step)
    span = max((end - start).days, 1)

    def x(day: date) -> float:
        return round(left + (right - left) * (day - start).days / span, 1)

    def y(value: float) -> float:
        return round(bottom - (bottom - top) * value / y_max, 1)

    def vertices(steps: list[tuple[date, int]]) -> list[tuple[float, float]]:
        points = [(x(steps[0][0]), y(steps[0][1]))]
        for (_, before), (day, value) in pairwise(steps):
            points += [(x(day), y(before)), (x(day), y(value))]
        if steps[-1][0] < until:
            points.append((x(until), y(steps[-1][1])))
        return points

    x_ticks = []
    for i in range(BURNUP_X_TICKS):
        day = start + timedelta(days=round(span * i / (BURNUP_X_TICKS - 1)))
        if not x_ticks or x_ticks[-1].label != f"{day:%-d %b}":
            x_ticks.append(Tick(x(day), f"{day:%-d %b}"))
    y_ticks = [Tick(y(value), str(value)) for value in range(0, y_max + 1, step)]
    return Burnup(
        start=start,
        end=end,
        today=today,
        release_date=release_date,
        width=BURNUP_WIDTH,
        height=BURNUP_HEIGHT,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        y_max=y_max,
        scope_steps=scope_steps,
        done_steps=done_steps,
        scope_vertices=vertices(scope_steps),
        done_vertices=vertices(done_steps),
        today_x=x(until),
        release_x=x(release_date),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
    )


# --- Timeline strip ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StripInput:
    """One item to draw: `kind` becomes a CSS class (the computed confidence, or 'done')."""

    key: int
    title: str
    start: date
    end: date
    kind: str
    summary: str = ""  # the bar's <title>, after the dates


@dataclass(frozen=True)
class StripBar:
    key: int
    title: str
    label: str
    kind: str
    summary: str
    start: date
    end: date
    x: float
    width: float
    y: float  # top of the bar
    text_y: float
    clipped_start: bool
    clipped_end: bool


@dataclass(frozen=True)
class StripMark:
    label: str
    day: date
    x: float
    diamond: str  # SVG polygon points
    reached: bool


@dataclass(frozen=True)
class Strip:
    start: date  # first day drawn
    end: date  # last day drawn (inclusive)
    today: date
    width: int
    height: float
    chart_left: int
    chart_right: int
    axis_y: float  # where the rows begin
    bars: list[StripBar]
    marks: list[StripMark]
    months: list[Tick]  # a line at each month start; label "" where labels would crowd
    years: list[Tick]  # under the first month's name and each January's
    today_x: float | None
    left_out: int = 0  # items wholly outside the window, not drawn
    bar_height: int = STRIP_BAR_HEIGHT


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _short(title: str) -> str:
    return title if len(title) <= STRIP_LABEL_CHARS else title[: STRIP_LABEL_CHARS - 1].rstrip() + "…"


def timeline_strip(
    *, items: Sequence[StripInput], today: date, milestones: Sequence[tuple[str, date, bool]] = ()
) -> Strip | None:
    """Items as bars on a time axis of whole months, a mark per milestone, a line at today.

    The axis covers every item and today, within a year back and two ahead: longer bars are clipped,
    items wholly outside are left out (counted in `left_out`). None when there is nothing to draw.
    """
    floor, ceiling = today - timedelta(days=STRIP_PAST_DAYS), today + timedelta(days=STRIP_FUTURE_DAYS)
    shown = [item for item in items if item.end >= floor and item.start <= ceiling]
    left_out = len(items) - len(shown)
    items = shown
    if not items:
        return None
    first = max(min([today, *(item.start for item in items)]), floor)
    last = min(max([today, *(item.end for item in items)]), ceiling)
    start = _month_start(first)
    end = _next_month(last) - timedelta(days=1)
    days = (end - start).days + 1
    left, right = STRIP_LABEL_WIDTH, STRIP_WIDTH - STRIP_MARGIN_RIGHT

    def x(day: date) -> float:
        """The left edge of `day`; `end + 1 day` is the right edge of the chart."""
        return round(left + (right - left) * (day - start).days / days, 1)

    bars = []
    for row, item in enumerate(items):
        shown_start, shown_end = max(item.start, start), min(item.end, end)
        bar_x = x(shown_start)
        top = STRIP_AXIS_HEIGHT + row * STRIP_ROW_HEIGHT + (STRIP_ROW_HEIGHT - STRIP_BAR_HEIGHT) / 2
        bars.append(
            StripBar(
                key=item.key,
                title=item.title,
                label=_short(item.title),
                kind=item.kind,
                summary=item.summary,
                start=item.start,
                end=item.end,
                x=bar_x,
                width=max(round(x(shown_end + timedelta(days=1)) - bar_x, 1), 2.0),
                y=top,
                text_y=round(top + STRIP_BAR_HEIGHT - 2, 1),
                clipped_start=item.start < start,
                clipped_end=item.end > end,
            )
        )
    marks = []
    for label, day, reached in milestones:
        if start <= day <= end:
            mx, my = x(day), STRIP_AXIS_HEIGHT - 6
            diamond = f"{fmt(mx)},{fmt(my - 5)} {fmt(mx + 5)},{fmt(my)} {fmt(mx)},{fmt(my + 5)} {fmt(mx - 5)},{fmt(my)}"
            marks.append(StripMark(label=label, day=day, x=mx, diamond=diamond, reached=reached))
    month_starts = []
    month = start
    while month <= end:
        month_starts.append(month)
        month = _next_month(month)
    every = math.ceil(len(month_starts) / STRIP_MAX_MONTH_LABELS)
    months = [Tick(x(month), f"{month:%b}" if i % every == 0 else "") for i, month in enumerate(month_starts)]
    years = [Tick(x(month), str(month.year)) for i, month in enumerate(month_starts) if i == 0 or month.month == 1]
    return Strip(
        start=start,
        end=end,
        today=today,
        width=STRIP_WIDTH,
        height=STRIP_AXIS_HEIGHT + len(items) * STRIP_ROW_HEIGHT + STRIP_FOOTER,
        chart_left=left,
        chart_right=right,
        axis_y=STRIP_AXIS_HEIGHT,
        bars=bars,
        marks=marks,
        months=months,
        years=years,
        today_x=x(today) if start <= today <= end else None,
        left_out=left_out,
    )
