"""The burn-down's figures and geometry on known data (backlog.burndown)."""

from datetime import date

from backlog.burndown import burndown_chart, burndown_series, nice_step

START, END = date(2026, 11, 2), date(2026, 11, 6)  # Monday to Friday: five days


def test_remaining_falls_on_the_days_stories_were_completed():
    # given: 20 points committed; 5 done on Tuesday, 3 on Thursday
    completions = [(date(2026, 11, 3), 5), (date(2026, 11, 5), 3)]
    # when: on Thursday
    series = burndown_series(start=START, end=END, total=20, completions=completions, today=date(2026, 11, 5))
    # then
    assert [d.day for d in series] == [date(2026, 11, day) for day in range(2, 7)]
    assert [d.remaining for d in series] == [20, 15, 15, 12, None]
    assert [d.ideal for d in series] == [20, 15, 10, 5, 0]


def test_work_finished_before_the_start_counts_on_day_one_and_after_the_end_not_at_all():
    completions = [(date(2026, 10, 30), 2), (date(2026, 11, 6), 4), (date(2026, 11, 9), 8)]
    series = burndown_series(start=START, end=END, total=20, completions=completions, today=date(2026, 11, 20))
    assert [d.remaining for d in series] == [18, 18, 18, 18, 14]


def test_a_sprint_not_started_has_no_remaining_line():
    series = burndown_series(start=START, end=END, total=8, completions=[], today=date(2026, 11, 1))
    chart = burndown_chart(series, total=8)
    assert all(d.remaining is None for d in series)
    assert chart.actual_points == ""
    assert chart.remaining_now is None


def test_a_one_day_sprint_and_an_empty_one():
    one = burndown_series(start=START, end=START, total=3, completions=[(START, 3)], today=START)
    assert [(d.ideal, d.remaining) for d in one] == [(0.0, 0)]
    empty = burndown_chart(burndown_series(start=START, end=END, total=0, completions=[], today=END), total=0)
    assert [t.label for t in empty.y_ticks] == ["0", "1"]


def test_the_geometry_maps_days_to_x_and_points_to_y():
    # given
    series = burndown_series(
        start=START, end=END, total=20, completions=[(date(2026, 11, 3), 5)], today=date(2026, 11, 3)
    )
    # when
    chart = burndown_chart(series, total=20)
    # then: the plot spans x 56..700 and y 28..248; 20 points on a 0..20 scale in steps of 5
    assert (chart.left, chart.right, chart.top, chart.bottom) == (56, 700, 28, 248)
    assert chart.ideal_points == "56.0,28.0 217.0,83.0 378.0,138.0 539.0,193.0 700.0,248.0"
    assert chart.actual_points == "56.0,28.0 217.0,83.0"
    assert [(t.label, t.position) for t in chart.y_ticks] == [
        ("0", 248.0),
        ("5", 193.0),
        ("10", 138.0),
        ("15", 83.0),
        ("20", 28.0),
    ]
    assert [t.label for t in chart.x_ticks] == ["2 Nov", "3 Nov", "4 Nov", "5 Nov", "6 Nov"]
    assert chart.remaining_now == 15


def test_long_sprints_label_at_most_ten_days():
    series = burndown_series(start=date(2026, 11, 1), end=date(2026, 11, 28), total=40, completions=[], today=END)
    chart = burndown_chart(series, total=40)
    assert len(chart.x_ticks) <= 11
    assert chart.x_ticks[0].label == "1 Nov" and chart.x_ticks[-1].label == "28 Nov"


def test_nice_steps():
    assert [nice_step(n) for n in (0, 1, 6, 7, 20, 31, 130, 1000)] == [1, 1, 1, 2, 5, 10, 25, 200]
