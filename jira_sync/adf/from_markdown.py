"""Markdown → ADF."""

from __future__ import annotations

from markdown_it.tree import SyntaxTreeNode

from .base import MARKDOWN, Node
from .normal import normalize_adf


def markdown_to_adf(markdown: str) -> Node:
    tree = SyntaxTreeNode(MARKDOWN.parse(markdown or ""))
    return normalize_adf({"type": "doc", "version": 1, "content": _blocks(tree.children)})


def _blocks(nodes: list[SyntaxTreeNode]) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        block = _block(node)
        if block is not None:
            out.append(block)
    return out


def _block(node: SyntaxTreeNode) -> Node | None:
    kind = node.type
    if kind == "paragraph":
        return {"type": "paragraph", "content": _inline_of(node)}
    if kind == "heading":
        return {"type": "heading", "attrs": {"level": int(node.tag[1])}, "content": _inline_of(node)}
    if kind == "bullet_list":
        return {"type": "bulletList", "content": [_list_item(item) for item in node.children]}
    if kind == "ordered_list":
        start = int(node.attrs.get("start", 1) or 1)
        ordered: Node = {"type": "orderedList", "content": [_list_item(item) for item in node.children]}
        if start != 1:
            ordered["attrs"] = {"order": start}
        return ordered
    if kind in {"fence", "code_block"}:
        code: Node = {"type": "codeBlock"}
        language = (node.info or "").strip().split(" ")[0] if kind == "fence" else ""
        if language:
            code["attrs"] = {"language": language}
        text = node.content[:-1] if node.content.endswith("\n") else node.content
        if text:
            code["content"] = [{"type": "text", "text": text}]
        return code
    if kind == "blockquote":
        return {"type": "blockquote", "content": _blocks(node.children) or [{"type": "paragraph"}]}
    if kind == "hr":
        return {"type": "rule"}
    return None


def _list_item(node: SyntaxTreeNode) -> Node:
    content = _blocks(node.children)
    if not content or content[0]["type"] != "paragraph":
        content.insert(0, {"type": "paragraph"})  # ADF wants a list item to open with a paragraph
    return {"type": "listItem", "content": content}


def _inline_of(node: SyntaxTreeNode) -> list[Node]:
    inline = node.children[0] if node.children else None
    return _inline(inline.children, []) if inline is not None else []


def _inline(nodes: list[SyntaxTreeNode], marks: list[Node]) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        kind = node.type
        if kind == "text":
            out.append(_text(node.content, marks))
        elif kind == "softbreak":
            out.append(_text(" ", marks))
        elif kind == "hardbreak":
            out.append({"type": "hardBreak"})
        elif kind == "code_inline":
            out.append(_text(node.content, [*marks, {"type": "code"}]))
        elif kind == "em":
            out += _inline(node.children, [*marks, {"type": "em"}])
        elif kind == "strong":
            out += _inline(node.children, [*marks, {"type": "strong"}])
        elif kind == "link":
            href = str(node.attrs.get("href", ""))
            out += _inline(node.children, [*marks, {"type": "link", "attrs": {"href": href}}])
        elif kind == "image":
            alt = "".join(child.content for child in node.children) or str(node.attrs.get("src", ""))
            out.append(_text(alt, [*marks, {"type": "link", "attrs": {"href": str(node.attrs.get("src", ""))}}]))
        else:
            out += _inline(node.children, marks) if node.children else [_text(node.content, marks)]
    return out


def _text(text: str, marks: list[Node]) -> Node:
    node: Node = {"type": "text", "text": text}
    if marks:
        node["marks"] = marks
    return node
