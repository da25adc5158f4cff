"""Personal API tokens: each person manages their own; shown once, stored hashed, revocable, throttled per token."""

import hashlib
import uuid

import pytest
from rest_framework.test import APIClient

from core.api.throttling import PerTokenRateThrottle
from workspaces.models import ApiToken
from workspaces.services import api_token_create, api_token_revoke

URL = "/api/v1/tokens/"


def bearer(plain: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def test_create_shows_the_token_once_and_stores_only_its_hash(token_client, editor):
    client = token_client(editor)
    # when
    response = client.post(URL, {"name": "CI release bot"})
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    plain = body["token"]
    assert plain.startswith(f"tpm_{body['prefix']}_")
    assert response["Cache-Control"] == "no-store"
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain.split("_", 2)[2] not in {stored.name, stored.prefix, stored.key_hash}
    # and later reads never show it again
    assert "token" not in client.get(f"{URL}{body['id']}/").json()
    assert all("token" not in row for row in client.get(URL).json()["results"])


def test_the_new_token_authenticates_as_its_user(token_client, workspace, editor):
    plain = token_client(editor).post(URL, {"name": "BI export"}).json()["token"]
    response = bearer(plain).get("/api/v1/workspaces/")
    assert response.status_code == 200
    assert [w["role"] for w in response.json()["results"]] == ["editor"]


def test_list_shows_only_the_callers_own_tokens(token_client, editor, admin_user):
    # given: ada is admin of eddie's workspace, yet eddie's tokens are his alone
    api_token_create(user=editor, name="Jira bridge")
    api_token_create(user=admin_user, name="Ada's script")
    # when
    response = token_client(editor).get(URL)
    # then
    rows = response.json()["results"]
    assert [row["name"] for row in rows] == ["tests", "Jira bridge"]
    assert set(rows[0]) == {"id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "is_active"}
    assert rows[0]["last_used_at"] is not None
    assert rows[1]["last_used_at"] is None


def test_list_filters_active_tokens(token_client, editor):
    old, _ = api_token_create(user=editor, name="Old bot")
    api_token_revoke(token=old, actor=editor)
    client = token_client(editor)
    assert [row["name"] for row in client.get(URL, {"active": "true"}).json()["results"]] == ["tests"]
    assert [row["name"] for row in client.get(URL, {"active": "false"}).json()["results"]] == ["Old bot"]


def test_revoke_makes_the_token_answer_401(token_client, editor):
    # given
    client = token_client(editor)
    created = client.post(URL, {"name": "Leaked"}).json()
    leaked = bearer(created["token"])
    assert leaked.get(URL).status_code == 200
    # when
    response = client.post(f"{URL}{created['id']}/revoke/")
    # then
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["revoked_at"] is not None
    refused = leaked.get(URL)
    assert refused.status_code == 401
    assert refused.json() == {
        "error": {"status": 401, "code": "authentication_failed", "message": "This token is unknown or revoked."}
    }


def test_revoking_a_revoked_token_changes_nothing(token_client, editor):
    token, _ = api_token_create(user=editor, name="Old bot")
    api_token_revoke(token=token, actor=editor)
    token.refresh_from_db()
    response = token_client(editor).post(f"{URL}{token.pk}/revoke/")
    assert response.status_code == 200
    assert ApiToken.objects.get(pk=token.pk).revoked_at == token.revoked_at


def test_a_token_may_revoke_itself(editor):
    token, plain = api_token_create(user=editor, name="Self")
    client = bearer(plain)
    assert client.post(f"{URL}{token.pk}/revoke/").status_code == 200
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize("caller", ["admin_user", "outsider"])
def test_another_persons_token_answers_404_and_stays_live(token_client, editor, caller, request):
    # given: even an admin of eddie's workspace cannot see or revoke his token
    token, plain = api_token_create(user=editor, name="Eddie's bot")
    client = token_client(request.getfixturevalue(caller))
    # when / then
    assert client.get(f"{URL}{token.pk}/").status_code == 404
    assert client.post(f"{URL}{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert bearer(plain).get(URL).status_code == 200


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"name"}),
        ({"name": "   "}, {"name"}),
        ({"name": "x" * 81}, {"name"}),
        ({"name": "a", "scope": "read"}, {"scope"}),
    ],
)
def test_bad_input_answers_400_naming_the_field(token_client, editor, payload, fields):
    client = token_client(editor)
    count = ApiToken.objects.count()
    response = client.post(URL, payload)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields
    assert ApiToken.objects.count() == count


def test_a_live_name_cannot_be_reused_but_a_revoked_one_can(token_client, editor):
    client = token_client(editor)
    first = client.post(URL, {"name": "CI"}).json()
    duplicate = client.post(URL, {"name": "CI"})
    assert duplicate.status_code == 400
    assert duplicate.json()["error"]["fields"] == {
        "name": ["You already have a token called “CI”; revoke it or pick another name."]
    }
    client.post(f"{URL}{first['id']}/revoke/")
    assert client.post(URL, {"name": "CI"}).status_code == 201


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_tokens_are_not_edited_or_deleted_only_revoked(token_client, editor, method):
    token, _ = api_token_create(user=editor, name="Keep")
    response = getattr(token_client(editor), method)(f"{URL}{token.pk}/", {"name": "Renamed"})
    assert response.status_code == 405
    token.refresh_from_db()
    assert (token.name, token.revoked_at) == ("Keep", None)


def test_without_credentials_or_with_a_made_up_token_answers_401(api_client, db):
    assert api_client.get(URL).status_code == 401
    assert bearer("tpm_0000000000_made-up").get(URL).status_code == 401
    malformed = APIClient()
    malformed.credentials(HTTP_AUTHORIZATION="Bearer two words")
    assert malformed.get(URL).status_code == 401


def test_throttling_counts_per_token_and_answers_429_in_the_error_shape(editor, monkeypatch):
    # given: three requests a minute per token, counted under a scope no other test run shares
    # (DRF reads its settings once, so the rate is set on the class rather than with override_settings.)
    scope = f"token-test-{uuid.uuid4().hex}"
    monkeypatch.setattr(PerTokenRateThrottle, "scope", scope)
    monkeypatch.setattr(
        PerTokenRateThrottle, "THROTTLE_RATES", {**PerTokenRateThrottle.THROTTLE_RATES, scope: "3/minute"}
    )
    _, first_plain = api_token_create(user=editor, name="Busy bot")
    _, second_plain = api_token_create(user=editor, name="Quiet bot")
    busy, quiet = bearer(first_plain), bearer(second_plain)
    # when
    answers = [busy.get(URL).status_code for _ in range(4)]
    throttled = busy.get(URL)
    # then
    assert answers == [200, 200, 200, 429]
    assert throttled.status_code == 429
    assert throttled.json()["error"]["status"] == 429
    assert throttled.json()["error"]["code"] == "throttled"
    assert throttled.json()["error"]["message"].startswith("Request was throttled.")
    assert int(throttled["Retry-After"]) > 0
    # and the same person's other token has its own count
    assert quiet.get(URL).status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_token_list_query_budget_holds_for_5_and_50(token_client, editor, count, django_assert_max_num_queries):
    for i in range(count - 1):
        api_token_create(user=editor, name=f"Bot {i}")
    client = token_client(editor)
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] == count


def test_a_cached_token_of_a_deactivated_user_answers_401_at_once(editor):
    # given: the token has been used, so it is cached
    _, plain = api_token_create(user=editor, name="Cached")
    client = bearer(plain)
    assert client.get(URL).status_code == 200
    # when: the user is deactivated (as the admin does it: a save of the user)
    editor.is_active = False
    editor.save()
    # then
    assert client.get(URL).status_code == 401


def test_a_cached_token_deleted_outside_the_api_answers_401_at_once(editor):
    token, plain = api_token_create(user=editor, name="Cached")
    client = bearer(plain)
    assert client.get(URL).status_code == 200
    ApiToken.objects.get(pk=token.pk).delete()
    assert client.get(URL).status_code == 401
