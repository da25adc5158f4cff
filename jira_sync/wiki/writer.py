"""ADF → wiki markup: each piece written so that the reader takes it back as the same document."""

from __future__ import annotations

import re

from ..adf import Node, adf_to_markdown
from ..adf.to_markdown import without_breaks

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
        return f"h{max(1, min(level, 6))}. {_wiki_inline_out(without_breaks(content), line_start=False)}"
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
