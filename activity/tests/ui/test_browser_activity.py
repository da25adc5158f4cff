"""Search, comments with @mentions and notifications in a real browser, under the production CSP."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from backlog.tests.factories import StoryFactory
from core.tests.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_finds_the_new_story_and_a_mention_notifies_the_teammate(
    page, chromium, live_server, product, editor, viewer
):
    # given: a new story, and the viewer (vic) signed in elsewhere with nothing unread
    story = StoryFactory(
        product=product, title="Refund a card payment", description="Partial refunds too.", actor=editor
    )
    vic = chromium.new_context(base_url=live_server.url)
    vic_page = vic.new_page()
    vic_violations = []
    vic_page.on("console", lambda m: vic_violations.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(vic_page, "vic")
    vic_page.goto(reverse("product_home", args=[product.pk]))
    assert vic_page.locator("#notifications-link .count").count() == 0

    # when: the editor searches for a word of its title in the top bar
    sign_in(page, "eddie")
    page.goto(reverse("product_home", args=[product.pk]))
    page.get_by_label("Search Payments").fill("refund")
    page.get_by_label("Search Payments").press("Enter")
    # then
    page.wait_for_url("**/search/?q=refund")
    results = page.locator("#search-results")
    results.get_by_role("heading", name="Stories").wait_for()
    assert "Refund a card payment" in results.inner_text()
    assert story.key in results.inner_text()
    assert results.locator("mark").count() >= 1
    # and: by its key, from the search page's own form (htmx, the URL follows)
    page.get_by_label("Words or a key").fill(story.key)
    page.get_by_role("button", name="Search", exact=True).last.click()
    page.wait_for_url(f"**q={story.key}**")
    results.get_by_role("heading", name="Exact key").wait_for()

    # when: the editor comments on the story, mentioning vic (htmx form of the comments panel)
    page.goto(reverse("activity:comments_story", args=[product.pk, story.pk]))
    page.get_by_label("Add a comment").fill("@vic can you **check** the partial refunds?")
    page.get_by_role("button", name="Comment", exact=True).click()
    # then: the comment is in the thread, the mention highlighted, the form empty again
    panel = page.locator(f"#comments-story-{story.pk}")
    panel.locator(".mention", has_text="@vic").wait_for()
    expect(panel.locator("strong", has_text="check")).to_have_count(1)
    expect(page.get_by_label("Add a comment")).to_have_value("")
    # and: a blank comment (the browser's `required` lets spaces through) shows the error next to the field
    page.get_by_label("Add a comment").fill("   ")
    page.get_by_role("button", name="Comment", exact=True).click()
    page.get_by_text("Write something before posting.").wait_for()
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"

    # then: vic's count goes up on their next page, and the notification links to the story's row
    vic_page.reload()
    expect(vic_page.locator("#notifications-link .count")).to_have_text(re.compile(r"^1"))
    vic_page.locator("#notifications-link").click()
    vic_page.wait_for_url("**/notifications/")
    expect(vic_page.locator("#notifications")).to_contain_text("eddie mentioned you")
    # when: vic marks it read (htmx): the list and the top bar's count follow
    vic_page.get_by_role("button", name="Mark read").click()
    vic_page.get_by_role("heading", name="All read").wait_for()
    expect(vic_page.locator("#notifications-link .count")).to_have_count(0)

    assert page.csp_violations == []
    assert vic_violations == []
    vic.close()
