"""Two people edit the same story's title in two real browsers (under the Content-Security-Policy): the second
save is refused in words, shows what the first person saved and what the second typed, and changes nothing."""

import pytest

from backlog.models import Story
from backlog.tests.factories import EpicFactory, StoryFactory
from core.tests.helpers import new_page, sign_in
from workspaces.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_title_editor(page, story: Story) -> None:
    page.goto(f"/p/{story.product_id}/backlog/stories/{story.pk}/")
    page.locator("#field-title").get_by_role("link", name="Edit title").click()
    page.locator("#edit-title-title").wait_for()


@pytest.fixture
def other_page(chromium, live_server):
    """A second person's browser: a context of its own (its own session cookie)."""
    page = new_page(chromium, live_server.url)
    yield page
    page.context.close()


def test_the_second_of_two_title_edits_is_refused_on_the_page(page, other_page, product, member_factory):
    # given: Ana and Ben open the title's editor of the same story, each in their own browser
    member_factory(Role.CONTRIBUTOR, user__username="ana", user__first_name="Ana", user__last_name="Silva")
    member_factory(Role.CONTRIBUTOR, user__username="ben", user__first_name="Ben", user__last_name="Okafor")
    story = StoryFactory(epic=EpicFactory(product=product), title="Refund by card")
    ana, ben = other_page, page
    sign_in(ana, "ana")
    sign_in(ben, "ben")
    open_title_editor(ana, story)
    open_title_editor(ben, story)

    # when: Ana saves first
    ana.locator("#edit-title-title").fill("Refund to the card used")
    ana.locator("#field-title").get_by_role("button", name="Save").click()
    ana.locator("#field-title .item-field__saved").wait_for()
    # and Ben saves from the editor he opened before Ana's save
    ben.locator("#edit-title-title").fill("Refund in cash")
    ben.locator("#field-title").get_by_role("button", name="Save").click()

    # then: Ben sees the refusal in words, Ana's title in the editor, and his own text kept
    alert = ben.locator("#field-title").get_by_role("alert")
    alert.wait_for()
    assert "Ana Silva changed this story since you opened it; here is the current value." in alert.inner_text()
    assert "They saved: Title: “Refund to the card used”." in alert.inner_text()
    assert ben.locator("#edit-title-title").input_value() == "Refund to the card used"
    assert ben.locator("#field-title .conflict__mine").inner_text() == "Refund in cash"
    assert ben.evaluate("document.activeElement.id") == "edit-title-title"
    story.refresh_from_db()
    assert story.title == "Refund to the card used"

    # when: Ben reapplies his change on top of Ana's, deliberately
    ben.locator("#edit-title-title").fill("Refund in cash or to the card used")
    ben.locator("#field-title").get_by_role("button", name="Save").click()
    ben.locator("#field-title .item-field__saved").wait_for()
    # then
    assert "Refund in cash or to the card used" in ben.locator("#field-title h1").inner_text()
    assert Story.objects.get(pk=story.pk).title == "Refund in cash or to the card used"
    assert ana.csp_violations == [] and ben.csp_violations == []
