"""Assertions the PRD page tests share."""

import re

from core.tests.test_markdown import HOSTILE  # noqa: F401  (the hostile Markdown corpus, re-exported)


def fragment(body: str, element_id: str) -> str:
    """The HTML of the element with this id, up to the end of its (non-nested) closing tag name."""
    start = body.index(f'id="{element_id}"')
    opening = body.rindex("<", 0, start)
    tag = re.match(r"<(\w+)", body[opening:]).group(1)
    return body[opening : body.index(f"</{tag}>", start) + len(tag) + 3]


def assert_inert(html: str) -> None:
    """Nothing in this HTML can run script: no script or frame tags, no handlers, no script URLs, no styles."""
    lowered = html.lower()
    assert "<script" not in lowered
    assert "javascript:" not in lowered
    assert not re.search(r"<[^>]*\son\w+\s*=", lowered), html
    assert "<iframe" not in lowered and "<svg" not in lowered and "style=" not in lowered
    assert "data:text/html" not in lowered
