"""Edit a PRD and see the diff, in a real browser under the production Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from core.tests.helpers import sign_in, wait_for_htmx_settled
from decisions import services
from decisions.tests.factories import PRDFactory
from decisions.tests.helpers import edited_sections

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_edit_a_section_save_and_see_the_change_highlighted_in_the_diff(page, product, editor):
    # given
    prd = PRDFactory(product=product, actor=editor, title="Checkout v2")
    services.prd_update(prd=prd, actor=editor, sections=edited_sections(prd, goals="Pay in one click"))
    sign_in(page, "eddie", next_url=f"/p/{product.pk}/prds/{prd.pk}/")
    page.get_by_role("heading", name="Checkout v2", level=1).wait_for()
    assert page.locator("#prd-version").inner_text() == "Version 2"

    # when: open the Goals editor (htmx swaps the section for its editor) and type
    goals = page.locator("section.prd-section", has=page.get_by_role("heading", name="Goals", exact=True))
    goals.get_by_role("link", name="Edit Goals").click()
    editor_box = page.get_by_label("Text (Markdown)")
    editor_box.wait_for()
    wait_for_htmx_settled(page)  # the live preview listens from then on
    editor_box.fill("Pay in one **tap**\n\n<script>document.title='owned'</script>")
    # then: the live preview renders the Markdown, sanitized
    page.locator(".prd-preview strong", has_text="tap").wait_for()
    assert page.locator(".prd-preview script").count() == 0

    # when: save
    page.get_by_label("What changed").fill("Tap, not click")
    page.get_by_role("button", name="Save", exact=True).click()
    # then: the section is read again, the version moved on, nothing ran
    page.locator("#prd-save-note", has_text="Saved as version 3.").wait_for()
    expect(page.locator("#prd-version")).to_have_text("Version 3")
    expect(page.locator("#section-1")).to_contain_text("tap")
    assert page.title() != "owned"

    # when: open the history and compare with the version before
    page.get_by_role("link", name="Version history").click()
    expect(page.locator("#versions")).to_contain_text("Tap, not click")
    page.locator("#versions tbody tr").first.get_by_role("link", name="Compare with the one before").click()

    # then: side by side, the changed word is marked
    page.get_by_role("heading", name="What changed", level=1).wait_for()
    assert page.locator(".diff--side").count() >= 1
    assert page.locator("td.diff__old del.diff__del").first.inner_text() == "click"
    assert page.locator("td.diff__new ins.diff__ins").first.inner_text() == "**tap**"
    assert page.locator("ins.diff__ins", has_text="script").count() == 1  # the hostile text is shown as text
    assert page.title() != "owned"

    # when: switch to the inline view (htmx, the URL follows)
    page.get_by_role("link", name="Inline").click()
    page.locator(".diff--inline").first.wait_for()
    page.wait_for_url("**?mode=inline")  # htmx pushes the URL as it settles, just after the swap
    assert page.locator("tr.diff__row--delete del.diff__del").first.inner_text() == "click"
    assert page.locator("tr.diff__row--insert ins.diff__ins").first.inner_text() == "**tap**"
    # then: a reload keeps the inline view
    page.reload()
    page.locator(".diff--inline").first.wait_for()
    assert page.locator(".diff--inline").count() >= 1 and page.locator(".diff--side").count() == 0
    assert page.csp_violations == []


def test_a_stale_save_shows_the_conflict_and_keeps_my_text(page, product, editor, admin_user):
    # given: the editor opens the Problem editor; meanwhile the admin saves the section
    prd = PRDFactory(product=product, actor=editor, title="Checkout v2")
    sign_in(page, "eddie", next_url=f"/p/{product.pk}/prds/{prd.pk}/?edit=0")
    page.get_by_label("Text (Markdown)").fill("My problem statement")
    services.prd_update(prd=prd, actor=admin_user, sections=edited_sections(prd, problem="Their problem statement"))
    # when
    page.get_by_role("button", name="Save", exact=True).click()
    # then: 409 is swapped in with their text and mine
    page.get_by_role("alert").filter(has_text="Someone else saved this section").wait_for()
    assert "Their problem statement" in page.locator(".prd-conflict__theirs").inner_text()
    assert page.get_by_label("Text (Markdown)").input_value() == "My problem statement"
    prd.refresh_from_db()
    assert prd.sections.get(kind="problem").body == "Their problem statement"
    assert page.csp_violations == []
