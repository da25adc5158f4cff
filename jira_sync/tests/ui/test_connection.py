"""The workspace's Jira connection page: admins only, the token write-only, the secret shown once,
"Test connection" in words against the stand-in Jira over real HTTP."""

from __future__ import annotations

import socket

import pytest
from django.urls import reverse

from jira_sync.models import JiraConnection
from jira_sync.tests.ui.factories import TOKEN, connection_for
from workspaces.models import Role


def url(workspace, name: str = "connection") -> str:
    return reverse(f"jira_sync:{name}", args=[workspace.pk])


def create_data(jira, **changes) -> dict:
    return {
        "site_url": jira.url,
        "deployment": "cloud",
        "email": jira.email,
        "token": jira.api_token,
        "conflict_policy": "ask",
        **changes,
    }


def test_an_admin_sees_the_form_to_connect(client, workspace, admin_user):
    client.force_login(admin_user)
    response = client.get(url(workspace))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Connect a Jira site" in body and 'name="token"' in body and 'type="password"' in body


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR])
def test_only_admins_see_or_change_the_connection(client, workspace, member_factory, role, jira):
    # given
    connection_for(workspace)
    client.force_login(member_factory(role))
    # when
    seen = client.get(url(workspace))
    changed = client.post(url(workspace), create_data(jira))
    tested = client.post(url(workspace, "connection_test"))
    rotated = client.post(url(workspace, "connection_rotate"))
    # then
    assert (seen.status_code, changed.status_code, tested.status_code, rotated.status_code) == (403, 403, 403, 403)
    assert "This needs the admin role or higher in Acme" in seen.content.decode()
    assert JiraConnection.objects.get().site_url == "https://acme.atlassian.net"


def test_an_outsider_gets_404_and_anonymous_signs_in(client, workspace, outsider):
    connection = connection_for(workspace)
    assert client.get(url(workspace)).status_code == 302
    client.force_login(outsider)
    for response in (
        client.get(url(workspace)),
        client.post(url(workspace), {"site_url": "https://evil.example", "deployment": "cloud"}),
        client.post(url(workspace, "connection_rotate")),
    ):
        assert response.status_code == 404
    assert JiraConnection.objects.get().webhook_secret_encrypted == connection.webhook_secret_encrypted


def test_creating_a_connection_shows_the_webhook_secret_once_and_never_the_token(client, workspace, admin_user, jira):
    client.force_login(admin_user)
    # when
    response = client.post(url(workspace), create_data(jira), HTTP_HX_REQUEST="true")
    # then: a fragment with the webhook URL and the secret, never the token
    body = response.content.decode()
    connection = JiraConnection.objects.get()
    assert response.status_code == 200 and "<html" not in body
    assert f"https://tpm.example/jira/webhooks/{connection.webhook_key}/" in body
    assert connection.webhook_secret() in body and "shown only now" in body
    assert jira.api_token not in body
    assert connection.site().api_token == jira.api_token
    # and a reload shows neither the secret nor the token
    body = client.get(url(workspace)).content.decode()
    assert connection.webhook_secret() not in body and jira.api_token not in body
    assert "The secret was shown once" in body


def test_a_bad_url_is_a_422_next_to_the_field_and_the_token_is_not_echoed(client, workspace, admin_user, jira):
    client.force_login(admin_user)
    response = client.post(url(workspace), create_data(jira, site_url="not a url"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_site_url-error"' in body and "Enter a valid URL." in body and 'aria-invalid="true"' in body
    assert jira.api_token not in body
    assert not JiraConnection.objects.exists()


def test_cloud_needs_an_email_and_a_token(client, workspace, admin_user, jira):
    client.force_login(admin_user)
    response = client.post(url(workspace), create_data(jira, email="", token=""))
    body = response.content.decode()
    assert response.status_code == 422 and "<html" in body
    assert "This field is required." in body  # the token, on creation
    response = client.post(url(workspace), create_data(jira, email=""))
    assert response.status_code == 422
    assert "Jira Cloud signs in with the e-mail address of the integration account." in response.content.decode()
    assert not JiraConnection.objects.exists()


def test_editing_keeps_the_token_unless_replaced(client, workspace, admin_user, jira):
    # given
    connection = connection_for(workspace)
    client.force_login(admin_user)
    data = create_data(jira, token="", conflict_policy="jira_wins", is_enabled="on")
    # when: saved without a token (no htmx: redirect back)
    response = client.post(url(workspace), data)
    # then
    assert response.status_code == 302 and response["Location"] == url(workspace)
    connection.refresh_from_db()
    assert (connection.site_url, connection.conflict_policy, connection.site().api_token) == (
        jira.url,
        "jira_wins",
        TOKEN,
    )
    page = client.get(url(workspace)).content.decode()
    assert "Replace token" in page and TOKEN not in page and "Saved the Jira connection." in page
    # when: a new token, and sync turned off (htmx)
    response = client.post(url(workspace), {**data, "token": "brand-new", "is_enabled": ""}, HTTP_HX_REQUEST="true")
    connection.refresh_from_db()
    assert response.status_code == 200 and "brand-new" not in response.content.decode()
    assert connection.site().api_token == "brand-new" and not connection.is_enabled


def test_test_connection_reports_connected(client, workspace, admin_user, connected):
    client.force_login(admin_user)
    response = client.post(url(workspace, "connection_test"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="connection-test"' in body
    assert "Connected" in body and "Connected as Sync Bot." in body
    connected.refresh_from_db()
    assert connected.last_test_ok and connected.account_id == "557058:bot"


def test_test_connection_reports_bad_credentials_in_words(client, workspace, admin_user, jira):
    connection_for(workspace, site_url=jira.url)  # the factory's token is not the stand-in's
    client.force_login(admin_user)
    # when (no htmx: the answer is kept and shown after the redirect)
    response = client.post(url(workspace, "connection_test"))
    assert response.status_code == 302
    body = client.get(url(workspace)).content.decode()
    assert "Not connected" in body
    assert "Jira rejected the credentials (HTTP 401): check the e-mail address and API token." in body
    assert TOKEN not in body


def test_test_connection_reports_no_permission(client, workspace, admin_user, connected, jira):
    jira.fail(403, path="/myself")
    client.force_login(admin_user)
    body = client.post(url(workspace, "connection_test"), HTTP_HX_REQUEST="true").content.decode()
    assert "The account may not use Jira&#x27;s REST API." in body


def test_test_connection_reports_a_bad_address(client, workspace, admin_user):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    connection_for(workspace, site_url=f"http://127.0.0.1:{port}")
    client.force_login(admin_user)
    body = client.post(url(workspace, "connection_test"), HTTP_HX_REQUEST="true").content.decode()
    assert "Jira at 127.0.0.1 refused the connection. Check the site address." in body


def test_rotating_shows_a_new_secret_once(client, workspace, admin_user):
    connection = connection_for(workspace)
    old = connection.webhook_secret()
    client.force_login(admin_user)
    response = client.post(url(workspace, "connection_rotate"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    connection.refresh_from_db()
    assert response.status_code == 200 and "<html" not in body and 'id="connection-webhook"' in body
    assert connection.webhook_secret() != old and connection.webhook_secret() in body
    assert connection.webhook_secret() not in client.get(url(workspace)).content.decode()


def test_get_on_post_only_actions_is_405_for_admins(client, workspace, admin_user):
    connection_for(workspace)
    client.force_login(admin_user)
    assert client.get(url(workspace, "connection_test")).status_code == 405
