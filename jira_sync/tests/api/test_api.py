"""/api/v1/jira/: connections (admins only, credentials write-only, secret shown once), mappings (members
read, admins write, against the stand-in Jira over real HTTP), sync and dry-run queued with their run,
runs with item errors, conflicts resolved by editors, the sync state of an item; roles, tenancy, ETags,
one error shape, and query budgets for every list."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from backlog.models import Epic, Story, WorkflowStatus
from backlog.tests.factories import StoryFactory
from jira_sync.models import Conflict, IssueLink, JiraConnection, ProjectMapping, PushIntent, SyncItemError, SyncRun
from jira_sync.tests.factories import TOKEN, jira_rows
from jira_sync.tests.sync.conftest import HUMAN
from webhooks import crypto

BASE = "/api/v1/jira/"
CONNECTIONS, MAPPINGS, RUNS, CONFLICTS, LINKS = (
    f"{BASE}{name}/" for name in ("connections", "mappings", "runs", "conflicts", "links")
)


@pytest.fixture
def rows(workspace, product):
    return jira_rows(workspace, product, StoryFactory(product=product))


def body(response) -> dict:
    return response.json()


def never_shows_token(response, *secrets: str) -> None:
    text = response.content.decode()
    for secret in (TOKEN, *secrets):
        assert secret not in text
    assert "token_encrypted" not in text and "webhook_secret_encrypted" not in text


# --- connections ---------------------------------------------------------------------------------------


def test_an_admin_connects_the_workspace_and_sees_the_webhook_secret_once(token_client, workspace, admin_user):
    client = token_client(admin_user)
    response = client.post(
        CONNECTIONS,
        {
            "workspace": workspace.pk,
            "site_url": "https://acme.atlassian.net/",
            "deployment": "cloud",
            "email": "bot@acme.com",
            "token": TOKEN,
            "conflict_policy": "jira_wins",
        },
    )
    assert response.status_code == 201, response.json()
    data = body(response)
    connection = JiraConnection.objects.get()
    assert data["webhook_secret"] == connection.webhook_secret()
    assert data["site_url"] == "https://acme.atlassian.net"
    assert data["has_token"] is True and "token" not in data
    assert data["webhook_url"].endswith(f"/jira/webhooks/{connection.webhook_key}/")
    assert response["ETag"]
    assert crypto.decrypt_secret(connection.token_encrypted) == TOKEN
    # afterwards: never again
    detail = client.get(f"{CONNECTIONS}{connection.pk}/")
    assert detail.status_code == 200 and "webhook_secret" not in body(detail)
    never_shows_token(detail, data["webhook_secret"])
    never_shows_token(client.get(CONNECTIONS), data["webhook_secret"])


def test_a_second_connection_and_bad_input_answer_400_naming_the_field(token_client, workspace, admin_user, rows):
    client = token_client(admin_user)
    again = client.post(
        CONNECTIONS, {"workspace": workspace.pk, "site_url": "https://x.example", "deployment": "cloud", "token": "t"}
    )
    assert again.status_code == 400
    assert body(again)["error"]["code"] == "invalid"
    JiraConnection.objects.all().delete()
    no_email = client.post(
        CONNECTIONS, {"workspace": workspace.pk, "site_url": "https://x.example", "deployment": "cloud", "token": "t"}
    )
    assert body(no_email)["error"]["fields"] == {
        "email": ["Jira Cloud signs in with the e-mail address of the integration account."]
    }
    no_token = client.post(CONNECTIONS, {"workspace": workspace.pk, "site_url": "https://x.example", "deployment": "x"})
    assert set(body(no_token)["error"]["fields"]) == {"deployment"}
    unknown = client.post(CONNECTIONS, {"workspace": workspace.pk, "api_token": "t"})
    assert body(unknown)["error"]["fields"]["api_token"] == ["Unknown field."]


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer"])
def test_connections_are_for_admins_only(token_client, rows, role, request):
    client = token_client(request.getfixturevalue(role))
    url = f"{CONNECTIONS}{rows.connection.pk}/"
    assert client.get(CONNECTIONS).status_code == 403
    assert client.get(url).status_code == 403
    assert client.patch(url, {"is_enabled": False}).status_code == 403
    assert client.post(f"{url}rotate-secret/").status_code == 403
    assert client.post(f"{url}test/").status_code == 403
    rows.connection.refresh_from_db()
    assert rows.connection.is_enabled and rows.connection.webhook_secret() == rows.secret


def test_an_admin_replaces_the_token_and_keeps_it_by_leaving_it_out(token_client, rows, admin_user):
    client = token_client(admin_user)
    url = f"{CONNECTIONS}{rows.connection.pk}/"
    etag = client.get(url)["ETag"]
    kept = client.patch(url, {"conflict_policy": "workspace_wins"}, HTTP_IF_MATCH=etag)
    assert kept.status_code == 200, kept.json()
    rows.connection.refresh_from_db()
    assert crypto.decrypt_secret(rows.connection.token_encrypted) == TOKEN
    replaced = client.patch(url, {"token": "new-token-XYZ"})
    assert replaced.status_code == 200
    never_shows_token(replaced, "new-token-XYZ")
    rows.connection.refresh_from_db()
    assert crypto.decrypt_secret(rows.connection.token_encrypted) == "new-token-XYZ"
    assert rows.connection.conflict_policy == "workspace_wins"


def test_a_stale_if_match_answers_412_and_changes_nothing(token_client, rows, admin_user):
    client = token_client(admin_user)
    url = f"{CONNECTIONS}{rows.connection.pk}/"
    etag = client.get(url)["ETag"]
    client.patch(url, {"is_enabled": False})
    stale = client.patch(url, {"site_url": "https://other.example"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert body(stale)["error"]["code"] == "precondition_failed"
    rows.connection.refresh_from_db()
    assert rows.connection.site_url == "https://acme.atlassian.net"


def test_a_connection_cannot_move_to_another_workspace(token_client, rows, admin_user, other_workspace):
    response = token_client(admin_user).patch(f"{CONNECTIONS}{rows.connection.pk}/", {"workspace": other_workspace.pk})
    assert response.status_code == 400
    assert "workspace" in body(response)["error"]["fields"]


def test_rotate_secret_shows_a_new_secret_once(token_client, rows, admin_user):
    client = token_client(admin_user)
    response = client.post(f"{CONNECTIONS}{rows.connection.pk}/rotate-secret/")
    assert response.status_code == 200
    secret = body(response)["webhook_secret"]
    rows.connection.refresh_from_db()
    assert secret != rows.secret and rows.connection.webhook_secret() == secret
    never_shows_token(client.get(f"{CONNECTIONS}{rows.connection.pk}/"), secret)


def test_test_connection_reports_in_words(token_client, workspace, admin_user, cloud):
    client = token_client(admin_user)
    created = client.post(
        CONNECTIONS,
        {
            "workspace": workspace.pk,
            "site_url": cloud.url,
            "deployment": "cloud",
            "email": cloud.email,
            "token": "wrong-token",
        },
    )
    url = f"{CONNECTIONS}{body(created)['id']}/"
    bad = client.post(f"{url}test/", {"project_key": "ABC"})
    assert bad.status_code == 200
    assert bad.json()["ok"] is False
    assert "credentials" in bad.json()["message"].lower() or "token" in bad.json()["message"].lower()
    client.patch(url, {"token": cloud.api_token})
    good = client.post(f"{url}test/", {"project_key": "ABC"})
    assert good.json()["ok"] is True, good.json()
    assert good.json()["message"] == "Connected as Sync Bot."
    assert good.json()["project_name"] == "Alphabet"
    assert client.get(url).json()["last_test_ok"] is True


# --- mappings ------------------------------------------------------------------------------------------


@pytest.fixture
def connected(workspace, cloud):
    from jira_sync.tests.sync.conftest import connect

    connection, _ = connect(workspace, cloud)
    return connection


def test_an_admin_maps_a_product_with_the_projects_defaults(token_client, connected, product, admin_user, statuses):
    response = token_client(admin_user).post(
        MAPPINGS,
        {
            "product": product.pk,
            "jira_project_key": "ABC",
            "directions": {"description": "to_jira"},
            "status_mappings": [{"jira_status_id": "10001", "workflow_status": statuses["In progress"].pk}],
        },
    )
    assert response.status_code == 201, response.json()
    data = body(response)
    assert (data["jira_project_key"], data["epic_type_id"], data["story_type_id"], data["feature_type_id"]) == (
        "ABC",
        "10100",
        "10102",
        "10101",
    )
    assert data["story_points_field_id"] == "customfield_10016"
    assert data["directions"]["description"] == "to_jira"
    assert data["directions"]["assignee"] == "from_jira"
    by_jira = {row["jira_status_id"]: row for row in data["status_mappings"]}
    assert by_jira["10001"]["workflow_status"] == statuses["In progress"].pk
    assert by_jira["10002"]["jira_category"] == "done"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"jira_project_key": "NOPE"}, "jira_project_key"),
        ({"jira_project_key": "ABC", "story_type_id": "999"}, "story_type_id"),
        ({"jira_project_key": "ABC", "story_points_field_id": "customfield_1"}, "story_points_field_id"),
        ({"jira_project_key": "ABC", "directions": {"assignee": "sideways"}}, "directions.assignee"),
        ({"jira_project_key": "ABC", "directions": {"colour": "two_way"}}, "directions.colour"),
        ({"jira_project_key": "ABC", "status_mappings": [{"jira_status_id": "777", "workflow_status": 0}]}, None),
    ],
)
def test_a_mapping_refuses_what_the_project_does_not_offer(
    token_client, connected, product, admin_user, statuses, payload, field
):
    rows = payload.get("status_mappings")
    if rows:
        rows[0]["workflow_status"] = statuses["To do"].pk
        field = "status_mappings"
    response = token_client(admin_user).post(MAPPINGS, {"product": product.pk, **payload})
    assert response.status_code == 400, response.json()
    assert field in body(response)["error"]["fields"], body(response)
    assert ProjectMapping.objects.count() == 0


def test_a_status_of_another_product_is_refused(token_client, connected, product, admin_user, workspace):
    from workspaces.tests.factories import ProductFactory

    other = ProductFactory(workspace=workspace, key="OTH", name="Other")
    theirs = WorkflowStatus.objects.filter(product=other).first()
    response = token_client(admin_user).post(
        MAPPINGS,
        {
            "product": product.pk,
            "jira_project_key": "ABC",
            "status_mappings": [{"jira_status_id": "3", "workflow_status": theirs.pk}],
        },
    )
    assert response.status_code == 400
    assert body(response)["error"]["fields"] == {
        "status_mappings[0].workflow_status": ["Choose a status of the mapped product."]
    }


def test_mapping_without_a_connection_or_with_jira_down(token_client, product, admin_user, workspace, cloud):
    client = token_client(admin_user)
    none = client.post(MAPPINGS, {"product": product.pk, "jira_project_key": "ABC"})
    assert body(none)["error"]["fields"] == {"product": ["Connect this product's workspace to Jira first."]}
    from jira_sync.tests.sync.conftest import connect

    connect(workspace, cloud)
    cloud.fail(401, times=None)
    down = client.post(MAPPINGS, {"product": product.pk, "jira_project_key": "ABC"})
    assert down.status_code == 502
    assert body(down)["error"]["code"] == "jira_error"
    assert "401" in body(down)["error"]["message"]


def test_members_read_mappings_and_only_admins_write(token_client, mapping, viewer, editor, statuses):
    url = f"{MAPPINGS}{mapping.pk}/"
    listed = token_client(viewer).get(MAPPINGS)
    assert [m["id"] for m in body(listed)["results"]] == [mapping.pk]
    assert token_client(viewer).get(url).status_code == 200
    refused = token_client(editor).patch(url, {"directions": {"summary": "from_jira"}})
    assert refused.status_code == 403
    assert body(refused)["error"]["code"] == "permission_denied"
    mapping.refresh_from_db()
    assert mapping.directions == {}


def test_an_admin_changes_directions_types_and_status_rows(token_client, mapping, admin_user, statuses):
    client = token_client(admin_user)
    url = f"{MAPPINGS}{mapping.pk}/"
    etag = client.get(url)["ETag"]
    response = client.patch(
        url,
        {
            "directions": {"summary": "from_jira"},
            "feature_type_id": "",
            "status_mappings": [{"jira_status_id": "10001", "workflow_status": statuses["Done"].pk}],
        },
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.json()
    data = body(response)
    assert data["directions"]["summary"] == "from_jira" and data["feature_type_id"] == ""
    assert {r["jira_status_id"]: r["workflow_status"] for r in data["status_mappings"]}["10001"] == statuses["Done"].pk
    assert response["ETag"] != etag
    stale = client.patch(url, {"directions": {"summary": "two_way"}}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    moved = client.patch(url, {"jira_project_key": "XYZ"})
    assert body(moved)["error"]["fields"]["jira_project_key"]
    unknown_status = client.patch(
        url, {"status_mappings": [{"jira_status_id": "999", "workflow_status": statuses["Done"].pk}]}
    )
    assert unknown_status.status_code == 400


# --- sync, dry run, runs ----------------------------------------------------------------------------------


def test_sync_queues_a_pull_and_answers_its_run(token_client, cloud, mapping, editor):
    epic = cloud.state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    cloud.state.create_issue("ABC", "Story", "Pay", author_id=HUMAN, parent=epic)
    response = token_client(editor).post(f"{MAPPINGS}{mapping.pk}/sync/")
    assert response.status_code == 202, response.json()
    run = SyncRun.objects.get(pk=body(response)["run"])
    # Tasks run eagerly in the tests: the pull has happened by now.
    assert (run.status, run.kind, run.created) == ("succeeded", "import", 2)
    assert (Epic.objects.count(), Story.objects.count()) == (1, 1)
    detail = token_client(editor).get(f"{RUNS}{run.pk}/")
    assert body(detail)["created"] == 2 and body(detail)["item_errors"] == []


def test_sync_answers_409_while_a_sync_of_the_mapping_runs(token_client, mapping, editor):
    running = SyncRun.objects.create(connection=mapping.connection, mapping=mapping, kind=SyncRun.Kind.PULL)
    response = token_client(editor).post(f"{MAPPINGS}{mapping.pk}/sync/", {"full": True})
    assert response.status_code == 409
    assert f"Run {running.pk}" in body(response)["error"]["message"]
    assert SyncRun.objects.count() == 1


def test_a_run_whose_worker_died_does_not_block_sync_for_ever(token_client, cloud, mapping, editor):
    # given: a pull left `running` ten minutes ago by a worker that died (its lease lapsed)
    dead = SyncRun.objects.create(connection=mapping.connection, mapping=mapping, kind=SyncRun.Kind.PULL)
    SyncRun.objects.filter(pk=dead.pk).update(started_at=timezone.now() - timedelta(minutes=10))
    ProjectMapping.objects.filter(pk=mapping.pk).update(lease_until=timezone.now() - timedelta(minutes=4))
    # when
    response = token_client(editor).post(f"{MAPPINGS}{mapping.pk}/sync/")
    # then: the dead run is closed in words and a new one runs
    assert response.status_code == 202, response.json()
    dead.refresh_from_db()
    assert dead.status == "failed" and "stopped without finishing" in dead.message
    assert SyncRun.objects.get(pk=body(response)["run"]).status == "succeeded"


def test_a_queued_run_that_cannot_claim_the_mapping_does_not_stay_running(token_client, mapping, editor):
    ProjectMapping.objects.filter(pk=mapping.pk).update(lease_until=timezone.now() + timedelta(minutes=5))
    response = token_client(editor).post(f"{MAPPINGS}{mapping.pk}/sync/")
    run = SyncRun.objects.get(pk=body(response)["run"])
    assert run.status == "failed" and "Another sync" in run.message


def test_sync_and_dry_run_need_an_editor_and_an_enabled_connection(token_client, mapping, contributor, editor):
    assert token_client(contributor).post(f"{MAPPINGS}{mapping.pk}/sync/").status_code == 403
    assert token_client(contributor).post(f"{MAPPINGS}{mapping.pk}/dry-run/").status_code == 403
    JiraConnection.objects.update(is_enabled=False)
    disabled = token_client(editor).post(f"{MAPPINGS}{mapping.pk}/sync/")
    assert disabled.status_code == 400
    assert SyncRun.objects.count() == 0


def test_dry_run_queues_a_plan_and_writes_nothing(token_client, cloud, mapping, editor):
    cloud.state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    response = token_client(editor).post(f"{MAPPINGS}{mapping.pk}/dry-run/")
    assert response.status_code == 202
    assert body(response)["kind"] == "dry_run"
    detail = body(token_client(editor).get(f"{RUNS}{body(response)['run']}/"))
    assert detail["status"] == "succeeded"
    assert detail["plan"]["mappings"][0]["counts"]["create_here"] == 1
    assert Epic.objects.count() == 0


def test_runs_filter_and_show_their_item_errors(token_client, rows, viewer):
    client = token_client(viewer)
    other = SyncRun.objects.create(connection=rows.connection, kind=SyncRun.Kind.PUSH, status="succeeded")
    for i in range(3):
        SyncItemError.objects.create(run=rows.run, jira_key=f"ABC-{i}", message=f"Field {i} is required.")
    assert [r["id"] for r in body(client.get(RUNS, {"kind": "push"}))["results"]] == [other.pk]
    assert [r["id"] for r in body(client.get(RUNS, {"mapping": rows.mapping.pk}))["results"]] == [rows.run.pk]
    assert [r["id"] for r in body(client.get(RUNS, {"status": "running"}))["results"]] == [rows.run.pk]
    assert client.get(RUNS, {"kind": "sideways"}).status_code == 400
    detail = body(client.get(f"{RUNS}{rows.run.pk}/"))
    assert [e["jira_key"] for e in detail["item_errors"]] == ["ABC-43", "ABC-0", "ABC-1", "ABC-2"]
    assert detail["item_errors"][0]["message"] == "Jira said: no."
    errors = body(client.get(f"{RUNS}{rows.run.pk}/errors/", {"page_size": 2}))
    assert errors["count"] == 4 and len(errors["results"]) == 2 and errors["next"]


# --- conflicts and links -----------------------------------------------------------------------------------


def test_members_read_the_conflicts_inbox(token_client, rows, viewer):
    data = body(token_client(viewer).get(CONFLICTS, {"status": "open"}))
    (conflict,) = data["results"]
    assert (conflict["field"], conflict["ours"], conflict["theirs"], conflict["jira_key"]) == (
        "summary",
        "Ours",
        "Theirs",
        "ABC-42",
    )
    assert conflict["item"]["kind"] == "story" and conflict["item"]["id"] == rows.link.story_id


def test_an_editor_resolves_a_conflict_once(token_client, rows, editor, viewer, django_capture_on_commit_callbacks):
    url = f"{CONFLICTS}{rows.conflict.pk}/resolve/"
    assert token_client(viewer).post(url, {"side": "jira"}).status_code == 403
    assert token_client(editor).post(url, {"side": "sideways"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=False):
        response = token_client(editor).post(url, {"side": "workspace"})
    assert response.status_code == 200, response.json()
    assert (body(response)["status"], body(response)["resolution"]) == ("resolved", "workspace")
    assert body(response)["resolved_by"]["username"] == editor.username
    rows.link.refresh_from_db()
    assert rows.link.base["summary"] == "Theirs"  # ours now differs from the base: it is pushed
    assert PushIntent.objects.filter(story=rows.link.story, done_at__isnull=True).exists()
    again = token_client(editor).post(url, {"side": "jira"})
    assert again.status_code == 409
    assert body(again)["error"] == {"status": 409, "code": "conflict", "message": "This conflict was resolved already."}


def test_links_give_the_sync_state_of_an_item(token_client, rows, viewer):
    client = token_client(viewer)
    (link,) = body(client.get(LINKS, {"story": rows.link.story_id}))["results"]
    assert link["jira_key"] == "ABC-42"
    assert link["jira_url"] == "https://acme.atlassian.net/browse/ABC-42"
    assert (link["state"], link["open_conflicts"]) == ("conflict", 1)
    Conflict.objects.update(status="resolved")
    PushIntent.objects.all().delete()
    PushIntent.objects.create(connection=rows.connection, story=rows.link.story, fields=["summary"])
    assert body(client.get(f"{LINKS}{rows.link.pk}/"))["state"] == "pending_push"
    PushIntent.objects.update(last_error="Jira said: Field 'summary' is required.", done_at=timezone.now())
    detail = body(client.get(f"{LINKS}{rows.link.pk}/"))
    assert (detail["state"], detail["last_push_error"]) == ("push_failed", "Jira said: Field 'summary' is required.")
    IssueLink.objects.update(archived_at=timezone.now(), archived_reason="deleted_in_jira")
    assert body(client.get(f"{LINKS}{rows.link.pk}/"))["state"] == "archived"
    assert body(client.get(LINKS, {"archived": "false"}))["results"] == []
    assert body(client.get(LINKS, {"story": rows.link.story_id + 1000}))["results"] == []


# --- tenancy ----------------------------------------------------------------------------------------------


def test_outsiders_get_404_on_every_route_and_see_no_rows(token_client, rows, outsider, other_workspace):
    client = token_client(outsider)
    before = (
        list(JiraConnection.objects.values_list("pk", "site_url", "token_encrypted", "webhook_secret_encrypted")),
        list(Conflict.objects.values_list("pk", "status")),
        SyncRun.objects.count(),
    )
    for url, posts in (
        (f"{CONNECTIONS}{rows.connection.pk}/", ("test/", "rotate-secret/")),
        (f"{MAPPINGS}{rows.mapping.pk}/", ("sync/", "dry-run/")),
        (f"{RUNS}{rows.run.pk}/", ()),
        (f"{CONFLICTS}{rows.conflict.pk}/", ("resolve/",)),
        (f"{LINKS}{rows.link.pk}/", ()),
    ):
        assert client.get(url).status_code == 404, url
        for action in posts:
            assert client.post(f"{url}{action}", {"side": "jira"}).status_code == 404, url + action
    assert client.patch(f"{MAPPINGS}{rows.mapping.pk}/", {"directions": {}}).status_code == 404
    assert client.get(f"{RUNS}{rows.run.pk}/errors/").status_code == 404
    for url in (MAPPINGS, RUNS, CONFLICTS, LINKS, CONNECTIONS):
        assert body(client.get(url))["results"] == [], url
    mapped = client.post(MAPPINGS, {"product": rows.mapping.product_id, "jira_project_key": "ABC"})
    assert body(mapped)["error"]["fields"]["product"]
    after = (
        list(JiraConnection.objects.values_list("pk", "site_url", "token_encrypted", "webhook_secret_encrypted")),
        list(Conflict.objects.values_list("pk", "status")),
        SyncRun.objects.count(),
    )
    assert after == before


def test_no_answer_of_the_api_ever_holds_the_token(token_client, rows, admin_user):
    client = token_client(admin_user)
    urls = [
        CONNECTIONS,
        f"{CONNECTIONS}{rows.connection.pk}/",
        MAPPINGS,
        f"{MAPPINGS}{rows.mapping.pk}/",
        RUNS,
        f"{RUNS}{rows.run.pk}/",
        CONFLICTS,
        LINKS,
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        never_shows_token(response, rows.secret)
    assert TOKEN not in json.dumps(client.get("/api/v1/schema/?format=json").json())


# --- query budgets --------------------------------------------------------------------------------------------


def _grow(rows, count: int) -> None:
    """`count` rows of each listed kind in the workspace."""
    connection, mapping = rows.connection, rows.mapping
    stories = [StoryFactory(product=mapping.product) for _ in range(count)]
    for i, story in enumerate(stories):
        link = IssueLink.objects.create(
            connection=connection,
            mapping=mapping,
            jira_issue_id=str(20000 + i),
            jira_key=f"ABC-{1000 + i}",
            story=story,
        )
        Conflict.objects.create(link=link, field="points", base=1, ours=2, theirs=3)
        run = SyncRun.objects.create(connection=connection, mapping=mapping, kind=SyncRun.Kind.PULL)
        SyncItemError.objects.create(run=rows.run, jira_key=f"ABC-{i}", message="no")
        SyncItemError.objects.create(run=run, jira_key=f"ABC-{i}", message="no")


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize(
    ("url", "budget"),
    [(CONNECTIONS, 5), (MAPPINGS, 6), (RUNS, 5), (CONFLICTS, 5), (LINKS, 5), ("errors", 6)],
)
def test_list_query_budgets_hold_for_5_and_50(
    token_client, rows, admin_user, count, url, budget, django_assert_max_num_queries
):
    _grow(rows, count)
    client = token_client(admin_user)
    if url == "errors":
        url = f"{RUNS}{rows.run.pk}/errors/"
    with django_assert_max_num_queries(budget):
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
