"""Sprint planning (backlog:sprint_planning, sprint_planning_move): the backlog beside the sprint."""

import re

import pytest

from backlog import services
from backlog.models import Story
from backlog.selectors.sprints import PLANNING_PAGE_SIZE
from backlog.tests.factories import SprintFactory, StoryFactory
from tpm_workspace.tests.tenancy import database_fingerprint
from workspaces.models import Role

from .conftest import url


def ids_in(body: str, list_id: str) -> list[int]:
    start = body.index(f'id="{list_id}"')
    end = body.index("</ul>", start)
    return [int(pk) for pk in re.findall(r'class="sortable-item" data-id="(\d+)"', body[start:end])]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_the_backlog_sits_beside_the_sprint_with_its_capacity(client, product, statuses, sprint, member_factory, role):
    # given
    planned = StoryFactory(product=product, sprint=sprint, points=8, title="In sprint")
    waiting = StoryFactory(product=product, points=3, title="Waiting")
    StoryFactory(product=product, title="Done already", status=statuses["Done"])
    other = SprintFactory(product=product, name="Sprint 8")
    StoryFactory(product=product, sprint=other, title="Elsewhere")
    client.force_login(member_factory(role))
    # when
    response = client.get(url("sprint_planning", product, sprint.pk))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert ids_in(body, "plan-backlog") == [waiting.pk]
    assert ids_in(body, "plan-sprint") == [planned.pk]
    assert "8 of 10 points (80%)" in body and 'id="capacity-bar"' in body
    assert ("data-sortable" in body) == (role == Role.CONTRIBUTOR)
    assert ("Add Waiting to Sprint 7" in body) == (role == Role.CONTRIBUTOR)


def test_the_backlog_is_ranked_filtered_and_paginated(client, product, statuses, sprint, contributor):
    # given
    stories = [StoryFactory(product=product, title=f"Card {n:02}") for n in range(PLANNING_PAGE_SIZE + 2)]
    StoryFactory(product=product, title="Refund export", assignee=contributor, labels=["api"])
    client.force_login(contributor)
    # when
    first = client.get(url("sprint_planning", product, sprint.pk)).content.decode()
    second = client.get(url("sprint_planning", product, sprint.pk), {"page": 2}).content.decode()
    by_text = client.get(url("sprint_planning", product, sprint.pk), {"q": "refund"}).content.decode()
    by_label = client.get(
        url("sprint_planning", product, sprint.pk), {"label": product.labels.get().pk}, HTTP_HX_REQUEST="true"
    )
    # then
    assert ids_in(first, "plan-backlog") == [s.pk for s in stories[:PLANNING_PAGE_SIZE]]
    assert "Page 1 of 2" in first
    assert ids_in(second, "plan-backlog")[:2] == [s.pk for s in stories[PLANNING_PAGE_SIZE:]]
    assert "Refund export" in by_text and "Card 00" not in by_text
    body = by_label.content.decode()
    assert "<html" not in body and body.lstrip().startswith('<div id="planning-lists"')
    assert "Refund export" in body and "Card 00" not in body


def test_adding_a_story_swaps_the_lists_and_the_capacity_bar_out_of_band(
    client, product, statuses, sprint, contributor
):
    # given
    StoryFactory(product=product, sprint=sprint, points=8)
    story = StoryFactory(product=product, points=5, title="Pull me")
    client.force_login(contributor)
    # when
    response = client.post(
        url("sprint_planning_move", product, sprint.pk),
        {"item": story.pk, "list": "sprint", "from_list": "backlog"},
        HTTP_HX_REQUEST="true",
    )
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="planning-lists"')
    assert story.pk in ids_in(body, "plan-sprint") and story.pk not in ids_in(body, "plan-backlog")
    assert '<div id="capacity-bar" class="capacity-bar" hx-swap-oob="true"' in body
    assert "13 of 10 points (130%)" in body and "progress--over" in body and "Over capacity by 3 points" in body
    assert Story.objects.get(pk=story.pk).sprint_id == sprint.pk


def test_dragging_back_to_the_backlog_next_to_a_story_removes_and_ranks_it(client, product, sprint, contributor):
    # given
    a, b = StoryFactory(product=product), StoryFactory(product=product)
    story = StoryFactory(product=product, sprint=sprint)
    client.force_login(contributor)
    # when: dropped between A and B in the backlog list
    response = client.post(
        url("sprint_planning_move", product, sprint.pk),
        {"item": story.pk, "after": a.pk, "before": b.pk, "list": "backlog", "from_list": "sprint"},
        HTTP_HX_REQUEST="true",
    )
    # then
    assert response.status_code == 200
    assert ids_in(response.content.decode(), "plan-backlog") == [a.pk, story.pk, b.pk]
    assert Story.objects.get(pk=story.pk).sprint_id is None


def test_the_buttons_work_without_js(client, product, sprint, contributor):
    story = StoryFactory(product=product)
    client.force_login(contributor)
    response = client.post(
        url("sprint_planning_move", product, sprint.pk) + "?q=Story", {"item": story.pk, "list": "sprint"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("sprint_planning", product, sprint.pk) + "?q=Story"
    assert Story.objects.get(pk=story.pk).sprint_id == sprint.pk
    client.post(url("sprint_planning_move", product, sprint.pk), {"item": story.pk, "list": "backlog"})
    assert Story.objects.get(pk=story.pk).sprint_id is None


def test_a_closed_sprint_refuses_new_stories_with_409(client, product, statuses, sprint, editor, contributor):
    # given
    services.sprint_close(sprint=sprint, actor=editor)
    story = StoryFactory(product=product)
    client.force_login(contributor)
    # when
    response = client.post(
        url("sprint_planning_move", product, sprint.pk), {"item": story.pk, "list": "sprint"}, HTTP_HX_REQUEST="true"
    )
    # then
    body = response.content.decode()
    assert response.status_code == 409
    assert "Sprint 7 is closed; plan into an open sprint." in body
    assert Story.objects.get(pk=story.pk).sprint_id is None
    assert "data-sortable" not in client.get(url("sprint_planning", product, sprint.pk)).content.decode()


def test_an_invalid_move_is_422(client, product, sprint, contributor):
    story = StoryFactory(product=product)
    client.force_login(contributor)
    response = client.post(
        url("sprint_planning_move", product, sprint.pk), {"item": story.pk, "list": "elsewhere"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "not understood" in response.content.decode()


def test_a_viewer_may_not_plan(client, product, sprint, viewer):
    story = StoryFactory(product=product)
    client.force_login(viewer)
    before = database_fingerprint()
    response = client.post(url("sprint_planning_move", product, sprint.pk), {"item": story.pk, "list": "sprint"})
    assert response.status_code == 403
    assert database_fingerprint() == before


def test_a_story_or_sprint_of_another_product_is_404(client, product, sprint, other_product, contributor):
    foreign = StoryFactory(product=other_product)
    foreign_sprint = SprintFactory(product=other_product)
    mine = StoryFactory(product=product)
    client.force_login(contributor)
    assert (
        client.post(url("sprint_planning_move", product, sprint.pk), {"item": foreign.pk, "list": "sprint"}).status_code
        == 404
    )
    assert (
        client.post(
            url("sprint_planning_move", product, foreign_sprint.pk), {"item": mine.pk, "list": "sprint"}
        ).status_code
        == 404
    )
    assert client.get(url("sprint_planning", product, foreign_sprint.pk)).status_code == 404
    assert Story.objects.get(pk=mine.pk).sprint_id is None


@pytest.mark.parametrize("size", [5, 60])
def test_planning_reads_in_a_bounded_number_of_queries(
    client, product, sprint, contributor, django_assert_max_num_queries, size
):
    for _ in range(size):
        StoryFactory(product=product, assignee=contributor, labels=["api"])
        StoryFactory(product=product, sprint=sprint, assignee=contributor)
    client.force_login(contributor)
    with django_assert_max_num_queries(14):
        client.get(url("sprint_planning", product, sprint.pk))
