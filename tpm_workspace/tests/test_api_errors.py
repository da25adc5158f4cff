"""Bad input anywhere in the API answers 4xx in the one error shape, never 500."""

import json

from django.conf import settings

from backlog.models import Story

STORIES = "/api/v1/stories/"


def test_bad_filter_value_answers_400_naming_the_filter(token_client, product, contributor):
    response = token_client(contributor).get(STORIES, {"status": "not-a-number"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"status"}


def test_oversized_body_answers_413_and_nothing_is_written(token_client, product, contributor):
    body = json.dumps({"product": product.pk, "title": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    response = token_client(contributor).generic("POST", STORIES, body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert not Story.objects.exists()


def test_json_that_is_not_an_object_answers_400(token_client, product, contributor):
    response = token_client(contributor).generic("POST", STORIES, "[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


def test_wrong_content_type_answers_415(token_client, product, contributor):
    response = token_client(contributor).generic("POST", STORIES, "title=x", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_no_credentials_answers_401_in_the_same_shape(api_client, db):
    response = api_client.get(STORIES)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_bad_token_answers_401(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer tpm_nothere_abc")
    response = api_client.get(STORIES)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "This token is unknown or revoked."
