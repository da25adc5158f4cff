"""Rules the data layer keeps on its own: append-only history rows, and workspace scoping."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError

from backlog.tests.factories import EpicFactory, FeatureFactory
from decisions.models import PRD, DecisionRecord, ImmutableRowError, PRDVersion, ReviewFlag, SignOff, SignOffEvent
from decisions.services import (
    decision_amend,
    decision_choose_option,
    decision_supersede,
    requirement_create,
    requirement_update,
    signoff_approve,
    signoff_request,
)
from decisions.tests.factories import DecisionRecordFactory, PRDFactory
from workspaces.models import Role


def test_prd_version_save_on_an_existing_row_is_refused(prd):
    # given
    version = prd.versions.get()
    version.content = {"title": "Rewritten history", "sections": [], "requirements": []}

    # when / then
    with pytest.raises(ImmutableRowError):
        version.save()
    version.refresh_from_db()
    assert version.content["title"] == "Checkout v2"


def test_postgres_refuses_a_raw_update_of_a_prd_version(prd):
    # given
    version = prd.versions.get()
    original_hash = version.content_hash

    # when
    with pytest.raises(IntegrityError, match="decisions_prdversion rows are append-only"), transaction.atomic():
        PRDVersion.objects.filter(pk=version.pk).update(change_note="tampered", content_hash="0" * 64)

    # then
    version.refresh_from_db()
    assert (version.change_note, version.content_hash) == ("Created", original_hash)


def test_signoff_event_save_on_an_existing_row_is_refused(prd, editor, viewer):
    # given
    signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")
    event = signoff.events.get()
    event.comment = "Approved long ago"

    # when / then
    with pytest.raises(ImmutableRowError):
        event.save()
    event.refresh_from_db()
    assert event.comment == ""


def test_postgres_refuses_a_raw_update_of_a_signoff_event(prd, editor, viewer):
    # given
    signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")
    event = signoff.events.get()

    # when
    with pytest.raises(IntegrityError, match="decisions_signoffevent rows are append-only"), transaction.atomic():
        SignOffEvent.objects.filter(pk=event.pk).update(kind=SignOffEvent.Kind.APPROVED, actor=viewer)

    # then
    event.refresh_from_db()
    assert (event.kind, event.actor) == (SignOffEvent.Kind.REQUESTED, editor)


def test_deleting_the_author_of_a_prd_version_is_refused_and_the_version_keeps_its_author(product, member_factory):
    # given: a person who wrote a version (deleting them would have to rewrite an append-only row)
    author = member_factory(Role.EDITOR, user__username="tess")
    prd = PRDFactory(product=product, actor=author)

    # when
    with pytest.raises(ProtectedError), transaction.atomic():
        author.delete()

    # then
    assert prd.versions.get().created_by == author


def test_deleting_a_prd_removes_its_versions_sign_offs_and_trail(prd, editor, viewer):
    # given: a sign-off bound to a version
    signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")
    prd_id = prd.pk

    # when
    prd.delete()

    # then
    assert not PRDVersion.objects.filter(prd_id=prd_id).exists()
    assert not SignOff.objects.filter(prd_id=prd_id).exists()
    assert not SignOffEvent.objects.exists()


def test_a_version_that_a_sign_off_names_cannot_be_deleted_alone(prd, editor, viewer):
    # given
    signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")

    # when
    with pytest.raises(RestrictedError), transaction.atomic():
        signoff.prd_version.delete()

    # then
    assert prd.versions.count() == 1


def test_deleting_a_product_removes_its_signed_prds_and_superseded_records(product, editor, viewer):
    # given: a signed-off PRD, and an accepted record superseded and amended by accepted successors
    prd = PRDFactory(product=product, actor=editor)
    signoff_approve(
        signoff=signoff_request(document=prd, actor=editor, approver=viewer, role="leadership"), actor=viewer
    )
    original = _accepted(DecisionRecordFactory(product=product, actor=editor), editor=editor, approver=viewer)
    _accepted(decision_amend(record=original, actor=editor), editor=editor, approver=viewer)
    _accepted(decision_supersede(record=original, actor=editor), editor=editor, approver=viewer)
    assert original.superseded_by.supersedes_id == original.pk

    # when
    product.delete()

    # then
    assert (PRD.objects.count(), DecisionRecord.objects.count(), SignOff.objects.count()) == (0, 0, 0)
    assert (PRDVersion.objects.count(), SignOffEvent.objects.count()) == (0, 0)


def test_a_superseded_record_cannot_be_deleted_alone(product, editor, viewer):
    # given
    original = _accepted(DecisionRecordFactory(product=product, actor=editor), editor=editor, approver=viewer)
    decision_supersede(record=original, actor=editor)

    # when
    with pytest.raises(RestrictedError), transaction.atomic():
        DecisionRecord.objects.get(pk=original.pk).delete()

    # then
    assert DecisionRecord.objects.filter(pk=original.pk).exists()


def _accepted(record: DecisionRecord, *, editor, approver) -> DecisionRecord:
    decision_choose_option(record=record, actor=editor, option=record.options.order_by("position").first())
    signoff = signoff_request(document=record, actor=editor, approver=approver, role="architecture")
    signoff_approve(signoff=signoff, actor=approver)
    record.refresh_from_db()
    assert record.status == DecisionRecord.Status.ACCEPTED
    return record


# --- Tenancy ------------------------------------------------------------------------------------


@pytest.fixture
def documents_with_signoffs(product, editor, viewer):
    prd = PRDFactory(product=product, actor=editor)
    record = DecisionRecordFactory(product=product, actor=editor)
    decision_choose_option(record=record, actor=editor, option=record.options.first())
    return (
        prd,
        record,
        signoff_request(document=prd, actor=editor, approver=viewer, role="leadership"),
        signoff_request(document=record, actor=editor, approver=viewer, role="architecture"),
    )


def test_members_see_the_signoffs_prds_and_records_of_their_workspace(documents_with_signoffs, contributor):
    # given
    prd, record, on_prd, on_record = documents_with_signoffs

    # when / then
    assert set(SignOff.objects.visible_to(contributor)) == {on_prd, on_record}
    assert list(PRD.objects.visible_to(contributor)) == [prd]
    assert list(DecisionRecord.objects.visible_to(contributor)) == [record]


def test_an_outsider_sees_no_signoff_prd_or_record_of_another_workspace(
    documents_with_signoffs, outsider, other_product
):
    # given
    own_prd = PRDFactory(product=other_product, actor=outsider)

    # when / then
    assert list(SignOff.objects.visible_to(outsider)) == []
    assert list(PRD.objects.visible_to(outsider)) == [own_prd]
    assert list(DecisionRecord.objects.visible_to(outsider)) == []


def test_an_anonymous_visitor_sees_nothing(documents_with_signoffs):
    # when / then
    anonymous = AnonymousUser()
    assert not SignOff.objects.visible_to(anonymous).exists()
    assert not PRD.objects.visible_to(anonymous).exists()
    assert not DecisionRecord.objects.visible_to(anonymous).exists()


def test_review_flags_are_visible_only_inside_their_workspace(product, editor, contributor, outsider):
    # given
    feature = FeatureFactory(epic=EpicFactory(product=product))
    prd = PRDFactory(product=product, actor=editor)
    requirement = requirement_create(prd=prd, actor=editor, title="Pay by card", features=[feature])
    requirement_update(requirement=requirement, actor=editor, title="Pay by card or wallet")
    flag = ReviewFlag.objects.get()

    # when / then
    assert list(ReviewFlag.objects.visible_to(contributor)) == [flag]
    assert list(ReviewFlag.objects.visible_to(outsider)) == []
