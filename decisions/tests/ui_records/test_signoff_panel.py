"""The sign-off panel of decision records and PRDs: request, answer (viewers too), 409 when stale, banner, trail."""

import pytest
from django.urls import reverse

from decisions.models import PRD, DecisionRecord, SignOff, SignOffEvent, StakeholderRole
from decisions.services import decision_update, prd_update, signoff_approve
from decisions.tests.helpers import edited_sections
from workspaces.models import Role

from .helpers import HX, answer_url, ask, chosen, panel_url


@pytest.fixture
def in_review(record, editor, viewer, contributor) -> DecisionRecord:
    """The record with an option chosen, sign-off asked of the viewer and the contributor."""
    chosen(record, editor)
    ask(record, editor, viewer, contributor)
    return DecisionRecord.objects.get(pk=record.pk)


def name(user) -> str:
    return user.get_full_name() or user.username


def signoff_of(document, user) -> SignOff:
    field = "prd" if isinstance(document, PRD) else "decision"
    return SignOff.objects.current().get(**{field: document}, approver=user)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN])
def test_every_member_sees_the_panel_as_a_fragment_or_a_page(
    client, in_review, member_factory, viewer, contributor, role
):
    # given
    client.force_login(member_factory(role))
    # when
    fragment = client.get(panel_url(in_review), **HX)
    page = client.get(panel_url(in_review))
    # then
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert body.strip().startswith('<section id="signoffs"')
    assert name(viewer) in body and name(contributor) in body and "Engineering" in body and "Waiting" in body
    assert 'hx-trigger="document-changed from:body, prd-saved from:body"' in body
    assert fragment["HX-Reswap"] == "outerHTML"
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert ("Request sign-off" in body) is Role.at_least(role, Role.EDITOR)


def test_the_owner_requests_signoffs_from_named_people_in_a_role(client, record, editor, viewer, contributor):
    # given
    chosen(record, editor)
    client.force_login(editor)
    # when
    response = client.post(
        panel_url(record), {"approvers": [viewer.pk, contributor.pk], "role": StakeholderRole.ARCHITECTURE}, **HX
    )
    # then
    assert response.status_code == 200
    assert "signoffs-changed" in response["HX-Trigger"]
    body = response.content.decode()
    assert body.count("Architecture") >= 2 and "Waiting" in body
    record.refresh_from_db()
    assert record.status == DecisionRecord.Status.IN_REVIEW
    assert sorted(SignOff.objects.filter(decision=record).values_list("approver__username", "role")) == [
        ("cora", "architecture"),
        ("vic", "architecture"),
    ]


def test_a_plain_request_redirects_back_to_the_record(client, record, editor, viewer):
    chosen(record, editor)
    client.force_login(editor)
    response = client.post(panel_url(record), {"approvers": [viewer.pk], "role": StakeholderRole.QA})
    assert response.status_code == 302
    assert (
        response["Location"] == reverse("decisions:decision_detail", args=[record.product_id, record.pk]) + "#signoffs"
    )


def test_a_request_without_people_or_role_answers_422_next_to_the_fields(client, record, editor):
    chosen(record, editor)
    client.force_login(editor)
    response = client.post(panel_url(record), {"approvers": [], "role": ""}, **HX)
    body = response.content.decode()
    assert response.status_code == 422 and body.count('aria-invalid="true"') >= 1
    assert "This field is required." in body
    assert not SignOff.objects.exists()


def test_asking_the_same_person_twice_is_refused_and_nobody_else_is_asked(
    client, in_review, editor, viewer, admin_user
):
    client.force_login(editor)
    response = client.post(
        panel_url(in_review), {"approvers": [admin_user.pk, viewer.pk], "role": StakeholderRole.QA}, **HX
    )
    assert response.status_code == 422 and "has already been asked" in response.content.decode()
    assert not SignOff.objects.filter(approver=admin_user).exists()  # all or none


def test_no_signoff_before_an_option_is_chosen(client, record, editor, viewer):
    client.force_login(editor)
    body = client.get(panel_url(record), **HX).content.decode()
    response = client.post(panel_url(record), {"approvers": [viewer.pk], "role": StakeholderRole.QA}, **HX)
    assert "Choose an option before asking for sign-off." in body and "Request sign-off" not in body
    assert response.status_code == 422 and "Choose an option" in response.content.decode()
    assert not SignOff.objects.exists()


def test_a_viewer_cannot_request_signoffs(client, record, editor, viewer):
    chosen(record, editor)
    client.force_login(viewer)
    response = client.post(panel_url(record), {"approvers": [viewer.pk], "role": StakeholderRole.QA})
    assert response.status_code == 403 and "your role there is viewer" in response.content.decode()
    assert not SignOff.objects.exists()


def test_a_viewer_approves_their_own_signoff_with_a_comment(client, in_review, viewer):
    # given
    signoff = signoff_of(in_review, viewer)
    client.force_login(viewer)
    page = client.get(panel_url(in_review), **HX).content.decode()
    # when
    response = client.post(answer_url(signoff, "approve"), {"comment": "Looks right"}, **HX)
    # then
    assert "Your sign-off as Engineering" in page and answer_url(signoff, "approve") in page
    assert response.status_code == 200
    assert "signoffs-changed" in response["HX-Trigger"]
    body = response.content.decode()
    assert "Looks right" in body and "Approved" in body
    signoff.refresh_from_db()
    assert (signoff.state, signoff.comment) == ("approved", "Looks right")
    assert list(SignOffEvent.objects.filter(signoff=signoff).values_list("kind", flat=True)) == [
        "requested",
        "approved",
    ]


def test_the_last_approval_reloads_the_now_frozen_record(client, record, editor, viewer):
    chosen(record, editor)
    (signoff,) = ask(record, editor, viewer)
    client.force_login(viewer)
    response = client.post(answer_url(signoff, "approve"), {"comment": ""}, **HX)
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    record.refresh_from_db()
    assert record.status == DecisionRecord.Status.ACCEPTED


def test_a_plain_answer_redirects_back(client, in_review, viewer):
    client.force_login(viewer)
    response = client.post(answer_url(signoff_of(in_review, viewer), "approve"), {"comment": ""})
    assert response.status_code == 302 and response["Location"].endswith("#signoffs")


def test_a_stakeholder_cannot_answer_someone_elses_signoff(client, in_review, viewer, contributor):
    # given
    theirs = signoff_of(in_review, contributor)
    client.force_login(viewer)
    # when
    response = client.post(answer_url(theirs, "approve"), {"comment": "On their behalf"}, **HX)
    # then
    assert response.status_code == 403 and "Only the person asked can sign off." in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.state == SignOff.State.PENDING and theirs.comment == ""


def test_rejecting_needs_a_comment_422(client, in_review, viewer):
    signoff = signoff_of(in_review, viewer)
    client.force_login(viewer)
    response = client.post(answer_url(signoff, "reject"), {"comment": "  "}, **HX)
    body = response.content.decode()
    assert response.status_code == 422 and "Say why you reject" in body and 'aria-invalid="true"' in body
    signoff.refresh_from_db()
    assert signoff.state == SignOff.State.PENDING


def test_a_rejection_with_a_reason_rejects_the_record_once_everyone_answered(client, in_review, viewer, contributor):
    signoff_approve(signoff=signoff_of(in_review, contributor), actor=contributor)
    client.force_login(viewer)
    response = client.post(answer_url(signoff_of(in_review, viewer), "reject"), {"comment": "Too costly"}, **HX)
    assert response.status_code == 200 and "Too costly" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == DecisionRecord.Status.REJECTED


def test_signing_off_a_version_that_is_no_longer_current_answers_409(client, in_review, editor, viewer):
    # given: the viewer opened the panel, then the owner edited the record
    old = signoff_of(in_review, viewer)
    decision_update(record=in_review, actor=editor, context="Changed after the request")
    client.force_login(viewer)
    # when
    response = client.post(answer_url(old, "approve"), {"comment": "OK"}, **HX)
    # then
    body = response.content.decode()
    assert response.status_code == 409
    assert "The document changed since this sign-off was asked for; review the new version." in body
    old.refresh_from_db()
    assert old.state == SignOff.State.STALE
    fresh = signoff_of(in_review, viewer)
    assert fresh.state == SignOff.State.PENDING and answer_url(fresh, "approve") in body


def test_after_an_edit_the_panel_shows_the_stale_banner(client, in_review, editor, viewer):
    # given: the viewer approved, then the owner edited
    signoff_approve(signoff=signoff_of(in_review, viewer), actor=viewer, comment="Fine")
    decision_update(record=DecisionRecord.objects.get(pk=in_review.pk), actor=editor, context="Edited")
    client.force_login(editor)
    # when
    body = client.get(panel_url(in_review), **HX).content.decode()
    # then
    assert "Edited after 2 sign-offs: they are stale." in body
    assert "have been asked again on the new one" in body
    assert body.count("badge--stale") == 2
    assert "earlier version" in body
    assert "made stale by an edit" in body


def test_a_stale_signoff_that_was_withdrawn_can_be_asked_again(client, in_review, editor, viewer, contributor):
    # given: edited, then the renewed request to the viewer withdrawn
    decision_update(record=in_review, actor=editor, context="Edited")
    client.force_login(editor)
    withdrawn = client.post(
        reverse("decisions:signoff_withdraw", args=[in_review.product_id, signoff_of(in_review, viewer).pk]), **HX
    )
    # when
    body = client.get(panel_url(in_review), **HX).content.decode()
    # then
    assert withdrawn.status_code == 200
    assert "they are stale; request them again." in body and f"Ask {name(viewer)} again" in body
    assert f"Ask {name(contributor)} again" not in body  # asked again already


def test_the_audit_trail_lists_every_event_in_order(client, in_review, editor, viewer):
    signoff_approve(signoff=signoff_of(in_review, viewer), actor=viewer, comment="Fine")
    client.force_login(viewer)
    body = client.get(panel_url(in_review), **HX).content.decode()
    trail = " ".join(body[body.index("Audit trail") :].split())
    assert trail.index(f"{name(editor)}</strong>: requested") < trail.index(f"{name(viewer)}</strong>: approved")
    assert "“Fine”" in trail


def test_an_outsider_gets_404_and_nothing_changes(client, in_review, viewer, outsider):
    signoff = signoff_of(in_review, viewer)
    client.force_login(outsider)
    assert client.get(panel_url(in_review), **HX).status_code == 404
    assert client.post(panel_url(in_review), {"approvers": [outsider.pk], "role": "qa"}).status_code == 404
    assert client.post(answer_url(signoff, "approve"), {"comment": "x"}).status_code == 404
    signoff.refresh_from_db()
    assert signoff.state == SignOff.State.PENDING


def test_a_signoff_of_another_product_is_404_under_this_product(client, in_review, viewer, workspace):
    from workspaces.tests.factories import ProductFactory

    other = ProductFactory(workspace=workspace, name="Checkout", key="CHK")
    client.force_login(viewer)
    url = reverse("decisions:signoff_approve", args=[other.pk, signoff_of(in_review, viewer).pk])
    assert client.post(url, {"comment": ""}).status_code == 404


# --- the same panel on a PRD ----------------------------------------------------------------------------


def test_the_prd_panel_requests_and_answers_and_goes_stale(client, prd, editor, viewer):
    # given
    client.force_login(editor)
    # when: asked, approved by the viewer, then the PRD edited
    asked = client.post(panel_url(prd), {"approvers": [viewer.pk], "role": StakeholderRole.PRODUCT}, **HX)
    client.force_login(viewer)
    approved = client.post(answer_url(signoff_of(prd, viewer), "approve"), {"comment": "Ship it"}, **HX)
    prd_update(prd=PRD.objects.get(pk=prd.pk), actor=editor, sections=edited_sections(prd, problem="New problem"))
    body = client.get(panel_url(prd), **HX).content.decode()
    # then
    assert asked.status_code == 200 and "v1" in asked.content.decode()
    assert approved.status_code == 200 and "Ship it" in approved.content.decode()
    assert "Edited after 1 sign-off: it is stale." in body
    assert "v2" in body


def test_the_prd_panel_without_htmx_is_a_page(client, prd, viewer):
    client.force_login(viewer)
    response = client.get(panel_url(prd))
    assert response.status_code == 200 and "<html" in response.content.decode()
    assert "Nobody has been asked to sign off yet" in response.content.decode()


@pytest.mark.parametrize("people", [2, 12])
def test_the_panel_reads_a_bounded_number_of_queries(
    client, record, editor, member_factory, django_assert_max_num_queries, people
):
    # given: people asked, half of them approved, then an edit (stale + asked again)
    chosen(record, editor)
    approvers = [member_factory(Role.VIEWER) for _ in range(people)]
    signoffs = ask(record, editor, *approvers)
    for signoff in signoffs[: people // 2]:
        signoff_approve(signoff=signoff, actor=signoff.approver, comment="ok")
    decision_update(record=DecisionRecord.objects.get(pk=record.pk), actor=editor, context="Edited")
    client.force_login(editor)
    # when / then
    with django_assert_max_num_queries(9):
        response = client.get(panel_url(record), **HX)
    assert response.content.decode().count("badge--stale") == people
