"""The diff between two PRD versions as the history page shows it: per section, line by line, word by word.

Computed with difflib on the Markdown source (never on rendered HTML): every piece of text is escaped,
and the only markup added is `<ins>` / `<del>` with CSS classes, so a diff of hostile text is inert.
Sections are matched by title and requirements by key, as `services.prd_version_diff` does.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import PRDVersion, Requirement

CONTEXT_LINES = 3
EMPTY = mark_safe("")
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass
class SideRow:
    """A row of the side-by-side view: the old line on the left, the new one on the right."""

    kind: str  # equal, replace, delete, insert, skip
    old_no: int | None = None
    new_no: int | None = None
    old_html: SafeString = EMPTY
    new_html: SafeString = EMPTY
    skipped: int = 0  # for "skip": unchanged lines not shown


@dataclass
class InlineRow:
    """A row of the inline view: one line, kept, removed or added."""

    kind: str  # equal, delete, insert, skip
    old_no: int | None = None
    new_no: int | None = None
    html: SafeString = EMPTY
    skipped: int = 0


@dataclass
class PartDiff:
    """One section, requirement or the title, compared."""

    key: str  # a stable anchor: "title", "section-3", "REQ-4"
    label: str
    status: str  # added, removed, changed, unchanged
    side: list[SideRow] = field(default_factory=list)
    inline: list[InlineRow] = field(default_factory=list)
    added_lines: int = 0
    removed_lines: int = 0


@dataclass
class VersionDiff:
    older: PRDVersion
    newer: PRDVersion
    title: PartDiff | None
    sections: list[PartDiff]
    requirements: list[PartDiff]

    @property
    def changed_sections(self) -> list[PartDiff]:
        return [p for p in self.sections if p.status != "unchanged"]

    @property
    def changed_requirements(self) -> list[PartDiff]:
        return [p for p in self.requirements if p.status != "unchanged"]

    @property
    def changed_parts(self) -> list[PartDiff]:
        return [*([self.title] if self.title else []), *self.changed_sections, *self.changed_requirements]

    @property
    def unchanged_sections(self) -> list[PartDiff]:
        return [p for p in self.sections if p.status == "unchanged"]

    @property
    def is_empty(self) -> bool:
        return not self.changed_parts


def _wrap(tag: str, text: str) -> str:
    return f'<{tag} class="diff__{tag}">{escape(text)}</{tag}>' if text else ""


def word_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """The two lines as HTML: words only in the old one in `<del>`, words only in the new one in `<ins>`."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            same = escape("".join(a[i1:i2]))
            left.append(same)
            right.append(same)
            continue
        left.append(_wrap("del", "".join(a[i1:i2])))
        right.append(_wrap("ins", "".join(b[j1:j2])))
    return mark_safe("".join(left)), mark_safe("".join(right))


def line_diff(old_text: str, new_text: str, *, context: int = CONTEXT_LINES) -> PartDiff:
    """Rows for both views, unchanged runs beyond `context` lines folded into a "skip" row."""
    part = PartDiff(key="", label="", status="unchanged")
    if old_text == new_text:
        return part
    a, b = old_text.splitlines(), new_text.splitlines()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    shown_to = 0  # old-side line index up to which rows exist
    for group in matcher.get_grouped_opcodes(context):
        first_old = group[0][1]
        if first_old > shown_to:
            skipped = first_old - shown_to
            part.side.append(SideRow(kind="skip", skipped=skipped))
            part.inline.append(InlineRow(kind="skip", skipped=skipped))
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                for offset in range(i2 - i1):
                    html = escape(a[i1 + offset])
                    old_no, new_no = i1 + offset + 1, j1 + offset + 1
                    part.side.append(SideRow("equal", old_no, new_no, mark_safe(html), mark_safe(html)))
                    part.inline.append(InlineRow("equal", old_no, new_no, mark_safe(html)))
                continue
            part.removed_lines += i2 - i1
            part.added_lines += j2 - j1
            pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
            deletions, insertions = [], []
            for offset in range(pairs):
                old_html, new_html = word_diff(a[i1 + offset], b[j1 + offset])
                part.side.append(SideRow("replace", i1 + offset + 1, j1 + offset + 1, old_html, new_html))
                deletions.append(InlineRow("delete", i1 + offset + 1, None, old_html))
                insertions.append(InlineRow("insert", None, j1 + offset + 1, new_html))
            for index in range(i1 + pairs, i2):
                html = mark_safe(_wrap("del", a[index]))
                part.side.append(SideRow("delete", index + 1, None, html, EMPTY))
                deletions.append(InlineRow("delete", index + 1, None, html))
            for index in range(j1 + pairs, j2):
                html = mark_safe(_wrap("ins", b[index]))
                part.side.append(SideRow("insert", None, index + 1, EMPTY, html))
                insertions.append(InlineRow("insert", None, index + 1, html))
            part.inline.extend(deletions + insertions)
        shown_to = group[-1][2]
    if shown_to < len(a):
        part.side.append(SideRow(kind="skip", skipped=len(a) - shown_to))
        part.inline.append(InlineRow(kind="skip", skipped=len(a) - shown_to))
    part.status = "changed"
    return part


def _requirement_text(row: dict[str, Any]) -> str:
    priority = dict(Requirement.Priority.choices).get(row.get("priority", ""), row.get("priority", ""))
    text = f"{row.get('title', '')}\nPriority: {priority}"
    if row.get("description"):
        text += f"\n\n{row['description']}"
    return text


def _compare(key: str, label: str, before: str | None, after: str | None) -> PartDiff:
    part = line_diff(before or "", after or "")
    part.key, part.label = key, label
    if before is None:
        part.status = "added"
    elif after is None:
        part.status = "removed"
    return part


def _matched(older: list[dict], newer: list[dict], key: str) -> list[tuple[str, dict | None, dict | None]]:
    """Pairs (key, old row, new row) in the newer order, rows only in the older one after them."""
    old_by_key = {row[key]: row for row in older}
    new_keys = {row[key] for row in newer}
    pairs = [(row[key], old_by_key.get(row[key]), row) for row in newer]
    pairs += [(row[key], row, None) for row in older if row[key] not in new_keys]
    return pairs


def version_diff(older: PRDVersion, newer: PRDVersion) -> VersionDiff:
    """What changed from `older` to `newer` (any two versions of one PRD, in either order)."""
    if older.prd_id != newer.prd_id:
        raise ValueError("compare two versions of the same PRD")
    old, new = older.content, newer.content
    title = None
    if old.get("title") != new.get("title"):
        title = _compare("title", "Title", old.get("title", ""), new.get("title", ""))
    sections = [
        _compare(
            f"section-{index}",
            name,
            before["body"] if before is not None else None,
            after["body"] if after is not None else None,
        )
        for index, (name, before, after) in enumerate(
            _matched(old.get("sections", []), new.get("sections", []), "title"), start=1
        )
    ]
    requirements = [
        _compare(
            key,
            f"{key} {(after or before or {}).get('title', '')}",
            _requirement_text(before) if before is not None else None,
            _requirement_text(after) if after is not None else None,
        )
        for key, before, after in _matched(old.get("requirements", []), new.get("requirements", []), "key")
    ]
    return VersionDiff(older=older, newer=newer, title=title, sections=sections, requirements=requirements)
