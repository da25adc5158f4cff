"""Generated from the URL patterns: every browser route with an id, GET and POST, as a member of another workspace.

Each route is called with the ids of rows of the demo workspace (the keyword argument names the
model: `story_id` → backlog.Story, see core.ui.objects.URL_OBJECTS and docs/ui.md). The answer must be
404 — never a 403 that says the row exists — and no row anywhere may change. The same route with the
outsider's own product and the demo's object ids must also answer 404 (an object is looked up within
the product of the URL). Anonymous visitors are sent to sign in. A route whose keyword arguments
cannot be mapped fails here until its kwarg is described: a new page cannot escape the walk.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, ForeignKey, Model
from django.test import Client

from backlog.models import Story
from core.ui.objects import object_for_kwarg
from jira_sync.tests.ui.factories import demo_jira
from workspaces.models import Product, Workspace

from .tenancy import database_fingerprint, route_kwargs, route_to_url, url_routes

# Doors with their own walks (test_api_tenancy.py) or their own permission model: the admin site, and
# Jira's webhook receiver, which no person signs in to (an HMAC signature per connection; its own tests).
EXCLUDED_PREFIXES = ("admin/", "api/", "jira/webhooks/")


def ui_routes() -> list[str]:
    return [route for route, _ in url_routes() if not route.startswith(EXCLUDED_PREFIXES) and route_kwargs(route)]


def demo_rows_for(route: str, *, workspace: Workspace, product: Product) -> tuple[dict[str, Any] | None, str]:
    """Keyword values naming rows of the demo workspace (consistent with each other), or (None, why)."""
    values: dict[str, Any] = {}
    chosen: list[Model] = []
    for name in route_kwargs(route):
        if name == "product_id":
            values[name] = product.pk
            continue
        described = object_for_kwarg(name)
        if described is None:
            return None, f"{route}: no model for the keyword argument {name!r} (add it to core.ui.objects.URL_OBJECTS)"
        model = described.model_class()
        rows = described.rows_in(workspace_id=workspace.pk, product_id=product.pk)
        # Children of the rows already chosen (a version of this PRD, an option of this decision).
        for parent in chosen:
            for field in model._meta.concrete_fields:
                if isinstance(field, ForeignKey) and field.related_model is type(parent):
                    rows = rows.filter(**{field.name: parent})
        row = rows.order_by("pk").first()
        if row is None:
            return None, f"{route}: the demo has no {model.__name__} for {name!r}"
        values[name] = row.pk
        chosen.append(row)
    return values, ""


@pytest.fixture
def demo_workspace(db) -> Workspace:
    call_command("seed_demo", stdout=StringIO())
    workspace = Workspace.objects.get(slug="acme-corp")
    demo_jira(workspace)  # a Jira connection, mapping, run and conflict: rows for the jira_sync pages
    return workspace


def test_every_ui_route_hides_other_workspaces(client, demo_workspace, outsider, other_product):
    # given
    routes = ui_routes()
    assert "p/<int:product_id>/" in routes, "the walk found no product pages"
    demo_product = (
        Product.objects.filter(workspace=demo_workspace).annotate(n=Count("story")).order_by("-n", "pk").first()
    )
    assert Story.objects.filter(product=demo_product).exists()
    anonymous = Client()
    client.force_login(outsider)  # a member of another workspace (an admin there)
    before = database_fingerprint()
    undescribed, leaks, checked = [], [], 0

    for route in routes:
        values, why = demo_rows_for(route, workspace=demo_workspace, product=demo_product)
        if values is None:
            undescribed.append(why)
            continue
        urls = [route_to_url(route, values)]
        if "product_id" in values and len(values) > 1:
            # The outsider's own product with the demo's objects: still nothing.
            urls.append(route_to_url(route, {**values, "product_id": other_product.pk}))

        # when: anonymous
        response = anonymous.get(urls[0])
        checked += 1
        if response.status_code != 302 or not response["Location"].startswith("/login/"):
            leaks.append(f"anonymous GET {urls[0]} answered {response.status_code}, not a redirect to sign in")

        # when: the outsider
        for url in urls:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                checked += 1
                if response.status_code != 404:
                    leaks.append(f"{method.upper()} {url} answered {response.status_code}")
            response = client.post(url, HTTP_HX_REQUEST="true")
            checked += 1
            if response.status_code != 404:
                leaks.append(f"htmx POST {url} answered {response.status_code}")

    # then
    assert undescribed == [], "describe these routes' keyword arguments (docs/ui.md, tenancy walk)"
    assert leaks == []
    assert checked >= 4
    assert database_fingerprint() == before


def test_a_keyword_argument_names_its_model_by_convention():
    assert object_for_kwarg("story_id").model == "backlog.Story"
    assert object_for_kwarg("from_version_id").model == "decisions.PRDVersion"
    assert object_for_kwarg("item_id").model == "roadmap.RoadmapItem"
    assert object_for_kwarg("wombat_id") is None


def test_an_unmapped_keyword_argument_fails_the_walk(demo_workspace):
    product = Product.objects.filter(workspace=demo_workspace).first()
    values, why = demo_rows_for(
        "p/<int:product_id>/wombats/<int:wombat_id>/", workspace=demo_workspace, product=product
    )
    assert values is None
    assert "wombat_id" in why


def test_children_are_chosen_under_their_parent(demo_workspace):
    product = Product.objects.filter(workspace=demo_workspace, prds__versions__isnull=False).first()
    values, _ = demo_rows_for(
        "p/<int:product_id>/prds/<int:prd_id>/versions/<int:version_id>/", workspace=demo_workspace, product=product
    )
    from decisions.models import PRDVersion

    assert PRDVersion.objects.get(pk=values["version_id"]).prd_id == values["prd_id"]
