"""Wiki markup → ADF."""

from __future__ import annotations

import re

from ..adf import Node, normalize_adf

_LIST_LINE = re.compile(r"^\s*([*#-]+)\s+(.*)$")
_HEADING = re.compile(r"^\s*h([1-6])\.\s*(.*)$")
_CODE_OPEN = re.compile(r"^\s*\{(code|noformat)(?::([^}]*))?\}(.*)$")
_INLINE = re.compile(
    r"""(?P<escape>\\(?P<escaped>[^\sA-Za-z0-9]))
      | (?P<code>\{\{(?P<code_text>(?:\\.|.)+?)\}\})
      | (?P<link>\[(?:(?P<label>[^\]|]*)\|)?(?P<href>[^\]|]*[^\]|\s][^\]|]*)\])
      | (?P<braced_strong>\{\*\}(?P<braced_strong_text>.+?)\{\*\})
      | (?P<braced_em>\{_\}(?P<braced_em_text>.+?)\{_\})
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
        elif match.group("strong") or match.group("braced_strong"):
            inner = match.group("strong_text") or match.group("braced_strong_text")
            out += _wiki_inline(inner, [*marks, {"type": "strong"}])
        elif match.group("em") or match.group("braced_em"):
            inner = match.group("em_text") or match.group("braced_em_text")
            out += _wiki_inline(inner, [*marks, {"type": "em"}])
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
