"""/api/v1/webhooks/: CRUD, the secret shown once, deliveries with attempts, ping, redeliver, rotate-secret;
admins only (other members 403, outsiders 404), nothing changed by a refused call; query budgets."""

import pytest
from django.utils import timezone

from backlog.tests.factories import StoryFactory
from webhooks import crypto
from webhooks.models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from workspaces.models import Membership, Role

URL = "/api/v1/webhooks/"


@pytest.fixture
def endpoint(endpoint_factory):
    return endpoint_factory("https://hooks.example.com/tpm", events=["story.created", "signoff.approved"])


def snapshot() -> list[tuple]:
    """Every webhook row that a refused call must leave alone."""
    return [
        *WebhookEndpoint.objects.order_by("pk").values_list(
            "pk", "url", "description", "events", "is_active", "secret_encrypted", "updated_at"
        ),
        *WebhookDelivery.objects.order_by("pk").values_list("pk", "state", "attempt_count", "next_attempt_at"),
        ("events", OutboxEvent.objects.count()),
        ("attempts", WebhookAttempt.objects.count()),
    ]


def delivered(receiver, endpoint_factory, product, capture, *answers):
    """A story created while `receiver` answers `answers`: its delivery to a fresh endpoint."""
    endpoint = endpoint_factory(receiver.url, events=["story.created"])
    receiver.answer(*answers)
    with capture(execute=True):
        StoryFactory(product=product)
    return endpoint, WebhookDelivery.objects.get(endpoint=endpoint)


# --- Create ---------------------------------------------------------------------------------------


def test_an_admin_creates_an_endpoint_and_sees_its_secret_once(token_client, workspace, admin_user):
    # given
    client = token_client(admin_user)

    # when
    response = client.post(
        URL,
        {
            "workspace": workspace.pk,
            "url": "https://hooks.example.com/tpm",
            "events": ["story.updated", "story.created"],
            "description": "CI bot",
        },
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["id"] == endpoint.pk
    assert body["secret"].startswith("whsec_")
    assert crypto.decrypt_secret(endpoint.secret_encrypted) == body["secret"]
    assert body["events"] == ["story.created", "story.updated"]
    assert (body["url"], body["description"], body["is_active"]) == ("https://hooks.example.com/tpm", "CI bot", True)
    assert body["created_by"]["id"] == admin_user.pk
    assert body["workspace"] == workspace.pk
    detail = client.get(f"{URL}{endpoint.pk}/")
    assert "secret" not in detail.json()
    assert "secret" not in client.get(URL).json()["results"][0]
    assert detail["ETag"] == response["ETag"]


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"url": "ftp://example.com/x"}, {"url": ["Use an http:// or https:// URL."]}),
        ({"url": "not a url"}, {"url": ["Use an http:// or https:// URL."]}),
        (
            {"url": "https://user:pw@example.com/"},
            {"url": ["Leave credentials out of the URL; check our X-TPM-Signature header instead."]},
        ),
        ({"events": []}, {"events": ["This list may not be empty."]}),
        ({"events": ["story.exploded"]}, {"events[0]": ['"story.exploded" is not a valid choice.']}),
        ({"events": ["ping"]}, {"events[0]": ['"ping" is not a valid choice.']}),
        ({"events": "story.created"}, {"events": ['Expected a list of items but got type "str".']}),
        ({"secret": "mine"}, {"secret": ["Unknown field."]}),
        ({"is_active": "maybe"}, {"is_active": ["Must be a valid boolean."]}),
    ],
)
def test_bad_input_answers_400_naming_the_field(token_client, workspace, admin_user, data, fields):
    # given
    valid = {"workspace": workspace.pk, "url": "https://hooks.example.com/tpm", "events": ["story.created"]}

    # when
    response = token_client(admin_user).post(URL, {**valid, **data})

    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields
    assert WebhookEndpoint.objects.count() == 0


def test_a_private_url_is_refused_in_production(token_client, workspace, admin_user, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    response = token_client(admin_user).post(
        URL, {"workspace": workspace.pk, "url": "http://169.254.169.254/latest", "events": ["story.created"]}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "url": ["169.254.169.254 is not a public address; webhooks go to public hosts."]
    }


def test_another_workspace_id_does_not_exist_for_the_caller(token_client, admin_user, other_workspace):
    response = token_client(admin_user).post(
        URL, {"workspace": other_workspace.pk, "url": "https://hooks.example.com/x", "events": ["story.created"]}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "workspace": [f'Invalid pk "{other_workspace.pk}" - object does not exist.']
    }
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize("role", ["viewer", "contributor", "editor"])
def test_members_below_admin_cannot_create(token_client, workspace, role, request):
    response = token_client(request.getfixturevalue(role)).post(
        URL, {"workspace": workspace.pk, "url": "https://hooks.example.com/x", "events": ["story.created"]}
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "This needs the admin role or higher in this workspace."
    assert WebhookEndpoint.objects.count() == 0


# --- Read, update, delete ---------------------------------------------------------------------------


def test_the_list_shows_the_endpoints_of_workspaces_the_caller_administers(
    token_client, endpoint, endpoint_factory, admin_user, other_workspace, outsider, member_factory
):
    # given an endpoint in another workspace, where our admin is only a viewer
    Membership.objects.create(workspace=other_workspace, user=admin_user, role=Role.VIEWER)
    endpoint_factory("https://globex.example.com/h", workspace=other_workspace, actor=outsider)

    # when
    response = token_client(admin_user).get(URL)

    # then
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [endpoint.pk]


def test_the_list_filters_by_workspace_and_activity_and_searches(token_client, endpoint_factory, admin_user, workspace):
    # given
    active = endpoint_factory("https://ci.example.com/hook", description="CI")
    endpoint_factory("https://bi.example.com/hook", description="BI", is_active=False)
    client = token_client(admin_user)

    # when / then
    assert [r["id"] for r in client.get(URL, {"is_active": "true"}).json()["results"]] == [active.pk]
    assert [r["id"] for r in client.get(URL, {"search": "ci.example"}).json()["results"]] == [active.pk]
    assert client.get(URL, {"workspace": workspace.pk + 1000}).json()["results"] == []
    assert client.get(URL, {"ordering": "-url"}).json()["results"][0]["url"] == "https://ci.example.com/hook"


@pytest.mark.parametrize("role", ["viewer", "contributor", "editor"])
def test_members_below_admin_get_403_on_the_list(token_client, endpoint, role, request):
    response = token_client(request.getfixturevalue(role)).get(URL)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Webhooks are managed by workspace admins."


def test_an_admin_edits_an_endpoint(token_client, endpoint, admin_user):
    # given
    client = token_client(admin_user)
    secret_before = endpoint.secret_encrypted

    # when
    response = client.patch(
        f"{URL}{endpoint.pk}/",
        {"url": "https://hooks.example.com/v2", "events": ["decision.accepted"], "is_active": False},
    )

    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["url"], body["events"], body["is_active"]) == (
        "https://hooks.example.com/v2",
        ["decision.accepted"],
        False,
    )
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/v2"
    assert endpoint.secret_encrypted == secret_before


def test_put_replaces_the_endpoint(token_client, endpoint, admin_user, workspace):
    response = token_client(admin_user).put(
        f"{URL}{endpoint.pk}/",
        {"workspace": workspace.pk, "url": "https://new.example.com/", "events": ["story.updated"]},
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["url"], response.json()["events"]) == ("https://new.example.com/", ["story.updated"])


def test_an_endpoint_cannot_move_to_another_workspace(token_client, endpoint, admin_user, other_workspace):
    # given the admin also administers the other workspace
    Membership.objects.create(workspace=other_workspace, user=admin_user, role=Role.ADMIN)
    before = snapshot()

    # when
    response = token_client(admin_user).patch(f"{URL}{endpoint.pk}/", {"workspace": other_workspace.pk})

    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"workspace": ["An endpoint cannot move to another workspace."]}
    assert snapshot() == before


def test_stale_if_match_answers_412_and_changes_nothing(token_client, endpoint, admin_user):
    # given
    client = token_client(admin_user)
    etag = client.get(f"{URL}{endpoint.pk}/")["ETag"]
    assert client.patch(f"{URL}{endpoint.pk}/", {"description": "first"}, HTTP_IF_MATCH=etag).status_code == 200
    before = snapshot()

    # when
    response = client.patch(f"{URL}{endpoint.pk}/", {"description": "second"}, HTTP_IF_MATCH=etag)

    # then
    assert response.status_code == 412
    assert snapshot() == before


def test_an_admin_deletes_an_endpoint_with_its_deliveries(
    token_client, receiver, endpoint_factory, product, admin_user, django_capture_on_commit_callbacks
):
    # given
    endpoint, _ = delivered(receiver, endpoint_factory, product, django_capture_on_commit_callbacks)

    # when
    response = token_client(admin_user).delete(f"{URL}{endpoint.pk}/")

    # then
    assert response.status_code == 204
    assert WebhookEndpoint.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0
    assert WebhookAttempt.objects.count() == 0


# --- Every route: roles below admin get 403, outsiders 404, and nothing changes -------------------

ROUTES = [
    ("get", "{id}/", None),
    ("put", "{id}/", {"url": "https://evil.example.com/", "events": ["story.created"]}),
    ("patch", "{id}/", {"url": "https://evil.example.com/"}),
    ("delete", "{id}/", None),
    ("get", "{id}/deliveries/", None),
    ("post", "{id}/ping/", {}),
    ("post", "{id}/redeliver/", {"delivery": 0}),
    ("post", "{id}/rotate-secret/", {}),
]


@pytest.mark.parametrize(("method", "path", "data"), ROUTES)
@pytest.mark.parametrize("role", ["viewer", "contributor", "editor"])
def test_members_below_admin_get_403_on_every_route_and_nothing_changes(
    token_client,
    receiver,
    endpoint_factory,
    product,
    django_capture_on_commit_callbacks,
    role,
    method,
    path,
    data,
    request,
):
    # given an endpoint with a finished delivery
    endpoint, delivery = delivered(receiver, endpoint_factory, product, django_capture_on_commit_callbacks)
    payload = {**data, "workspace": product.workspace_id} if method == "put" else data
    if path.endswith("redeliver/"):
        payload = {"delivery": delivery.pk}
    before = snapshot()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(token_client(request.getfixturevalue(role)), method)(
            URL + path.format(id=endpoint.pk), payload
        )

    # then
    assert response.status_code == 403
    assert snapshot() == before
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(("method", "path", "data"), ROUTES)
def test_outsiders_get_404_on_every_route_and_nothing_changes(
    token_client, receiver, endpoint_factory, product, outsider, django_capture_on_commit_callbacks, method, path, data
):
    # given
    endpoint, delivery = delivered(receiver, endpoint_factory, product, django_capture_on_commit_callbacks)
    payload = {"delivery": delivery.pk} if path.endswith("redeliver/") else data
    before = snapshot()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(token_client(outsider), method)(URL + path.format(id=endpoint.pk), payload)

    # then
    assert response.status_code == 404
    assert snapshot() == before
    assert len(receiver.requests) == 1


def test_outsiders_list_none_of_our_endpoints(token_client, endpoint, outsider):
    response = token_client(outsider).get(URL)
    assert response.status_code == 200
    assert response.json()["results"] == []


# --- Deliveries and attempts -----------------------------------------------------------------------


def test_deliveries_show_the_event_and_every_attempt(
    token_client, receiver, endpoint_factory, product, admin_user, django_capture_on_commit_callbacks
):
    # given a delivery that failed once and waits for its retry
    endpoint, delivery = delivered(
        receiver, endpoint_factory, product, django_capture_on_commit_callbacks, (503, {"Retry-After": "60"}, b"busy")
    )

    # when
    response = token_client(admin_user).get(f"{URL}{endpoint.pk}/deliveries/")

    # then
    assert response.status_code == 200
    (row,) = response.json()["results"]
    event = OutboxEvent.objects.get()
    assert row["id"] == delivery.pk
    assert row["uuid"] == str(delivery.uuid)
    assert row["endpoint"] == endpoint.pk
    assert row["state"] == "pending"
    assert (row["attempt_count"], row["attempt_limit"], row["last_status_code"]) == (1, 8, 503)
    assert row["next_attempt_at"] is not None
    assert row["event"]["id"] == str(event.uuid)
    assert row["event"]["event"] == "story.created"
    assert row["event"]["data"]["story"]["id"] == event.payload["story"]["id"]
    (attempt,) = row["attempts"]
    assert attempt["number"] == 1
    assert attempt["status_code"] == 503
    assert attempt["response_excerpt"] == "busy"
    assert attempt["error"] == ""
    assert attempt["duration_ms"] >= 0


def test_deliveries_filter_by_state_and_event(
    token_client, receiver, endpoint_factory, product, admin_user, django_capture_on_commit_callbacks
):
    # given
    endpoint, delivery = delivered(receiver, endpoint_factory, product, django_capture_on_commit_callbacks)
    client = token_client(admin_user)
    url = f"{URL}{endpoint.pk}/deliveries/"

    # when / then
    assert [r["id"] for r in client.get(url, {"state": "succeeded"}).json()["results"]] == [delivery.pk]
    assert client.get(url, {"state": "failed"}).json()["results"] == []
    assert client.get(url, {"event": "signoff.approved"}).json()["results"] == []
    bad = client.get(url, {"state": "exploded"})
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"state": ['"exploded" is not a valid choice.']}


# --- Actions ---------------------------------------------------------------------------------------


def test_ping_sends_a_signed_ping_now(
    token_client, receiver, workspace, admin_user, django_capture_on_commit_callbacks
):
    # given an endpoint made through the API, with the secret its answer showed
    client = token_client(admin_user)
    response = client.post(URL, {"workspace": workspace.pk, "url": receiver.url, "events": ["story.created"]})
    endpoint_id, secret = response.json()["id"], response.json()["secret"]

    # when
    with django_capture_on_commit_callbacks(execute=True):
        ping = client.post(f"{URL}{endpoint_id}/ping/")

    # then
    assert ping.status_code == 202
    assert ping.json()["event"]["event"] == "ping"
    (request,) = receiver.requests
    assert request.headers["X-TPM-Event"] == "ping"
    assert crypto.verify(
        secret=secret,
        timestamp=int(request.headers["X-TPM-Timestamp"]),
        body=request.body,
        signature=request.headers["X-TPM-Signature"],
    )
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.SUCCEEDED


def test_ping_refuses_an_inactive_endpoint(token_client, endpoint_factory, admin_user):
    endpoint = endpoint_factory("https://hooks.example.com/x", is_active=False)
    response = token_client(admin_user).post(f"{URL}{endpoint.pk}/ping/")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"is_active": ["Activate the endpoint before pinging it."]}
    assert WebhookDelivery.objects.count() == 0


def test_redeliver_sends_a_failed_delivery_again(
    token_client, receiver, endpoint_factory, product, admin_user, django_capture_on_commit_callbacks
):
    # given a delivery that failed for good
    endpoint, delivery = delivered(receiver, endpoint_factory, product, django_capture_on_commit_callbacks, 500)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state=WebhookDelivery.State.FAILED, next_attempt_at=None)

    client = token_client(admin_user)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}{endpoint.pk}/redeliver/", {"delivery": delivery.pk})

    # then
    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["id"], body["state"], body["attempt_limit"]) == (delivery.pk, "pending", 9)
    assert len(receiver.requests) == 2
    resent = client.get(f"{URL}{endpoint.pk}/deliveries/").json()["results"][0]
    assert resent["state"] == "succeeded"
    assert [(a["number"], a["status_code"]) for a in resent["attempts"]] == [(1, 500), (2, 200)]


def test_redeliver_refuses_what_is_not_this_endpoints_or_still_pending(
    token_client, receiver, endpoint_factory, product, admin_user, django_capture_on_commit_callbacks
):
    # given a pending delivery of one endpoint, and another endpoint
    endpoint, delivery = delivered(receiver, endpoint_factory, product, django_capture_on_commit_callbacks, 500)
    other = endpoint_factory("https://hooks.example.com/other")
    client = token_client(admin_user)
    before = snapshot()

    # when
    elsewhere = client.post(f"{URL}{other.pk}/redeliver/", {"delivery": delivery.pk})
    pending = client.post(f"{URL}{endpoint.pk}/redeliver/", {"delivery": delivery.pk})
    missing = client.post(f"{URL}{endpoint.pk}/redeliver/", {})

    # then
    assert elsewhere.status_code == 400
    assert elsewhere.json()["error"]["fields"] == {"delivery": ["No delivery with this id for this endpoint."]}
    assert pending.status_code == 400
    assert pending.json()["error"]["fields"] == {
        "delivery": ["This delivery is still being attempted; it will be sent again on its own."]
    }
    assert missing.status_code == 400
    assert missing.json()["error"]["fields"] == {"delivery": ["This field is required."]}
    assert snapshot() == before


def test_rotate_secret_shows_a_new_secret_once(token_client, endpoint, admin_user):
    # given
    client = token_client(admin_user)

    # when
    response = client.post(f"{URL}{endpoint.pk}/rotate-secret/")

    # then
    assert response.status_code == 200
    new_secret = response.json()["secret"]
    assert new_secret.startswith("whsec_")
    assert new_secret != endpoint.plain_secret
    endpoint.refresh_from_db()
    assert crypto.decrypt_secret(endpoint.secret_encrypted) == new_secret
    assert "secret" not in client.get(f"{URL}{endpoint.pk}/").json()


# --- Query budgets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 50])
def test_endpoint_list_query_budget_holds_for_5_and_50(
    token_client, endpoint_factory, admin_user, count, django_assert_max_num_queries
):
    # given
    client = token_client(admin_user)
    for n in range(count):
        endpoint_factory(f"https://hooks.example.com/{n}")

    # when
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"page_size": 100})

    # then
    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [5, 50])
def test_delivery_list_query_budget_holds_for_5_and_50(
    token_client, endpoint_factory, admin_user, workspace, count, django_assert_max_num_queries
):
    # given deliveries with two attempts each
    endpoint = endpoint_factory("https://hooks.example.com/x")
    for _ in range(count):
        event = OutboxEvent.objects.create(workspace=workspace, kind="story.created", payload={"story": {}})
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, attempt_count=2)
        for number in (1, 2):
            WebhookAttempt.objects.create(delivery=delivery, number=number, at=timezone.now(), status_code=500)
    client = token_client(admin_user)

    # when
    with django_assert_max_num_queries(7):
        response = client.get(f"{URL}{endpoint.pk}/deliveries/", {"page_size": 100})

    # then
    assert response.json()["count"] == count
    assert all(len(row["attempts"]) == 2 for row in response.json()["results"])
