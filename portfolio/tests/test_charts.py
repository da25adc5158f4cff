"""The dashboard charts' geometry on small known series: where each step, bar and line lands."""

from datetime import date

from portfolio.charts import (
    STRIP_PAST_DAYS,
    StripInput,
    Tick,
    burnup_chart,
    cumulative_steps,
    path_of,
    timeline_strip,
)

JAN = date(2026, 1, 1)


def test_cumulative_steps_fold_early_and_late_increments_into_the_edges():
    # given: 3 points before the start, 2 on it, 5 + 1 two days in, 4 dated after the last day
    increments = [
        (date(2025, 12, 30), 3),
        (JAN, 2),
        (date(2026, 1, 3), 5),
        (date(2026, 1, 3), 1),
        (date(2026, 1, 9), 4),
    ]
    # when
    steps = cumulative_steps(increments, start=JAN, until=date(2026, 1, 6))
    # then
    assert steps == [(JAN, 5), (date(2026, 1, 3), 11), (date(2026, 1, 6), 15)]


def test_burnup_steps_land_on_their_days_and_values():
    # given: 10 points of scope on day one, 4 done on the 3rd, 2 more on the 5th; today the 6th;
    # the release on the 11th (a 10-day axis of 568 px: 56.8 px a day; 0–10 points on 184 px)
    chart = burnup_chart(
        start=JAN,
        release_date=date(2026, 1, 11),
        today=date(2026, 1, 6),
        scope=[(JAN, 10)],
        done=[(date(2026, 1, 3), 4), (date(2026, 1, 5), 2)],
    )
    # then
    assert (chart.left, chart.right, chart.top, chart.bottom, chart.y_max) == (48, 616, 16, 200, 10)
    assert chart.done_vertices == [
        (48.0, 200.0),
        (161.6, 200.0),
        (161.6, 126.4),
        (275.2, 126.4),
        (275.2, 89.6),
        (332.0, 89.6),
    ]
    assert chart.scope_vertices == [(48.0, 16.0), (332.0, 16.0)]
    assert chart.done_path == "M48,200 L161.6,200 L161.6,126.4 L275.2,126.4 L275.2,89.6 L332,89.6"
    assert (chart.scope_now, chart.done_now) == (10, 6)
    assert chart.today_x == 332.0
    assert chart.release_x == 616.0
    assert chart.done_dot == (332.0, 89.6)
    assert chart.y_ticks == [
        Tick(200.0, "0"),
        Tick(163.2, "2"),
        Tick(126.4, "4"),
        Tick(89.6, "6"),
        Tick(52.8, "8"),
        Tick(16.0, "10"),
    ]
    assert chart.x_ticks == [
        Tick(48.0, "1 Jan"),
        Tick(161.6, "3 Jan"),
        Tick(275.2, "5 Jan"),
        Tick(388.8, "7 Jan"),
        Tick(502.4, "9 Jan"),
        Tick(616.0, "11 Jan"),
    ]


def test_a_release_past_its_date_runs_the_axis_to_today():
    # given: the release was due on the 5th and today is the 11th
    chart = burnup_chart(
        start=JAN, release_date=date(2026, 1, 5), today=date(2026, 1, 11), scope=[(JAN, 8)], done=[(JAN, 8)]
    )
    # then: the release line sits at 4/10 of the axis, today at its right edge
    assert chart.end == date(2026, 1, 11)
    assert chart.release_x == 275.2
    assert chart.today_x == 616.0
    assert chart.done_vertices == chart.scope_vertices == [(48.0, 16.0), (616.0, 16.0)]


def test_a_burnup_on_its_first_day_is_a_point_not_a_division_by_zero():
    chart = burnup_chart(start=JAN, release_date=JAN, today=JAN, scope=[(JAN, 3)], done=[])
    assert chart.done_vertices == [(48.0, 200.0)]
    assert chart.scope_vertices == [(48.0, 16.0)]
    assert chart.done_now == 0


def test_timeline_strip_places_bars_marks_months_and_today():
    # given: Feb 1 – May 31 2026 on 548 px (120 days); today 15 March
    items = [
        StripInput(key=1, title="Saved cards", start=date(2026, 2, 1), end=date(2026, 3, 31), kind="on_track"),
        StripInput(key=2, title="Wallets", start=date(2026, 4, 10), end=date(2026, 5, 20), kind="at_risk"),
    ]
    # when
    strip = timeline_strip(
        items=items,
        today=date(2026, 3, 15),
        milestones=[("GA", date(2026, 4, 1), False), ("Old", date(2025, 1, 1), True)],
    )
    # then
    assert (strip.start, strip.end) == (date(2026, 2, 1), date(2026, 5, 31))
    first, second = strip.bars
    assert (first.x, first.width, first.y, first.kind) == (200.0, 269.4, 45.0, "on_track")
    assert (second.x, second.width, second.y, second.kind) == (510.5, 187.3, 67.0, "at_risk")
    assert strip.today_x == 391.8
    assert [(mark.label, mark.x, mark.diamond) for mark in strip.marks] == [
        ("GA", 469.4, "469.4,29 474.4,34 469.4,39 464.4,34")
    ]
    assert strip.months == [
        Tick(200.0, "Feb"),
        Tick(327.9, "Mar"),
        Tick(469.4, "Apr"),
        Tick(606.4, "May"),
    ]
    assert strip.years == [Tick(200.0, "2026")]
    assert strip.height == 40 + 2 * 22 + 8


def test_timeline_strip_clips_what_reaches_beyond_a_year_back():
    # given: an item that started three years ago and ends next month
    today = date(2026, 6, 15)
    strip = timeline_strip(
        items=[
            StripInput(
                key=1,
                title="A very long programme of work, named at length",
                start=date(2023, 6, 1),
                end=date(2026, 7, 10),
                kind="off_track",
            )
        ],
        today=today,
    )
    # then: the axis starts at the month of a year back, and the bar at the axis
    (bar,) = strip.bars
    assert strip.start == date(2025, 6, 1)
    assert (today - strip.start).days <= STRIP_PAST_DAYS + 31
    assert bar.x == strip.chart_left
    assert bar.clipped_start and not bar.clipped_end
    assert bar.label == "A very long programme of wo…"


def test_items_wholly_outside_the_window_are_left_out_and_counted():
    # given: one item ended two years ago, one starts in five years, one runs now
    items = [
        StripInput(key=1, title="Ancient", start=date(2023, 1, 1), end=date(2024, 1, 31), kind="done"),
        StripInput(key=2, title="Someday", start=date(2031, 1, 1), end=date(2031, 3, 31), kind="on_track"),
        StripInput(key=3, title="Now", start=date(2026, 1, 5), end=date(2026, 2, 20), kind="at_risk"),
    ]
    # when
    strip = timeline_strip(items=items, today=date(2026, 1, 20))
    # then
    assert [bar.key for bar in strip.bars] == [3]
    assert strip.left_out == 2
    assert (strip.start, strip.end) == (date(2026, 1, 1), date(2026, 2, 28))


def test_no_dated_item_no_strip():
    assert timeline_strip(items=[], today=JAN) is None


def test_path_of_writes_move_then_lines():
    assert path_of([(1.0, 2.5), (3.25, 4.0)]) == "M1,2.5 L3.2,4"
