"""`{% load ui %}`: the template side of core.ui (fields with their errors, nav, pagination links)."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.safestring import SafeString

from core.ui.navigation import NavLink, product_nav
from workspaces.models import Product

register = template.Library()


@register.simple_tag
def field_widget(field: forms.BoundField, **attrs: Any) -> SafeString:
    """The field's widget, tied to its help text and errors (`aria-describedby`, `aria-invalid`).

    Ids: `<auto_id>-help` for the help text, `<auto_id>-error` for the errors (ui/field.html renders both).
    Extra keyword arguments become attributes: `{% field_widget form.title class="wide" %}`.
    """
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-help")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def product_nav_links(context: template.Context, product: Product) -> list[NavLink]:
    request = context.get("request")
    return product_nav(product=product, path=request.path if request else "")


@register.simple_tag(takes_context=True)
def query_replace(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced (None or "" removes one): keeps filters."""
    request = context["request"]
    query = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def percent_of(value: int | float | None, total: int | float | None) -> int:
    """`value` as a whole percentage of `total` (0 when there is no total); may pass 100."""
    if not total:
        return 0
    return round(100 * (value or 0) / total)


@register.filter
def widget_kind(field: forms.BoundField) -> str:
    """ "choices" (radio buttons, several checkboxes: a fieldset), "check" (one checkbox) or "input"."""
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "check"
    return "input"
