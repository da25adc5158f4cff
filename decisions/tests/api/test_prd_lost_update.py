"""Two people editing the same PRD or requirement through the API: the second save is refused (412) and
the first is intact; a PATCH / PUT / publish that does not say which version it changes answers 428."""

import pytest

from decisions.models import PRD, Requirement
from decisions.services import requirement_create

URL = "/api/v1/prds/"
SECTIONS_A = [{"kind": "problem", "title": "Problem", "body": "A: checkout drops mobile users."}]
SECTIONS_B = [{"kind": "problem", "title": "Problem", "body": "B: nobody pays by card."}]


def etag(client, url: str) -> str:
    return client.get(url)["ETag"]


def test_the_second_of_two_publishes_from_the_same_version_is_refused(token_client, prd, editor, admin_user):
    # given: A and B read the PRD
    a, b = token_client(editor), token_client(admin_user)
    etag_a, etag_b = etag(a, f"{URL}{prd.pk}/"), etag(b, f"{URL}{prd.pk}/")
    # when: A publishes, then B publishes from the version B read
    first = a.post(f"{URL}{prd.pk}/publish/", {"sections": SECTIONS_A, "change_note": "A"}, HTTP_IF_MATCH=etag_a)
    second = b.post(
        f"{URL}{prd.pk}/publish/",
        {"sections": SECTIONS_B, "change_note": "B"},
        HTTP_IF_MATCH=etag_b,
        format="json",
    )
    # then
    assert first.status_code == 201
    assert second.status_code == 412
    assert "Someone else changed this object since you read it" in second.json()["error"]["message"]
    assert [(s.title, s.body) for s in prd.sections.all()] == [("Problem", "A: checkout drops mobile users.")]
    assert prd.versions.count() == 2  # version 1 and A's; nothing of B's


def test_the_second_of_two_renames_is_refused(token_client, prd, editor, admin_user):
    a, b = token_client(editor), token_client(admin_user)
    etag_a, etag_b = etag(a, f"{URL}{prd.pk}/"), etag(b, f"{URL}{prd.pk}/")
    assert a.patch(f"{URL}{prd.pk}/", {"title": "Checkout v3"}, HTTP_IF_MATCH=etag_a).status_code == 200
    assert b.patch(f"{URL}{prd.pk}/", {"title": "Checkout 2.0"}, HTTP_IF_MATCH=etag_b).status_code == 412
    assert PRD.objects.get(pk=prd.pk).title == "Checkout v3"


def test_an_edit_of_a_requirement_makes_a_publish_based_on_the_older_prd_stale(token_client, prd, editor, admin_user):
    # given: B read the PRD; A then changes one of its requirements (which publishes a version)
    requirement = requirement_create(prd=prd, actor=editor, title="Refunds")
    a, b = token_client(editor), token_client(admin_user)
    etag_b = etag(b, f"{URL}{prd.pk}/")
    changed = a.patch(
        f"/api/v1/requirements/{requirement.pk}/",
        {"title": "Refunds in 3 days"},
        HTTP_IF_MATCH=etag(a, f"/api/v1/requirements/{requirement.pk}/"),
    )
    assert changed.status_code == 200
    # when: B publishes sections from its older read
    response = b.post(
        f"{URL}{prd.pk}/publish/", {"sections": SECTIONS_B, "change_note": "B"}, HTTP_IF_MATCH=etag_b, format="json"
    )
    # then
    assert response.status_code == 412
    assert prd.sections.filter(body__startswith="B:").count() == 0


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "", {"title": "Blind"}),
        ("put", "", {"title": "Blind"}),
        ("post", "publish/", {"sections": SECTIONS_B, "change_note": "Blind"}),
    ],
)
def test_a_prd_write_without_if_match_is_refused_with_428(token_client, prd, editor, method, path, body):
    response = getattr(token_client(editor), method)(f"{URL}{prd.pk}/{path}", body, format="json")
    assert response.status_code == 428
    error = response.json()["error"]
    assert (error["code"], error["status"]) == ("precondition_required", 428)
    assert "If-Match" in error["message"] and "ETag" in error["message"]
    prd.refresh_from_db()
    assert (prd.title, prd.versions.count()) == ("Checkout v2", 1)


def test_two_edits_of_a_requirement_the_second_refused_and_none_without_if_match(token_client, prd, editor, admin_user):
    requirement = requirement_create(prd=prd, actor=editor, title="Refunds")
    url = f"/api/v1/requirements/{requirement.pk}/"
    a, b = token_client(editor), token_client(admin_user)
    etag_a, etag_b = etag(a, url), etag(b, url)
    assert a.patch(url, {"title": "Refunds in 3 days"}, HTTP_IF_MATCH=etag_a).status_code == 200
    assert b.patch(url, {"title": "Refunds in a week"}, HTTP_IF_MATCH=etag_b).status_code == 412
    assert b.patch(url, {"title": "Refunds in a week"}).status_code == 428
    assert Requirement.objects.get(pk=requirement.pk).title == "Refunds in 3 days"


def test_the_schema_says_where_if_match_is_required(client, editor):
    client.force_login(editor)
    schema = client.get("/api/v1/schema/?format=json").json()

    def if_match(path: str, method: str) -> tuple[bool, bool]:
        operation = schema["paths"][path][method]
        header = next(p for p in operation["parameters"] if p["in"] == "header" and p["name"] == "If-Match")
        return header.get("required", False), "428" in operation["responses"]

    for path in ("/api/v1/stories/{id}/", "/api/v1/prds/{id}/", "/api/v1/requirements/{id}/"):
        assert if_match(path, "patch") == (True, True)
        assert if_match(path, "put") == (True, True)
    assert if_match("/api/v1/prds/{id}/publish/", "post") == (True, True)
    assert if_match("/api/v1/epics/{id}/", "patch") == (False, False)
    assert if_match("/api/v1/stories/{id}/transition/", "post") == (False, False)
    assert if_match("/api/v1/stories/{id}/sprint/", "post") == (False, False)
