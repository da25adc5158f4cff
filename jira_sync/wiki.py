"""Jira wiki markup (Data Center, and v2 bodies) ↔ Markdown, through ADF.

Covers what the ADF converter covers: `h1.`…`h6.`, paragraphs, `*strong*`, `_em_`,
`{{code}}`, `[text|url]`, `*` / `#` lists (nested as `**`, `*#`), `{code:lang}` and
`{noformat}`, `{quote}` / `bq.`, `----` and line breaks. Other markup (tables, colours,
panels, images, `-strike-`, `+underline+`) degrades to its text.
"""

from __future__ import annotations

import re
from typing import Any

from .adf import Node, _without_breaks, adf_to_markdown, markdown_to_adf, normalize_adf

# --- wiki → ADF ----------------------------------------------------------------------------------------------

_LIST_LINE = re.compile(r"^\s*([*#-]+)\s+(.*)$")
_HEADING = re.compile(r"^\s*h([1-6])\.\s*(.*)$")
_CODE_OPEN = re.compile(r"^\s*\{(code|noformat)(?::([^}]*))?\}(.*)$")
_INLINE = re.compile(
    r"""(?P<escape>\\(?P<escaped>[^\sA-Za-z0-9]))
      | (?P<code>\{\{(?P<code_text>.+?)\}\})
      | (?P<link>\[(?:(?P<label>[^\]|]*)\|)?(?P<href>[^\]|]+)\])
      | (?P<strong>(?<![\w*\\])\*(?P<strong_text>(?:\\.|[^\s*\\])(?:(?:\\.|[^*\\])*?(?:\\.|[^\s*\\]))?)\*(?![\w*]))
      | (?P<em>(?<![\w\\])_(?P<em_text>(?:\\.|[^\s_\\])(?:(?:\\.|[^_\\])*?(?:\\.|[^\s_\\]))?)_(?!\w))
      | (?P<strike>(?<![\w\\])-(?P<strike_text>[^\s-](?:[^-]*?[^\s\\-])?)-(?!\w))
      | (?P<tag>\{(?:color|panel|quote|noformat)(?::[^}]*)?\})
      | (?P<image>!(?P<image_src>[^!\s][^!]*)!)""",
    re.VERBOSE,
)


def wiki_to_adf(text: str) -> Node:
    lines = (text or "").replace("\r\n", "\n").split("\n")
    return normalize_adf({"type": "doc", "version": 1, "content": _wiki_blocks(lines)})


def _wiki_blocks(lines: list[str]) -> list[Node]:
    blocks: list[Node] = []
    paragraph: list[str] = []
    index = 0

    def flush() -> None:
        if paragraph:
            blocks.append({"type": "paragraph", "content": _wiki_lines_inline(paragraph)})
            paragraph.clear()

    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        code = _CODE_OPEN.match(line)
        if code:
            flush()
            kind, options, rest = code.group(1), code.group(2) or "", code.group(3)
            body: list[str] = [rest] if rest else []
            index += 1
            closing = "{" + kind + "}"
            while index < len(lines) and closing not in lines[index]:
                body.append(lines[index])
                index += 1
            if index < len(lines):
                before = lines[index].split(closing, 1)[0]
                if before:
                    body.append(before)
            block: Node = {"type": "codeBlock"}
            language = options.split("|")[0].strip() if kind == "code" and "=" not in options.split("|")[0] else ""
            if language:
                block["attrs"] = {"language": language}
            if body:
                block["content"] = [{"type": "text", "text": "\n".join(body)}]
            blocks.append(block)
            index += 1
            continue
        if stripped == "{quote}":
            flush()
            inner: list[str] = []
            index += 1
            while index < len(lines) and lines[index].strip() != "{quote}":
                inner.append(lines[index])
                index += 1
            blocks.append({"type": "blockquote", "content": _wiki_blocks(inner) or [{"type": "paragraph"}]})
            index += 1
            continue
        if stripped.startswith("bq. "):
            flush()
            blocks.append(
                {"type": "blockquote", "content": [{"type": "paragraph", "content": _wiki_inline(stripped[4:])}]}
            )
        elif (heading := _HEADING.match(line)) is not None:
            flush()
            blocks.append(
                {
                    "type": "heading",
                    "attrs": {"level": int(heading.group(1))},
                    "content": _wiki_inline(heading.group(2)),
                }
            )
        elif stripped == "----":
            flush()
            blocks.append({"type": "rule"})
        elif _LIST_LINE.match(line):
            flush()
            items: list[tuple[str, str]] = []
            while index < len(lines) and (match := _LIST_LINE.match(lines[index])):
                items.append((match.group(1).replace("-", "*"), match.group(2)))
                index += 1
            blocks += _wiki_lists(items)
            continue
        elif stripped.startswith("||") or (stripped.startswith("|") and stripped.endswith("|")):
            flush()
            cells = [cell.strip() for cell in stripped.strip("|").replace("||", "|").split("|")]
            blocks.append({"type": "paragraph", "content": _wiki_inline(" | ".join(cells))})
        elif not stripped:
            flush()
        else:
            paragraph.append(line)
        index += 1
    flush()
    return blocks


def _wiki_lists(items: list[tuple[str, str]]) -> list[Node]:
    """Nested lists from (marker, text) pairs such as ('*', 'a'), ('**', 'b'), ('*#', 'c')."""
    roots: list[Node] = []
    stack: list[tuple[str, Node]] = []  # (marker, list node), outermost first
    for marker, text in items:
        while stack and not marker.startswith(stack[-1][0]):
            stack.pop()
        if stack and stack[-1][0] == marker:
            target = stack[-1][1]
        else:
            target = {"type": "orderedList" if marker[-1] == "#" else "bulletList", "content": []}
            if stack and stack[-1][1]["content"]:
                stack[-1][1]["content"][-1]["content"].append(target)
            else:
                roots.append(target)
            stack.append((marker, target))
        paragraph = {"type": "paragraph", "content": _wiki_lines_inline([text])}
        target["content"].append({"type": "listItem", "content": [paragraph]})
    return roots


def _wiki_lines_inline(lines: list[str]) -> list[Node]:
    content: list[Node] = []
    for number, line in enumerate(lines):
        if number:
            content.append({"type": "hardBreak"})  # Jira renders a newline inside a paragraph as a break
        parts = line.split("\\\\")
        for part_number, part in enumerate(parts):
            if part_number:
                content.append({"type": "hardBreak"})
            content += _wiki_inline(part)
    return content


def _wiki_inline(text: str, marks: list[Node] | None = None) -> list[Node]:
    marks = marks or []
    out: list[Node] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            out.append(_text(text[position : match.start()], marks))
        position = match.end()
        if match.group("escape"):
            out.append(_text(match.group("escaped"), marks))
        elif match.group("code"):
            out.append(_text(_unescape(match.group("code_text")), [*marks, {"type": "code"}]))
        elif match.group("link"):
            href = match.group("href").strip()
            label = match.group("label")
            link = {"type": "link", "attrs": {"href": href}}
            out += _wiki_inline(label, [*marks, link]) if label else [_text(href, [*marks, link])]
        elif match.group("strong"):
            out += _wiki_inline(match.group("strong_text"), [*marks, {"type": "strong"}])
        elif match.group("em"):
            out += _wiki_inline(match.group("em_text"), [*marks, {"type": "em"}])
        elif match.group("strike"):
            out += _wiki_inline(match.group("strike_text"), marks)  # no strike in Markdown: keep the text
        elif match.group("image"):
            out.append(_text(match.group("image_src").split("|")[0], marks))
        # colour and other tags: dropped, their text stays
    if position < len(text):
        out.append(_text(text[position:], marks))
    return [node for node in out if node.get("text") != ""]


def _unescape(text: str) -> str:
    return re.sub(r"\\([^\sA-Za-z0-9])", r"\1", text)


def _text(text: str, marks: list[Node]) -> Node:
    node: Node = {"type": "text", "text": text.replace("&#92;", "\\").replace("&amp;", "&")}
    if marks:
        node["marks"] = list(marks)
    return node


# --- ADF → wiki ------------------------------------------------------------------------------------------------

_WIKI_SPECIAL = re.compile(r"([*_{}\[\]|!^~+])")  # a backslash is written as &#92;: `\\\\` is a line break
# What the reader would take for a list marker, heading or quote at a line start (_LIST_LINE: markers then
# spaces on the same line; a newline right after "*#*" leaves it bold text), escaped on the way out.
_WIKI_LINE_START = re.compile(r"^([ \t]*)([#*-]+(?=[ \t])|h[1-6]\.|bq\.)", re.MULTILINE)
_WIKI_DASH = re.compile(r"(?<![\w\\])-(?=\S)|(?<=\S)-(?!\w)")


def adf_to_wiki(doc: Node | None) -> str:
    if not doc:
        return ""
    return "\n\n".join(block for block in (_wiki_block(n) for n in doc.get("content") or []) if block)


def _wiki_block(node: Node, list_prefix: str = "") -> str:
    kind = node.get("type")
    content = node.get("content") or []
    if kind == "paragraph":
        return _wiki_inline_out(content)
    if kind == "heading":
        level = int((node.get("attrs") or {}).get("level", 1))
        return f"h{max(1, min(level, 6))}. {_wiki_inline_out(_without_breaks(content), line_start=False)}"
    if kind in {"bulletList", "orderedList"}:
        prefix = list_prefix + ("*" if kind == "bulletList" else "#")
        return "\n".join(_wiki_item(item, prefix) for item in content)
    if kind == "codeBlock":
        text = "".join(child.get("text", "") for child in content)
        language = (node.get("attrs") or {}).get("language")
        opening = f"{{code:{language}}}" if language else "{code}"
        return f"{opening}\n{text}\n{{code}}"
    if kind == "blockquote":
        inner = "\n\n".join(b for b in (_wiki_block(child) for child in content) if b)
        return f"{{quote}}\n{inner}\n{{quote}}"
    if kind == "rule":
        return "----"
    markdown = adf_to_markdown({"type": "doc", "content": [node]})  # anything else: its text
    return _wiki_escape(markdown_to_plain(markdown))


def markdown_to_plain(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def _wiki_item(item: Node, prefix: str) -> str:
    lines: list[str] = []
    texts: list[str] = []
    for block in item.get("content") or []:
        if block.get("type") in {"bulletList", "orderedList"}:
            lines.append(_wiki_block(block, prefix))
        else:
            texts.append(_wiki_block(block).replace("\n", "\\\\"))
    joined = " \\\\ ".join(texts)  # wiki lists hold one line: further paragraphs become breaks
    return "\n".join([f"{prefix} {joined}", *lines])  # the space stays: `*` alone is not a list item


def _wiki_inline_out(nodes: list[Node], *, line_start: bool = True) -> str:
    pieces: list[str] = []
    for node in nodes:
        kind = node.get("type")
        if kind == "text":
            pieces.append(_wiki_text(node.get("text", ""), node.get("marks") or []))
        elif kind == "hardBreak":
            pieces.append("\n")
        else:
            pieces.append(
                _wiki_escape(
                    markdown_to_plain(
                        adf_to_markdown({"type": "doc", "content": [{"type": "paragraph", "content": [node]}]})
                    )
                )
            )
    joined = "".join(pieces)
    if not line_start:
        return joined
    return _WIKI_LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", joined)


def _wiki_escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("\\", "&#92;")
    return _WIKI_DASH.sub(r"\\-", _WIKI_SPECIAL.sub(r"\\\1", text))


def _wiki_text(text: str, marks: list[Node]) -> str:
    kinds = {mark.get("type") for mark in marks}
    if "code" in kinds:
        body = "{{" + _WIKI_SPECIAL.sub(r"\\\1", text) + "}}"
    else:
        stripped = text.strip()
        if not stripped:
            return _wiki_escape(text)
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
        body = _wiki_escape(stripped)
        if "em" in kinds:
            body = f"_{body}_"
        if "strong" in kinds:
            body = f"*{body}*"
        body = lead + body + trail
    link = next((mark for mark in marks if mark.get("type") == "link"), None)
    if link is not None:
        href = str((link.get("attrs") or {}).get("href", ""))
        return f"[{body}|{href}]" if text != href else f"[{href}]"
    return body


# --- the Markdown doors --------------------------------------------------------------------------------------------


def markdown_to_wiki(markdown: str) -> str:
    return adf_to_wiki(markdown_to_adf(markdown))


def wiki_to_markdown(text: str) -> str:
    return adf_to_markdown(wiki_to_adf(text))


__all__: list[Any] = ["adf_to_wiki", "markdown_to_wiki", "wiki_to_adf", "wiki_to_markdown"]
