"""Sign-offs answered from the admin (through the services), and the sign-off audit page of a document."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from playwright.sync_api import expect

from decisions import services
from decisions.models import SignOff, SignOffEvent, StakeholderRole
from decisions.tests.factories import DecisionRecordFactory, PRDFactory
from decisions.tests.helpers import edited_sections, trail
from workspaces.models import Role
from workspaces.tests.factories import MembershipFactory, ProductFactory, UserFactory

SIGNOFFS = "/admin/decisions/signoff/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [message.message for message in get_messages(response.wsgi_request)]


@pytest.fixture
def leader(member_factory):
    """Helen, a director: leadership role, not staff, no Django permissions."""
    return member_factory(Role.LEADERSHIP, user__username="helen")


@pytest.fixture
def prd(product, editor):
    return PRDFactory(product=product, actor=editor, title="Checkout v2")


@pytest.fixture
def asked(prd, editor, leader) -> SignOff:
    return services.signoff_request(document=prd, actor=editor, approver=leader, role=StakeholderRole.LEADERSHIP)


def answer(client: Client, signoff: SignOff, decision: str, comment: str = ""):
    return client.post(f"{SIGNOFFS}{signoff.pk}/answer/", {"decision": decision, "comment": comment})


def test_the_change_page_offers_approve_and_reject_to_the_person_asked(asked, leader):
    page = login(leader).get(f"{SIGNOFFS}{asked.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'action="{SIGNOFFS}{asked.pk}/answer/"' in html
    assert 'value="approve"' in html and 'value="reject"' in html
    assert 'name="_save"' not in html  # the sign-off itself is never edited


def test_leadership_approves_through_the_service(asked, leader, prd):
    # when
    response = answer(login(leader), asked, "approve", "Go ahead.")
    # then
    assert response.status_code == 302 and response["Location"] == f"{SIGNOFFS}{asked.pk}/change/"
    assert messages_of(response) == ["You approved Checkout v2."]
    asked.refresh_from_db()
    assert (asked.state, asked.comment) == (SignOff.State.APPROVED, "Go ahead.")
    assert [row[:4] for row in trail([asked])] == [
        ("requested", "eddie", "leadership", ""),
        ("approved", "helen", "leadership", "Go ahead."),
    ]
    prd.refresh_from_db()
    assert prd.status == prd.Status.APPROVED  # the service settled the document


def test_rejecting_needs_a_comment(asked, leader):
    refused = answer(login(leader), asked, "reject")
    assert messages_of(refused) == ["Say why you reject, so the owner knows what to change."]
    asked.refresh_from_db()
    assert asked.state == SignOff.State.PENDING
    rejected = answer(login(leader), asked, "reject", "The rollout plan is missing.")
    assert messages_of(rejected) == ["You rejected Checkout v2."]
    asked.refresh_from_db()
    assert (asked.state, asked.comment) == (SignOff.State.REJECTED, "The rollout plan is missing.")


def test_someone_elses_signoff_is_refused_and_nothing_changes(asked, member_factory):
    # given another leader of the same workspace
    other = member_factory(Role.LEADERSHIP, user__username="lena")
    client = login(other)
    assert 'value="approve"' not in client.get(f"{SIGNOFFS}{asked.pk}/change/").content.decode()
    # when
    response = answer(client, asked, "approve")
    # then
    assert messages_of(response) == ["Only the person asked can sign off."]
    asked.refresh_from_db()
    assert asked.state == SignOff.State.PENDING
    assert SignOffEvent.objects.filter(signoff=asked).count() == 1


def test_an_answered_or_stale_signoff_is_refused(asked, leader, prd, editor):
    answer(login(leader), asked, "approve")
    client = login(leader)
    again = answer(client, asked, "reject", "Changed my mind.")
    assert messages_of(again) == ["This sign-off is already approved."]
    # an edit of the PRD makes the approval stale and asks again on the new content
    services.prd_update(prd=prd, actor=editor, sections=edited_sections(prd, problem="New problem."))
    asked.refresh_from_db()
    assert asked.state == SignOff.State.STALE
    client = login(leader)
    stale = answer(client, asked, "approve")
    assert messages_of(stale) == ["The document changed since this sign-off was asked for; review the new version."]
    assert 'value="approve"' not in client.get(f"{SIGNOFFS}{asked.pk}/change/").content.decode()


def test_another_workspaces_signoff_is_not_found(asked, other_workspace):
    stranger = MembershipFactory(workspace=other_workspace, role=Role.LEADERSHIP, user=UserFactory(username="gus")).user
    response = answer(login(stranger), asked, "approve")
    assert response.status_code == 404
    asked.refresh_from_db()
    assert asked.state == SignOff.State.PENDING


def test_a_get_does_not_answer(asked, leader):
    assert login(leader).get(f"{SIGNOFFS}{asked.pk}/answer/").status_code == 405


def test_the_approve_action_approves_mine_and_reports_the_rest(asked, leader, product, editor, member_factory):
    # given a second sign-off for Helen and one for someone else
    record = DecisionRecordFactory(product=product, actor=editor, title="Use Postgres")
    services.decision_choose_option(record=record, actor=editor, option=record.options.first())
    mine = services.signoff_request(document=record, actor=editor, approver=leader, role=StakeholderRole.LEADERSHIP)
    other = member_factory(Role.EDITOR, user__username="omar")
    theirs = services.signoff_request(document=record, actor=editor, approver=other, role=StakeholderRole.SECURITY)
    # when
    response = login(leader).post(
        SIGNOFFS, {"action": "approve_mine", "_selected_action": [asked.pk, mine.pk, theirs.pk]}
    )
    # then
    assert response.status_code == 302
    assert messages_of(response) == [
        "ADR-1 Use Postgres: Only the person asked can sign off.",
        "Approved 2 sign-off(s).",
    ]
    states = dict(SignOff.objects.values_list("pk", "state"))
    assert states == {asked.pk: "approved", mine.pk: "approved", theirs.pk: "pending"}


def test_waiting_for_me_filter(asked, leader, prd, member_factory, editor):
    other = member_factory(Role.EDITOR, user__username="omar")
    theirs = services.signoff_request(document=prd, actor=editor, approver=other, role=StakeholderRole.SECURITY)
    html = login(leader).get(SIGNOFFS, {"mine": "waiting"}).content.decode()
    assert f'value="{asked.pk}"' in html and f'value="{theirs.pk}"' not in html


# --- the audit page -------------------------------------------------------------------------------


def test_the_audit_page_lists_every_event_in_order_with_its_hash(asked, leader, prd, editor, superuser_client):
    # given a request, an approval, an edit that makes it stale and asks again, and a rejection
    first_hash = asked.content_hash
    answer(login(leader), asked, "approve", "Fine.")
    services.prd_update(prd=prd, actor=editor, sections=edited_sections(prd, problem="Scope grew."))
    again = SignOff.objects.get(prd=prd, state=SignOff.State.PENDING)
    answer(login(leader), again, "reject", "Too big now.")
    # when
    response = superuser_client.get(f"/admin/decisions/prd/{prd.pk}/signoff-audit/")
    # then
    assert response.status_code == 200
    events = response.context["events"]
    assert [(e.kind, e.actor.username if e.actor else None, e.role, e.content_hash) for e in events] == [
        ("requested", "eddie", "leadership", first_hash),
        ("approved", "helen", "leadership", first_hash),
        ("stale", "eddie", "leadership", first_hash),
        ("requested", "eddie", "leadership", again.content_hash),
        ("rejected", "helen", "leadership", again.content_hash),
    ]
    html = response.content.decode()
    assert first_hash in html and again.content_hash in html and "Too big now." in html
    assert html.index("Made stale by an edit") < html.index("Too big now.")


def test_leadership_opens_the_audit_page_of_a_decision(product, editor, leader):
    record = DecisionRecordFactory(product=product, actor=editor, title="Queue choice")
    services.decision_choose_option(record=record, actor=editor, option=record.options.first())
    services.signoff_request(document=record, actor=editor, approver=leader, role=StakeholderRole.ARCHITECTURE)
    client = login(leader)
    change = client.get(f"/admin/decisions/decisionrecord/{record.pk}/change/").content.decode()
    assert f'href="/admin/decisions/decisionrecord/{record.pk}/signoff-audit/"' in change
    audit = client.get(f"/admin/decisions/decisionrecord/{record.pk}/signoff-audit/")
    assert audit.status_code == 200
    assert "Architecture" in audit.content.decode()


def test_another_workspaces_document_audit_is_not_found(other_workspace, editor):
    other_product = ProductFactory(workspace=other_workspace, key="GLX", name="Globex")
    their_owner = MembershipFactory(workspace=other_workspace, role=Role.EDITOR).user
    their_prd = PRDFactory(product=other_product, actor=their_owner, title="Secret plan")
    for user in (
        MembershipFactory(role=Role.LEADERSHIP, user=UserFactory(username="lee")).user,  # a leader elsewhere
        editor,  # staff of workspace A below
    ):
        user.is_staff = user.username == "eddie"
        user.save(update_fields=["is_staff"])
        response = login(user).get(f"/admin/decisions/prd/{their_prd.pk}/signoff-audit/")
        assert response.status_code == 404
        assert b"Secret plan" not in response.content


@pytest.fixture
def superuser_client(db) -> Client:
    return login(UserFactory(username="root", is_superuser=True, is_staff=True))


# --- in a real browser --------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_director_signs_in_to_the_admin_rejects_then_reads_the_audit(page, product, editor, leader):
    from workspaces.tests.factories import PASSWORD

    # given a PRD waiting for Helen's sign-off
    prd = PRDFactory(product=product, actor=editor, title="Checkout v2")
    signoff = services.signoff_request(document=prd, actor=editor, approver=leader, role=StakeholderRole.LEADERSHIP)
    # when she signs in on the admin's own login page (she is not staff) and filters what waits for her
    page.goto("/admin/login/?next=/admin/decisions/signoff/%3Fmine%3Dwaiting")
    page.get_by_label("Username").fill("helen")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="helen").first.click()
    # then rejects it with a comment on its page
    page.get_by_label("Comment").fill("The rollout plan is missing.")
    page.get_by_role("button", name="Reject (with a comment)").click()
    page.get_by_text("You rejected Checkout v2.").wait_for()
    signoff.refresh_from_db()
    assert signoff.state == SignOff.State.REJECTED
    # and the PRD's audit page shows the request and the rejection with the hash
    page.goto(f"/admin/decisions/prd/{prd.pk}/change/")
    page.get_by_role("link", name="Sign-off audit").click()
    rows = page.locator("#signoff-audit tbody tr")
    expect(rows).to_have_count(2)  # waits: the audit page may still be loading
    expect(rows.nth(1)).to_contain_text("Rejected")
    expect(rows.nth(1)).to_contain_text(signoff.content_hash)
    assert page.csp_violations == []
