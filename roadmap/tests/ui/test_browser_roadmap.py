"""The roadmap in a real browser, under the production Content-Security-Policy."""

import datetime

import pytest
from playwright.sync_api import expect

from core.tests.helpers import sign_in
from roadmap import services
from roadmap.models import Lane, RoadmapItem
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def drag(page, source, target) -> None:
    """Mouse down on the handle, move in slow steps onto the target, then down past its middle, release."""
    start, end = source.bounding_box(), target.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1, y1 = end["x"] + end["width"] / 2, end["y"] + end["height"] / 3
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 21):  # slowly: Sortable ignores a swap while the last one still animates
        page.mouse.move(x0 + (x1 - x0) * step / 20, y0 + (y1 - y0) * step / 20)
        page.wait_for_timeout(25)
    page.wait_for_timeout(200)
    below = target.bounding_box()  # the ghost now sits above the target, which moved down
    y2 = below["y"] + below["height"] * 0.9
    for step in range(1, 11):
        page.mouse.move(x1, y1 + (y2 - y1) * step / 10)
        page.wait_for_timeout(30)
    page.wait_for_timeout(200)
    page.mouse.up()


def titles(page, lane: str):
    """The titles of a lane's cards, in order (a locator: `expect` waits for the order)."""
    return page.locator(f"#lane-{lane} .roadmap-card__title")


def test_drag_an_item_from_next_to_now_and_it_stays_there(page, product, editor):
    # given
    roadmap = RoadmapFactory(product=product, name="Payments 2026")
    charlie = RoadmapItemFactory(roadmap=roadmap, title="Charlie", lane=Lane.NOW)
    alpha = RoadmapItemFactory(roadmap=roadmap, title="Alpha", lane=Lane.NEXT)
    RoadmapItemFactory(roadmap=roadmap, title="Bravo", lane=Lane.NEXT)
    sign_in(page, "eddie")
    page.goto(f"/p/{product.pk}/roadmap/")
    page.locator("#lane-next.sortable-ready").wait_for()
    expect(titles(page, "now")).to_have_text(["Charlie"])
    expect(titles(page, "next")).to_have_text(["Alpha", "Bravo"])
    # when: Alpha is dragged under Charlie
    with page.expect_response(lambda r: r.url.endswith(f"/roadmap/{roadmap.pk}/move/")) as answer:
        drag(page, page.locator(f'[data-id="{alpha.pk}"] .drag-handle'), page.locator(f'[data-id="{charlie.pk}"]'))
    # then
    assert answer.value.status == 200
    expect(titles(page, "now")).to_have_text(["Charlie", "Alpha"])
    assert RoadmapItem.objects.get(pk=alpha.pk).lane == "now"
    page.reload()
    expect(titles(page, "now")).to_have_text(["Charlie", "Alpha"])
    expect(titles(page, "next")).to_have_text(["Bravo"])
    # when: the keyboard alternative moves Bravo to Later (a plain form, no JS needed)
    page.get_by_label("Move Bravo to").select_option("later")
    page.locator(f'[data-id="{RoadmapItem.objects.get(title="Bravo").pk}"]').get_by_role(
        "button", name="Move", exact=True
    ).click()
    expect(titles(page, "later")).to_have_text(["Bravo"])
    # when: an item is added inline in Next (htmx)
    page.get_by_label("New item in Next").fill("Delta")
    page.get_by_role("button", name="Add to Next").click()
    page.locator("#lane-next .roadmap-card__title", has_text="Delta").wait_for()
    assert page.csp_violations == []


def test_the_timeline_shows_the_item_bar_and_a_milestone_marker(page, product, editor):
    # given
    today = datetime.date.today()
    roadmap = RoadmapFactory(product=product, name="Payments 2026")
    api = RoadmapItemFactory(
        roadmap=roadmap, title="Card API", start_date=today, end_date=today + datetime.timedelta(days=40)
    )
    app = RoadmapItemFactory(
        roadmap=roadmap,
        title="Card app",
        start_date=today + datetime.timedelta(days=45),
        end_date=today + datetime.timedelta(days=90),
    )
    services.dependency_add(blocker=api, blocked=app)
    services.milestone_create(product=product, name="Beta launch", date=today + datetime.timedelta(days=60))
    sign_in(page, "eddie")
    # when
    page.goto(f"/p/{product.pk}/roadmap/timeline/")
    # then
    bar = page.locator(f'.timeline__item[data-item="{api.pk}"] .timeline__bar')
    assert bar.is_visible()
    assert bar.bounding_box()["width"] > 20
    marker = page.locator(".timeline__milestone")
    assert marker.locator(".timeline__milestone-mark").is_visible()
    assert marker.locator(".timeline__milestone-label").text_content() == "Beta launch"
    assert page.locator(".timeline__dependency").count() == 1
    assert page.locator(".timeline__today text").text_content() == "Today"
    assert page.get_by_role("figure", name="Timeline of Payments 2026 by month").is_visible()
    # when: quarters, then a milestone added on the page (htmx swaps the timeline)
    page.get_by_role("link", name="Quarters").click()
    page.wait_for_url("**scale=quarters")
    page.get_by_text("Add a milestone").click()
    page.locator("#new-milestone-name").fill("GA")
    page.locator("#new-milestone-date").fill((today + datetime.timedelta(days=100)).isoformat())
    page.get_by_role("button", name="Add milestone").click()
    page.get_by_text("Added the milestone GA.").wait_for()
    expect(page.locator(".timeline__milestone-label")).to_have_text(["Beta launch", "GA"])
    assert page.csp_violations == []
