"""The admin: endpoints managed by workspace admins through the services (secret shown once, encrypted);
the outbox, deliveries and attempts only shown; other workspaces' rows never."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client

from backlog.tests.factories import StoryFactory
from webhooks import crypto
from webhooks.models import WebhookDelivery, WebhookEndpoint

ENDPOINTS = "/admin/webhooks/webhookendpoint/"
DELIVERIES = "/admin/webhooks/webhookdelivery/"
EVENTS = "/admin/webhooks/outboxevent/"


def staff_client(user) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="webhooks"))
    client = Client()
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [message.message for message in get_messages(response.wsgi_request)]


@pytest.fixture
def delivery(receiver, endpoint_factory, product, django_capture_on_commit_callbacks) -> WebhookDelivery:
    endpoint_factory(receiver.url, events=["story.created"])
    receiver.answer((500, {}, b"receiver says no"))
    with django_capture_on_commit_callbacks(execute=True):
        StoryFactory(product=product)
    return WebhookDelivery.objects.get()


def test_a_workspace_admin_adds_an_endpoint_and_sees_the_secret_once(admin_user, workspace):
    # given
    client = staff_client(admin_user)

    # when
    response = client.post(
        f"{ENDPOINTS}add/",
        {
            "workspace": workspace.pk,
            "url": "https://hooks.example.com/admin",
            "description": "From the admin",
            "events": ["story.created", "decision.accepted"],
            "is_active": "on",
        },
    )

    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.created_by == admin_user
    assert endpoint.events == ["story.created", "decision.accepted"]
    secret = crypto.decrypt_secret(endpoint.secret_encrypted)
    assert any(secret in message for message in messages_of(response))
    shown = client.get(f"{ENDPOINTS}{endpoint.pk}/change/").content.decode()
    assert secret in shown
    page = client.get(f"{ENDPOINTS}{endpoint.pk}/change/").content.decode()
    assert secret not in page
    assert endpoint.secret_encrypted not in page


def test_the_admin_form_refuses_a_bad_url(admin_user, workspace):
    response = staff_client(admin_user).post(
        f"{ENDPOINTS}add/",
        {"workspace": workspace.pk, "url": "ftp://example.com/", "events": ["story.created"], "is_active": "on"},
    )
    assert response.status_code == 200
    assert "Use an http:// or https:// URL." in response.content.decode()
    assert WebhookEndpoint.objects.count() == 0


def test_an_editor_cannot_change_endpoints_in_the_admin(editor, endpoint_factory):
    # given
    endpoint = endpoint_factory("https://hooks.example.com/a")
    client = staff_client(editor)

    # when
    response = client.post(
        f"{ENDPOINTS}{endpoint.pk}/change/", {"url": "https://evil.example.com/", "events": ["story.created"]}
    )

    # then
    assert response.status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/a"


def test_deliveries_and_attempts_are_shown_and_cannot_be_changed(admin_user, delivery):
    # given
    client = staff_client(admin_user)

    # when
    changelist = client.get(DELIVERIES)
    page = client.get(f"{DELIVERIES}{delivery.pk}/change/")
    posted = client.post(f"{DELIVERIES}{delivery.pk}/change/", {"state": "succeeded"})

    # then
    assert changelist.status_code == 200
    assert page.status_code == 200
    assert "receiver says no" in page.content.decode()
    assert posted.status_code == 403
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert client.get(f"{DELIVERIES}add/").status_code == 403
    assert client.post(f"{DELIVERIES}{delivery.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(EVENTS).status_code == 200


def test_other_workspaces_rows_are_not_shown(outsider, delivery):
    # given the admin of another workspace
    client = staff_client(outsider)

    # when / then
    assert str(delivery.endpoint.url) not in client.get(ENDPOINTS).content.decode()
    assert client.get(f"{DELIVERIES}{delivery.pk}/change/").status_code == 302
    assert client.get(f"{ENDPOINTS}{delivery.endpoint_id}/change/").status_code == 302


def test_the_ping_action_queues_a_ping(admin_user, receiver, endpoint_factory, django_capture_on_commit_callbacks):
    # given
    endpoint = endpoint_factory(receiver.url)
    client = staff_client(admin_user)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ENDPOINTS, {"action": "ping", "_selected_action": [endpoint.pk]})

    # then
    assert response.status_code == 302
    assert messages_of(response) == ["Queued a ping to 1 endpoint(s)."]
    assert [r.headers["X-TPM-Event"] for r in receiver.requests] == ["ping"]
