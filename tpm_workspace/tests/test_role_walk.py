"""Generated from the URL patterns: every browser and API route as a member of the demo workspace, per role.

The cross-workspace walks (test_ui_tenancy.py, test_api_tenancy.py, test_admin_pages.py) prove that
an outsider sees nothing; this walk proves what each role of the workspace itself may do:

- every role GETs every browser route and every API list and detail route with the demo's ids: never a
  500, never a 403 except on the reads that are role-gated (READ_GATED, each with its reason);
- a read-only member (viewer, leadership) is refused every unsafe method — POST on the browser routes,
  POST/PUT/PATCH/DELETE on the API — with 403 (or 405/404 where the method or the row does not exist
  for them), and no row anywhere changes. The routes a read-only member is meant to use (their
  comments, notifications, tokens, sign-off answers) are in READ_ONLY_MAY_POST with their reason; for
  those the walk asserts that no table outside the listed ones changed.

The unsafe walk runs for the read-only roles only (contributor, editor and admin are meant to write and
are walked with GET). A new route is walked the day it is added. One browser and one API test per role,
each one demo seed: about 70 s for the ten on one worker.

What it does not prove: the rows a read-only member owns (their notifications, tokens) are not seeded,
so their own-row routes answer 404 here; READ_ONLY_MAY_POST bounds changes per table, not per row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.http import HttpResponse
from django.test import Client
from rest_framework.test import APIClient

from jira_sync.models import JiraConnection
from jira_sync.testing.stand_in import StandInJira
from jira_sync.tests.ui.factories import demo_jira
from workspaces.models import Membership, Product, Role, Workspace
from workspaces.services import api_token_create
from workspaces.tests.factories import UserFactory

from .tenancy import add_api_only_rows, database_fingerprint, route_to_url, url_routes
from .test_api_tenancy import API_PREFIX, PUBLIC_ROUTES, api_routes, model_of, orm_path
from .test_ui_tenancy import EXCLUDED_PREFIXES, demo_rows_for

READ_ONLY_ROLES = (Role.VIEWER, Role.LEADERSHIP)
UNSAFE_API_METHODS = ("post", "put", "patch", "delete")

# GETs that answer 403 below a role on purpose: route → (lowest role that reads it, why). `None`: the
# row's owner only, whatever the role.
ADMIN_ONLY = "workspace settings: the Jira credentials and webhooks are the workspace admin's"
READ_GATED: dict[str, tuple[str | None, str]] = {
    "w/<int:workspace_id>/jira/": (Role.ADMIN, ADMIN_ONLY),
    "w/<int:workspace_id>/jira/test/": (Role.ADMIN, ADMIN_ONLY),
    "w/<int:workspace_id>/jira/rotate-secret/": (Role.ADMIN, ADMIN_ONLY),
    "p/<int:product_id>/jira/edit/": (Role.ADMIN, ADMIN_ONLY),
    "p/<int:product_id>/jira/disconnect/": (Role.ADMIN, ADMIN_ONLY),
    "p/<int:product_id>/comments/<int:comment_id>/edit/": (None, "only its author edits a comment"),
    "api/v1/^webhooks/$": (Role.ADMIN, ADMIN_ONLY),
    "api/v1/^webhooks/(?P<pk>[^/.]+)/$": (Role.ADMIN, ADMIN_ONLY),
    "api/v1/^webhooks/(?P<pk>[^/.]+)/deliveries/$": (Role.ADMIN, ADMIN_ONLY),
    "api/v1/^jira/connections/$": (Role.ADMIN, ADMIN_ONLY),
    "api/v1/^jira/connections/(?P<pk>[^/.]+)/$": (Role.ADMIN, ADMIN_ONLY),
}

# GETs that need query parameters the walk does not send: a clear 400/422, never a 500.
GET_NEEDS_QUERY: dict[str, str] = {
    "p/<int:product_id>/prds/<int:prd_id>/versions/compare/": "compares the two versions its query string names",
    "api/v1/^prds/(?P<pk>[^/.]+)/versions/diff/$": "compares the two versions its query string names",
    "api/v1/^requirements/coverage/$": "the coverage of the PRD its query string names",
}

# Unsafe requests a read-only member is meant to make: (method, route) → (tables it may change, why).
# They are sent (with FORM_BODY or the API body) and do their work; the walk proves no other table changes.
COMMENTS = frozenset({"activity.Comment", "activity.Comment_mentions", "activity.Notification"})
COMMENTING = (
    COMMENTS,
    "every member comments (workspaces.models.Role: a viewer reads, comments, answers its sign-offs)",
)
SIGNOFF = (
    frozenset({"decisions.SignOff", "decisions.SignOffEvent", "activity.Notification"}),
    "a member answers the sign-offs asked of them (the service checks the approver)",
)
READ_ONLY_MAY_POST: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    ("post", ""): (frozenset(), "the home page answers any method with the page; it writes nothing"),
    ("post", "login/"): (frozenset(), "signing in is anyone's; already signed in, it redirects home"),
    ("post", "notifications/read-all/"): (frozenset({"activity.Notification"}), "marking one's own notifications read"),
    **{
        ("post", f"p/<int:product_id>/comments/{kind}/<int:{kwarg}>/"): COMMENTING
        for kind, kwarg in (
            ("story", "story_id"),
            ("epic", "epic_id"),
            ("feature", "feature_id"),
            ("tech-debt", "techdebt_id"),
            ("roadmap-item", "item_id"),
            ("prd", "prd_id"),
            ("requirement", "requirement_id"),
            ("decision", "decision_id"),
        )
    },
    ("post", "p/<int:product_id>/signoffs/<int:signoff_id>/approve/"): SIGNOFF,
    ("post", "p/<int:product_id>/signoffs/<int:signoff_id>/reject/"): SIGNOFF,
    ("post", "api/v1/^signoffs/(?P<pk>[^/.]+)/approve/$"): SIGNOFF,
    ("post", "api/v1/^signoffs/(?P<pk>[^/.]+)/reject/$"): SIGNOFF,
    ("post", "api/v1/^comments/$"): COMMENTING,
    ("post", "api/v1/^notifications/mark-read/$"): (frozenset({"activity.Notification"}), "one's own notifications"),
    ("post", "api/v1/^tokens/$"): (frozenset({"workspaces.ApiToken"}), "one's own API tokens"),
    ("post", "api/v1/^workspaces/$"): (
        frozenset({"workspaces.Workspace", "workspaces.Membership"}),
        "anyone may found a new workspace (and is its admin)",
    ),
}

# API bodies the read representation cannot give, by route: what a client with the role would send.
API_BODY_FIXES: dict[str, Any] = {
    "api/v1/^members/$": lambda body, ws: {"workspace": ws.pk, "username": "walk-newcomer", "role": Role.VIEWER},
    "api/v1/^tokens/$": lambda body, ws: {"name": "role walk 2"},
    "api/v1/^acceptance-criteria/$": lambda body, ws: {k: v for k, v in body.items() if k != "is_met"},
    "api/v1/^signoffs/(?P<pk>[^/.]+)/reject/$": lambda body, ws: {"comment": "Role walk."},
    "api/v1/^notifications/mark-read/$": lambda body, ws: {"all": True},
    "api/v1/^webhooks/$": lambda body, ws: {
        "workspace": ws.pk,
        "url": "https://hooks.example.com/walk",
        "events": ["story.created"],
    },
    "api/v1/^jira/connections/$": lambda body, ws: {
        "workspace": ws.pk,
        "site_url": "https://walk.atlassian.net",
        "deployment": "cloud",
        "email": "bot@example.com",
        "token": "walk-token",
    },
}

# What a browser POST carries: enough for the forms a read-only member may fill (a comment, a note), so
# that those requests do their work and the walk sees what they change.
FORM_BODY = {"body": "Role walk: a comment.", "note": "Role walk.", "version": ""}

# Not walked with unsafe methods at all, with the reason.
UNSAFE_SKIPPED: dict[str, str] = {
    "logout/": "signing out ends the walk's own session (and deletes its session row)",
}


def browser_routes() -> list[str]:
    return [route for route, _ in url_routes() if not route.startswith(EXCLUDED_PREFIXES)]


@pytest.fixture
def stand_in_jira() -> Iterator[StandInJira]:
    stand_in = StandInJira("cloud").start()
    try:
        yield stand_in
    finally:
        stand_in.stop()


@pytest.fixture
def demo_workspace(db, stand_in_jira) -> Workspace:
    call_command("seed_demo", stdout=StringIO())
    workspace = Workspace.objects.get(slug="acme-corp")
    demo_jira(workspace)  # a Jira connection, mapping, run and conflict: rows for the jira_sync pages
    # An admin's Jira pages ask the site: the stand-in answers at once (the demo's own site would leave the
    # machine and wait for its retries to time out).
    JiraConnection.objects.filter(workspace=workspace).update(site_url=stand_in_jira.url)
    UserFactory(username="walk-newcomer")  # whom a walker tries to add as a member
    add_api_only_rows(workspace)
    return workspace


def demo_product(workspace: Workspace) -> Product:
    return Product.objects.filter(workspace=workspace).annotate(n=Count("story")).order_by("-n", "pk").first()


def walk_browser(role: str, workspace: Workspace, *, unsafe: bool) -> tuple[list[str], dict[str, int]]:
    """GET (and POST when `unsafe`) every browser route as a member with `role`; (problems, status counts)."""
    product = demo_product(workspace)
    user = UserFactory(username=f"walker-{role}")
    Membership.objects.create(user=user, workspace=workspace, role=role)
    client = Client()
    client.force_login(user)
    problems: list[str] = []
    seen: dict[str, int] = {}
    for route in browser_routes():
        values, why = demo_rows_for(route, workspace=workspace, product=product)
        if values is None:
            problems.append(why)
            continue
        url = route_to_url(route, values)
        response = client.get(url)
        seen[f"GET {response.status_code}"] = seen.get(f"GET {response.status_code}", 0) + 1
        problems += judge_get(role, route, url, response.status_code)
        if not unsafe or route in UNSAFE_SKIPPED:
            continue
        problems += judge_unsafe(role, "post", route, url, lambda u=url: client.post(u, FORM_BODY), seen)
    return problems, seen


def walk_api(role: str, workspace: Workspace, *, unsafe: bool) -> tuple[list[str], dict[str, int]]:
    """GET every API list and detail route (and every unsafe method when `unsafe`) as a member with `role`."""
    user = UserFactory(username=f"api-walker-{role}")
    Membership.objects.create(user=user, workspace=workspace, role=role)
    _, plain = api_token_create(user=user, name="role walk")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    problems: list[str] = []
    seen: dict[str, int] = {}
    for route, callback in api_routes():
        if route.removeprefix(API_PREFIX) in PUBLIC_ROUTES or not hasattr(callback, "cls"):
            continue
        viewset, actions = callback.cls, callback.actions
        model, workspace_path = model_of(viewset), getattr(viewset, "workspace_path", None)
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        values: dict[str, Any] = {}
        if names:
            if names != ["pk"] or model is None or workspace_path is None:
                problems.append(f"{route}: describe how to reach its object")
                continue
            row = model._default_manager.filter(**{orm_path(workspace_path): workspace.pk}).order_by("pk").first()
            if row is None:
                problems.append(f"{route}: the demo has no {model.__name__}")
                continue
            values = {"pk": row.pk}
        url = route_to_url(route, values)
        if "get" in actions:
            status = client.get(url).status_code
            seen[f"GET {status}"] = seen.get(f"GET {status}", 0) + 1
            problems += judge_get(role, route, url, status)
        if not unsafe:
            continue
        body = api_body(client, model, workspace_path, workspace)
        if route in API_BODY_FIXES:
            body = API_BODY_FIXES[route](body, workspace)
        for method in UNSAFE_API_METHODS:
            if method in actions:
                problems += judge_unsafe(
                    role, method, route, url, lambda m=method, u=url, b=body: api_send(client, m, u, b), seen
                )
    return problems, seen


def api_body(client: APIClient, model: Any, workspace_path: str | None, workspace: Workspace) -> dict[str, Any]:
    """A body that would pass validation: what GET answers for a demo row of the same kind (a copy of it to
    create, the same fields to update). A refusal must then come from the role, not from a missing field."""
    if model is None or workspace_path is None:
        return {}
    row = model._default_manager.filter(**{orm_path(workspace_path): workspace.pk}).order_by("pk").first()
    detail = next(
        (
            route
            for route, cb in api_routes()
            if getattr(cb, "cls", None) and model_of(cb.cls) is model and cb.actions.get("get") == "retrieve"
        ),
        None,
    )
    if row is None or detail is None:
        return {}
    response = client.get(route_to_url(detail, {"pk": row.pk}))
    if response.status_code != 200:
        return {}
    body = {}
    for name, value in response.json().items():
        if isinstance(value, dict) and "id" in value:
            body[name] = value["id"]  # a nested object is written by its id
        elif not (isinstance(value, list) and value and isinstance(value[0], dict)):
            body[name] = value  # lists of nested objects are left out: a row can be made without them
    return body


def api_send(client: APIClient, method: str, url: str, body: dict[str, Any]) -> Any:
    """Send `body`, without the fields this endpoint reports as unknown (a read representation holds ids,
    timestamps and computed values no input serializer takes): the answer is then about the role."""
    for _ in range(3):
        response = getattr(client, method)(url, body, format="json")
        fields = response.json().get("error", {}).get("fields", {}) if response.status_code == 400 else {}
        unknown = {name.split("[")[0] for name, errors in fields.items() if errors == ["Unknown field."]}
        if not unknown:
            return response
        body = {name: value for name, value in body.items() if name not in unknown}
    return response


def judge_get(role: str, route: str, url: str, status: int) -> list[str]:
    if status in (200, 302, 404, 405):
        return []
    if status in (400, 422) and route in GET_NEEDS_QUERY:
        return []
    gated = READ_GATED.get(route)
    if status == 403 and gated is not None and (gated[0] is None or not Role.at_least(role, gated[0])):
        return []
    return [f"{role}: GET {url} ({route}) answered {status}"]


def judge_unsafe(role: str, method: str, route: str, url: str, send: Any, seen: dict[str, int]) -> list[str]:
    """Send one unsafe request; it must be refused and change nothing, or be allow-listed and stay in bounds."""
    before = database_fingerprint()
    response = send()
    status = response.status_code
    seen[f"{method.upper()} {status}"] = seen.get(f"{method.upper()} {status}", 0) + 1
    after = database_fingerprint()
    changed = {key.rsplit(".", 1)[0] for key in before if before[key] != after.get(key)}
    allowed = READ_ONLY_MAY_POST.get((method, route))
    if status >= 500:
        return [f"{role}: {method.upper()} {url} ({route}) answered {status}"]
    if allowed is not None:
        outside = changed - allowed[0]
        return [f"{role}: {method.upper()} {url} ({route}) changed {sorted(outside)}"] if outside else []
    problems = []
    if status not in (403, 404, 405):
        problems.append(
            f"{role}: {method.upper()} {url} ({route}) answered {status}, not a refusal: {response.content[:300]!r}"
        )
    if changed:
        problems.append(f"{role}: {method.upper()} {url} ({route}) changed {sorted(changed)}")
    return problems


# Parametrized by role: a failure names the role, and each line of its message the method and route.
@pytest.mark.parametrize("role", Role.values)
def test_every_browser_route_as_each_role(role, demo_workspace):
    unsafe = role in READ_ONLY_ROLES
    problems, seen = walk_browser(role, demo_workspace, unsafe=unsafe)
    assert not problems, "\n".join(problems)
    assert seen.get("GET 200", 0) >= 40, seen  # the walk reached the pages, not only 404s and 405s
    if unsafe:
        assert seen.get("POST 403", 0) >= 100, seen


@pytest.mark.parametrize("role", Role.values)
def test_every_api_route_as_each_role(role, demo_workspace):
    unsafe = role in READ_ONLY_ROLES
    problems, seen = walk_api(role, demo_workspace, unsafe=unsafe)
    assert not problems, "\n".join(problems)
    assert seen.get("GET 200", 0) >= 60, seen
    if unsafe:
        assert seen.get("POST 403", 0) + seen.get("PUT 403", 0) + seen.get("DELETE 403", 0) >= 90, seen


def test_the_walk_sees_a_write_that_was_not_refused(db):
    # A request that answers 200 and adds a row: both are reported, with the role and the route.
    problems = judge_unsafe(
        Role.VIEWER,
        "post",
        "p/<int:product_id>/wombats/",
        "/p/1/wombats/",
        lambda: (UserFactory(username="made-by-the-request"), HttpResponse())[1],
        {},
    )
    assert problems[0].startswith("viewer: POST /p/1/wombats/ (p/<int:product_id>/wombats/) answered 200")
    assert "changed ['auth.User']" in problems[1]


def test_a_read_gated_page_is_allowed_below_its_role_only():
    route = "w/<int:workspace_id>/jira/"
    assert judge_get(Role.EDITOR, route, "/w/1/jira/", 403) == []
    assert judge_get(Role.ADMIN, route, "/w/1/jira/", 403) != []
    assert judge_get(Role.VIEWER, "p/<int:product_id>/", "/p/1/", 403) != []
