"""The domain services emit their events into the outbox, in their own transaction, with their payloads."""

import pytest

from backlog.models import WorkflowStatus
from backlog.services import story_set_status, story_update
from backlog.tests.factories import StoryFactory
from decisions.models import DecisionRecord, SignOff
from decisions.services import (
    decision_choose_option,
    prd_update,
    signoff_approve,
    signoff_reject,
    signoff_request,
)
from decisions.tests.factories import DecisionRecordFactory, PRDFactory
from webhooks.models import SUBSCRIBABLE_KINDS, OutboxEvent


@pytest.fixture
def subscribed(endpoint_factory):
    """An endpoint of the workspace that listens to every event."""
    return endpoint_factory("https://hooks.example.com/all", events=list(SUBSCRIBABLE_KINDS))


def kinds() -> list[str]:
    return list(OutboxEvent.objects.order_by("pk").values_list("kind", flat=True))


def test_story_created(subscribed, product, contributor):
    # when
    story = StoryFactory(product=product, actor=contributor, title="Pay by link", points=5)

    # then
    event = OutboxEvent.objects.get()
    assert (event.kind, event.workspace_id) == ("story.created", product.workspace_id)
    data = event.payload["story"]
    assert data["id"] == story.pk
    assert data["key"] == story.key
    assert (data["title"], data["points"], data["product"]) == ("Pay by link", 5, product.pk)
    assert data["status"]["name"] == "To do"
    assert data["status"]["category"] == "todo"


def test_story_updated_lists_what_changed(subscribed, product, contributor):
    # given
    story = StoryFactory(product=product, title="Pay by link", points=5)

    # when
    story_update(story=story, actor=contributor, title="Pay by QR code", points=8)

    # then
    event = OutboxEvent.objects.get(kind="story.updated")
    assert event.payload["changes"] == {
        "title": {"from": "Pay by link", "to": "Pay by QR code"},
        "points": {"from": 5, "to": 8},
    }
    assert event.payload["story"]["title"] == "Pay by QR code"


def test_a_status_change_is_a_story_update(subscribed, product, contributor):
    # given
    story = StoryFactory(product=product)
    done = WorkflowStatus.objects.get(product=product, name="Done")

    # when
    story_set_status(story=story, actor=contributor, status=done)

    # then
    event = OutboxEvent.objects.get(kind="story.updated")
    changes = event.payload["changes"]
    assert set(changes) == {"status", "completed_at"}
    assert changes["status"]["from"]["name"] == "To do"
    assert changes["status"]["to"] == {"id": done.pk, "name": "Done", "category": "done"}
    assert changes["completed_at"]["from"] is None
    assert changes["completed_at"]["to"] is not None


def test_an_update_that_changes_nothing_emits_nothing(subscribed, product, contributor):
    # given
    story = StoryFactory(product=product, title="Same")

    # when
    story_update(story=story, actor=contributor, title="Same")

    # then
    assert kinds() == ["story.created"]


def test_signoff_requested_approved_and_decision_accepted(subscribed, product, editor, viewer):
    # given
    record = DecisionRecordFactory(product=product, actor=editor, title="Queue for payment events")
    decision_choose_option(record=record, actor=editor, option=record.options.order_by("position").first())

    # when
    signoff = signoff_request(document=record, actor=editor, approver=viewer, role="architecture")
    signoff_approve(signoff=signoff, actor=viewer, comment="Go")

    # then
    assert kinds() == ["signoff.requested", "signoff.approved", "decision.accepted"]
    requested, approved, accepted = OutboxEvent.objects.order_by("pk")
    assert requested.payload["signoff"]["id"] == signoff.pk
    assert requested.payload["signoff"]["state"] == SignOff.State.PENDING
    assert requested.payload["signoff"]["approver"] == viewer.pk
    assert requested.payload["document"]["type"] == "decision"
    assert requested.payload["document"]["key"] == record.key
    assert approved.payload["signoff"]["state"] == SignOff.State.APPROVED
    assert approved.payload["signoff"]["comment"] == "Go"
    decision = accepted.payload["decision"]
    assert (decision["id"], decision["status"]) == (record.pk, DecisionRecord.Status.ACCEPTED)
    assert decision["decided_at"] is not None


def test_signoff_rejected(subscribed, product, editor, viewer):
    # given
    prd = PRDFactory(product=product, actor=editor, title="Checkout v2")
    signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="architecture")

    # when
    signoff_reject(signoff=signoff, actor=viewer, comment="Missing refunds")

    # then
    event = OutboxEvent.objects.get(kind="signoff.rejected")
    assert event.payload["signoff"]["comment"] == "Missing refunds"
    assert event.payload["document"] == {
        "type": "prd",
        "id": prd.pk,
        "product": product.pk,
        "title": "Checkout v2",
        "status": "in_review",
    }
    assert "decision.accepted" not in kinds()


def test_prd_version_published_on_create_and_on_each_change(subscribed, product, editor):
    # when
    prd = PRDFactory(product=product, actor=editor, title="Checkout v2")
    prd_update(prd=prd, actor=editor, title="Checkout v3", change_note="Renamed")
    prd_update(prd=prd, actor=editor, title="Checkout v3")

    # then
    events = list(OutboxEvent.objects.filter(kind="prd.version_published").order_by("pk"))
    assert [e.payload["version"]["number"] for e in events] == [1, 2]
    assert events[1].payload["version"]["change_note"] == "Renamed"
    assert events[1].payload["version"]["created_by"] == editor.pk
    assert events[1].payload["prd"]["title"] == "Checkout v3"
