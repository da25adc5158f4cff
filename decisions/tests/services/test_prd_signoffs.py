"""Sign-offs on PRDs: bound to the exact version, stale after an edit, and kept in an audit trail."""

import pytest
from django.core import mail

from activity.models import Notification
from core.errors import ApplicationError
from decisions.models import PRD, SignOff, SignOffEvent
from decisions.services import (
    prd_update,
    requirement_create,
    signoff_approve,
    signoff_reject,
    signoff_request,
    signoff_withdraw,
)
from decisions.tasks import notify_signoff_requested
from decisions.tests.helpers import edited_sections, signoff_states, trail
from workspaces.models import Role


@pytest.fixture
def architect(member_factory):
    return member_factory(Role.CONTRIBUTOR, user__username="archie")


def test_signoff_request_binds_the_latest_version_and_moves_the_prd_to_review(prd, editor, viewer):
    # given: a second version exists
    requirement_create(prd=prd, actor=editor, title="Pay by card")
    latest = prd.versions.latest()

    # when
    signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")

    # then
    assert latest.number == 2
    assert (signoff.prd_version, signoff.content_hash) == (latest, latest.content_hash)
    assert (signoff.state, signoff.approver, signoff.requested_by, signoff.role) == (
        SignOff.State.PENDING,
        viewer,
        editor,
        "leadership",
    )
    prd.refresh_from_db()
    assert prd.status == PRD.Status.IN_REVIEW
    assert trail([signoff]) == [("requested", "eddie", "leadership", "", latest.content_hash)]


def test_signoff_request_notifies_the_approver_in_app(prd, editor, viewer):
    # when
    signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")

    # then
    notification = Notification.objects.get()
    assert (notification.recipient, notification.actor, notification.kind, notification.target) == (
        viewer,
        editor,
        Notification.Kind.SIGNOFF_REQUESTED,
        prd,
    )
    assert notification.message == "eddie asks for your sign-off on Checkout v2 as Leadership."


def test_signoff_request_emails_the_approver_once_after_commit(prd, editor, viewer, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")

    # then
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.to, message.subject) == (["vic@example.com"], "Sign-off requested: Checkout v2")
    assert f"Content fingerprint: {signoff.content_hash[:12]}" in message.body
    signoff.refresh_from_db()
    assert signoff.emailed_at is not None


def test_running_the_email_task_again_sends_nothing_more(prd, editor, viewer, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")
    signoff.refresh_from_db()
    first_sent_at = signoff.emailed_at

    # when
    result = notify_signoff_requested.delay(signoff.pk).get()

    # then
    assert result == "skipped"
    assert len(mail.outbox) == 1
    signoff.refresh_from_db()
    assert signoff.emailed_at == first_sent_at


def test_no_email_before_the_request_commits(prd, editor, viewer, django_capture_on_commit_callbacks):
    # when: the transaction has not committed yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")

    # then
    assert len(callbacks) == 1
    assert mail.outbox == []
    signoff.refresh_from_db()
    assert signoff.emailed_at is None


def test_no_email_for_a_signoff_withdrawn_before_the_task_ran(prd, editor, viewer):
    # given
    signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")
    signoff_withdraw(signoff=signoff, actor=editor)

    # when
    result = notify_signoff_requested.delay(signoff.pk).get()

    # then
    assert result == "skipped"
    assert mail.outbox == []


def test_asking_the_same_approver_twice_is_refused(prd, editor, viewer):
    # given
    signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")

    # when
    with pytest.raises(ApplicationError) as refused:
        signoff_request(document=prd, actor=editor, approver=viewer, role="product")

    # then
    assert refused.value.field == "approver"
    assert signoff_states(prd) == [("vic", "pending", prd.versions.get().content_hash)]


def test_asking_a_non_member_is_refused(prd, editor, outsider):
    # when
    with pytest.raises(ApplicationError) as refused:
        signoff_request(document=prd, actor=editor, approver=outsider, role="leadership")

    # then
    assert refused.value.field == "approver"
    assert not SignOff.objects.exists()
    prd.refresh_from_db()
    assert prd.status == PRD.Status.DRAFT


def test_an_unknown_role_is_refused(prd, editor, viewer):
    # when
    with pytest.raises(ApplicationError) as refused:
        signoff_request(document=prd, actor=editor, approver=viewer, role="astrologer")

    # then
    assert refused.value.field == "role"
    assert not SignOff.objects.exists()


def test_approving_by_someone_other_than_the_approver_is_refused(prd, editor, viewer):
    # given
    signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")

    # when
    with pytest.raises(ApplicationError) as refused:
        signoff_approve(signoff=signoff, actor=editor)

    # then
    assert refused.value.extra == {"forbidden": True}
    signoff.refresh_from_db()
    assert (signoff.state, signoff.decided_at) == (SignOff.State.PENDING, None)
    assert list(signoff.events.values_list("kind", flat=True)) == ["requested"]
    prd.refresh_from_db()
    assert prd.status == PRD.Status.IN_REVIEW


def test_the_prd_is_approved_once_every_live_signoff_is_approved(prd, editor, viewer, architect):
    # given
    by_viewer = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")
    by_architect = signoff_request(document=prd, actor=editor, approver=architect, role="architecture")

    # when
    signoff_approve(signoff=by_viewer, actor=viewer, comment="Fine by me")

    # then
    prd.refresh_from_db()
    assert prd.status == PRD.Status.IN_REVIEW

    # when
    signoff_approve(signoff=by_architect, actor=architect)

    # then
    prd.refresh_from_db()
    assert prd.status == PRD.Status.APPROVED
    by_viewer.refresh_from_db()
    assert (by_viewer.state, by_viewer.comment) == (SignOff.State.APPROVED, "Fine by me")
    assert by_viewer.decided_at is not None
    decided = Notification.objects.filter(kind=Notification.Kind.SIGNOFF_DECIDED).order_by("pk")
    assert [(n.recipient.username, n.actor.username) for n in decided] == [("eddie", "vic"), ("eddie", "archie")]


def test_a_withdrawn_signoff_no_longer_holds_the_prd_in_review(prd, editor, viewer, architect):
    # given
    by_viewer = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")
    by_architect = signoff_request(document=prd, actor=editor, approver=architect, role="architecture")
    signoff_approve(signoff=by_viewer, actor=viewer)

    # when
    signoff_withdraw(signoff=by_architect, actor=editor)

    # then
    prd.refresh_from_db()
    assert prd.status == PRD.Status.APPROVED
    assert [state for _, state, _ in signoff_states(prd)] == ["approved", "withdrawn"]


def test_a_rejection_needs_a_comment(prd, editor, viewer):
    # given
    signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")

    # when
    with pytest.raises(ApplicationError) as refused:
        signoff_reject(signoff=signoff, actor=viewer, comment="   ")

    # then
    assert refused.value.field == "comment"
    signoff.refresh_from_db()
    assert signoff.state == SignOff.State.PENDING
    prd.refresh_from_db()
    assert prd.status == PRD.Status.IN_REVIEW


def test_a_rejection_moves_the_prd_to_changes_requested(prd, editor, viewer, architect):
    # given
    by_viewer = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")
    by_architect = signoff_request(document=prd, actor=editor, approver=architect, role="architecture")
    signoff_approve(signoff=by_architect, actor=architect)

    # when
    signoff_reject(signoff=by_viewer, actor=viewer, comment=" No success metric. ")

    # then
    prd.refresh_from_db()
    assert prd.status == PRD.Status.CHANGES_REQUESTED
    by_viewer.refresh_from_db()
    assert (by_viewer.state, by_viewer.comment) == (SignOff.State.REJECTED, "No success metric.")


def test_a_decided_signoff_cannot_be_decided_again(prd, editor, viewer):
    # given
    signoff = signoff_approve(
        signoff=signoff_request(document=prd, actor=editor, approver=viewer, role="leadership"), actor=viewer
    )

    # when
    with pytest.raises(ApplicationError) as refused:
        signoff_reject(signoff=signoff, actor=viewer, comment="Changed my mind")

    # then
    assert refused.value.field == "state"
    signoff.refresh_from_db()
    assert signoff.state == SignOff.State.APPROVED


def test_an_edit_after_approval_makes_the_approval_stale_and_asks_again(prd, editor, viewer):
    # given
    approved = signoff_approve(
        signoff=signoff_request(document=prd, actor=editor, approver=viewer, role="leadership"), actor=viewer
    )
    old_hash = approved.content_hash
    prd.refresh_from_db()
    assert prd.status == PRD.Status.APPROVED

    # when
    v2 = prd_update(prd=prd, actor=editor, sections=edited_sections(prd, goals="Halve checkout drop-off."))

    # then
    approved.refresh_from_db()
    assert approved.state == SignOff.State.STALE
    assert (approved.events.last().kind, approved.events.last().content_hash) == ("stale", old_hash)
    fresh = SignOff.objects.get(prd=prd, state=SignOff.State.PENDING)
    assert (fresh.approver, fresh.role, fresh.prd_version, fresh.content_hash) == (
        viewer,
        "leadership",
        v2,
        v2.content_hash,
    )
    assert v2.content_hash != old_hash
    prd.refresh_from_db()
    assert prd.status == PRD.Status.IN_REVIEW
    stale_notice = Notification.objects.get(kind=Notification.Kind.SIGNOFF_STALE)
    assert (stale_notice.recipient, stale_notice.target) == (viewer, prd)


def test_approving_a_stale_signoff_is_refused(prd, editor, viewer):
    # given
    approved = signoff_approve(
        signoff=signoff_request(document=prd, actor=editor, approver=viewer, role="leadership"), actor=viewer
    )
    prd_update(prd=prd, actor=editor, sections=edited_sections(prd, goals="Halve checkout drop-off."))

    # when
    with pytest.raises(ApplicationError) as refused:
        signoff_approve(signoff=approved, actor=viewer)

    # then
    assert refused.value.extra["stale"] is True
    approved.refresh_from_db()
    assert approved.state == SignOff.State.STALE
    prd.refresh_from_db()
    assert prd.status == PRD.Status.IN_REVIEW


def test_a_pending_signoff_on_an_older_version_cannot_be_approved(prd, editor, viewer):
    # given: asked on v1, then a requirement is added (v2) while waiting
    pending = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")
    requirement_create(prd=prd, actor=editor, title="Pay by card")

    # when
    with pytest.raises(ApplicationError) as refused:
        signoff_approve(signoff=pending, actor=viewer)

    # then
    assert refused.value.extra["stale"] is True
    assert [state for _, state, _ in signoff_states(prd)] == ["stale", "pending"]


def test_an_edit_after_a_rejection_asks_again_on_the_new_version(prd, editor, viewer):
    # given
    signoff_reject(
        signoff=signoff_request(document=prd, actor=editor, approver=viewer, role="leadership"),
        actor=viewer,
        comment="No metric",
    )

    # when
    v2 = prd_update(prd=prd, actor=editor, sections=edited_sections(prd, success_metrics="Drop-off below 20%."))

    # then
    assert signoff_states(prd) == [
        ("vic", "stale", prd.versions.get(number=1).content_hash),
        ("vic", "pending", v2.content_hash),
    ]
    prd.refresh_from_db()
    assert prd.status == PRD.Status.IN_REVIEW


def test_the_re_request_after_an_edit_is_emailed_too(prd, editor, viewer, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        approved = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")
    signoff_approve(signoff=approved, actor=viewer)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        prd_update(prd=prd, actor=editor, sections=edited_sections(prd, goals="Halve checkout drop-off."))

    # then
    fresh = SignOff.objects.get(prd=prd, state=SignOff.State.PENDING)
    assert [m.to for m in mail.outbox] == [["vic@example.com"], ["vic@example.com"]]
    assert f"Content fingerprint: {fresh.content_hash[:12]}" in mail.outbox[1].body


def test_the_audit_trail_records_the_whole_story_in_order(prd, editor, viewer):
    # given
    first = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")
    signoff_approve(signoff=first, actor=viewer, comment="Ship it")
    v2 = prd_update(prd=prd, actor=editor, sections=edited_sections(prd, goals="Halve checkout drop-off."))
    second = SignOff.objects.get(prd=prd, state=SignOff.State.PENDING)
    signoff_reject(signoff=second, actor=viewer, comment="Goal is not measurable")
    v1_hash = prd.versions.get(number=1).content_hash

    # when
    events = list(SignOffEvent.objects.filter(signoff__prd=prd).order_by("at", "pk"))

    # then
    assert trail([first, second]) == [
        ("requested", "eddie", "leadership", "", v1_hash),
        ("approved", "vic", "leadership", "Ship it", v1_hash),
        ("stale", "eddie", "leadership", "The document changed after this sign-off was requested.", v1_hash),
        ("requested", "eddie", "leadership", "Asked again: the document changed.", v2.content_hash),
        ("rejected", "vic", "leadership", "Goal is not measurable", v2.content_hash),
    ]
    assert [e.signoff_id for e in events] == [first.pk, first.pk, first.pk, second.pk, second.pk]
    assert all(e.at is not None for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events)
