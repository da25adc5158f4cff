"""The normal form of an ADF document: Jira re-serialises ADF, so documents are compared in this form."""

from __future__ import annotations

from .base import MARK_ORDER, Node


def _mark_key(mark: Node) -> tuple[int, str]:
    return MARK_ORDER.get(mark.get("type", ""), 9), str(mark.get("attrs", {}).get("href", ""))


def normalize_adf(node: Node) -> Node:
    """One canonical shape: marks deduplicated and sorted, adjacent equal-marked text merged,
    empty text dropped, empty `content`/`attrs` omitted."""
    result: Node = {key: value for key, value in node.items() if key not in {"content", "marks", "attrs"}}
    if node.get("attrs"):
        attrs = {k: v for k, v in node["attrs"].items() if v is not None}
        if attrs:
            result["attrs"] = attrs
    if node.get("marks"):
        unique = {(m.get("type"), str(m.get("attrs", {}).get("href", ""))): m for m in node["marks"]}
        marks = sorted(unique.values(), key=_mark_key)
        result["marks"] = [
            {"type": m["type"], "attrs": {"href": m["attrs"]["href"]}} if m["type"] == "link" else {"type": m["type"]}
            for m in marks
        ]
    children = [normalize_adf(child) for child in node.get("content") or []]
    merged: list[Node] = []
    for child in children:
        if child.get("type") == "text" and not child.get("text"):
            continue
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and child.get("type") == "text"
            and previous.get("type") == "text"
            and previous.get("marks") == child.get("marks")
        ):
            merged[-1] = {**previous, "text": previous["text"] + child["text"]}
        else:
            merged.append(child)
    if merged:
        result["content"] = merged
    elif node.get("type") == "doc":
        result["content"] = []
    return result
