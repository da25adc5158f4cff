"""The admin: every Jira sync page renders for a superuser; a workspace admin manages the connection through
the services (token write-only, webhook secret shown once); other workspaces' rows are never shown or
opened; the token appears in no admin page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client

from backlog.tests.factories import StoryFactory
from jira_sync.models import (
    Conflict,
    IssueLink,
    JiraConnection,
    JiraWebhookEvent,
    ProjectMapping,
    PushIntent,
    StatusMapping,
    SyncItemError,
    SyncRun,
)
from jira_sync.tests.factories import TOKEN, jira_rows
from webhooks import crypto
from workspaces.tests.factories import ProductFactory, UserFactory

MODELS = {
    "jiraconnection": JiraConnection,
    "projectmapping": ProjectMapping,
    "statusmapping": StatusMapping,
    "issuelink": IssueLink,
    "pushintent": PushIntent,
    "jirawebhookevent": JiraWebhookEvent,
    "syncrun": SyncRun,
    "syncitemerror": SyncItemError,
    "conflict": Conflict,
}
ADDABLE = {"jiraconnection"}


def url(name: str, suffix: str = "") -> str:
    return f"/admin/jira_sync/{name}/{suffix}"


def staff_client(user) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="jira_sync"))
    client = Client()
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [message.message for message in get_messages(response.wsgi_request)]


def mapping_fields(mapping: ProjectMapping) -> dict[str, str]:
    """The issue types and field ids as the change form posts them back unchanged."""
    from jira_sync.services.mappings import CHOICE_FIELDS

    return {name: getattr(mapping, name) for name in CHOICE_FIELDS}


@pytest.fixture
def superuser_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def rows(workspace, product):
    rows = jira_rows(workspace, product, StoryFactory(product=product))
    PushIntent.objects.create(connection=rows.connection, story=rows.link.story, fields=["summary"], last_error="no")
    JiraWebhookEvent.objects.create(
        connection=rows.connection,
        identifier="wh-1",
        event="jira:issue_updated",
        issue_id="10042",
        payload={"issue": {"id": "10042"}},
    )
    SyncRun.objects.create(connection=rows.connection, kind=SyncRun.Kind.DRY_RUN, plan={"mappings": []})
    return rows


def every_page(rows) -> list[str]:
    pages = []
    for name, model in MODELS.items():
        pages.append(url(name))
        pages.append(url(name, "?q=ABC"))
        pages.extend(url(name, f"{pk}/change/") for pk in model.objects.values_list("pk", flat=True))
        if name in ADDABLE:
            pages.append(url(name, "add/"))
    return pages


def test_every_page_renders_for_a_superuser_and_never_holds_the_token(superuser_client, rows):
    pages = every_page(rows)
    assert len(pages) > 20
    encrypted = JiraConnection.objects.get().token_encrypted
    for page in pages:
        response = superuser_client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert TOKEN not in html, page
        assert encrypted not in html and rows.connection.webhook_secret_encrypted not in html, page
        assert rows.secret not in html, page
    for name in set(MODELS) - ADDABLE:
        assert superuser_client.get(url(name, "add/")).status_code == 403, name


def test_the_change_pages_show_what_an_operator_needs(superuser_client, rows):
    connection = superuser_client.get(url("jiraconnection", f"{rows.connection.pk}/change/")).content.decode()
    assert f"/jira/webhooks/{rows.connection.webhook_key}/" in connection
    assert 'name="replace_token"' in connection and 'type="password"' in connection
    run = superuser_client.get(url("syncrun", f"{rows.run.pk}/change/")).content.decode()
    assert "Jira said: no." in run and "ABC-43" in run  # the item errors inline
    mapping = superuser_client.get(url("projectmapping", f"{rows.mapping.pk}/change/")).content.decode()
    assert "In Progress" in mapping and 'name="status_mappings-0-workflow_status"' in mapping


def test_a_workspace_admin_connects_and_sees_the_secret_once(admin_user, workspace):
    client = staff_client(admin_user)
    response = client.post(
        url("jiraconnection", "add/"),
        {
            "workspace": workspace.pk,
            "site_url": "https://acme.atlassian.net/",
            "deployment": "cloud",
            "email": "bot@acme.com",
            "conflict_policy": "ask",
            "is_enabled": "on",
            "replace_token": TOKEN,
            "jira_sync-projectmapping-connection-TOTAL_FORMS": "0",
            "jira_sync-projectmapping-connection-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    connection = JiraConnection.objects.get()
    assert connection.site_url == "https://acme.atlassian.net"
    assert crypto.decrypt_secret(connection.token_encrypted) == TOKEN
    secret = connection.webhook_secret()
    assert any(secret in message for message in messages_of(response))
    shown = client.get(url("jiraconnection", f"{connection.pk}/change/")).content.decode()
    assert secret in shown and TOKEN not in shown  # the message, on the next page only
    page = client.get(url("jiraconnection", f"{connection.pk}/change/")).content.decode()
    assert secret not in page and TOKEN not in page


def test_adding_without_a_token_is_refused(admin_user, workspace):
    response = staff_client(admin_user).post(
        url("jiraconnection", "add/"),
        {"workspace": workspace.pk, "site_url": "https://a.example", "deployment": "cloud", "conflict_policy": "ask"},
    )
    assert response.status_code == 200
    assert "Enter the API token" in response.content.decode()
    assert JiraConnection.objects.count() == 0


def _change_data(connection: JiraConnection, **overrides) -> dict:
    return {
        "site_url": connection.site_url,
        "deployment": connection.deployment,
        "email": connection.email,
        "conflict_policy": connection.conflict_policy,
        "is_enabled": "on",
        "replace_token": "",
        "projectmapping_set-TOTAL_FORMS": "0",
        "projectmapping_set-INITIAL_FORMS": "0",
        "mappings-TOTAL_FORMS": "1",
        "mappings-INITIAL_FORMS": "1",
        **overrides,
    }


def test_an_empty_replace_token_keeps_the_token_and_a_new_one_replaces_it(admin_user, rows):
    client = staff_client(admin_user)
    change = url("jiraconnection", f"{rows.connection.pk}/change/")
    kept = client.post(change, _change_data(rows.connection, conflict_policy="jira_wins"))
    assert kept.status_code == 302, kept.content.decode()[:3000]
    rows.connection.refresh_from_db()
    assert rows.connection.conflict_policy == "jira_wins"
    assert crypto.decrypt_secret(rows.connection.token_encrypted) == TOKEN
    client.post(change, _change_data(rows.connection, replace_token="brand-new-token"))
    rows.connection.refresh_from_db()
    assert crypto.decrypt_secret(rows.connection.token_encrypted) == "brand-new-token"
    assert "brand-new-token" not in client.get(change).content.decode()


def test_an_editor_sees_but_cannot_change_the_connection(editor, rows):
    client = staff_client(editor)
    change = url("jiraconnection", f"{rows.connection.pk}/change/")
    assert client.get(change).status_code == 200
    refused = client.post(change, _change_data(rows.connection, site_url="https://evil.example"))
    assert refused.status_code == 403
    rows.connection.refresh_from_db()
    assert rows.connection.site_url == "https://acme.atlassian.net"


def test_directions_and_status_rows_change_through_the_services(superuser_client, rows, product):
    from backlog.models import WorkflowStatus

    statuses = list(WorkflowStatus.objects.filter(product=product).order_by("position", "pk"))
    status_rows = list(StatusMapping.objects.filter(mapping=rows.mapping).order_by("pk"))
    data = {
        **mapping_fields(rows.mapping),
        "directions": '{"summary": "from_jira"}',
        "status_mappings-TOTAL_FORMS": str(len(status_rows)),
        "status_mappings-INITIAL_FORMS": str(len(status_rows)),
        "status_mappings-MIN_NUM_FORMS": "0",
        "status_mappings-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(status_rows):
        data[f"status_mappings-{i}-id"] = row.pk
        data[f"status_mappings-{i}-mapping"] = rows.mapping.pk
        data[f"status_mappings-{i}-workflow_status"] = statuses[-1].pk if i == 0 else row.workflow_status_id
    response = superuser_client.post(url("projectmapping", f"{rows.mapping.pk}/change/"), data)
    assert response.status_code == 302, response.content.decode()[:4000]
    rows.mapping.refresh_from_db()
    assert rows.mapping.directions == {"summary": "from_jira"}
    assert StatusMapping.objects.get(pk=status_rows[0].pk).workflow_status_id == statuses[-1].pk
    bad = superuser_client.post(
        url("projectmapping", f"{rows.mapping.pk}/change/"), {**data, "directions": '{"assignee": "sideways"}'}
    )
    assert bad.status_code == 200 and "is not a direction for assignee" in bad.content.decode()


def test_a_status_of_another_product_cannot_be_chosen(superuser_client, rows, workspace):
    from backlog.models import WorkflowStatus

    other = ProductFactory(workspace=workspace, key="OTH", name="Other")
    foreign = WorkflowStatus.objects.filter(product=other).first()
    row = StatusMapping.objects.filter(mapping=rows.mapping).order_by("pk").first()
    before = row.workflow_status_id
    response = superuser_client.post(
        url("projectmapping", f"{rows.mapping.pk}/change/"),
        {
            **mapping_fields(rows.mapping),
            "directions": "{}",
            "status_mappings-TOTAL_FORMS": "1",
            "status_mappings-INITIAL_FORMS": "1",
            "status_mappings-0-id": row.pk,
            "status_mappings-0-mapping": rows.mapping.pk,
            "status_mappings-0-workflow_status": foreign.pk,
        },
    )
    assert response.status_code == 200  # the choice is not offered: a form error
    row.refresh_from_db()
    assert row.workflow_status_id == before


def test_an_editor_resolves_conflicts_with_an_action(editor, rows, django_capture_on_commit_callbacks):
    client = staff_client(editor)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url("conflict"), {"action": "keep_jira", "_selected_action": [rows.conflict.pk]})
    assert response.status_code == 302
    assert messages_of(response) == ["Resolved 1 conflict(s)."]
    rows.conflict.refresh_from_db()
    assert (rows.conflict.status, rows.conflict.resolution, rows.conflict.resolved_by) == ("resolved", "jira", editor)


def test_a_viewer_cannot_resolve(viewer, rows):
    client = staff_client(viewer)
    response = client.post(url("conflict"), {"action": "keep_jira", "_selected_action": [rows.conflict.pk]})
    rows.conflict.refresh_from_db()
    assert rows.conflict.status == "open"
    assert response.status_code in (200, 302)


def test_another_workspaces_staff_sees_none_of_it(outsider, rows, other_workspace, other_product):
    # given: the outsider's own workspace has a Jira connection too
    theirs = jira_rows(
        other_workspace, other_product, StoryFactory(product=other_product), site="https://globex.example"
    )
    client = staff_client(outsider)
    for name, model in MODELS.items():
        changelist = client.get(url(name))
        assert changelist.status_code == 200, name
        html = changelist.content.decode()
        assert "acme.atlassian.net" not in html, name
        ours = model.objects.exclude(pk__in=_own_pks(model, theirs)).values_list("pk", flat=True)
        for pk in ours:
            response = client.get(url(name, f"{pk}/change/"))
            assert response.status_code == 302, f"{name} {pk}"  # "does not exist": back to the index
            assert client.post(url(name, f"{pk}/delete/"), {"post": "yes"}).status_code in (302, 403)
    assert JiraConnection.objects.filter(pk=rows.connection.pk).exists()
    assert Conflict.objects.filter(pk=rows.conflict.pk, status="open").exists()
    # and their own rows do show
    assert client.get(url("jiraconnection", f"{theirs.connection.pk}/change/")).status_code == 200


def _own_pks(model, theirs) -> list[int]:
    own = {
        JiraConnection: JiraConnection.objects.filter(pk=theirs.connection.pk),
        ProjectMapping: ProjectMapping.objects.filter(pk=theirs.mapping.pk),
        StatusMapping: StatusMapping.objects.filter(mapping=theirs.mapping),
        IssueLink: IssueLink.objects.filter(connection=theirs.connection),
        PushIntent: PushIntent.objects.filter(connection=theirs.connection),
        JiraWebhookEvent: JiraWebhookEvent.objects.filter(connection=theirs.connection),
        SyncRun: SyncRun.objects.filter(connection=theirs.connection),
        SyncItemError: SyncItemError.objects.filter(run__connection=theirs.connection),
        Conflict: Conflict.objects.filter(link__connection=theirs.connection),
    }[model]
    return list(own.values_list("pk", flat=True))
