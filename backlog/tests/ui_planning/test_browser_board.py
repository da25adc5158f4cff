"""End to end in Chromium: drag a card across the kanban into another status; it stays there after a reload."""

import re

import pytest
from playwright.sync_api import expect

from backlog.models import Story
from backlog.tests.factories import StoryFactory
from core.tests.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def drag(page, source, target) -> None:
    """Mouse down on the handle, move in slow steps (across and down) to the lower part of the target, release."""
    start, end = source.bounding_box(), target.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1, y1 = end["x"] + end["width"] / 2, end["y"] + end["height"] * 0.9
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 31):  # slowly: Sortable ignores a swap while the last one still animates
        page.mouse.move(x0 + (x1 - x0) * step / 30, y0 + (y1 - y0) * step / 30)
        page.wait_for_timeout(25)
    page.wait_for_timeout(200)
    page.mouse.up()


def column_titles(page, status):
    """The titles of the cards in a status's column, in order (a locator: `expect` waits for the order)."""
    return page.locator(f"#col-{status.pk} .kanban__title")


def test_dragging_a_card_to_another_column_changes_its_status_and_survives_a_reload(
    page, product, statuses, contributor
):
    # given
    todo, in_progress = statuses["To do"], statuses["In progress"]
    StoryFactory(product=product, title="Tokenise cards", points=5)
    StoryFactory(product=product, title="Rotate keys", status=in_progress)
    story = Story.objects.get(title="Tokenise cards")
    sign_in(page, "cora")
    page.goto(f"/p/{product.pk}/backlog/board/")
    page.locator(f"#col-{todo.pk}.sortable-ready").wait_for()
    expect(column_titles(page, todo)).to_have_text(["Tokenise cards"])
    # when: the card is dragged under "Rotate keys" in the In progress column
    card = page.locator(f'.kanban__card[data-id="{story.pk}"]')
    with page.expect_response(lambda r: "/backlog/board/move/" in r.url) as answer:
        drag(page, card.locator(".drag-handle"), page.locator(f"#col-{in_progress.pk} .kanban__card").first)
    # then
    assert answer.value.status == 200
    expect(column_titles(page, in_progress)).to_have_text(["Rotate keys", "Tokenise cards"])
    expect(column_titles(page, todo)).to_have_count(0)
    expect(page.locator(f"#column-{in_progress.pk} .count").first).to_have_text(re.compile(r"^2"))
    story.refresh_from_db()
    assert story.status_id == in_progress.pk
    page.reload()
    expect(column_titles(page, in_progress)).to_have_text(["Rotate keys", "Tokenise cards"])
    expect(column_titles(page, todo)).to_have_count(0)
    # when: the keyboard alternative moves it on to Done
    page.get_by_label("Move Tokenise cards to").select_option(label="Done")
    page.locator(f'.kanban__card[data-id="{story.pk}"]').get_by_role("button", name="Move", exact=True).click()
    # then
    expect(column_titles(page, statuses["Done"])).to_have_text(["Tokenise cards"])
    assert page.csp_violations == []
