"""Secrets: Jira credentials and webhook signing secrets are encrypted at rest, never returned by the API after
the one answer that shows a new webhook secret, never logged, and never shown in the admin.

Secrets here are distinctive random strings, so that finding one anywhere — a database row as text, an API
answer, a log record, an admin page — is never a coincidence. The forms that travel are checked too: the
Basic credentials Jira Cloud receives (base64 of e-mail:token) and the stored Fernet tokens.
"""

from __future__ import annotations

import base64
import logging
import secrets
from typing import Any

import httpx
import pytest
from django.db import connection as db
from django.test import Client

from backlog import services as backlog
from jira_sync.models import IssueLink, JiraConnection, JiraWebhookEvent, ProjectMapping
from jira_sync.services.connections import connection_test
from jira_sync.tasks import pull_mapping
from jira_sync.testing.webhooks import signature
from jira_sync.tests.conftest import jira  # noqa: F401 - fixture
from jira_sync.tests.sync.conftest import HUMAN, _quick_sync, cloud, statuses  # noqa: F401 - fixtures
from webhooks.models import WebhookEndpoint
from webhooks.tests.conftest import allow_private_networks, receiver  # noqa: F401 - fixtures

from .tenancy import route_kwargs, route_to_url, url_routes

pytestmark = pytest.mark.django_db(transaction=True)

BOT = "557058:secbot"


@pytest.fixture
def jira_token(cloud) -> str:  # noqa: F811 - fixture imported above
    """The Cloud API token of an integration account that exists only for this test."""
    token = f"jira-token-{secrets.token_hex(16)}"
    cloud.state.add_user(BOT, "Security Bot", "secbot@example.com", api_token=token)
    return token


def basic_credentials(email: str, token: str) -> str:
    return base64.b64encode(f"{email}:{token}".encode()).decode()


@pytest.fixture
def connected(token_client, workspace, admin_user, product, cloud, jira_token, receiver, statuses) -> dict[str, Any]:  # noqa: F811
    """Through the API as the workspace's admin: a Jira connection, a mapping of the product, a webhook
    endpoint. Returns the client and every secret shown (once) or given."""
    client = token_client(admin_user)
    created = client.post(
        "/api/v1/jira/connections/",
        {
            "workspace": workspace.pk,
            "site_url": cloud.url,
            "deployment": "cloud",
            "email": "secbot@example.com",
            "token": jira_token,
        },
    )
    assert created.status_code == 201, created.json()
    assert jira_token not in created.content.decode()  # the token is write-only, even in this answer
    connection = JiraConnection.objects.get()
    tested = client.post(f"/api/v1/jira/connections/{connection.pk}/test/", {"project_key": "ABC"})
    assert tested.json()["ok"] is True, tested.json()
    mapped = client.post("/api/v1/jira/mappings/", {"product": product.pk, "jira_project_key": "ABC"})
    assert mapped.status_code == 201, mapped.json()
    endpoint = client.post(
        "/api/v1/webhooks/", {"workspace": workspace.pk, "url": receiver.url, "events": ["story.created"]}
    )
    assert endpoint.status_code == 201, endpoint.json()
    return {
        "client": client,
        "connection": connection,
        "jira_token": jira_token,
        "jira_basic": basic_credentials("secbot@example.com", jira_token),
        "jira_webhook_secret": created.json()["webhook_secret"],
        "endpoint_secret": endpoint.json()["secret"],
    }


def secrets_of(connected: dict[str, Any]) -> dict[str, str]:
    """Every secret value, plain and as stored (Fernet tokens), by name."""
    found = {name: value for name, value in connected.items() if isinstance(value, str)}
    for connection in JiraConnection.objects.all():
        found[f"stored token {connection.pk}"] = connection.token_encrypted
        found[f"stored webhook secret {connection.pk}"] = connection.webhook_secret_encrypted
    for endpoint in WebhookEndpoint.objects.all():
        found[f"stored endpoint secret {endpoint.pk}"] = endpoint.secret_encrypted
    return found


def plain_secrets(connected: dict[str, Any]) -> dict[str, str]:
    return {name: connected[name] for name in ("jira_token", "jira_basic", "jira_webhook_secret", "endpoint_secret")}


def leaked(text: str, values: dict[str, str]) -> list[str]:
    return [name for name, value in values.items() if value and value in text]


# --- at rest ----------------------------------------------------------------------------------------------


def test_secrets_are_encrypted_at_rest(connected):
    # given: every table of the database, each row as text (what a dump or a stolen backup holds)
    with db.cursor() as cursor:
        tables = db.introspection.table_names(cursor)
        dump: list[str] = []
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" t')
            dump += [row[0] for row in cursor.fetchall()]
    text = "\n".join(dump)
    # then: no secret in plain text, in the Basic form Jira receives, or in any raw byte form
    assert leaked(text, plain_secrets(connected)) == []
    for value in plain_secrets(connected).values():
        assert value.encode().hex() not in text
    # and: what is stored are Fernet tokens that open to the secrets with the key, outside the database
    connection = JiraConnection.objects.get()
    assert connection.token_encrypted.startswith("gAAAA") and connection.webhook_secret_encrypted.startswith("gAAAA")
    assert connection.site().api_token == connected["jira_token"]
    assert connection.webhook_secret() == connected["jira_webhook_secret"]


# --- the API ------------------------------------------------------------------------------------------------


def test_the_api_never_returns_a_secret_after_showing_the_new_one_once(connected, product):
    # given: the connection and endpoint at work — a sync, a dry run, a ping, a token replaced, secrets rotated
    client, connection = connected["client"], connected["connection"]
    mapping = ProjectMapping.objects.get()
    answers = [
        client.post(f"/api/v1/jira/mappings/{mapping.pk}/sync/"),
        client.post(f"/api/v1/jira/mappings/{mapping.pk}/dry-run/"),
        client.patch(f"/api/v1/jira/connections/{connection.pk}/", {"conflict_policy": "jira_wins"}),
        client.patch(f"/api/v1/jira/connections/{connection.pk}/", {"token": connected["jira_token"]}),
        client.post(f"/api/v1/jira/connections/{connection.pk}/test/", {"project_key": "ABC"}),
    ]
    endpoint = WebhookEndpoint.objects.get()
    answers += [
        client.post(f"/api/v1/webhooks/{endpoint.pk}/ping/"),
        client.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"description": "CI"}),
    ]
    rotated_jira = client.post(f"/api/v1/jira/connections/{connection.pk}/rotate-secret/")
    rotated_endpoint = client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/")
    assert rotated_jira.status_code == rotated_endpoint.status_code == 200
    connected = {
        **connected,
        "new_jira_webhook_secret": rotated_jira.json()["webhook_secret"],
        "new_endpoint_secret": rotated_endpoint.json()["secret"],
    }
    # when: every GET of the Jira and webhook resources, lists and each row and each read action
    routes = [
        route for route, _ in url_routes() if route.replace("^", "").startswith(("api/v1/jira/", "api/v1/webhooks/"))
    ]
    rows = {
        "jira/connections": JiraConnection,
        "jira/mappings": ProjectMapping,
        "webhooks": WebhookEndpoint,
    }
    for route in routes:
        if "(?P<format>" in route or "\\." in route:
            continue
        names = route_kwargs(route)
        if not names:
            answers.append(client.get(route_to_url(route, {})))
            continue
        resource = next((key for key in rows if f"api/v1/{key}/" in route.replace("^", "")), None)
        model = rows.get(resource) if resource else None
        pks = list(model.objects.values_list("pk", flat=True)) if model else []
        if not pks:  # runs, conflicts, links: their lists name their ids
            listing = client.get(route_to_url(route.split("(?P<")[0].split("<")[0], {}))
            pks = [row["id"] for row in listing.json().get("results", [])] if listing.status_code == 200 else []
        for pk in pks:
            answers.append(client.get(route_to_url(route, {names[0]: pk})))
    # then
    assert len(answers) >= 15
    assert [answer.status_code for answer in answers if answer.status_code >= 500] == []
    everything = secrets_of(connected)
    problems = {
        answer.wsgi_request.get_full_path(): leaked(answer.content.decode(), everything)
        for answer in answers
        if leaked(answer.content.decode(), everything)
    }
    assert problems == {}
    # the rotations showed the new secret that once, and nothing else secret
    assert leaked(rotated_jira.content.decode(), everything) == ["new_jira_webhook_secret"]
    assert leaked(rotated_endpoint.content.decode(), everything) == ["new_endpoint_secret"]


# --- logs ------------------------------------------------------------------------------------------------------


def test_secrets_are_never_logged_even_at_debug(connected, product, cloud, receiver, caplog, live_server):  # noqa: F811
    # given: every logger at DEBUG (httpx and httpcore included)
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "urllib3", "jira_sync", "webhooks", "celery", "django"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    connection = JiraConnection.objects.get()
    mapping = ProjectMapping.objects.get()
    # when: a connection test, a pull, a push, an outgoing webhook delivery, an incoming Jira webhook, a bad one
    assert connection_test(connection=connection, project_key="ABC").ok
    cloud.state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    pull_mapping.apply(args=(mapping.pk,))
    story = backlog.story_create(product=product, actor=None, title="Pay by card")  # pushed and announced
    assert IssueLink.objects.filter(story=story).exists(), "the story was pushed to Jira"
    assert receiver.requests, "the webhook endpoint got the story.created delivery"
    url = f"{live_server.url}/jira/webhooks/{connection.webhook_key}/"
    body = b'{"timestamp": 1, "webhookEvent": "jira:issue_updated", "issue": {"id": "1"}}'
    good = httpx.post(url, content=body, headers={"X-Hub-Signature": signature(connected["jira_webhook_secret"], body)})
    bad = httpx.post(url, content=body, headers={"X-Hub-Signature": signature("whsec_wrong", body)})
    assert (good.status_code, bad.status_code) == (202, 401)
    # then
    assert JiraWebhookEvent.objects.count() == 1
    assert len(caplog.records) > 20, "the flows above logged (at DEBUG) — otherwise this proves nothing"
    logged = "\n".join(
        [record.getMessage() for record in caplog.records] + [repr(record.args) for record in caplog.records]
    )
    assert leaked(logged, secrets_of(connected)) == []
    assert leaked(caplog.text, secrets_of(connected)) == []


# --- the admin -----------------------------------------------------------------------------------------------------


def test_the_admin_shows_no_secret(connected, admin_user):
    # given: a superuser, who sees every admin page
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(admin_user)
    connection = JiraConnection.objects.get()
    endpoint = WebhookEndpoint.objects.get()
    # when
    pages = {
        url: client.get(url)
        for url in (
            "/admin/jira_sync/jiraconnection/",
            f"/admin/jira_sync/jiraconnection/{connection.pk}/change/",
            f"/admin/jira_sync/jiraconnection/{connection.pk}/history/",
            "/admin/webhooks/webhookendpoint/",
            f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/",
            f"/admin/webhooks/webhookendpoint/{endpoint.pk}/history/",
            "/admin/jira_sync/jirawebhookevent/",
            "/admin/",
        )
    }
    # then
    assert {url: page.status_code for url, page in pages.items()} == dict.fromkeys(pages, 200)
    everything = secrets_of(connected)
    assert {url: leaked(page.content.decode(), everything) for url, page in pages.items()} == {url: [] for url in pages}
