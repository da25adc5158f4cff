"""`{% load markdown %}` then `{{ prd_section.body|markdown }}`: sanitized HTML (core.markdown)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    return render_markdown(text or "")
