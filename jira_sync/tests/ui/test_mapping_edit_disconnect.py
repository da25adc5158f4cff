"""Changing a mapping's issue types (asked of the stand-in Jira over real HTTP) and disconnecting the project,
from the product's Jira page: workspace admins only, errors in words, outsiders 404, nothing changed on refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backlog.tests.factories import StoryFactory
from jira_sync.models import IssueLink, ProjectMapping


def url(product, name: str) -> str:
    return reverse(f"jira_sync:{name}", args=[product.pk])


def types(mapping, **changes) -> dict[str, str]:
    current = {
        name: getattr(mapping, name)
        for name in ("epic_type_id", "feature_type_id", "story_type_id", "story_points_field_id")
    }
    return current | changes


def test_the_mapping_page_links_admins_to_edit_and_disconnect(client, product, admin_user, editor, mapped):
    client.force_login(admin_user)
    body = client.get(url(product, "mapping")).content.decode()
    assert url(product, "mapping_edit") in body and url(product, "mapping_disconnect") in body
    client.force_login(editor)
    body = client.get(url(product, "mapping")).content.decode()
    assert url(product, "mapping_edit") not in body and url(product, "mapping_disconnect") not in body


def test_an_admin_changes_the_issue_types_from_what_the_project_offers(client, product, admin_user, mapped):
    client.force_login(admin_user)
    # when
    page = client.get(url(product, "mapping_edit"))
    # then: Jira's types, the current ones chosen
    body = page.content.decode()
    assert page.status_code == 200 and "Issue types of ABC" in body
    assert '<option value="10102" selected>Story (10102)</option>' in body and "Task (10103)" in body
    # when: stories become Tasks, points not synced
    response = client.post(url(product, "mapping_edit"), types(mapped, story_type_id="10103", story_points_field_id=""))
    # then
    assert response.status_code == 302 and response["Location"] == url(product, "mapping")
    mapped.refresh_from_db()
    assert (mapped.story_type_id, mapped.story_points_field_id) == ("10103", "")
    assert "Saved the issue types of ABC." in client.get(url(product, "mapping")).content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"story_type_id": "999"}, "Project ABC has no issue type 999: choose one of the list."),
        ({"story_points_field_id": "customfield_1"}, "Jira has no custom field customfield_1: choose one of the list."),
        ({"story_type_id": "10100"}, "Our epics and stories need different Jira issue types."),
    ],
)
def test_bad_choices_are_a_422_in_words_and_change_nothing(client, product, admin_user, mapped, changes, message):
    client.force_login(admin_user)
    before = types(mapped)
    # when
    response = client.post(url(product, "mapping_edit"), types(mapped, **changes), HTTP_HX_REQUEST="true")
    # then
    body = response.content.decode()
    assert response.status_code == 422 and "<html" not in body
    assert message in body and 'aria-invalid="true"' in body
    mapped.refresh_from_db()
    assert types(mapped) == before


def test_when_jira_cannot_be_asked_the_edit_page_says_so(client, product, admin_user, mapped, jira):
    client.force_login(admin_user)
    jira.fail(503, times=None)
    response = client.get(url(product, "mapping_edit"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Jira could not tell what project ABC offers" in body and "Save issue types" not in body


def test_only_admins_edit_or_disconnect_and_refusals_change_nothing(client, product, viewer, editor, outsider, mapped):
    for person, status in ((viewer, 403), (editor, 403), (outsider, 404)):
        client.force_login(person)
        assert client.get(url(product, "mapping_edit")).status_code == status
        assert client.post(url(product, "mapping_edit"), types(mapped, story_type_id="10103")).status_code == status
        assert client.get(url(product, "mapping_disconnect")).status_code == status
        assert client.post(url(product, "mapping_disconnect")).status_code == status
    mapped.refresh_from_db()
    assert mapped.story_type_id == "10102"


def test_an_admin_disconnects_after_reading_what_happens(client, product, admin_user, mapped):
    # given: a linked story
    story = StoryFactory(product=product, title="Keep me")
    IssueLink.objects.create(
        connection=mapped.connection, mapping=mapped, jira_issue_id="10042", jira_key="ABC-42", story=story
    )
    client.force_login(admin_user)
    # when
    page = client.get(url(product, "mapping_disconnect"))
    # then
    body = page.content.decode()
    assert "Disconnect Payments from ABC?" in body and "1 item is linked to a Jira issue" in body
    assert "Your epics, features and stories stay exactly as they are" in body
    # when
    response = client.post(url(product, "mapping_disconnect"))
    # then
    assert response.status_code == 302 and response["Location"] == url(product, "mapping")
    assert not ProjectMapping.objects.exists()
    story.refresh_from_db()
    assert story.title == "Keep me"
    assert IssueLink.objects.get().archived_reason == "unmapped"
    body = client.get(url(product, "mapping")).content.decode()
    assert "is no longer synced with Jira project ABC" in body and "Map Payments to a Jira project" in body
    # and the pages of a mapping that is gone answer 404
    assert client.get(url(product, "mapping_disconnect")).status_code == 404


def test_disconnecting_while_a_sync_runs_says_so(client, product, admin_user, mapped):
    ProjectMapping.objects.filter(pk=mapped.pk).update(lease_until=timezone.now() + timedelta(minutes=5))
    client.force_login(admin_user)
    response = client.post(url(product, "mapping_disconnect"))
    assert response.status_code == 409
    assert "is running; disconnect once it has finished" in response.content.decode()
    assert ProjectMapping.objects.filter(pk=mapped.pk).exists()


@pytest.mark.parametrize("count", [5, 50])
def test_the_disconnect_page_costs_the_same_whatever_the_links(
    client, product, admin_user, mapped, count, django_assert_max_num_queries
):
    for n in range(count):
        IssueLink.objects.create(
            connection=mapped.connection,
            mapping=mapped,
            jira_issue_id=str(20000 + n),
            jira_key=f"ABC-{n}",
            story=StoryFactory(product=product),
        )
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        assert client.get(url(product, "mapping_disconnect")).status_code == 200
