"""What the ADF converters share: the node type, the order marks are kept in, the empty document, and the
Markdown parser (CommonMark, no HTML, hrefs kept as written)."""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt

Node = dict[str, Any]
MARKDOWN = MarkdownIt("commonmark", {"html": False})
MARKDOWN.normalizeLink = lambda url: url  # type: ignore[method-assign]  # keep hrefs as written, not %-encoded
MARK_ORDER = {"link": 0, "strong": 1, "em": 2, "code": 3}
EMPTY_DOC: Node = {"type": "doc", "version": 1, "content": []}
