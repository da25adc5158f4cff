"""Sign-offs: requested on PRDs and decision records, given only by the named approver, 409 once stale, audit trail."""

import pytest

from decisions.models import PRD, DecisionRecord, SignOff
from decisions.services import decision_choose_option, prd_update, signoff_approve, signoff_request
from decisions.tests.factories import DecisionRecordFactory, PRDFactory
from decisions.tests.helpers import edited_sections

from .helpers import ROLE_FIXTURES, client_as, fingerprint, ids

URL = "/api/v1/signoffs/"


def ask(document, *, actor, approver, role="product") -> SignOff:
    return signoff_request(document=document, actor=actor, approver=approver, role=role)


@pytest.fixture
def chosen(record, editor) -> DecisionRecord:
    """The record with its first option chosen, ready for sign-off."""
    return decision_choose_option(record=record, actor=editor, option=record.options.get(title="Option A"))


# --- request ---------------------------------------------------------------------------------------


def test_request_signoff_on_a_prd(token_client, prd, editor, viewer):
    # when
    response = token_client(editor).post(
        f"/api/v1/prds/{prd.pk}/request-signoff/", {"approver": viewer.pk, "role": "ux"}
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    version = prd.versions.get()
    assert body["document"] == {
        "type": "prd",
        "id": prd.pk,
        "product": prd.product_id,
        "key": None,
        "title": "Checkout v2",
        "status": "in_review",
    }
    assert (body["prd"], body["prd_version"], body["version"], body["decision"]) == (prd.pk, version.pk, 1, None)
    assert (body["approver"]["id"], body["requested_by"]["id"], body["role"], body["state"]) == (
        viewer.pk,
        editor.pk,
        "ux",
        "pending",
    )
    assert body["content_hash"] == version.content_hash
    assert [(e["kind"], e["actor"]["id"], e["role"], e["content_hash"]) for e in body["events"]] == [
        ("requested", editor.pk, "ux", version.content_hash)
    ]
    prd.refresh_from_db()
    assert prd.status == PRD.Status.IN_REVIEW


def test_request_signoff_on_a_decision_record(token_client, chosen, editor, viewer):
    response = token_client(editor).post(
        f"/api/v1/decisions/{chosen.pk}/request-signoff/", {"approver": viewer.pk, "role": "architecture"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["document"]["type"], body["document"]["key"], body["decision"], body["prd"]) == (
        "decision",
        "ADR-1",
        chosen.pk,
        None,
    )
    assert body["version"] is None
    chosen.refresh_from_db()
    assert chosen.status == DecisionRecord.Status.IN_REVIEW


def test_a_record_needs_a_chosen_option_before_signoff(token_client, record, editor, viewer):
    response = token_client(editor).post(
        f"/api/v1/decisions/{record.pk}/request-signoff/", {"approver": viewer.pk, "role": "architecture"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"chosen_option": ["Choose an option before asking for sign-off."]}
    assert not SignOff.objects.exists()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"role": "product"}, {"approver"}),
        ({"approver": "VIEWER"}, {"role"}),
        ({"approver": "VIEWER", "role": "cfo"}, {"role"}),
        ({"approver": 10**9, "role": "product"}, {"approver"}),
        ({"approver": "VIEWER", "role": "product", "due": "friday"}, {"due"}),
    ],
)
def test_bad_request_input_answers_400(token_client, prd, editor, viewer, payload, fields):
    payload = {key: (viewer.pk if value == "VIEWER" else value) for key, value in payload.items()}
    response = token_client(editor).post(f"/api/v1/prds/{prd.pk}/request-signoff/", payload)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields
    assert not SignOff.objects.exists()


def test_asking_the_same_person_twice_answers_400(token_client, prd, editor, viewer):
    ask(prd, actor=editor, approver=viewer)
    response = token_client(editor).post(
        f"/api/v1/prds/{prd.pk}/request-signoff/", {"approver": viewer.pk, "role": "qa"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"approver": ["vic has already been asked to sign off Checkout v2."]}
    assert SignOff.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "allowed"), [("viewer", False), ("contributor", False), ("editor", True), ("admin", True)]
)
def test_who_asks_for_signoff(request, token_client, prd, chosen, viewer, role, allowed):
    client = client_as(request, token_client, role)
    before = fingerprint()
    answers = [
        client.post(f"/api/v1/prds/{prd.pk}/request-signoff/", {"approver": viewer.pk, "role": "qa"}).status_code,
        client.post(
            f"/api/v1/decisions/{chosen.pk}/request-signoff/", {"approver": viewer.pk, "role": "qa"}
        ).status_code,
    ]
    if allowed:
        assert answers == [201, 201]
    else:
        assert answers == [403, 403]
        assert fingerprint() == before


# --- approve, reject -------------------------------------------------------------------------------


def test_a_viewer_approves_the_signoff_asked_of_them(token_client, prd, editor, viewer):
    # given
    signoff = ask(prd, actor=editor, approver=viewer)
    # when
    response = token_client(viewer).post(f"{URL}{signoff.pk}/approve/", {"comment": "  Looks good. "})
    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["state"], body["comment"], body["document"]["status"]) == ("approved", "Looks good.", "approved")
    assert body["decided_at"] is not None
    assert [(e["kind"], e["actor"]["username"], e["comment"]) for e in body["events"]] == [
        ("requested", "eddie", ""),
        ("approved", "vic", "Looks good."),
    ]
    assert response["ETag"]
    prd.refresh_from_db()
    assert prd.status == PRD.Status.APPROVED


def test_approve_without_a_comment(token_client, chosen, editor, viewer):
    signoff = ask(chosen, actor=editor, approver=viewer, role="architecture")
    response = token_client(viewer).post(f"{URL}{signoff.pk}/approve/", {})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["comment"]) == ("approved", "")
    chosen.refresh_from_db()
    assert chosen.status == DecisionRecord.Status.ACCEPTED


@pytest.mark.parametrize("role", ["viewer", "contributor", "editor", "admin"])
def test_every_role_signs_off_when_asked_and_only_then(request, token_client, prd, editor, member_factory, role):
    # given: this member is asked; someone else is asked too
    member = request.getfixturevalue(ROLE_FIXTURES[role])
    someone_else = member_factory(user__username="sam")
    theirs = ask(prd, actor=editor, approver=member)
    not_theirs = ask(prd, actor=editor, approver=someone_else, role="qa")
    client = token_client(member)
    before = fingerprint()
    # when: they try to sign off the other person's request
    refused = [
        client.post(f"{URL}{not_theirs.pk}/approve/", {}),
        client.post(f"{URL}{not_theirs.pk}/reject/", {"comment": "No"}),
    ]
    # then
    assert [r.status_code for r in refused] == [403, 403]
    assert refused[0].json()["error"]["message"] == "Only the person asked can sign off."
    assert fingerprint() == before
    # and their own goes through
    assert client.post(f"{URL}{theirs.pk}/approve/", {}).status_code == 200


def test_reject_needs_a_comment(token_client, prd, editor, viewer):
    signoff = ask(prd, actor=editor, approver=viewer)
    client = token_client(viewer)
    for body in ({}, {"comment": "   "}):
        response = client.post(f"{URL}{signoff.pk}/reject/", body)
        assert response.status_code == 400
        assert set(response.json()["error"]["fields"]) == {"comment"}
    signoff.refresh_from_db()
    assert signoff.state == SignOff.State.PENDING


def test_reject_sends_the_prd_back_for_changes(token_client, prd, editor, viewer):
    signoff = ask(prd, actor=editor, approver=viewer)
    response = token_client(viewer).post(f"{URL}{signoff.pk}/reject/", {"comment": "Metrics are missing."})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["comment"]) == ("rejected", "Metrics are missing.")
    prd.refresh_from_db()
    assert prd.status == PRD.Status.CHANGES_REQUESTED


def test_deciding_twice_answers_400(token_client, prd, editor, viewer):
    signoff = ask(prd, actor=editor, approver=viewer)
    client = token_client(viewer)
    assert client.post(f"{URL}{signoff.pk}/approve/", {}).status_code == 200
    response = client.post(f"{URL}{signoff.pk}/reject/", {"comment": "Changed my mind"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"state": ["This sign-off is already approved."]}


def test_a_signoff_on_a_changed_prd_answers_409_and_changes_nothing(token_client, prd, editor, viewer):
    # given: asked on version 1, then the PRD changed (the same person is asked again on version 2)
    old = ask(prd, actor=editor, approver=viewer)
    prd_update(prd=prd, actor=editor, sections=edited_sections(prd, goals="New goals"), change_note="Goals")
    renewed = SignOff.objects.get(prd=prd, state=SignOff.State.PENDING)
    client = token_client(viewer)
    before = fingerprint()
    # when
    response = client.post(f"{URL}{old.pk}/approve/", {"comment": "OK"})
    # then
    assert response.status_code == 409
    assert response.json()["error"] == {
        "status": 409,
        "code": "conflict",
        "message": "The document changed since this sign-off was asked for; review the new version.",
    }
    assert fingerprint() == before
    detail = client.get(f"{URL}{renewed.pk}/").json()
    assert (detail["version"], detail["state"]) == (2, "pending")
    assert client.post(f"{URL}{renewed.pk}/approve/", {}).status_code == 200


def test_a_signoff_on_a_changed_decision_record_answers_409(token_client, chosen, editor, viewer):
    from decisions.services import decision_update

    old = ask(chosen, actor=editor, approver=viewer, role="architecture")
    decision_update(record=chosen, actor=editor, outcome="Reconsidered")
    response = token_client(viewer).post(f"{URL}{old.pk}/reject/", {"comment": "No"})
    assert response.status_code == 409
    old.refresh_from_db()
    assert (old.state, old.comment) == (SignOff.State.STALE, "")


# --- withdraw --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"), [("viewer", False), ("contributor", False), ("editor", True), ("admin", True)]
)
def test_who_withdraws(request, token_client, prd, editor, viewer, role, allowed):
    signoff = ask(prd, actor=editor, approver=viewer)
    client = client_as(request, token_client, role)
    before = fingerprint()
    response = client.post(f"{URL}{signoff.pk}/withdraw/")
    if allowed:
        assert response.status_code == 200
        assert response.json()["state"] == "withdrawn"
        assert [e["kind"] for e in response.json()["events"]] == ["requested", "withdrawn"]
    else:
        assert response.status_code == 403
        assert fingerprint() == before


def test_withdrawing_a_decided_signoff_answers_400(token_client, prd, editor, viewer):
    signoff = signoff_approve(signoff=ask(prd, actor=editor, approver=viewer), actor=viewer)
    response = token_client(editor).post(f"{URL}{signoff.pk}/withdraw/")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"state": ["Only a sign-off that is still waiting can be withdrawn."]}


# --- list and detail -------------------------------------------------------------------------------


def test_list_filters(token_client, product, prd, chosen, editor, viewer, contributor):
    # given
    on_prd = ask(prd, actor=editor, approver=viewer)
    by_contributor = ask(prd, actor=editor, approver=contributor, role="engineering")
    on_record = ask(chosen, actor=editor, approver=viewer, role="architecture")
    signoff_approve(signoff=by_contributor, actor=contributor)
    client = token_client(viewer)
    # then
    assert ids(client.get(URL)) == [on_record.pk, by_contributor.pk, on_prd.pk]
    assert ids(client.get(URL, {"mine": "true"})) == [on_record.pk, on_prd.pk]
    assert ids(client.get(URL, {"mine": "false"})) == [by_contributor.pk]
    assert ids(client.get(URL, {"approver": contributor.pk})) == [by_contributor.pk]
    assert ids(client.get(URL, {"state": "approved"})) == [by_contributor.pk]
    assert ids(client.get(URL, {"prd": prd.pk, "ordering": "created_at"})) == [on_prd.pk, by_contributor.pk]
    assert ids(client.get(URL, {"decision": chosen.pk})) == [on_record.pk]
    assert ids(client.get(URL, {"document_type": "decision"})) == [on_record.pk]
    assert ids(client.get(URL, {"product": product.pk, "role": "engineering"})) == [by_contributor.pk]
    assert client.get(URL, {"state": "done"}).status_code == 400


def test_detail_carries_the_audit_trail(token_client, prd, editor, viewer):
    signoff = ask(prd, actor=editor, approver=viewer)
    signoff_approve(signoff=signoff, actor=viewer, comment="Fine")
    response = token_client(viewer).get(f"{URL}{signoff.pk}/")
    assert response.status_code == 200
    events = response.json()["events"]
    digest = prd.versions.get().content_hash
    assert [{k: v for k, v in e.items() if k != "at"} for e in events] == [
        {
            "kind": "requested",
            "actor": {"id": editor.pk, "username": "eddie", "name": editor.get_full_name()},
            "role": "product",
            "comment": "",
            "content_hash": digest,
        },
        {
            "kind": "approved",
            "actor": {"id": viewer.pk, "username": "vic", "name": viewer.get_full_name()},
            "role": "product",
            "comment": "Fine",
            "content_hash": digest,
        },
    ]
    assert events[0]["at"] <= events[1]["at"]


def test_signoffs_are_not_written_directly(token_client, prd, editor, viewer, admin_user):
    signoff = ask(prd, actor=editor, approver=viewer)
    client = token_client(admin_user)
    assert client.patch(f"{URL}{signoff.pk}/", {"state": "approved"}).status_code == 405
    assert client.delete(f"{URL}{signoff.pk}/").status_code == 405
    assert client.post(URL, {"prd": prd.pk}).status_code == 405
    signoff.refresh_from_db()
    assert signoff.state == SignOff.State.PENDING


# --- tenancy and budgets ---------------------------------------------------------------------------


def test_other_workspace_gets_404_on_every_route_and_nothing_changes(
    token_client, prd, chosen, editor, viewer, outsider
):
    # given: a sign-off, and even one that names the outsider can't exist: they are not a member
    on_prd = ask(prd, actor=editor, approver=viewer)
    on_record = ask(chosen, actor=editor, approver=viewer, role="architecture")
    client = token_client(outsider)
    before = fingerprint()
    # when
    answers = {
        f"{name} {signoff.pk}": getattr(client, method)(f"{URL}{signoff.pk}/{suffix}", body)
        for signoff in (on_prd, on_record)
        for name, method, suffix, body in (
            ("get", "get", "", None),
            ("approve", "post", "approve/", {}),
            ("reject", "post", "reject/", {"comment": "No"}),
            ("withdraw", "post", "withdraw/", {}),
        )
    }
    # then
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    assert client.get(URL).json()["count"] == 0
    assert client.get(URL, {"prd": prd.pk}).json()["count"] == 0
    assert fingerprint() == before


def test_only_workspace_members_can_be_asked(token_client, prd, editor, outsider):
    response = token_client(editor).post(
        f"/api/v1/prds/{prd.pk}/request-signoff/", {"approver": outsider.pk, "role": "qa"}
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"approver"}
    assert not SignOff.objects.exists()


@pytest.mark.parametrize("count", [5, 50])
def test_signoff_list_query_budget_holds_for_5_and_50(
    token_client, product, editor, viewer, count, django_assert_max_num_queries
):
    for n in range(count):
        document = (
            PRDFactory(product=product, actor=editor) if n % 2 else DecisionRecordFactory(product=product, actor=editor)
        )
        if isinstance(document, DecisionRecord):
            decision_choose_option(record=document, actor=editor, option=document.options.first())
        signoff_approve(signoff=ask(document, actor=editor, approver=viewer), actor=viewer, comment="OK")
    client = token_client(viewer)
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] == count
