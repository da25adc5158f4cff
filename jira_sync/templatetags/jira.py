"""`{% load jira %}{% jira_state item %}`: an epic's, feature's or story's Jira sync state (one query)."""

from __future__ import annotations

from typing import Any

from django import template

from jira_sync.views.selectors import link_of

register = template.Library()


@register.inclusion_tag("jira_sync/_item_state.html", takes_context=True)
def jira_state(context: template.Context, item: Any) -> dict[str, Any]:
    link = link_of(item) if item is not None else None
    return {
        "link": link,
        "jira_url": f"{link.connection.site_url}/browse/{link.jira_key}" if link else "",
        "product": context.get("product"),
    }
