"""A sprint's page (backlog:sprint_detail): goal, dates, stories by status, points, and the burn-down."""

import re
from datetime import UTC, date, datetime

import pytest

from backlog.models import Story
from backlog.tests.factories import SprintFactory, StoryFactory
from workspaces.models import Role

from .conftest import url


def complete_on(story: Story, day: date) -> None:
    """Finished on a known day (the service stamps "now"; the test pins the day it happened)."""
    Story.objects.filter(pk=story.pk).update(completed_at=datetime(day.year, day.month, day.day, 15, tzinfo=UTC))


@pytest.fixture
def known_sprint(product, statuses, editor):
    # given: Mon 3 – Fri 7 Mar 2025 (over), 20 points committed; 5 done on Tuesday, 3 on Thursday
    sprint = SprintFactory(
        product=product, name="Sprint 9", start_date=date(2025, 3, 3), end_date=date(2025, 3, 7), capacity_points=18
    )
    first = StoryFactory(product=product, sprint=sprint, points=5, status=statuses["Done"], title="Vault cards")
    second = StoryFactory(product=product, sprint=sprint, points=3, status=statuses["Done"], title="Rotate keys")
    StoryFactory(product=product, sprint=sprint, points=12, status=statuses["In progress"], title="Detokenise")
    StoryFactory(product=product, sprint=sprint, points=None, title="Spike")
    complete_on(first, date(2025, 3, 4))
    complete_on(second, date(2025, 3, 6))
    return sprint


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_the_sprint_page_shows_goal_dates_points_and_stories_by_status(
    client, product, known_sprint, member_factory, role
):
    client.force_login(member_factory(role))
    response = client.get(url("sprint_detail", product, known_sprint.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Sprint 9" in body
    assert "Monday 3 March 2025" in body and "Friday 7 March 2025" in body
    assert "20 of 18 points (111%)" in body and "progress--over" in body
    assert "8 of 20 points (40%)" in body
    assert "4 stories, 1 without an estimate" in body
    assert body.index("Spike") < body.index("Detokenise") < body.index("Vault cards")  # To do, In progress, Done
    assert ("Start sprint" in body) == (role == Role.EDITOR)


def test_the_burn_down_is_drawn_from_the_completion_days(client, product, known_sprint, viewer):
    client.force_login(viewer)
    body = client.get(url("sprint_detail", product, known_sprint.pk)).content.decode()
    # then: the table says it
    rows = re.findall(r'<td class="num">([^<]*)</td><td class="num">(.*?)</td></tr>', body)
    assert rows == [("20", "20"), ("15", "15"), ("10", "15"), ("5", "12"), ("0", "12")]
    # and the chart: an accessible SVG with the ideal and remaining lines on the 56..700 × 28..248 plot
    assert 'role="img" aria-labelledby="burndown-title burndown-desc"' in body
    assert '<title id="burndown-title">Burn-down of Sprint 9</title>' in body
    assert "12 of 20 points remain on 7 March." in body
    assert 'class="burndown__ideal" points="56.0,28.0 217.0,83.0 378.0,138.0 539.0,193.0 700.0,248.0"' in body
    assert 'class="burndown__actual" points="56.0,28.0 217.0,83.0 378.0,83.0 539.0,116.0 700.0,116.0"' in body
    assert "style=" not in body


def test_a_sprint_without_stories_says_what_to_do(client, product, viewer):
    sprint = SprintFactory(product=product)
    client.force_login(viewer)
    body = client.get(url("sprint_detail", product, sprint.pk)).content.decode()
    assert "No stories in this sprint" in body and url("sprint_planning", product, sprint.pk) in body


def test_htmx_gets_the_report_fragment(client, product, known_sprint, viewer):
    client.force_login(viewer)
    response = client.get(url("sprint_detail", product, known_sprint.pk), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and body.lstrip().startswith('<div id="sprint-report"')


def test_viewers_read_but_may_not_post(client, product, known_sprint, viewer):
    client.force_login(viewer)
    assert client.post(url("sprint_detail", product, known_sprint.pk)).status_code == 403


@pytest.mark.parametrize("size", [3, 40])
def test_the_sprint_page_reads_in_a_bounded_number_of_queries(
    client, product, statuses, editor, django_assert_max_num_queries, size
):
    sprint = SprintFactory(product=product)
    for n in range(size):
        StoryFactory(product=product, sprint=sprint, assignee=editor, status=statuses["Done" if n % 2 else "To do"])
    client.force_login(editor)
    with django_assert_max_num_queries(10):
        client.get(url("sprint_detail", product, sprint.pk))
