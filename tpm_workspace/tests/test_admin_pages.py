"""The admin site, generated from admin.site._registry with one service-made row of every model per workspace.

- a superuser opens every changelist, add and change page (status and key content);
- the leadership role opens every scoped changelist and change page read-only, no add page, and its POSTs
  change nothing; it never sees another workspace;
- a staff user of workspace A (every permission of our apps) never sees or opens workspace B's rows: not in
  a changelist, not by a change, history or delete URL, not through the autocomplete endpoint.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import models
from django.test import Client, RequestFactory
from django.utils.html import escape
from django.utils.text import capfirst

from jira_sync.tests.factories import TOKEN
from tpm_workspace.tests.admin_rows import populate
from tpm_workspace.tests.tenancy import database_fingerprint
from workspaces.admin_scoping import WorkspaceScopedAdmin, WorkspaceScopedHistoryAdmin
from workspaces.models import Role
from workspaces.tests.factories import MembershipFactory, ProductFactory, UserFactory, WorkspaceFactory

REGISTRY: list[tuple[type[models.Model], admin.ModelAdmin]] = list(admin.site._registry.items())
SCOPED = [(model, model_admin) for model, model_admin in REGISTRY if isinstance(model_admin, WorkspaceScopedAdmin)]
UNSCOPED = [(model, model_admin) for model, model_admin in REGISTRY if (model, model_admin) not in SCOPED]
OUR_APPS = sorted({model._meta.app_label for model, _ in SCOPED})
SELECTED = re.compile(r'name="_selected_action" value="(\d+)"')
ACTION_OPTION = re.compile(r'<option value="(\w+)">')


def label(model: type[models.Model]) -> str:
    return model._meta.label


def url(model: type[models.Model], suffix: str = "") -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/{suffix}"


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed_ids(response) -> set[int]:
    return {int(pk) for pk in SELECTED.findall(response.content.decode())}


@pytest.fixture
def world(db) -> dict[str, Any]:
    """Workspaces A (Acme) and B (Globex), each with an admin, a leadership member and one row of every model."""
    people = {}
    rows = {}
    for tag, name in (("a", "Acme"), ("b", "Globex")):
        workspace = WorkspaceFactory(name=name, slug=name.lower())
        owner = MembershipFactory(workspace=workspace, role=Role.ADMIN, user=UserFactory(username=f"owner-{tag}")).user
        leader = MembershipFactory(
            workspace=workspace, role=Role.LEADERSHIP, user=UserFactory(username=f"leader-{tag}")
        ).user
        product = ProductFactory(workspace=workspace, name=f"{name} Payments", key=f"{tag.upper()}PAY")
        rows[tag] = populate(workspace=workspace, product=product, owner=owner, approver=leader, tag=tag)
        people[tag] = {"owner": owner, "leader": leader}
    return {"rows": rows, "people": people}


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_every_model_the_admin_shows_has_a_row_in_the_fixture(world):
    # The generated walks below are only as good as this: a newly registered model needs a row in populate().
    missing = [label(model) for model, _ in SCOPED if model not in world["rows"]["a"]]
    assert missing == []
    assert len(SCOPED) >= 40


# --- superuser ---------------------------------------------------------------------------------------


def test_a_superuser_opens_every_changelist_add_and_change_page(world, superuser):
    client = login(superuser)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    rows = {**world["rows"]["a"], get_user_model(): superuser}
    for model, model_admin in REGISTRY:
        # changelist: the model's name and the row (its str is the checkbox's label)
        response = client.get(url(model))
        assert response.status_code == 200, label(model)
        html = response.content.decode()
        assert escape(str(capfirst(model._meta.verbose_name_plural))) in html, label(model)
        row = rows.get(model)
        if row is not None:
            assert escape(str(row)) in html, label(model)
            # change page
            response = client.get(url(model, f"{row.pk}/change/"))
            assert response.status_code == 200, label(model)
            assert escape(str(row)) in response.content.decode(), label(model)
        # add page: shown where the admin adds (through a service), refused where rows only come from services
        response = client.get(url(model, "add/"))
        expected = 200 if model_admin.has_add_permission(request) else 403
        assert response.status_code == expected, label(model)


def test_history_pages_render_and_the_audit_page_links_from_prds_and_decisions(world, superuser):
    client = login(superuser)
    for model, model_admin in SCOPED:
        row = world["rows"]["a"][model]
        response = client.get(url(model, f"{row.pk}/history/"))
        assert response.status_code == 200, label(model)
        if isinstance(model_admin, WorkspaceScopedHistoryAdmin):
            # django-simple-history's page, with our list of versions: the recorded changes, and no
            # inline style, which the CSP would block
            assert "simple_history" in " ".join(t.name for t in response.templates if t.name), label(model)
            page = response.content.decode()
            assert '<table id="change-history">' in page and "Created" in page, label(model)
            assert " style=" not in page, label(model)
    for key in ("PRD", "DecisionRecord"):
        model = next(m for m in world["rows"]["a"] if m.__name__ == key)
        row = world["rows"]["a"][model]
        page = client.get(url(model, f"{row.pk}/change/")).content.decode()
        assert f'href="{url(model, f"{row.pk}/signoff-audit/")}"' in page


# --- leadership ------------------------------------------------------------------------------------


def test_leadership_enters_without_is_staff_and_reads_every_scoped_model(world):
    leader = world["people"]["a"]["leader"]
    assert not leader.is_staff and not leader.user_permissions.exists()
    client = login(leader)
    index = client.get("/admin/")
    assert index.status_code == 200
    # the front page (the portfolio dashboard) covers the workspace they lead, not the other one
    assert "Acme Payments" in index.content.decode() and "Globex Payments" not in index.content.decode()
    for model, _ in SCOPED:
        mine, theirs = world["rows"]["a"][model], world["rows"]["b"][model]
        # changelist: their own workspace's row, never the other's
        response = client.get(url(model))
        assert response.status_code == 200, label(model)
        assert escape(str(capfirst(model._meta.verbose_name_plural))) in response.content.decode()
        ids = listed_ids(response)
        assert mine.pk in ids and theirs.pk not in ids, label(model)
        # the only actions offered: the export, and answering one's own sign-offs
        offered = set(ACTION_OPTION.findall(response.content.decode()))
        assert offered <= {"export_csv", "approve_mine"} and "export_csv" in offered, (label(model), offered)
        # history pages are readable too
        assert client.get(url(model, f"{mine.pk}/history/")).status_code == 200, label(model)
        # change page: the row, read-only (no Save button)
        response = client.get(url(model, f"{mine.pk}/change/"))
        assert response.status_code == 200, label(model)
        html = response.content.decode()
        assert escape(str(mine)) in html, label(model)
        assert 'name="_save"' not in html and 'name="_continue"' not in html, label(model)
        assert TOKEN not in html, label(model)  # the Jira token is write-only for everyone
        # add page refused
        assert client.get(url(model, "add/")).status_code == 403, label(model)
    for model, _ in UNSCOPED:
        # People and groups are Django's, for superusers and whoever was given their permissions.
        assert client.get(url(model)).status_code == 403, label(model)


def test_a_staff_leader_without_permissions_reads_only_the_workspace_they_lead(world):
    # given A's leader is also staff and an editor of B, with no Django permission
    leader = world["people"]["a"]["leader"]
    leader.is_staff = True
    leader.save(update_fields=["is_staff"])
    workspace_b = world["rows"]["b"][next(m for m in world["rows"]["b"] if m.__name__ == "Workspace")]
    MembershipFactory(workspace=workspace_b, role=Role.EDITOR, user=leader)
    client = login(leader)
    for model, _ in SCOPED:
        mine, theirs = world["rows"]["a"][model], world["rows"]["b"][model]
        # then B's rows are neither listed nor opened: the leadership role reads A only
        ids = listed_ids(client.get(url(model)))
        assert mine.pk in ids and theirs.pk not in ids, label(model)
        assert client.get(url(model, f"{theirs.pk}/change/")).status_code in (302, 403), label(model)


def test_leadership_posts_change_nothing(world):
    leader = world["people"]["a"]["leader"]
    client = login(leader)
    before = database_fingerprint()
    for model, _ in SCOPED:
        row = world["rows"]["a"][model]
        change = client.post(url(model, f"{row.pk}/change/"), {"title": "Hijacked", "name": "Hijacked"})
        assert change.status_code == 403, label(model)
        add = client.post(url(model, "add/"), {"title": "New", "name": "New"})
        assert add.status_code == 403, label(model)
        delete = client.post(url(model, f"{row.pk}/delete/"), {"post": "yes"})
        assert delete.status_code == 403, label(model)
        bulk = client.post(url(model), {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
        # No delete action is offered: the changelist answers "no action selected" and deletes nothing.
        assert bulk.status_code in (200, 302), label(model)
    assert database_fingerprint() == before


def test_a_demoted_leader_is_shown_the_door(world):
    leader = world["people"]["a"]["leader"]
    client = login(leader)
    assert client.get("/admin/").status_code == 200
    # when the role is taken away
    from workspaces.models import Membership

    Membership.objects.filter(user=leader).update(role=Role.VIEWER)
    # then the admin sends them to its login page
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_leadership_logs_in_on_the_admin_login_page_and_a_plain_viewer_does_not(world):
    from workspaces.tests.factories import PASSWORD

    workspace = world["rows"]["a"][next(m for m in world["rows"]["a"] if m.__name__ == "Workspace")]
    viewer = MembershipFactory(workspace=workspace, role=Role.VIEWER, user=UserFactory(username="vic")).user
    leader = world["people"]["a"]["leader"]
    ok = Client().post("/admin/login/?next=/admin/", {"username": leader.username, "password": PASSWORD})
    assert ok.status_code == 302 and ok["Location"] == "/admin/"
    refused = Client().post("/admin/login/?next=/admin/", {"username": viewer.username, "password": PASSWORD})
    assert refused.status_code == 200
    assert "staff account" in refused.content.decode()


# --- tenancy for a staff user ------------------------------------------------------------------------


@pytest.fixture
def staff_a(world):
    """Workspace A's admin as a staff user holding every permission of our apps."""
    owner = world["people"]["a"]["owner"]
    owner.is_staff = True
    owner.save(update_fields=["is_staff"])
    owner.user_permissions.set(Permission.objects.filter(content_type__app_label__in=OUR_APPS))
    return login(owner)


def test_a_staff_user_of_one_workspace_never_sees_or_opens_anothers_rows(world, staff_a):
    for model, _ in SCOPED:
        mine, theirs = world["rows"]["a"][model], world["rows"]["b"][model]
        ids = listed_ids(staff_a.get(url(model)))
        assert mine.pk in ids and theirs.pk not in ids, label(model)
        searched = listed_ids(staff_a.get(url(model), {"q": str(theirs)[:20]}))
        assert theirs.pk not in searched, label(model)
        for suffix in ("change/", "delete/", "history/"):
            response = staff_a.get(url(model, f"{theirs.pk}/{suffix}"))
            # Django sends an unknown id back to the index ("doesn’t exist") or refuses it (403); history: 404.
            assert response.status_code in (302, 403, 404), (label(model), suffix)
            if response.status_code == 302:
                assert response["Location"] == "/admin/", (label(model), suffix)
            assert escape(str(theirs)) not in response.content.decode(), (label(model), suffix)
        # and the refused delete deleted nothing
        assert model._default_manager.filter(pk=theirs.pk).exists(), label(model)


def autocomplete_relations() -> list[tuple[type[models.Model], str, type[models.Model]]]:
    """(source model, field name, target model) for every autocomplete field whose target admin is scoped."""
    found = []
    for model, model_admin in SCOPED:
        for name in model_admin.autocomplete_fields:
            target = model._meta.get_field(name).remote_field.model
            if isinstance(admin.site._registry.get(target), WorkspaceScopedAdmin):
                found.append((model, name, target))
    return found


def test_the_autocomplete_endpoint_returns_only_the_users_workspaces_rows(world, staff_a):
    relations = autocomplete_relations()
    assert len(relations) >= 15
    for source, field, target in relations:
        mine, theirs = world["rows"]["a"][target], world["rows"]["b"][target]
        response = staff_a.get(
            "/admin/autocomplete/",
            {"app_label": source._meta.app_label, "model_name": source._meta.model_name, "field_name": field},
        )
        assert response.status_code == 200, (label(source), field)
        ids = {int(result["id"]) for result in response.json()["results"]}
        assert mine.pk in ids and theirs.pk not in ids, (label(source), field)


def test_leadership_autocomplete_is_scoped_too(world):
    client = login(world["people"]["a"]["leader"])
    for source, field, target in autocomplete_relations():
        theirs = world["rows"]["b"][target]
        response = client.get(
            "/admin/autocomplete/",
            {"app_label": source._meta.app_label, "model_name": source._meta.model_name, "field_name": field},
        )
        assert response.status_code in (200, 403), (label(source), field)
        if response.status_code == 200:
            assert theirs.pk not in {int(result["id"]) for result in response.json()["results"]}


# --- bounded lists -----------------------------------------------------------------------------------


def test_every_changelist_runs_the_same_number_of_queries_for_twice_the_rows(world, staff_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts() -> dict[str, int]:
        found = {}
        for model, _ in SCOPED:
            with CaptureQueriesContext(connection) as queries:
                assert staff_a.get(url(model)).status_code == 200
            found[label(model)] = len(queries)
        return found

    # given workspace A's rows, counted
    before = counts()
    # when the same user gets a second workspace with a row of every model
    owner = world["people"]["a"]["owner"]
    leader = world["people"]["a"]["leader"]
    workspace = WorkspaceFactory(name="Initech", slug="initech")
    MembershipFactory(workspace=workspace, role=Role.ADMIN, user=owner)
    MembershipFactory(workspace=workspace, role=Role.LEADERSHIP, user=leader)
    product = ProductFactory(workspace=workspace, name="Initech Payments", key="CPAY")
    populate(workspace=workspace, product=product, owner=owner, approver=leader, tag="c")
    # then every list shows more rows with the same queries
    assert counts() == before
