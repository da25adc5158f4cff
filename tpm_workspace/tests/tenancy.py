"""Shared by the generated tenancy walks (test_api_tenancy.py, test_ui_tenancy.py).

- `url_routes()`: every URL pattern as (route string, pattern), includes flattened;
- `route_to_url()`: a concrete URL from a route and keyword values;
- `database_fingerprint()`: row counts and latest changes, to prove a refused request changed nothing;
- `add_api_only_rows()`: the rows the demo does not make but the API serves (a token, a webhook);
- which model a browser URL's keyword argument names: `core.ui.objects.object_for_kwarg` (docs/ui.md).
"""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.db.models import Max
from django.urls import URLPattern, URLResolver, get_resolver

from webhooks.services import endpoint_create
from workspaces.models import Workspace
from workspaces.services import api_token_create


def url_routes() -> list[tuple[str, URLPattern]]:
    """(route, pattern) for every URL the project serves, with the prefixes of its includes."""
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append((prefix + str(pattern.pattern), pattern))

    walk(get_resolver().url_patterns, "")
    return found


def route_kwargs(route: str) -> list[str]:
    """The keyword arguments of a path() or re_path() route, in order."""
    return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)]


def route_to_url(route: str, kwargs: dict[str, Any]) -> str:
    """A concrete URL from a path() or regex route and its keyword values."""
    url = "/" + route.replace("^", "").replace("$", "")
    for name, value in kwargs.items():
        url = re.sub(rf"\(\?P<{name}>[^)]*\)|<(?:\w+:)?{name}>", str(value), url)
    return url


def database_fingerprint() -> dict[str, Any]:
    """Row counts of every table and the latest change of every model that records one."""
    fingerprint: dict[str, Any] = {}
    for model in apps.get_models(include_auto_created=True):
        manager = model._default_manager
        fingerprint[f"{model._meta.label}.count"] = manager.count()
        field_names = {field.name for field in model._meta.concrete_fields}
        if "updated_at" in field_names:
            fingerprint[f"{model._meta.label}.updated"] = manager.aggregate(last=Max("updated_at"))["last"]
    return fingerprint


def add_api_only_rows(workspace: Workspace) -> None:
    """Rows the demo does not make but the API serves: a member's personal token and a webhook."""
    member = workspace.memberships.order_by("pk").first().user
    api_token_create(user=member, name="demo integration")
    endpoint_create(
        workspace=workspace,
        actor=member,
        url="https://hooks.example.com/acme",
        events=["story.created"],
        is_active=False,
    )
