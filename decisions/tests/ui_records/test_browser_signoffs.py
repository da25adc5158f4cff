"""End to end in Chromium: request a sign-off, give it as a viewer, edit the record, see it go stale."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from core.tests.helpers import sign_in
from decisions.models import SignOff
from decisions.tests.factories import DecisionRecordFactory

from .helpers import chosen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/**")


def name(user) -> str:
    return user.get_full_name() or user.username


def test_request_give_then_stale_a_signoff(page, product, editor, viewer, contributor):
    # given: a record with a chosen option, owned by the editor
    record = chosen(DecisionRecordFactory(product=product, actor=editor, title="Queue for payment events"), editor)
    url = reverse("decisions:decision_detail", args=[product.pk, record.pk])
    panel = page.locator("#signoffs")

    # when: the owner asks the viewer and the contributor to sign off as architecture
    sign_in(page, "eddie", next_url=url)
    panel.get_by_label(re.compile(re.escape(name(viewer)))).check()
    panel.get_by_label(re.compile(re.escape(name(contributor)))).check()
    panel.get_by_label("As", exact=True).select_option("architecture")
    panel.get_by_role("button", name="Request sign-off").click()
    # then: both wait, and the record is in review (its status piece refreshed itself)
    expect(panel.locator(".badge--pending")).to_have_count(2)
    page.locator("#record-status .badge--in_review").wait_for()

    # when: the viewer signs in and approves with a comment
    sign_out(page)
    sign_in(page, "vic", next_url=url)
    page.get_by_role("heading", name="Your sign-off as Architecture").wait_for()
    panel.get_by_label("Comment", exact=True).fill("Ordering matters more than cost: approved.")
    panel.get_by_role("button", name="Approve").click()
    # then
    panel.get_by_text("Ordering matters more than cost: approved.").first.wait_for()
    page.locator(f"#signoffs tr:has-text('{name(viewer)}') .badge--approved").wait_for()
    assert SignOff.objects.get(decision=record, approver=viewer).state == SignOff.State.APPROVED

    # when: the owner edits the record
    sign_out(page)
    sign_in(page, "eddie", next_url=url)
    page.get_by_role("link", name="Edit the text").click()
    page.get_by_label("Context and problem").fill("Payments must be processed in order, per merchant.")
    page.get_by_role("button", name="Save", exact=True).click()
    # then: the panel refreshes itself, shows the banner and the viewer's approval marked stale
    expect(page.locator(".stale-banner")).to_contain_text("Edited after 2 sign-offs: they are stale")
    viewer_rows = page.locator(f"#signoffs tr:has-text('{name(viewer)}')")
    expect(viewer_rows.locator(".badge--stale")).to_have_count(1)
    expect(viewer_rows.locator(".badge--pending")).to_have_count(1)  # asked again on the new version
    expect(page.locator("#record-content")).to_contain_text("Payments must be processed in order")
    # and after a reload it is all still there
    page.reload()
    expect(page.locator(".stale-banner")).to_contain_text("Edited after 2 sign-offs")
    assert page.csp_violations == []


def test_the_prd_page_loads_the_same_panel_and_a_viewer_approves_there(page, product, editor, viewer):
    # given: a PRD whose sign-off is asked of the viewer
    from decisions.models import StakeholderRole
    from decisions.services import signoff_request
    from decisions.tests.factories import PRDFactory

    prd = PRDFactory(product=product, actor=editor, title="Card vaulting")
    signoff_request(document=prd, actor=editor, approver=viewer, role=StakeholderRole.SECURITY)
    url = reverse("decisions:prd_detail", args=[product.pk, prd.pk])
    # when: the viewer opens the PRD page and approves in the panel it loaded
    sign_in(page, "vic", next_url=url)
    page.get_by_role("heading", name="Your sign-off as Security").wait_for()
    assert page.locator("#signoffs").count() == 1  # the placeholder became the panel
    page.locator("#signoffs").get_by_label("Comment").fill("No card data leaves the vault.")
    page.locator("#signoffs").get_by_role("button", name="Approve").click()
    # then
    page.locator("#signoffs .badge--approved").wait_for()
    assert SignOff.objects.get(prd=prd, approver=viewer).comment == "No card data leaves the vault."
    assert page.csp_violations == []
