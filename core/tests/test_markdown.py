"""User Markdown renders as formatting, and nothing hostile in it survives."""

import re

import pytest
from django.template import Context, Template

from core.markdown import render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)">hi</p>',
    "```\n</code><script>alert(1)</script>\n```",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_renders_inert(text):
    html = render_markdown(text).lower()
    assert "<script" not in html
    assert "javascript:" not in html
    assert not re.search(r"<[^>]*\son\w+\s*=", html), html  # no event handler on any real tag
    assert "<iframe" not in html and "<svg" not in html and "style=" not in html
    assert "data:text/html" not in html


def test_formatting_survives():
    html = render_markdown("# Goal\n\n**bold** *it* `code` [link](https://example.com)\n\n- a\n- b\n\n1. one\n")
    assert "<h1>Goal</h1>" in html
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html and "<code>code</code>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">link</a>' in html
    assert "<ul>" in html and "<ol>" in html


def test_tables_and_code_blocks_survive():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nx = 1\n```\n")
    assert "<table>" in html and "<td>1</td>" in html
    assert "<pre><code>x = 1" in html


def test_the_template_filter_renders_and_escapes():
    template = Template("{% load markdown %}{{ body|markdown }}")
    html = template.render(Context({"body": "**hi** <script>x()</script>"}))
    assert "<strong>hi</strong>" in html and "<script" not in html
