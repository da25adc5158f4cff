"""The outbox: written in the caller's transaction, only when someone listens, dispatched after commit."""

import pytest
from django.db import transaction

from webhooks.events import EventKind, record_event
from webhooks.models import OutboxEvent, WebhookDelivery


def test_nothing_is_written_when_no_active_endpoint_subscribes(endpoint_factory, workspace, django_assert_num_queries):
    # given
    endpoint_factory("https://hooks.example.com/a", events=["signoff.requested"])
    endpoint_factory("https://hooks.example.com/b", events=["story.created"], is_active=False)

    # when
    with django_assert_num_queries(1):
        event = record_event(workspace_id=workspace.pk, kind=EventKind.STORY_CREATED, payload={"story": {"id": 1}})

    # then
    assert event is None
    assert OutboxEvent.objects.count() == 0


def test_an_event_is_written_and_dispatched_after_commit(
    receiver, endpoint_factory, workspace, django_capture_on_commit_callbacks
):
    # given
    endpoint_factory(receiver.url, events=["story.created"])

    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = record_event(workspace_id=workspace.pk, kind=EventKind.STORY_CREATED, payload={"story": {"id": 7}})

    # then before the commit nothing is sent, after it the event goes out
    assert event.dispatched_at is None
    assert receiver.requests == []
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    assert [r.json["data"] for r in receiver.requests] == [{"story": {"id": 7}}]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_event_and_sends_nothing(receiver, endpoint_factory, workspace):
    # given
    endpoint_factory(receiver.url, events=["story.created"])

    # when
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(workspace_id=workspace.pk, kind=EventKind.STORY_CREATED, payload={"story": {"id": 1}})
        raise RuntimeError("the change failed")

    # then
    assert OutboxEvent.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_payload_dates_are_written_as_iso_strings(endpoint_factory, workspace):
    # given
    from datetime import UTC, datetime

    endpoint_factory("https://hooks.example.com/a", events=["story.updated"])

    # when
    event = record_event(
        workspace_id=workspace.pk,
        kind=EventKind.STORY_UPDATED,
        payload={"completed_at": datetime(2026, 11, 25, 9, 30, tzinfo=UTC)},
    )

    # then
    event.refresh_from_db()
    assert event.payload == {"completed_at": "2026-11-25T09:30:00Z"}


def test_unknown_or_unsubscribable_kinds_are_a_programming_error(workspace):
    with pytest.raises(ValueError, match="Unknown webhook event kind"):
        record_event(workspace_id=workspace.pk, kind="story.exploded", payload={})
    with pytest.raises(ValueError):
        record_event(workspace_id=workspace.pk, kind=EventKind.PING, payload={})
