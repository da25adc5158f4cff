"""Webhooks over real HTTP: the stand-in posts Jira-shaped deliveries to our endpoint on a live server."""

from __future__ import annotations

import pytest

from backlog.models import Epic, Story
from jira_sync.models import IssueLink, JiraWebhookEvent

from .conftest import HUMAN

pytestmark = [pytest.mark.urls("jira_sync.tests.sync.urls"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hooks(cloud, mapping, live_server):
    url = f"{live_server.url}/jira/webhooks/{mapping.connection.webhook_key}/"
    return cloud.webhooks(url, secret=mapping.webhook_secret_plain, max_retries=0)


def test_create_update_delete_arrive_and_apply(cloud, hooks):
    # given
    state = cloud.state
    epic = state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    story = state.create_issue("ABC", "Story", "Pay", author_id=HUMAN, parent=epic)
    # when
    created = hooks.flush()
    state.edit_issue(story, {"summary": "Pay by card"}, author_id=HUMAN)
    updated = hooks.flush()
    # then
    assert [d.status for d in created + updated] == [202, 202, 202]
    assert Story.objects.get().title == "Pay by card"
    assert Story.objects.get().epic == Epic.objects.get()
    assert list(JiraWebhookEvent.objects.values_list("outcome", flat=True)) == ["created", "created", "updated"]
    # when: deleted in Jira
    state.delete_issue(story, author_id=HUMAN)
    (deleted,) = hooks.flush()
    # then: archived here, never destroyed
    assert deleted.status == 202
    link = IssueLink.objects.get(jira_issue_id=story.id)
    assert (link.archived_reason, link.story_id) == (IssueLink.ArchiveReason.DELETED_IN_JIRA, Story.objects.get().pk)


@pytest.mark.parametrize("bad_signature", [True, False])
def test_a_bad_or_missing_signature_is_401_and_nothing_is_stored(cloud, mapping, live_server, bad_signature):
    # given
    url = f"{live_server.url}/jira/webhooks/{mapping.connection.webhook_key}/"
    secret = mapping.webhook_secret_plain if bad_signature else None
    emitter = cloud.webhooks(url, secret=secret, max_retries=0)
    cloud.state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    # when
    (delivery,) = emitter.flush(bad_signature=bad_signature)
    # then
    assert delivery.status == 401
    assert JiraWebhookEvent.objects.count() == 0
    assert Epic.objects.count() == 0


def test_duplicates_and_reordering_are_harmless(cloud, hooks):
    # given: child events before their parent's, each delivered twice
    state = cloud.state
    epic = state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    story = state.create_issue("ABC", "Story", "Pay", author_id=HUMAN, parent=epic)
    state.edit_issue(story, {"summary": "Pay by card"}, author_id=HUMAN)
    state.edit_issue(epic, {"summary": "Checkout v2"}, author_id=HUMAN)
    # when
    deliveries = hooks.flush(order="reversed", duplicate=[0, 1, 2, 3])
    # then
    assert [d.status for d in deliveries] == [202] * 8
    assert JiraWebhookEvent.objects.count() == 4  # duplicates dropped by identifier
    assert list(Epic.objects.values_list("title", flat=True)) == ["Checkout v2"]
    assert list(Story.objects.values_list("title", "epic__title")) == [("Pay by card", "Checkout v2")]
    assert IssueLink.objects.count() == 2


def test_an_unknown_connection_is_404(cloud, live_server, db):
    import httpx

    response = httpx.post(f"{live_server.url}/jira/webhooks/00000000-0000-0000-0000-000000000000/", content=b"{}")
    assert response.status_code == 404
    assert JiraWebhookEvent.objects.count() == 0
