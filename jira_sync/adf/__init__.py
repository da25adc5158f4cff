"""Atlassian Document Format ↔ Markdown.

Both ways for paragraph, heading, bulletList, orderedList, listItem, codeBlock (with its
language), blockquote, rule, hardBreak and text with the strong / em / code / link marks.
Anything else in ADF degrades to its text (mentions, emoji, dates, status lozenges, cards,
tables, panels, media) rather than being lost or failing. Jira re-serialises ADF, so compare
`normalize_adf` forms, never bytes.

base            the node type, mark order, the empty document, the Markdown parser
from_markdown   Markdown → ADF
normal          the normal form two documents are compared in
to_markdown     ADF → Markdown (each piece written so that it reads back the same)
"""

from .base import EMPTY_DOC, MARK_ORDER, Node
from .from_markdown import markdown_to_adf
from .normal import normalize_adf
from .to_markdown import adf_to_markdown

__all__ = ["EMPTY_DOC", "MARK_ORDER", "Node", "adf_to_markdown", "markdown_to_adf", "normalize_adf"]
