"""Generated from the URL patterns: every API route, every method, as a member of another workspace.

Each detail route is called with the id of an object of the demo workspace; the answer
must be 404 and no row anywhere may change. Each list route must not contain a single
row of the demo workspace. A new route is covered the day it is added; a route whose
object cannot be derived from its viewset fails here until it is described below.
"""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from jira_sync.tests.factories import jira_rows
from workspaces.models import Workspace
from workspaces.services import api_token_create

from .tenancy import add_api_only_rows, database_fingerprint, route_to_url, url_routes

API_PREFIX = "api/v1/"
# Routes that are not about workspace data at all.
PUBLIC_ROUTES = {"schema/", "docs/", "redoc/"}
# Routes of the caller's own rows (tokens, notifications): another user's ids answer 404 too,
# which the per-resource tests prove; here they are checked like the others when they name a model.
METHODS = ("get", "put", "patch", "delete", "post")


def api_routes() -> list[tuple[str, Any]]:
    """(route pattern, callback) for every URL under /api/v1/."""
    return [(route, pattern.callback) for route, pattern in url_routes() if route.startswith(API_PREFIX)]


def orm_path(workspace_path: str) -> str:
    return workspace_path.replace(".", "__")


def model_of(viewset: type) -> Any:
    serializer = getattr(viewset, "serializer_class", None)
    meta = getattr(serializer, "Meta", None)
    return getattr(meta, "model", None)


@pytest.fixture
def demo_workspace(db) -> Workspace:
    call_command("seed_demo", stdout=StringIO())
    workspace = Workspace.objects.get(slug="acme-corp")
    add_api_only_rows(workspace)
    # A Jira connection with a mapping, a linked story, a run with an item error and an open conflict.
    jira_rows(workspace, workspace.products.order_by("pk").first())
    return workspace


@pytest.fixture
def outsider_client(outsider, other_product) -> APIClient:
    _, plain = api_token_create(user=outsider, name="tenancy walk")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def test_every_api_route_hides_other_workspaces(demo_workspace, outsider_client):
    routes = api_routes()
    assert any("stories" in route for route, _ in routes), "the walk found no API routes"
    before = database_fingerprint()
    undescribed, leaks = [], []
    checked = 0

    for route, callback in routes:
        tail = route.removeprefix(API_PREFIX)
        if tail in PUBLIC_ROUTES or not hasattr(callback, "cls"):
            continue
        viewset, actions = callback.cls, callback.actions
        model = model_of(viewset)
        workspace_path = getattr(viewset, "workspace_path", None)
        kwargs_names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if model is None or workspace_path is None:
            undescribed.append(route)
            continue
        demo_rows = model._default_manager.filter(**{orm_path(workspace_path): demo_workspace.pk})

        if not kwargs_names:
            if "get" in actions:
                response = outsider_client.get(route_to_url(route, {}), {"page_size": 100})
                checked += 1
                if response.status_code == 200:
                    body = response.json()
                    rows = body.get("results", body) if isinstance(body, dict) else body
                    demo_ids = set(demo_rows.values_list("pk", flat=True))
                    if any(isinstance(row, dict) and row.get("id") in demo_ids for row in rows):
                        leaks.append(f"GET {route} lists demo rows")
            continue

        if kwargs_names != ["pk"]:
            undescribed.append(route)
            continue
        target = demo_rows.order_by("pk").first()
        if target is None:
            undescribed.append(f"{route} (no {model.__name__} in the demo)")
            continue
        url = route_to_url(route, {"pk": target.pk})
        for method in METHODS:
            if method not in actions:
                continue
            response = getattr(outsider_client, method)(url, {}, format="json")
            checked += 1
            if response.status_code != 404:
                leaks.append(f"{method.upper()} {url} answered {response.status_code}")

    assert leaks == []
    assert undescribed == [], "describe how to reach these routes' objects in this test"
    assert checked > 0
    assert database_fingerprint() == before
