"""prd_delete, decision_delete and decision_set_participants."""

import pytest
from django.core.exceptions import ValidationError

from core.errors import ApplicationError
from decisions.models import PRD, DecisionParticipant, DecisionRecord, PRDVersion, Requirement, SignOff
from decisions.services import (
    decision_amend,
    decision_choose_option,
    decision_delete,
    decision_set_participants,
    prd_delete,
    requirement_create,
    signoff_approve,
    signoff_request,
    signoff_withdraw,
)
from decisions.tests.factories import DecisionRecordFactory
from workspaces.tests.factories import MembershipFactory


def accept(record, *, editor, approver):
    decision_choose_option(record=record, actor=editor, option=record.options.first())
    signoff_approve(
        signoff=signoff_request(document=record, actor=editor, approver=approver, role="architecture"), actor=approver
    )
    record.refresh_from_db()
    return record


def test_prd_delete_removes_versions_and_requirements(prd, editor):
    # given
    requirement_create(prd=prd, actor=editor, title="Refunds")
    # when
    prd_delete(prd=prd, actor=editor)
    # then
    assert not PRD.objects.exists()
    assert not PRDVersion.objects.exists()
    assert not Requirement.objects.exists()
    assert PRD.history.filter(id=prd.pk, history_type="-").get().history_user == editor


def test_prd_delete_is_refused_even_after_the_signoff_was_withdrawn(prd, editor, viewer):
    # given
    signoff_withdraw(signoff=signoff_request(document=prd, actor=editor, approver=viewer, role="qa"), actor=editor)
    # when
    with pytest.raises(ApplicationError) as refused:
        prd_delete(prd=prd, actor=editor)
    # then
    assert refused.value.message == "“Checkout v2” has sign-offs, and their audit trail is kept: it cannot be deleted."
    assert PRD.objects.filter(pk=prd.pk).exists()
    assert SignOff.objects.count() == 1


def test_decision_delete_removes_a_proposed_record(record, editor):
    decision_delete(record=record, actor=editor)
    assert not DecisionRecord.objects.exists()
    assert DecisionRecord.history.filter(id=record.pk, history_type="-").get().history_user == editor


def test_decision_delete_refuses_a_record_with_signoffs(record, editor, viewer):
    record = accept(record, editor=editor, approver=viewer)
    with pytest.raises(ApplicationError) as refused:
        decision_delete(record=record, actor=editor)
    assert refused.value.message == "ADR-1 has sign-offs, and their audit trail is kept: it cannot be deleted."


def test_decision_delete_refuses_a_record_another_rests_on(record, editor, viewer):
    # given: ADR-2 amends ADR-1; ADR-1's sign-offs gone (so only the successor holds it)
    record = accept(record, editor=editor, approver=viewer)
    decision_amend(record=record, actor=editor)
    SignOff.objects.filter(decision=record).delete()
    # when
    with pytest.raises(ApplicationError) as refused:
        decision_delete(record=record, actor=editor)
    # then
    assert refused.value.message == "ADR-1 cannot be deleted: ADR-2 supersedes or amends it."
    assert DecisionRecord.objects.count() == 2


def test_set_participants_replaces_only_the_lists_given(product, editor, viewer, contributor):
    # given
    record = DecisionRecordFactory(product=product, actor=editor, deciders=[editor, viewer], informed=[contributor])
    # when
    decision_set_participants(record=record, actor=editor, deciders=[viewer, contributor], consulted=[])
    # then
    assert sorted(record.participants.values_list("user__username", "part")) == [
        ("cora", "decider"),
        ("cora", "informed"),
        ("vic", "decider"),
    ]


def test_set_participants_refuses_people_outside_the_workspace(record, editor, outsider):
    with pytest.raises(ValidationError) as refused:
        decision_set_participants(record=record, actor=editor, informed=[outsider])
    assert refused.value.message_dict == {"informed": ["mallory is not a member of this workspace."]}
    assert not DecisionParticipant.objects.exists()


def test_set_participants_of_an_accepted_record_is_refused(record, editor, viewer):
    record = accept(record, editor=editor, approver=viewer)
    with pytest.raises(ApplicationError) as refused:
        decision_set_participants(record=record, actor=editor, informed=[viewer])
    assert refused.value.extra == {"frozen": True}
    assert not DecisionParticipant.objects.exists()


def test_decision_create_names_the_participant_field_at_fault(product, editor, other_workspace):
    stranger = MembershipFactory(workspace=other_workspace).user
    with pytest.raises(ValidationError) as refused:
        DecisionRecordFactory(product=product, actor=editor, consulted=[stranger])
    assert list(refused.value.message_dict) == ["consulted"]
