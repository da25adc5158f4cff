"""Small display helpers for admin columns."""

from __future__ import annotations

import json
from typing import Any

from django.utils.html import format_html


def product_prefixed_label(obj: Any) -> str:
    return f"{obj.product.key} · {obj}"


def short_hash(value: str) -> str:
    return value[:12] if value else ""


def pretty_json(value: Any) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str))
