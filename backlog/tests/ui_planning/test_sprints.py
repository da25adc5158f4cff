"""Sprints: the list with create / start / complete, the edit page (backlog:sprints, sprint_*)."""

from datetime import date

import pytest

from backlog import services
from backlog.models import Sprint, Story
from backlog.tests.factories import SprintFactory, StoryFactory
from tpm_workspace.tests.tenancy import database_fingerprint
from workspaces.models import Role

from .conftest import url

NEW = {
    "name": "Sprint 8",
    "goal": "Refunds",
    "start_date": "2026-11-16",
    "end_date": "2026-11-27",
    "capacity_points": 20,
}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR])
def test_every_member_sees_sprints_by_state_with_points(client, product, statuses, sprint, member_factory, role):
    # given
    planned = SprintFactory(product=product, name="Sprint 8")
    StoryFactory(product=product, sprint=sprint, points=8)
    StoryFactory(product=product, sprint=sprint, points=5, status=statuses["Done"])
    client.force_login(member_factory(role))
    # when
    response = client.get(url("sprints", product))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    headings = [
        'id="active-heading"',
        f'id="sprint-{sprint.pk}-name"',
        'id="planned-heading"',
        f'id="sprint-{planned.pk}-name"',
    ]
    positions = [body.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "13 of 10 points (130%)" in body and "progress--over" in body
    assert "5 of 13 points (38%)" in body
    assert ("Plan a sprint" in body) == (role == Role.EDITOR)
    assert ("Start Sprint 8" in body) == (role == Role.EDITOR)


def test_an_empty_product_says_what_to_do(client, product, editor):
    client.force_login(editor)
    body = client.get(url("sprints", product)).content.decode()
    assert "No active sprint" in body and "Plan the next sprint below" in body and "No sprint has closed yet" in body


def test_an_editor_creates_a_sprint(client, product, editor):
    client.force_login(editor)
    response = client.post(url("sprints", product), NEW)
    assert response.status_code == 302
    sprint = Sprint.objects.get(product=product, name="Sprint 8")
    assert (sprint.start_date, sprint.end_date, sprint.capacity_points, sprint.state) == (
        date(2026, 11, 16),
        date(2026, 11, 27),
        20,
        "planned",
    )
    assert "Sprint 8 is planned" in client.get(url("sprints", product)).content.decode()


def test_htmx_create_answers_the_body_fragment(client, product, editor):
    client.force_login(editor)
    response = client.post(url("sprints", product), NEW, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="sprints-body"')
    assert "Sprint 8 is planned." in body


def test_dates_in_the_wrong_order_are_a_field_error_422(client, product, editor):
    client.force_login(editor)
    response = client.post(url("sprints", product), {**NEW, "end_date": "2026-11-01"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_end_date-error"' in body and "must end on or after its start date" in body
    assert 'aria-invalid="true"' in body and "<html" not in body
    assert not Sprint.objects.filter(name="Sprint 8").exists()


def test_a_duplicate_name_is_a_field_error(client, product, editor, sprint):
    client.force_login(editor)
    response = client.post(url("sprints", product), {**NEW, "name": "Sprint 7"})
    assert response.status_code == 422
    assert "already has a sprint called Sprint 7" in response.content.decode()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_only_editors_create_start_complete_and_edit(client, product, sprint, member_factory, role):
    # given: as in the API, the sprint itself is the editors' call
    planned = SprintFactory(product=product, name="Sprint 8")
    client.force_login(member_factory(role))
    before = database_fingerprint()
    # when / then
    assert client.post(url("sprints", product), NEW).status_code == 403
    assert client.post(url("sprint_start", product, planned.pk)).status_code == 403
    assert client.post(url("sprint_complete", product, sprint.pk)).status_code == 403
    assert client.post(url("sprint_edit", product, planned.pk), NEW).status_code == 403
    assert database_fingerprint() == before


def test_an_outsider_gets_404_everywhere(client, product, sprint, outsider):
    client.force_login(outsider)
    before = database_fingerprint()
    assert client.get(url("sprints", product)).status_code == 404
    assert client.post(url("sprints", product), NEW).status_code == 404
    for name in ("sprint_detail", "sprint_edit", "sprint_planning"):
        assert client.get(url(name, product, sprint.pk)).status_code == 404
    for name in ("sprint_start", "sprint_complete", "sprint_edit", "sprint_planning_move"):
        assert client.post(url(name, product, sprint.pk)).status_code == 404
    assert database_fingerprint() == before


def test_starting_a_second_sprint_is_refused_nicely(client, product, sprint, editor):
    # given: Sprint 7 is active
    planned = SprintFactory(product=product, name="Sprint 8")
    client.force_login(editor)
    # when
    response = client.post(url("sprint_start", product, planned.pk), HTTP_HX_REQUEST="true")
    # then
    body = response.content.decode()
    assert response.status_code == 409
    assert "Sprint 8 was not started: Close Sprint 7 before starting Sprint 8." in body
    assert 'role="alert"' in body and "<html" not in body
    planned.refresh_from_db()
    assert planned.state == "planned"
    # and without JS: a message on the page it came back to
    response = client.post(url("sprint_start", product, planned.pk), follow=True)
    assert "Close Sprint 7 before starting Sprint 8." in response.content.decode()


def test_start_then_complete_carrying_unfinished_work_over(client, product, statuses, editor):
    # given
    first = SprintFactory(product=product, name="Sprint 1")
    second = SprintFactory(product=product, name="Sprint 2")
    unfinished = StoryFactory(product=product, sprint=first)
    finished = StoryFactory(product=product, sprint=first, status=statuses["Done"])
    client.force_login(editor)
    # when
    started = client.post(url("sprint_start", product, first.pk), HTTP_HX_REQUEST="true")
    completed = client.post(url("sprint_complete", product, first.pk), {"carry_over_to": second.pk, "next": "detail"})
    # then
    assert started.status_code == 200 and "Sprint 1 has started." in started.content.decode()
    assert completed.status_code == 302
    assert completed["Location"] == url("sprint_detail", product, first.pk)
    first.refresh_from_db()
    assert first.state == "closed"
    assert Story.objects.get(pk=unfinished.pk).sprint_id == second.pk
    assert Story.objects.get(pk=finished.pk).sprint_id == first.pk


def test_completing_a_planned_sprint_is_refused(client, product, editor):
    planned = SprintFactory(product=product, name="Sprint 8")
    client.force_login(editor)
    response = client.post(url("sprint_complete", product, planned.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "Only an active sprint can be closed" in response.content.decode()


def test_the_edit_page_saves_and_refuses_bad_dates(client, product, sprint, editor):
    client.force_login(editor)
    page = client.get(url("sprint_edit", product, sprint.pk))
    assert page.status_code == 200 and 'name="version"' in page.content.decode()
    version = sprint.updated_at.isoformat()
    bad = client.post(
        url("sprint_edit", product, sprint.pk),
        {**NEW, "end_date": "2026-01-01", "version": version},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 422 and "must end on or after its start date" in bad.content.decode()
    assert bad.content.decode().lstrip().startswith('<form id="sprint-form"')
    good = client.post(url("sprint_edit", product, sprint.pk), {**NEW, "version": version})
    assert good.status_code == 302 and good["Location"] == url("sprint_detail", product, sprint.pk)
    sprint.refresh_from_db()
    assert (sprint.name, sprint.capacity_points, sprint.state) == ("Sprint 8", 20, "active")


def test_a_stale_edit_is_refused_with_409_and_the_current_sprint(client, product, sprint, editor):
    # given: someone renamed the sprint after this person opened the form
    version = sprint.updated_at.isoformat()
    services.sprint_update(sprint=sprint, actor=editor, name="Sprint 7b")
    client.force_login(editor)
    # when
    response = client.post(url("sprint_edit", product, sprint.pk), {**NEW, "version": version}, HTTP_HX_REQUEST="true")
    # then
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone changed this sprint" in body and 'value="Sprint 7b"' in body
    sprint.refresh_from_db()
    assert sprint.name == "Sprint 7b"


@pytest.mark.parametrize("size", [2, 20])
def test_the_list_reads_in_a_bounded_number_of_queries(client, product, editor, django_assert_max_num_queries, size):
    for n in range(size):
        sprint = SprintFactory(product=product, name=f"S{n}")
        StoryFactory(product=product, sprint=sprint)
    services.sprint_start(sprint=Sprint.objects.filter(product=product).first(), actor=editor)
    client.force_login(editor)
    with django_assert_max_num_queries(7):
        client.get(url("sprints", product))
