"""Accessibility of every main page in a real browser (Debian's Chromium): axe-core's WCAG 2.0/2.1 A and
AA rules and its best practices at a laptop's width (1280×800, and a subset at 1024×768), and a visible
focus ring on what the keyboard reaches.

axe-core is vendored for the tests only (`vendor/axe-core/README.md`); the app never serves it. The
app's Content-Security-Policy (`script-src 'self'`) would refuse it as a script tag
(`page.add_script_tag`), but not as `page.evaluate(source)`: Chromium runs DevTools-protocol evaluations
outside the page's CSP, and axe itself evaluates nothing. So every test here runs under the real policy
(no `bypass_csp`, which would also let through styles the policy blocks and so skew the contrast
checks), and asserts that the policy reported nothing.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count

from backlog.models import Epic, Sprint, Story
from core.tests.helpers import sign_in
from decisions.models import PRD, DecisionRecord
from demo.seed import DEMO_PASSWORD, DEMO_USERNAME, WORKSPACE_SLUG
from roadmap.models import Baseline, RoadmapItem
from workspaces.models import Product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
# WCAG 2.0/2.1 A and AA, and axe's best practices: heading order, unique landmarks, one h1, content in
# landmarks ("sensible headings" of the UI's quality bar are not WCAG success criteria of their own).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
LAPTOP = {"width": 1280, "height": 800}
SMALL_LAPTOP = {"width": 1024, "height": 768}
FOCUSABLE_STEPS = 15
# What axe cannot decide alone and leaves "incomplete", but that is a defect on these pages whenever it
# shows: an id reference to nothing (aria-describedby to a help text that is not rendered), aria-label on
# an element without a role (screen readers ignore it), a scrolling region the keyboard cannot reach.
# Not here: color-contrast over overlapping elements (the opened menus) and label-content-name-mismatch
# on the ↑ ↓ move buttons (symbols, named "Move … up").
STRICT_INCOMPLETE = {"aria-valid-attr-value", "aria-prohibited-attr", "scrollable-region-focusable"}
# The busiest layouts: boards, side-by-side panes, wide tables.
SMALL_LAPTOP_PAGES = (
    "product home",
    "roadmap board",
    "timeline",
    "backlog tree (a node open)",
    "story",
    "board",
    "sprint planning",
    "PRD",
    "PRD diff",
    "decision",
    "search results",
)


# --- the demo workspace and the pages to check ---------------------------------------------------


@pytest.fixture
def demo_product(db) -> Product:
    """The demo's Acme Corp workspace (`manage.py seed_demo`); its product with the most stories."""
    call_command("seed_demo", stdout=StringIO())
    return (
        Product.objects.filter(workspace__slug=WORKSPACE_SLUG).annotate(n=Count("story")).order_by("-n", "pk").first()
    )


def main_pages(product: Product) -> dict[str, str]:
    """Name → URL of every main page of the product, each on a row of the demo that has content."""
    p = f"/p/{product.pk}"
    item = RoadmapItem.objects.filter(roadmap__product=product).annotate(n=Count("epics")).order_by("-n", "pk").first()
    baseline = Baseline.objects.filter(roadmap__product=product).order_by("pk").first()
    epic = Epic.objects.filter(product=product).annotate(n=Count("features")).order_by("-n", "pk").first()
    story = Story.objects.filter(product=product).annotate(n=Count("acceptance_criteria")).order_by("-n", "pk").first()
    sprint = Sprint.objects.filter(product=product).annotate(n=Count("stories")).order_by("-n", "pk").first()
    prd = PRD.objects.filter(product=product).annotate(n=Count("versions")).order_by("-n", "pk").first()
    versions = list(prd.versions.order_by("number").values_list("pk", flat=True))
    decision = DecisionRecord.objects.filter(product=product).annotate(n=Count("options")).order_by("-n", "pk").first()
    assert None not in (item, baseline, epic, story, sprint, prd, decision), "the demo lacks a kind of row"
    assert len(versions) >= 2, "the demo's PRD has a single version: no diff to check"
    return {
        "product home": f"{p}/",
        "roadmap board": f"{p}/roadmap/",
        "timeline": f"{p}/roadmap/timeline/",
        "roadmap item": f"{p}/roadmap/items/{item.pk}/",
        "baselines": f"{p}/roadmap/baselines/",
        "baseline": f"{p}/roadmap/baselines/{baseline.pk}/",
        "backlog tree (a node open)": f"{p}/backlog/?open=e{epic.pk}",
        "story": f"{p}/backlog/stories/{story.pk}/",
        "tech debt": f"{p}/backlog/tech-debt/",
        "board": f"{p}/backlog/board/",
        "sprints": f"{p}/backlog/sprints/",
        "sprint": f"{p}/backlog/sprints/{sprint.pk}/",
        "sprint planning": f"{p}/backlog/sprints/{sprint.pk}/planning/",
        "PRD list": f"{p}/prds/",
        "PRD": f"{p}/prds/{prd.pk}/",
        "PRD history": f"{p}/prds/{prd.pk}/versions/",
        "PRD diff": f"{p}/prds/{prd.pk}/versions/{versions[0]}/diff/{versions[-1]}/?mode=side",
        "PRD requirements": f"{p}/prds/{prd.pk}/requirements/",
        "coverage": f"{p}/prds/coverage/",
        "decision list": f"{p}/decisions/",
        "decision": f"{p}/decisions/{decision.pk}/",
        "search results": f"{p}/search/?q=payment",
        "notifications": "/notifications/",
        "landing": "/",
        "404": f"{p}/backlog/stories/999999999/",
    }


# --- the browser --------------------------------------------------------------------------------


def visit(page, url: str) -> None:
    """Load the page and let htmx finish what it loads on its own (`hx-trigger="load"`)."""
    response = page.goto(url)
    expected = 404 if url.endswith("/999999999/") else 200
    assert response.status == expected, f"{url} answered {response.status}"
    page.wait_for_load_state("networkidle")


def open_every_disclosure(page) -> int:
    """Open every closed `<details>` (menus, inline create and edit forms): axe skips what is hidden."""
    opened = page.evaluate(
        "() => { const closed = [...document.querySelectorAll('details:not([open])')];"
        " closed.forEach(d => { d.open = true; }); return closed.length; }"
    )
    page.wait_for_load_state("networkidle")
    return opened


def axe_violations(page) -> list[dict[str, Any]]:
    """axe-core's violations (`AXE_TAGS`) on the page as it stands, with the `STRICT_INCOMPLETE`
    results that axe leaves for a person to review."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    assert result["passes"], "axe ran no rule"
    return result["violations"] + [found for found in result["incomplete"] if found["id"] in STRICT_INCOMPLETE]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"  [{violation['impact'] or 'review'}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:8]:
            summary = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"      {' '.join(map(str, node['target']))}  — {summary[:240]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"      … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def check_pages(page, pages: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Each page as it loads, then again with its disclosures open."""
    found = {}
    for name, url in pages.items():
        visit(page, url)
        if violations := axe_violations(page):
            found[f"{name} ({url})"] = violations
        if open_every_disclosure(page) and (violations := axe_violations(page)):
            found[f"{name} ({url}), disclosures open"] = violations
    return found


def report(found: dict[str, list[dict[str, Any]]], viewport: dict[str, int]) -> str:
    size = f"{viewport['width']}×{viewport['height']}"
    return f"axe found violations at {size}:\n" + "\n".join(
        f"{page}:\n{describe(violations)}" for page, violations in found.items()
    )


# --- the tests ----------------------------------------------------------------------------------


def test_every_main_page_passes_axe_at_1280(page, demo_product):
    # given
    page.set_viewport_size(LAPTOP)
    pages = main_pages(demo_product)
    found = check_pages(page, {"login": "/login/"})
    sign_in(page, DEMO_USERNAME, DEMO_PASSWORD)
    # when
    found |= check_pages(page, pages)
    # then
    if found:
        pytest.fail(report(found, LAPTOP), pytrace=False)
    assert page.csp_violations == []


def test_a_subset_passes_axe_at_1024(page, demo_product):
    # given
    page.set_viewport_size(SMALL_LAPTOP)
    pages = main_pages(demo_product)
    subset = {name: pages[name] for name in SMALL_LAPTOP_PAGES}
    found = check_pages(page, {"login": "/login/"})
    sign_in(page, DEMO_USERNAME, DEMO_PASSWORD)
    # when
    found |= check_pages(page, subset)
    overflowing = {}
    for name, url in subset.items():
        visit(page, url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > SMALL_LAPTOP["width"]:
            overflowing[name] = width
    # then
    if found:
        pytest.fail(report(found, SMALL_LAPTOP), pytrace=False)
    assert overflowing == {}, f"pages wider than the window at 1024px (they scroll sideways): {overflowing}"
    assert page.csp_violations == []


FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== 'none';
  const label = (el.getAttribute('aria-label') || el.textContent || el.name || el.id || '').trim().slice(0, 40);
  return {tag: el.tagName.toLowerCase(), label, visible: outline || shadow, body: el === document.body};
}"""


def tab_through(page, steps: int) -> list[str]:
    """Press Tab `steps` times; each element reached that shows neither an outline nor a box-shadow."""
    invisible, reached = [], []
    for _ in range(steps):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_STYLE)
        assert not focused["body"], f"the focus fell back to the body after {reached}"
        reached.append(f"{focused['tag']} {focused['label']!r}")
        if not focused["visible"]:
            invisible.append(reached[-1])
    return invisible


@pytest.mark.parametrize("which", ["story", "board"])
def test_the_keyboard_focus_is_always_visible(page, demo_product, which):
    # given
    page.set_viewport_size(LAPTOP)
    url = main_pages(demo_product)[which]
    sign_in(page, DEMO_USERNAME, DEMO_PASSWORD)
    visit(page, url)
    # when: from the top of the page (skip link, top bar, product nav)
    invisible = tab_through(page, FOCUSABLE_STEPS)
    # when: the skip link, then into the page's own content
    page.locator(".skip-link").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    invisible += tab_through(page, FOCUSABLE_STEPS)
    # then
    assert invisible == [], f"focused without a visible outline or box-shadow: {invisible}"
    assert page.csp_violations == []
