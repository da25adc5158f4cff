"""The roadmap timeline: items as bars over months or quarters, milestones, dependencies, today.

`timeline_for(roadmap=…)` reads (five queries, whatever the number of items or stories) and
`build_timeline(…)` lays the chart out; the template draws it as SVG with these numbers, so the
page reads without JavaScript and needs no style attribute (the CSP forbids them).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from backlog.selectors.progress import Progress

from .models import Dependency, Milestone, Roadmap, RoadmapItem
from .selectors import roadmap_item_progress

SCALES = ("months", "quarters")
PERIOD_WIDTH = {"months": 96, "quarters": 168}
MAX_PERIODS = {"months": 60, "quarters": 24}  # a date typed as 2099 must not draw a mile-wide chart
LABEL_WIDTH = 260  # the item titles, left of the chart
LABEL_CHARS = 32
PERIOD_ROW = 24  # period names
MILESTONE_ROW = 16  # one row of milestone names
MAX_MILESTONE_ROWS = 4
ROW_HEIGHT = 34
BAR_HEIGHT = 18
FOOTER = 28  # the "Today" label
CHAR_WIDTH = 7  # an estimate at the chart's 12px font, to keep milestone names apart


@dataclass
class Period:
    start: date
    end: date  # exclusive
    label: str
    x: float
    width: float

    @property
    def label_x(self) -> float:
        return self.x + 6


@dataclass
class Bar:
    item: RoadmapItem
    label: str  # the title, shortened to fit the label column
    row: int
    y: float  # top of the row
    bar_y: float
    text_y: float
    x: float
    width: float
    progress: Progress
    progress_width: float
    clipped_start: bool = False
    clipped_end: bool = False

    @property
    def mid_y(self) -> float:
        return self.bar_y + BAR_HEIGHT / 2


@dataclass
class MilestoneMark:
    milestone: Milestone
    x: float
    label_y: float
    diamond: str  # SVG points

    @property
    def label_x(self) -> float:
        return round(self.x + 8, 1)


@dataclass
class DependencyLine:
    blocker: RoadmapItem
    blocked: RoadmapItem
    path: str
    late: bool  # the blocker ends after the blocked item starts


@dataclass
class Timeline:
    scale: str
    today: date
    start: date
    end: date  # exclusive
    width: float
    height: float
    chart_left: float
    chart_top: float
    chart_bottom: float
    periods: list[Period] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    milestones: list[MilestoneMark] = field(default_factory=list)
    dependencies: list[DependencyLine] = field(default_factory=list)
    undated: list[RoadmapItem] = field(default_factory=list)
    today_x: float | None = None

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def today_label_y(self) -> float:
        return self.chart_bottom + 18

    @property
    def row_height(self) -> int:
        return ROW_HEIGHT

    @property
    def bar_height(self) -> int:
        return BAR_HEIGHT

    @property
    def label_width(self) -> int:
        return LABEL_WIDTH

    @property
    def scale_label(self) -> str:
        return "month" if self.scale == "months" else "quarter"


def _period_start(day: date, scale: str) -> date:
    if scale == "quarters":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, day.month, 1)


def _next_period(start: date, scale: str) -> date:
    months = 3 if scale == "quarters" else 1
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def _period_label(start: date, scale: str) -> str:
    if scale == "quarters":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return f"{calendar.month_abbr[start.month]} {start.year}"


def _shorten(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def build_timeline(
    *,
    items: Sequence[RoadmapItem],
    progress: dict[int, Progress],
    dependencies: Sequence[tuple[int, int]],
    milestones: Sequence[Milestone],
    scale: str = "months",
    today: date | None = None,
) -> Timeline:
    """Lay out the chart: items with both dates become bars (by start, then end); the others are listed apart.

    `dependencies` are (blocker_id, blocked_id) pairs; a line is drawn when both items have a bar.
    """
    scale = scale if scale in SCALES else "months"
    today = today or timezone.localdate()
    dated = sorted(
        (item for item in items if item.start_date and item.end_date),
        key=lambda item: (item.start_date, item.end_date, item.rank, item.pk),
    )
    undated = [item for item in items if not (item.start_date and item.end_date)]

    days = [today, *(m.date for m in milestones)]
    for item in dated:
        days += [item.start_date, item.end_date]
    first = _period_start(min(days), scale)
    last_day = max(days)
    # Every period up to the one holding the last date, at least a year in view, never more than MAX_PERIODS.
    at_least = 12 if scale == "months" else 4
    starts = [first]
    while len(starts) < MAX_PERIODS[scale] and (_next_period(starts[-1], scale) <= last_day or len(starts) < at_least):
        starts.append(_next_period(starts[-1], scale))
    width_each = PERIOD_WIDTH[scale]
    periods = [
        Period(
            start=start,
            end=_next_period(start, scale),
            label=_period_label(start, scale),
            x=LABEL_WIDTH + i * width_each,
            width=width_each,
        )
        for i, start in enumerate(starts)
    ]
    end = periods[-1].end

    def x_of(day: date) -> float:
        """The x of the start of `day`, clamped to the chart."""
        if day <= first:
            return float(LABEL_WIDTH)
        if day >= end:
            return float(LABEL_WIDTH + len(periods) * width_each)
        # Periods are contiguous: find the one that holds the day by its month index.
        months = (day.year - first.year) * 12 + day.month - first.month
        period = periods[months // 3 if scale == "quarters" else months]
        span = (period.end - period.start).days
        return period.x + period.width * (day - period.start).days / span

    # Milestone names go in up to MAX_MILESTONE_ROWS rows above the chart, each where it fits.
    ordered = sorted((m for m in milestones if first <= m.date < end), key=lambda m: (m.date, m.pk))
    row_ends: list[float] = []
    placed: list[tuple[Milestone, float, int]] = []
    for milestone in ordered:
        x = x_of(milestone.date)
        text_end = x + 10 + CHAR_WIDTH * len(milestone.name)
        row = next((r for r, last in enumerate(row_ends) if last < x), None)
        if row is None and len(row_ends) < MAX_MILESTONE_ROWS:
            row_ends.append(0)
            row = len(row_ends) - 1
        if row is None:
            row = min(range(len(row_ends)), key=lambda r: row_ends[r])
        row_ends[row] = text_end
        placed.append((milestone, x, row))
    label_overflow = max(row_ends, default=0.0) - (LABEL_WIDTH + len(periods) * width_each)
    chart_top = PERIOD_ROW + MILESTONE_ROW * max(1, len(row_ends)) + 8
    chart_bottom = chart_top + ROW_HEIGHT * max(1, len(dated))
    chart_right = LABEL_WIDTH + len(periods) * width_each

    timeline = Timeline(
        scale=scale,
        today=today,
        start=first,
        end=end,
        width=round(chart_right + max(16.0, label_overflow + 8), 1),
        height=chart_bottom + FOOTER,
        chart_left=LABEL_WIDTH,
        chart_top=chart_top,
        chart_bottom=chart_bottom,
        periods=periods,
        undated=undated,
        today_x=x_of(today) if first <= today < end else None,
    )
    for milestone, x, row in placed:
        timeline.milestones.append(
            MilestoneMark(
                milestone=milestone,
                x=round(x, 1),
                label_y=PERIOD_ROW + MILESTONE_ROW * (row + 1) - 3,
                diamond=f"{x:.1f},{chart_top - 7:.1f} {x + 5:.1f},{chart_top - 2:.1f} "
                f"{x:.1f},{chart_top + 3:.1f} {x - 5:.1f},{chart_top - 2:.1f}",
            )
        )

    bars: dict[int, Bar] = {}
    for row, item in enumerate(dated):
        x0, x1 = x_of(item.start_date), x_of(item.end_date + timedelta(days=1))
        width = max(x1 - x0, 4.0)  # a one-day item still shows
        item_progress = progress.get(item.pk, Progress())
        y = chart_top + row * ROW_HEIGHT
        bar = Bar(
            item=item,
            label=_shorten(item.title),
            row=row,
            y=y,
            bar_y=y + (ROW_HEIGHT - BAR_HEIGHT) / 2,
            text_y=y + ROW_HEIGHT / 2 + 4,
            x=round(x0, 1),
            width=round(width, 1),
            progress=item_progress,
            progress_width=round(width * min(item_progress.percent, 100) / 100, 1),
            clipped_start=item.start_date < first,
            clipped_end=item.end_date >= end,
        )
        bars[item.pk] = bar
        timeline.bars.append(bar)

    by_id = {item.pk: item for item in items}
    for item in items:
        item.blocker_titles = []
        item.progress = progress.get(item.pk, Progress())
    for blocker_id, blocked_id in dependencies:
        if blocker_id in by_id and blocked_id in by_id:
            by_id[blocked_id].blocker_titles.append(by_id[blocker_id].title)
        a, b = bars.get(blocker_id), bars.get(blocked_id)
        if a is None or b is None:
            continue
        x1, y1, x2, y2 = a.x + a.width, a.mid_y, b.x, b.mid_y
        bend = max(24.0, abs(x2 - x1) / 2)
        timeline.dependencies.append(
            DependencyLine(
                blocker=a.item,
                blocked=b.item,
                path=f"M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2 - 2:.1f},{y2:.1f}",
                late=a.item.end_date > b.item.start_date,
            )
        )
    return timeline


def timeline_for(
    *,
    roadmap: Roadmap,
    scale: str = "months",
    today: date | None = None,
    milestones: Sequence[Milestone] | None = None,
) -> Timeline:
    """The roadmap's timeline: items, their progress (all at once), dependencies between them, the product's
    milestones (read here unless the caller already has them)."""
    items = list(RoadmapItem.objects.filter(roadmap=roadmap).order_by("rank"))
    progress = roadmap_item_progress(items)
    dependencies = list(
        Dependency.objects.filter(blocked__roadmap=roadmap, blocker__roadmap=roadmap)
        .order_by("blocked_id", "blocker_id")
        .values_list("blocker_id", "blocked_id")
    )
    if milestones is None:
        milestones = list(Milestone.objects.filter(product_id=roadmap.product_id).order_by("date", "pk"))
    return build_timeline(
        items=items,
        progress=progress,
        dependencies=dependencies,
        milestones=milestones,
        scale=scale,
        today=today,
    )
