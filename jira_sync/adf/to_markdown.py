"""ADF → Markdown: each piece is escaped and written so that it reads back as the same document."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from .base import Node
from .from_markdown import markdown_to_adf
from .normal import normalize_adf

_ALWAYS_ESCAPE = re.compile(r"([\\`*_\[\]<>])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_EDGE_SPACES = re.compile(r"(?:^|(?<=\\\n))[ \t]+|[ \t]+$")
_HEADING_CLOSE = re.compile(r"([ \t])(#+[ \t]*)$")
_LINE_START = re.compile(r"^(\s*)([-+=#~>]|\d+[.)])", re.MULTILINE)


def adf_to_markdown(doc: Node | None) -> str:
    if not doc:
        return ""
    return _md_blocks(doc.get("content") or [])


def _md_blocks(nodes: list[Node]) -> str:
    """Blocks apart by blank lines. Two lists of one kind in a row would merge into one in
    Markdown, so every other one takes the alternative marker (`*` or `1)`)."""
    out: list[str] = []
    previous = ""
    alternate = False
    for node in nodes:
        kind = str(node.get("type", ""))
        alternate = (not alternate) if kind == previous and kind in {"bulletList", "orderedList"} else False
        text = _md_block(node, alternate=alternate)
        if text:
            out.append(text)
        previous = kind
    return "\n\n".join(out)


def _md_block(node: Node, *, alternate: bool = False) -> str:
    kind = node.get("type")
    content = node.get("content") or []
    if kind == "paragraph":
        return _md_inline(content)
    if kind == "heading":
        level = int((node.get("attrs") or {}).get("level", 1))
        # A run of "#" ending the text after a space would read as the heading's optional closing sequence.
        text = _HEADING_CLOSE.sub(r"\1\\\2", _md_inline(without_breaks(content)))
        return f"{'#' * max(1, min(level, 6))} {text}".rstrip()
    if kind == "bulletList":
        bullet = "* " if alternate else "- "
        return "\n".join(_md_item(item, bullet) for item in content)
    if kind == "orderedList":
        start = int((node.get("attrs") or {}).get("order", 1) or 1)
        delimiter = ")" if alternate else "."
        return "\n".join(_md_item(item, f"{start + i}{delimiter} ") for i, item in enumerate(content))
    if kind == "codeBlock":
        text = "".join(child.get("text", "") for child in content)
        longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
        fence = "`" * max(3, longest + 1)
        language = (node.get("attrs") or {}).get("language") or ""
        return f"{fence}{language}\n{text}\n{fence}"
    if kind == "blockquote":
        inner = _md_blocks(content)
        return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
    if kind == "rule":
        return "---"
    if kind == "table":
        rows = [
            " | ".join(_plain(cell).strip() for cell in row.get("content") or []) for row in content
        ]  # no tables in CommonMark: one line per row
        return _md_escape("\n".join(rows)).replace("\n", "\\\n")
    if kind in {"mediaSingle", "mediaGroup", "media"}:
        return "(attachment)"
    if any(child.get("type") == "text" or child.get("type") in _INLINE_TYPES for child in content):
        return _md_inline(content)  # taskItem, decisionItem and other inline holders
    return _md_blocks(content)  # panel, expand, layouts …


def without_breaks(nodes: list[Node]) -> list[Node]:
    """A heading is one line: its breaks become spaces."""
    return [{"type": "text", "text": " "} if n.get("type") == "hardBreak" else n for n in nodes]


def _md_item(item: Node, marker: str) -> str:
    blocks = item.get("content") or []
    parts: list[str] = []
    for index, block in enumerate(blocks):
        text = _md_block(block)
        if not text:
            continue
        nested = block.get("type") in {"bulletList", "orderedList"}
        separator = "\n" if nested or index == 0 else "\n\n"
        parts.append((separator if parts else "") + text)
    body = "".join(parts)
    indent = " " * len(marker)
    if parts and blocks[0].get("type") == "paragraph" and not _md_block(blocks[0]):
        # No text before a nested list: the list starts on the next line, as "- - -" on one line is a rule.
        body, marker = "\n" + body, marker.rstrip()
    lines = body.split("\n")
    return marker + lines[0] + "".join(f"\n{indent}{line}" if line else "\n" for line in lines[1:])


_INLINE_TYPES = {"text", "hardBreak", "mention", "emoji", "inlineCard", "date", "status", "placeholder"}


def _md_inline(nodes: list[Node]) -> str:
    """Inline content as Markdown that reads back the same. Emphasis right against other emphasis takes
    "_" in turn with "*" ("*1*__\\>__", not "*1***\\>**", whose "***" pairs otherwise); where even that
    reads back otherwise, such a piece goes plain, and failing that the whole paragraph, rather than
    change on every round trip."""
    nodes = _without_marks_on_code(nodes)
    written = _md_inline_as_is(nodes)
    if _reads_back(written):
        return written
    for plainer in (_apart(nodes), _without_emphasis(nodes)):
        candidate = _md_inline_as_is(plainer)
        if _reads_back(candidate):
            return candidate
    return written


def _reads_back(written: str) -> bool:
    if not written:
        return True
    blocks = markdown_to_adf(written)["content"]
    if len(blocks) != 1 or blocks[0]["type"] != "paragraph":
        return False
    return _md_inline_as_is(blocks[0].get("content") or []) == written


def _emphasis(node: Node) -> set[str]:
    return {m.get("type", "") for m in node.get("marks") or []} & {"strong", "em"}


def _without_emphasis(nodes: list[Node], *, only: set[int] | None = None) -> list[Node]:
    return normalize_adf(
        {
            "type": "paragraph",
            "content": [
                {**node, "marks": [m for m in node.get("marks") or [] if m.get("type") not in {"strong", "em"}]}
                if node.get("type") == "text" and (only is None or index in only)
                else node
                for index, node in enumerate(nodes)
            ],
        }
    ).get("content", [])


def _touching(before: Node, node: Node) -> bool:
    """Emphasis right against different emphasis, no space between: their delimiters would form one run."""
    return (
        before.get("type") == node.get("type") == "text"
        and bool(_emphasis(before))
        and bool(_emphasis(node))
        and _emphasis(before) != _emphasis(node)
        and not before.get("text", " ")[-1:].isspace()
        and not node.get("text", " ")[:1].isspace()
    )


def _apart(nodes: list[Node]) -> list[Node]:
    return _without_emphasis(nodes, only={i for i in range(1, len(nodes)) if _touching(nodes[i - 1], nodes[i])})


def _md_inline_as_is(nodes: list[Node]) -> str:
    pieces: list[str] = []
    underscore = False
    for index, node in enumerate(nodes):
        kind = node.get("type")
        attrs = node.get("attrs") or {}
        if kind == "text":
            underscore = index > 0 and _touching(nodes[index - 1], node) and not underscore
            pieces.append(_md_text(node.get("text", ""), node.get("marks") or [], underscore=underscore))
        elif kind == "hardBreak":
            pieces.append("\\\n")
        elif kind == "inlineCard":
            url = str(attrs.get("url", ""))
            pieces.append(f"<{url}>" if url else "")
        else:
            pieces.append(_md_escape(_inline_text(node)))
    # CommonMark drops the spaces that open a line or end a paragraph: so does the writer, or the next
    # round trip would (a paragraph of an empty link and " 1").
    return _escape_line_starts(_EDGE_SPACES.sub("", "".join(pieces)))


def _without_marks_on_code(nodes: list[Node]) -> list[Node]:
    """Code spans are written bare (emphasis around one, beside other emphasis, can read back otherwise:
    "*`1`**1*"): bold and italic on code go, and pieces left alike merge, or "`1`" beside a bold "`1`"
    would be written as two spans side by side, "`1``1`", which reads back as the one span "1``1"."""
    plain = [
        {**node, "marks": [m for m in node.get("marks") or [] if m.get("type") not in {"strong", "em"}]}
        if node.get("type") == "text" and any(m.get("type") == "code" for m in node.get("marks") or [])
        else node
        for node in nodes
    ]
    return normalize_adf({"type": "paragraph", "content": plain}).get("content", [])


def _inline_text(node: Node) -> str:
    kind = node.get("type")
    attrs = node.get("attrs") or {}
    if kind == "mention":
        text = str(attrs.get("text") or attrs.get("id") or "")
        return text if text.startswith("@") else f"@{text}"
    if kind == "emoji":
        return str(attrs.get("text") or attrs.get("shortName") or "")
    if kind == "date":
        try:
            return datetime.fromtimestamp(int(attrs.get("timestamp", 0)) / 1000, UTC).strftime("%Y-%m-%d")
        except (TypeError, ValueError):
            return ""
    if kind == "status":
        return str(attrs.get("text", ""))
    return _plain(node)


def _plain(node: Node) -> str:
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") in {"mention", "emoji", "date", "status"}:
        return _inline_text(node)
    return " ".join(_plain(child) for child in node.get("content") or [])


def _md_escape(text: str) -> str:
    return _ENTITY.sub("\\&", _ALWAYS_ESCAPE.sub(r"\\\1", text))


def _escape_line_starts(text: str) -> str:
    """Block syntax at the start of a line (`# `, `- `, `1. `, `> `…) must stay text."""

    def escape(match: re.Match[str]) -> str:
        lead, token = match.group(1), match.group(2)
        if token[0].isdigit():
            return f"{lead}{token[:-1]}\\{token[-1]}"
        return f"{lead}\\{token}"

    return _LINE_START.sub(escape, text)


def _md_code_span(text: str) -> str:
    text = text.replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    spaced = text.startswith(" ") and text.endswith(" ") and text.strip() != ""  # all-space spans are kept whole
    pad = " " if text.startswith("`") or text.endswith("`") or spaced else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_text(text: str, marks: list[Node], *, underscore: bool = False) -> str:
    kinds = {mark.get("type") for mark in marks}
    if not text:
        return ""
    if "code" in kinds:
        body = _md_code_span(text)
    else:
        # Emphasis cannot open or close next to a space: keep the spaces outside the delimiters.
        stripped = text.strip()
        if not stripped:
            return _md_escape(text)
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
        body = _md_escape(stripped)
        delimiter = "_" if underscore else "*"
        if "em" in kinds:
            body = f"{delimiter}{body}{delimiter}"
        if "strong" in kinds:
            body = f"{delimiter * 2}{body}{delimiter * 2}"
        body = lead + body + trail
        if "link" not in kinds:
            return body
        text = body
    link = next((mark for mark in marks if mark.get("type") == "link"), None)
    if link is None:
        return body
    href = str((link.get("attrs") or {}).get("href", ""))
    if kinds == {"link"} and text == href and re.fullmatch(r"[a-zA-Z][\w+.-]*:[^\s<>]*", href):
        return f"<{href}>"  # an autolink reads better than [url](url)
    # No target holds a line break (nor other control characters), <…> holds no bare < or >, and a target
    # reads backslash escapes.
    href = re.sub(r"[\x00-\x1f]", lambda m: f"%{ord(m.group()):02X}", href)
    escaped = re.sub(r"([\\<>])", r"\\\1", href)
    target = f"<{escaped}>" if re.search(r"[\s()<>]", href) or not href else escaped
    return f"[{body if 'code' in kinds else text}]({target})"
