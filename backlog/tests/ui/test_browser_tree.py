"""The backlog tree in a real browser (Debian's Chromium, the production CSP): create an epic, a feature and
stories through the UI, drag to rank, and see the order survive a reload."""

import re

import pytest
from playwright.sync_api import expect

from backlog.models import Epic, Feature, Story
from core.tests.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def story_titles(page, feature: Feature):
    """The titles of the feature's stories, in the page's order (a locator: `expect` waits for the order)."""
    return page.locator(f"#f{feature.pk}-stories > li[data-id] .tree-row__title a")


def test_create_an_epic_a_feature_and_stories_then_drag_rank_them(page, product, contributor):
    # given
    sign_in(page, "cora")
    page.goto(f"/p/{product.pk}/backlog/")
    page.get_by_role("heading", name="Backlog").wait_for()
    # when: an epic is added through the inline form
    page.get_by_text("Add an epic").click()
    page.locator("#epic-form-title").fill("Checkout")
    page.locator("#epic-form").get_by_role("button", name="Add").click()
    page.locator("#epic-form .tree-create__done").wait_for()
    epic = Epic.objects.get(product=product, title="Checkout")
    # the form stays open with the focus on the title, for the next one
    assert page.evaluate("document.activeElement.id") == "epic-form-title"
    # when: the epic is opened (children load on demand) and a feature is added under it
    toggle = page.locator(f"#epic-{epic.pk}-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    page.locator(f"#epic-{epic.pk}-children").wait_for()
    expect(page.locator(f"#epic-{epic.pk}-toggle")).to_have_attribute("aria-expanded", "true")
    page.wait_for_url(re.compile(rf"open=e{epic.pk}"))
    page.locator(f"#epic-{epic.pk}-feature-form summary").click()
    page.locator(f"#epic-{epic.pk}-feature-form-title").fill("Card payments")
    page.locator(f"#epic-{epic.pk}-feature-form-title").press("Enter")
    page.locator(f"#epic-{epic.pk}-feature-form .tree-create__done").wait_for()
    feature = Feature.objects.get(epic=epic, title="Card payments")
    # when: the feature is opened and three stories are typed one after the other
    page.locator(f"#feature-{feature.pk}-toggle").click()
    page.locator(f"#feature-{feature.pk}-children").wait_for()
    page.locator(f"#feature-{feature.pk}-story-form summary").click()
    for title in ("Alpha", "Bravo", "Charlie"):
        page.locator(f"#feature-{feature.pk}-story-form-title").fill(title)
        with page.expect_response(lambda r: "/stories/new/" in r.url):
            page.locator(f"#feature-{feature.pk}-story-form-title").press("Enter")
        page.locator(f"#f{feature.pk}-stories li[data-id]", has_text=title).wait_for()
    # then
    expect(story_titles(page, feature)).to_have_text(["Alpha", "Bravo", "Charlie"])
    assert list(Story.objects.filter(feature=feature).order_by("rank").values_list("title", flat=True)) == [
        "Alpha",
        "Bravo",
        "Charlie",
    ]
    # when: Alpha is dragged below Charlie
    page.locator(f"#f{feature.pk}-stories.sortable-ready").wait_for()
    alpha, charlie = (Story.objects.get(feature=feature, title=t) for t in ("Alpha", "Charlie"))
    with page.expect_response(lambda r: r.url.endswith("/backlog/stories/move/")) as answer:
        stories = page.locator(f"#f{feature.pk}-stories")
        drag(
            page,
            stories.locator(f'li[data-id="{alpha.pk}"] .drag-handle'),
            stories.locator(f'li[data-id="{charlie.pk}"]'),
        )
    # then: saved, and the order survives a reload (the open nodes are in the URL)
    assert answer.value.status == 200
    expect(story_titles(page, feature)).to_have_text(["Bravo", "Charlie", "Alpha"])
    assert f"f{feature.pk}" in page.url
    page.reload()
    expect(story_titles(page, feature)).to_have_text(["Bravo", "Charlie", "Alpha"])
    # when: the keyboard alternative moves Bravo down
    page.get_by_role("button", name="Move Bravo down").click()
    expect(story_titles(page, feature)).to_have_text(["Charlie", "Bravo", "Alpha"])
    assert page.csp_violations == []


def test_a_story_field_is_edited_in_place_and_a_criterion_checked(page, product, contributor):
    # given
    from backlog.services import criterion_add
    from backlog.tests.factories import EpicFactory, StoryFactory

    story = StoryFactory(epic=EpicFactory(product=product), title="Pay by card")
    criterion = criterion_add(story=story, text="Shows a receipt")
    sign_in(page, "cora")
    page.goto(f"/p/{product.pk}/backlog/stories/{story.pk}/")
    # when: the points are edited in place
    page.locator("#field-points").get_by_role("link", name="Edit points").click()
    page.locator("#edit-points-points").fill("8")
    page.locator("#field-points").get_by_role("button", name="Save").click()
    page.locator("#field-points .item-field__saved").wait_for()
    # then
    expect(page.locator("#field-points")).to_contain_text("8 points")
    # when: input the service refuses (a label longer than 50 characters): the error is next to the field
    page.locator("#field-labels").get_by_role("link", name="Edit labels").click()
    page.locator("#edit-labels-labels").fill("api, " + "x" * 60)
    page.locator("#field-labels").get_by_role("button", name="Save").click()
    expect(page.locator("#field-labels .field__error")).to_contain_text("Keep labels to 50 characters")
    assert page.evaluate("document.activeElement.id") == "edit-labels-labels"
    # when: the description is previewed
    page.locator("#field-description").get_by_role("link", name="Edit description").click()
    page.locator("#edit-description-description").fill("**Bold** move")
    page.locator("#field-description").get_by_role("button", name="Preview").click()
    page.locator("#field-description-preview strong").wait_for()
    # when: the criterion is checked
    page.locator(f"#criterion-{criterion.pk}-check").click()
    page.locator(f'#criterion-{criterion.pk}-check[aria-pressed="true"]').wait_for()
    criterion.refresh_from_db()
    assert criterion.is_met
    assert Story.objects.get(pk=story.pk).points == 8
    assert page.csp_violations == []
