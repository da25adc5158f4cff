"""Jira wiki markup (Data Center, and v2 bodies) ↔ Markdown, through ADF.

Covers what the ADF converter covers: `h1.`…`h6.`, paragraphs, `*strong*`, `_em_`, `{{code}}`,
`[text|url]`, `*` / `#` lists (nested as `**`, `*#`), `{code:lang}` and `{noformat}`, `{quote}` /
`bq.`, `----` and line breaks, and the braced `{*}strong{*}` / `{_}em{_}` that Jira uses for
emphasis inside a word (the writer takes it wherever the plain form would not read back). Other
markup (tables, colours, panels, images, `-strike-`, `+underline+`) degrades to its text.
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


# --- ADF → wiki ------------------------------------------------------------------------------------------------

_WIKI_SPECIAL = re.compile(r"([*_{}\[\]|!^~+])")  # a backslash is written as &#92;: `\\\\` is a line break
# What the reader would take for a list marker, heading or quote at a line start (_LIST_LINE: markers then
# spaces on the same line; a newline right after "*#*" leaves it bold text), escaped on the way out.
_WIKI_LINE_START = re.compile(r"^([ \t]*)([#*-]+(?=[ \t])|h[1-6]\.|bq\.)", re.MULTILINE)
# A dash that could open or close a -strike-; a piece's ends count as anything, its neighbours are unknown here.
_WIKI_DASH = re.compile(r"(?<![\w\\])-(?!\s)|(?<!\s)-(?!\w)")


def adf_to_wiki(doc: Node | None) -> str:
    if not doc:
        return ""
    # A block of nothing but spaces and breaks (a paragraph left by a dropped {color} tag) would be blank
    # lines, which the reader takes for a paragraph break: leave it out.
    return "\n\n".join(block for block in (_wiki_block(n) for n in doc.get("content") or []) if block.strip())


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
        inner = "\n\n".join(b for b in (_wiki_block(child) for child in content) if b.strip())
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
    lines: list[list[_Item]] = [[]]  # a hard break ends a line, and every mark with it: the reader reads by line
    for node in nodes:
        kind = node.get("type")
        if kind == "hardBreak":
            lines.append([])
        elif kind == "text":
            if text := node.get("text", ""):
                marks = node.get("marks") or []
                code = any(mark.get("type") == "code" for mark in marks)
                lines[-1].append(("code" if code else "text", text, _keys(marks)))
        else:
            plain = markdown_to_plain(
                adf_to_markdown({"type": "doc", "content": [{"type": "paragraph", "content": [node]}]})
            )
            lines[-1].append(("raw", _wiki_escape(plain), frozenset()))
    out = ""
    for number, items in enumerate(lines):
        line = _wiki_line(_spaces_outside(items), line_start=line_start)
        if number:
            # A blank line would end the paragraph: next to one, the break takes Jira's other form, \\.
            out += "\\\\" if not line.strip() or not out.strip() else "\n"
        out += line
    return out


# An inline piece: ("text", text, marks) | ("code", text, marks) | ("raw", wiki markup, no marks); a mark is
# ("strong", ""), ("em", "") or ("link", href). Code is not a mark here: {{…}} wraps one piece.
_Key = tuple[str, str]
_Item = tuple[str, str, frozenset[_Key]]
_RANK = {"link": 0, "strong": 1, "em": 2}
_DELIMITER = {"strong": "*", "em": "_"}
# What the reader takes between plain delimiters (_INLINE): no space at either end, no bare delimiter inside.
_PLAIN_BODY = {
    "*": re.compile(r"(?:\\.|[^\s*\\])(?:(?:\\.|[^*\\])*(?:\\.|[^\s*\\]))?"),
    "_": re.compile(r"(?:\\.|[^\s_\\])(?:(?:\\.|[^_\\])*(?:\\.|[^\s_\\]))?"),
}


def _keys(marks: list[Node]) -> frozenset[_Key]:
    keys = set()
    for mark in marks:
        kind = mark.get("type")
        if kind in _DELIMITER:
            keys.add((kind, ""))
        elif kind == "link":
            keys.add(("link", str((mark.get("attrs") or {}).get("href", ""))))
    return frozenset(keys)


def _merged(items: list[_Item]) -> list[_Item]:
    out: list[_Item] = []
    for item in items:
        if out and item[0] == out[-1][0] == "text" and item[2] == out[-1][2]:
            out[-1] = ("text", out[-1][1] + item[1], item[2])
        else:
            out.append(item)
    return out


def _spaces_outside(items: list[_Item]) -> list[_Item]:
    """Emphasis cannot open before a space nor close after one: a space at the edge of a strong or em
    run keeps only the marks its neighbour shares (links keep theirs: a label may hold spaces)."""
    items = _merged(items)
    out: list[_Item] = []
    for index, (kind, text, keys) in enumerate(items):
        emphasis = {key for key in keys if key[0] in _DELIMITER}
        core = text.strip()
        if kind != "text" or not emphasis or core == text:
            out.append((kind, text, keys))
            continue
        before = items[index - 1][2] if index else frozenset()
        after = items[index + 1][2] if index + 1 < len(items) else frozenset()
        if not core:
            out.append((kind, text, keys - (emphasis - (before & after))))
            continue
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
        out += [
            ("text", lead, keys - (emphasis - before)),
            ("text", core, keys),
            ("text", trail, keys - (emphasis - after)),
        ]
    return _merged([item for item in out if item[1]])


def _wiki_line(items: list[_Item], *, line_start: bool) -> str:
    line = _wiki_spans(items, frozenset())
    if not line_start:
        return line
    if _WIKI_LINE_START.match(line) and line.lstrip(" \t").startswith("*"):
        # A strong opening the line would read as a list marker ("*#* x", "*- x*"): text asterisks are always
        # escaped, so that "*" is a delimiter, and the braced form {*} is one the list reader leaves alone.
        line = _wiki_spans(items, frozenset(), braced_at_start=True)
    return _WIKI_LINE_START.sub(_escape_line_start, line)


def _escape_line_start(match: re.Match[str]) -> str:
    lead, token = match.group(1), match.group(2)
    if token.endswith("."):  # "h1." and "bq.": a backslash before a letter is no escape, one before the dot is
        return f"{lead}{token[:-1]}\\."
    return f"{lead}\\{token}"


def _wiki_spans(items: list[_Item], open_keys: frozenset[_Key], *, braced_at_start: bool = False) -> str:
    """Marks as nested spans, the longest-running mark outermost (so "_a *b*_" stays one em around a
    strong, never "_a_*_b_*", which the reader reads differently)."""
    children: list[tuple[_Key | None, str, list[_Item]]] = []
    index = 0
    while index < len(items):
        pending = items[index][2] - open_keys
        if not pending:
            children.append((None, _wiki_leaf(items[index]), []))
            index += 1
            continue

        def end_of(key: _Key, start: int = index) -> int:
            end = start
            while end < len(items) and key in items[end][2]:
                end += 1
            return end

        key = max(pending, key=lambda k: (end_of(k), -_RANK[k[0]], k[1]))
        end = end_of(key)
        children.append((key, _wiki_spans(items[index:end], open_keys | {key}), items[index:end]))
        index = end
    out = ""
    for number, (key, inner, spanned) in enumerate(children):
        if key is None:
            out += inner
        elif key[0] == "link":
            plain_href = len(spanned) == 1 and spanned[0][0] == "text" and spanned[0][2] == open_keys | {key}
            out += f"[{key[1]}]" if plain_href and spanned[0][1] == key[1] else f"[{inner}|{key[1]}]"
        else:
            delimiter = _DELIMITER[key[0]]
            after = _first_char(children[number + 1]) if number + 1 < len(children) else ""
            plain = (
                not _touches(out[-1:], delimiter, before=True)
                and not _touches(after, delimiter, before=False)
                and _PLAIN_BODY[delimiter].fullmatch(inner) is not None
                and not (braced_at_start and not out.strip(" \t"))
            )
            # Where the plain form would not read back (next to a letter, a digit or its own kind, around a bare
            # delimiter inside a link target), Jira's braced form {*}…{*} / {_}…{_} marks the same text.
            out += f"{delimiter}{inner}{delimiter}" if plain else f"{{{delimiter}}}{inner}{{{delimiter}}}"
    return out


def _first_char(child: tuple[_Key | None, str, list[_Item]]) -> str:
    key, inner, _ = child
    if key is None:
        return inner[:1]
    return "[" if key[0] == "link" else _DELIMITER[key[0]]  # its plain form: a braced one opens with "{"


def _touches(char: str, delimiter: str, *, before: bool) -> bool:
    """Whether a plain delimiter next to this character would not count (the reader's look-arounds)."""
    return char == delimiter or re.fullmatch(r"[\w\\]" if before else r"\w", char) is not None


def _wiki_leaf(item: _Item) -> str:
    kind, text, _ = item
    if kind == "code":
        return "{{" + _WIKI_SPECIAL.sub(r"\\\1", text) + "}}"
    if kind == "raw":
        return text
    return _wiki_escape(text)


def _wiki_escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("\\", "&#92;")
    return _WIKI_DASH.sub(r"\\-", _WIKI_SPECIAL.sub(r"\\\1", text))


# --- the Markdown doors --------------------------------------------------------------------------------------------


def markdown_to_wiki(markdown: str) -> str:
    return adf_to_wiki(markdown_to_adf(markdown))


def wiki_to_markdown(text: str) -> str:
    return adf_to_markdown(wiki_to_adf(text))


__all__: list[Any] = ["adf_to_wiki", "markdown_to_wiki", "wiki_to_adf", "wiki_to_markdown"]
