"""app.js's sortable contract in a real browser: a drop posts the move, the server's order survives a reload."""

import pytest
from playwright.sync_api import expect

from backlog.models import Story
from backlog.tests.factories import StoryFactory
from core.tests import ui_urls
from core.tests.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls("core.tests.ui_urls")]


def titles(page):
    """The titles in the list, in order (a locator: `expect` waits for the order)."""
    return page.locator("#stories .sortable-item__body")


def drag(page, source, target) -> None:
    """Mouse down on the handle, move in slow steps to the lower edge of the target, release."""
    start, end = source.bounding_box(), target.bounding_box()
    x = start["x"] + start["width"] / 2
    y0, y1 = start["y"] + start["height"] / 2, end["y"] + end["height"] * 0.9
    page.mouse.move(x, y0)
    page.mouse.down()
    for step in range(1, 21):  # slowly: Sortable ignores a swap while the last one still animates
        page.mouse.move(x, y0 + (y1 - y0) * step / 20)
        page.wait_for_timeout(25)
    page.wait_for_timeout(200)
    page.mouse.up()


def test_drag_to_rank_posts_the_neighbours_and_survives_a_reload(page, product, contributor):
    # given
    for title in ("Alpha", "Bravo", "Charlie"):
        StoryFactory(product=product, title=title)
    alpha, charlie = (Story.objects.get(product=product, title=t) for t in ("Alpha", "Charlie"))
    ui_urls.MOVES.clear()
    sign_in(page, "cora")
    page.goto(f"/p/{product.pk}/test-sortable/")
    page.locator("#stories.sortable-ready").wait_for()
    expect(titles(page)).to_have_text(["Alpha", "Bravo", "Charlie"])
    # when: Alpha is dragged below Charlie
    with page.expect_response(lambda r: r.url.endswith("/test-move/")) as answer:
        drag(page, page.locator(f'[data-id="{alpha.pk}"] .drag-handle'), page.locator(f'[data-id="{charlie.pk}"]'))
    # then
    assert answer.value.status == 200
    expected = {
        "item": str(alpha.pk),
        "after": str(charlie.pk),
        "before": "",
        "list": "backlog",
        "from_list": "backlog",
    }
    received = ui_urls.MOVES
    assert received == [expected]
    expect(titles(page)).to_have_text(["Bravo", "Charlie", "Alpha"])
    page.reload()
    expect(titles(page)).to_have_text(["Bravo", "Charlie", "Alpha"])
    # when: the keyboard alternative moves Bravo down
    page.get_by_role("button", name="Move Bravo down").click()
    # then: a plain form post (no JS needed), redirected back to the page
    expect(titles(page)).to_have_text(["Charlie", "Bravo", "Alpha"])
    assert ui_urls.MOVES[-1]["after"] == str(charlie.pk)
    assert page.csp_violations == []


def test_a_refused_drop_puts_the_item_back(page, product, viewer):
    # given: a viewer sees the list (read) but may not move (write needs a contributor)
    for title in ("Alpha", "Bravo"):
        StoryFactory(product=product, title=title)
    sign_in(page, "vic")
    page.goto(f"/p/{product.pk}/test-sortable/")
    page.locator("#stories.sortable-ready").wait_for()
    alpha, bravo = page.locator("#stories > li").all()
    # when
    with page.expect_response(lambda r: r.url.endswith("/test-move/")) as answer:
        drag(page, alpha.locator(".drag-handle"), bravo)
    # then
    assert answer.value.status == 403
    expect(page.locator("#flash.flash--visible")).to_contain_text("role does not allow")
    expect(titles(page)).to_have_text(["Alpha", "Bravo"])
