"""The PRD resource: CRUD, publishing versions, version list / detail / diff, coverage, roles, tenancy, budgets."""

import pytest

from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from decisions.models import PRD, PRDVersion, content_hash
from decisions.services import prd_content, prd_update, requirement_create, signoff_request
from decisions.tests.factories import PRDFactory
from decisions.tests.helpers import edited_sections
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory

from .helpers import client_as, fingerprint, ids

URL = "/api/v1/prds/"
SECTIONS = [
    {"kind": "problem", "title": "Problem", "body": "Checkout drops 30 % of mobile users."},
    {"kind": "goals", "title": "Goals", "body": "One-page checkout."},
]


def etag_of(client, prd) -> str:
    """The ETag a client reads before writing (empty when it cannot read the PRD)."""
    return client.get(f"{URL}{prd.pk}/").get("ETag", "")


def publish(client, prd, **body):
    return client.post(f"{URL}{prd.pk}/publish/", body, HTTP_IF_MATCH=etag_of(client, prd))


# --- create, read, update, delete ------------------------------------------------------------------


def test_create_prd_with_sections_and_links(token_client, product, editor, viewer):
    # given
    epic = EpicFactory(product=product)
    item = RoadmapItemFactory(roadmap=RoadmapFactory(product=product))
    # when
    response = token_client(editor).post(
        URL,
        {
            "product": product.pk,
            "title": "  Checkout v2 ",
            "owner": viewer.pk,
            "sections": SECTIONS,
            "epics": [epic.pk],
            "roadmap_items": [item.pk],
        },
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    prd = PRD.objects.get(pk=body["id"])
    version = prd.versions.get()
    assert body["title"] == "Checkout v2"
    assert body["status"] == "draft"
    assert body["owner"]["id"] == viewer.pk
    assert (body["version"], body["content_hash"]) == (1, version.content_hash)
    assert body["sections"] == SECTIONS
    assert (body["epics"], body["roadmap_items"]) == ([epic.pk], [item.pk])
    assert response["ETag"]
    assert version.content_hash == content_hash(prd_content(prd))


def test_create_without_sections_gets_the_standard_ones_and_the_caller_as_owner(token_client, product, editor):
    response = token_client(editor).post(URL, {"product": product.pk, "title": "Refunds"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [s["kind"] for s in body["sections"]] == [
        "problem",
        "goals",
        "non_goals",
        "requirements",
        "success_metrics",
        "ux",
        "open_questions",
    ]
    assert body["owner"]["id"] == editor.pk


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"title": "No product"}, {"product"}),
        ({"product": "PRODUCT", "title": "   "}, {"title"}),
        ({"product": "PRODUCT", "title": "X", "summary": "typo"}, {"summary"}),
        ({"product": "PRODUCT", "title": "X", "sections": [{"kind": "poem", "title": "Ode"}]}, {"sections[0].kind"}),
        ({"product": "PRODUCT", "title": "X", "sections": [{"title": "A"}, {"title": "A"}]}, {"sections"}),
        ({"product": "PRODUCT", "title": "X", "epics": "EPIC"}, {"epics"}),
        ({"product": "PRODUCT", "title": "X", "owner": 10**9}, {"owner"}),
    ],
)
def test_bad_create_input_answers_400_naming_the_fields(token_client, product, editor, payload, fields):
    payload = {key: (product.pk if value == "PRODUCT" else value) for key, value in payload.items()}
    response = token_client(editor).post(URL, payload)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert set(response.json()["error"]["fields"]) == fields
    assert not PRD.objects.exists()


def test_foreign_links_answer_400_like_missing_ones(token_client, product, other_product, editor):
    foreign_epic = EpicFactory(product=other_product)
    response = token_client(editor).post(URL, {"product": product.pk, "title": "X", "epics": [foreign_epic.pk]})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"epics": [f'Invalid pk "{foreign_epic.pk}" - object does not exist.']}


def test_an_epic_of_another_product_of_the_workspace_is_refused(token_client, workspace, product, editor):
    from workspaces.tests.factories import ProductFactory

    sibling = ProductFactory(workspace=workspace, key="SIB")
    response = token_client(editor).post(
        URL, {"product": product.pk, "title": "X", "epics": [EpicFactory(product=sibling).pk]}
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"epics"}
    assert not PRD.objects.exists()


def test_duplicate_title_answers_400(token_client, prd, editor):
    response = token_client(editor).post(URL, {"product": prd.product_id, "title": "Checkout v2"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"title": ["Payments already has a PRD called Checkout v2."]}


def test_list_filters_searches_and_orders(token_client, product, editor, viewer):
    epic = EpicFactory(product=product)
    a = PRDFactory(product=product, actor=editor, title="Alpha", epics=[epic])
    b = PRDFactory(product=product, actor=editor, title="Beta", owner=viewer)
    client = token_client(viewer)
    assert ids(client.get(URL)) == [a.pk, b.pk]
    assert ids(client.get(URL, {"ordering": "-title"})) == [b.pk, a.pk]
    assert ids(client.get(URL, {"owner": viewer.pk})) == [b.pk]
    assert ids(client.get(URL, {"epic": epic.pk})) == [a.pk]
    assert ids(client.get(URL, {"search": "bet"})) == [b.pk]
    assert ids(client.get(URL, {"status": "draft", "product": product.pk})) == [a.pk, b.pk]


def test_bad_filter_answers_400(token_client, viewer):
    response = token_client(viewer).get(URL, {"status": "finished", "owner": "me"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"status", "owner"}


def test_retrieve_shows_the_latest_version_and_hash(token_client, prd, editor, viewer):
    prd_update(prd=prd, actor=editor, sections=edited_sections(prd, goals="Faster"), change_note="Goals")
    response = token_client(viewer).get(f"{URL}{prd.pk}/")
    assert response.status_code == 200
    latest = prd.versions.get(number=2)
    assert (response.json()["version"], response.json()["content_hash"]) == (2, latest.content_hash)


def test_patch_renames_and_publishes_a_version(token_client, prd, editor):
    client = token_client(editor)
    response = client.patch(
        f"{URL}{prd.pk}/", {"title": "Checkout 2.0", "change_note": "Rename"}, HTTP_IF_MATCH=etag_of(client, prd)
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["title"], response.json()["version"]) == ("Checkout 2.0", 2)
    version = prd.versions.get(number=2)
    assert (version.content["title"], version.change_note, version.created_by) == ("Checkout 2.0", "Rename", editor)


def test_patch_refuses_section_edits_and_other_fields(token_client, prd, editor):
    client = token_client(editor)
    response = client.patch(
        f"{URL}{prd.pk}/", {"sections": SECTIONS, "status": "approved"}, HTTP_IF_MATCH=etag_of(client, prd)
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"sections": ["Unknown field."], "status": ["Unknown field."]}
    assert prd.versions.count() == 1


def test_stale_if_match_answers_412_and_changes_nothing(token_client, prd, editor):
    client = token_client(editor)
    etag = client.get(f"{URL}{prd.pk}/")["ETag"]
    first = client.patch(f"{URL}{prd.pk}/", {"title": "First"}, HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    second = client.patch(f"{URL}{prd.pk}/", {"title": "Second"}, HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    assert second.json()["error"]["code"] == "precondition_failed"
    prd.refresh_from_db()
    assert prd.title == "First"
    assert prd.versions.count() == 2
    assert client.get(f"{URL}{prd.pk}/")["ETag"] == first["ETag"]


def test_delete_a_prd_nobody_signed(token_client, prd, editor):
    requirement_create(prd=prd, actor=editor, title="Refund in 5 days")
    response = token_client(editor).delete(f"{URL}{prd.pk}/")
    assert response.status_code == 204
    assert not PRD.objects.filter(pk=prd.pk).exists()
    assert not PRDVersion.objects.filter(prd_id=prd.pk).exists()


def test_delete_is_refused_once_sign_off_was_asked(token_client, prd, editor, viewer):
    # given
    signoff_request(document=prd, actor=editor, approver=viewer, role="product")
    before = fingerprint()
    # when
    response = token_client(editor).delete(f"{URL}{prd.pk}/")
    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "non_field_errors": ["“Checkout v2” has sign-offs, and their audit trail is kept: it cannot be deleted."]
    }
    assert fingerprint() == before


# --- publish ---------------------------------------------------------------------------------------


def test_publish_makes_the_next_version(token_client, prd, editor):
    client = token_client(editor)
    # when
    response = publish(client, prd, title="Checkout v2.1", sections=SECTIONS, change_note="Rewrite")
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["published"], body["version"], body["title"]) == (True, 2, "Checkout v2.1")
    assert body["sections"] == SECTIONS
    version = prd.versions.get(number=2)
    assert (version.change_note, version.content_hash) == ("Rewrite", body["content_hash"])
    # the ETag is the PRD's, usable for If-Match
    assert response["ETag"] == client.get(f"{URL}{prd.pk}/")["ETag"]


def test_publishing_unchanged_content_answers_200_without_a_version(token_client, prd, editor):
    current = edited_sections(prd)
    response = publish(token_client(editor), prd, sections=current, change_note="Nothing really")
    assert response.status_code == 200
    assert (response.json()["published"], response.json()["version"]) == (False, 1)
    assert prd.versions.count() == 1


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"sections": SECTIONS}, {"change_note"}),
        ({"change_note": "x", "sections": [{"body": "no title"}]}, {"sections[0].title"}),
        ({"change_note": "x", "title": ""}, {"title"}),
        ({"change_note": "x", "owner": 1}, {"owner"}),
    ],
)
def test_bad_publish_input_answers_400(token_client, prd, editor, payload, fields):
    response = publish(token_client(editor), prd, **payload)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields
    assert prd.versions.count() == 1


# --- versions --------------------------------------------------------------------------------------


def test_versions_newest_first_and_a_version_in_full(token_client, prd, editor, viewer):
    prd_update(prd=prd, actor=editor, sections=edited_sections(prd, goals="Faster"), change_note="Goals")
    client = token_client(viewer)
    listed = client.get(f"{URL}{prd.pk}/versions/")
    assert listed.status_code == 200
    assert [(v["number"], v["change_note"]) for v in listed.json()["results"]] == [(2, "Goals"), (1, "Created")]
    assert "content" not in listed.json()["results"][0]

    version = prd.versions.get(number=2)
    detail = client.get(f"/api/v1/prd-versions/{version.pk}/")
    assert detail.status_code == 200
    assert detail.json()["content"] == version.content
    assert detail.json()["created_by"]["id"] == editor.pk
    assert [v["number"] for v in client.get("/api/v1/prd-versions/", {"prd": prd.pk}).json()["results"]] == [2, 1]


def test_versions_are_read_only(token_client, prd, admin_user):
    version = prd.versions.get()
    client = token_client(admin_user)
    assert client.patch(f"/api/v1/prd-versions/{version.pk}/", {"change_note": "x"}).status_code == 405
    assert client.delete(f"/api/v1/prd-versions/{version.pk}/").status_code == 405
    assert client.post("/api/v1/prd-versions/", {"prd": prd.pk}).status_code == 405
    assert PRDVersion.objects.get(pk=version.pk).change_note == "Created"


def test_diff_between_two_versions(token_client, prd, editor, viewer):
    # given
    prd_update(prd=prd, actor=editor, title="Checkout 2", sections=edited_sections(prd, goals="Faster"))
    requirement_create(prd=prd, actor=editor, title="Refund in 5 days")
    # when
    response = token_client(viewer).get(f"{URL}{prd.pk}/versions/diff/", {"from": 1, "to": 3})
    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["prd"], body["from"], body["to"]) == (prd.pk, 1, 3)
    assert body["title"] == {"before": "Checkout v2", "after": "Checkout 2"}
    assert body["sections"]["added"] == body["sections"]["removed"] == []
    assert body["sections"]["changed"] == [
        {
            "before": {"kind": "goals", "title": "Goals", "body": ""},
            "after": {"kind": "goals", "title": "Goals", "body": "Faster"},
        }
    ]
    assert [r["title"] for r in body["requirements"]["added"]] == ["Refund in 5 days"]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, {"from", "to"}),
        ({"from": 1}, {"to"}),
        ({"from": "one", "to": 1}, {"from"}),
        ({"from": 0, "to": 1}, {"from"}),
        ({"from": 1, "to": 7}, {"to"}),
        ({"from": 5, "to": 7}, {"from", "to"}),
    ],
)
def test_diff_with_bad_numbers_answers_400_naming_them(token_client, prd, viewer, params, fields):
    response = token_client(viewer).get(f"{URL}{prd.pk}/versions/diff/", params)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields


def test_diff_names_the_missing_version(token_client, prd, viewer):
    response = token_client(viewer).get(f"{URL}{prd.pk}/versions/diff/", {"from": 1, "to": 7})
    assert response.json()["error"]["fields"] == {"to": ["This PRD has no version 7."]}


# --- coverage --------------------------------------------------------------------------------------


def test_coverage_of_a_prd_and_of_its_product(token_client, product, prd, editor, viewer):
    # given: REQ-1 built by a feature, REQ-2 by nothing; one story under the feature, one traced to nothing
    feature = FeatureFactory(epic=EpicFactory(product=product))
    traced = StoryFactory(feature=feature)
    untraced = StoryFactory(product=product, title="Dark mode")
    built = requirement_create(prd=prd, actor=editor, title="Refunds", features=[feature])
    unbuilt = requirement_create(prd=prd, actor=editor, title="Split payments")
    other_prd = PRDFactory(product=product, actor=editor)
    other = requirement_create(prd=other_prd, actor=editor, title="Receipts")
    client = token_client(viewer)
    # when
    of_prd = client.get(f"{URL}{prd.pk}/coverage/")
    of_product = client.get("/api/v1/requirements/coverage/", {"product": product.pk})
    # then
    assert of_prd.status_code == of_product.status_code == 200
    assert of_prd.json() == {
        "product": product.pk,
        "prd": prd.pk,
        "requirements_total": 2,
        "stories_total": 2,
        "percent_requirements_covered": 50,
        "unbuilt_requirements": [{"id": unbuilt.pk, "key": unbuilt.key, "title": "Split payments", "prd": prd.pk}],
        "untraced_stories": [{"id": untraced.pk, "key": untraced.key, "title": "Dark mode"}],
    }
    assert traced.pk not in [s["id"] for s in of_prd.json()["untraced_stories"]]
    assert built.pk not in [r["id"] for r in of_prd.json()["unbuilt_requirements"]]
    assert of_product.json()["prd"] is None
    assert [r["id"] for r in of_product.json()["unbuilt_requirements"]] == [unbuilt.pk, other.pk]
    assert of_product.json()["percent_requirements_covered"] == 33
    narrowed = client.get("/api/v1/requirements/coverage/", {"product": product.pk, "prd": other_prd.pk})
    assert [r["id"] for r in narrowed.json()["unbuilt_requirements"]] == [other.pk]


def test_product_coverage_needs_a_visible_product(token_client, product, other_product, viewer):
    client = token_client(viewer)
    missing = client.get("/api/v1/requirements/coverage/")
    assert missing.status_code == 400
    assert set(missing.json()["error"]["fields"]) == {"product"}
    assert client.get("/api/v1/requirements/coverage/", {"product": "x"}).status_code == 400
    assert client.get("/api/v1/requirements/coverage/", {"product": other_product.pk}).status_code == 404
    assert client.get("/api/v1/requirements/coverage/", {"product": 10**9}).status_code == 404


def test_product_coverage_refuses_a_prd_of_another_product(token_client, product, other_product, viewer, outsider):
    foreign = PRDFactory(product=other_product, actor=outsider)
    response = token_client(viewer).get("/api/v1/requirements/coverage/", {"product": product.pk, "prd": foreign.pk})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"prd": ["No PRD with this id in the product."]}


# --- roles -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"), [("viewer", False), ("contributor", False), ("editor", True), ("admin", True)]
)
def test_who_writes_prds(request, token_client, product, prd, role, allowed):
    # given
    client = client_as(request, token_client, role)
    before = fingerprint()
    # when
    responses = {
        "create": client.post(URL, {"product": product.pk, "title": "New PRD"}),
        "patch": client.patch(f"{URL}{prd.pk}/", {"title": "Renamed"}, HTTP_IF_MATCH=etag_of(client, prd)),
        "publish": publish(client, prd, sections=SECTIONS, change_note="Rewrite"),
    }
    # then
    if allowed:
        assert {name: r.status_code for name, r in responses.items()} == {"create": 201, "patch": 200, "publish": 201}
        assert client.delete(f"{URL}{prd.pk}/").status_code == 204
    else:
        assert {name: r.status_code for name, r in responses.items()} == {"create": 403, "patch": 403, "publish": 403}
        assert client.delete(f"{URL}{prd.pk}/").status_code == 403
        assert responses["create"].json()["error"]["message"] == (
            "This needs the editor role or higher in this workspace."
        )
        assert fingerprint() == before


@pytest.mark.parametrize("role", ["viewer", "contributor", "editor", "admin"])
def test_every_member_reads(request, token_client, prd, role):
    client = client_as(request, token_client, role)
    version = prd.versions.get()
    assert ids(client.get(URL)) == [prd.pk]
    assert client.get(f"{URL}{prd.pk}/").status_code == 200
    assert client.get(f"{URL}{prd.pk}/versions/").status_code == 200
    assert client.get(f"{URL}{prd.pk}/versions/diff/", {"from": 1, "to": 1}).status_code == 200
    assert client.get(f"{URL}{prd.pk}/coverage/").status_code == 200
    assert client.get(f"/api/v1/prd-versions/{version.pk}/").status_code == 200


def test_anonymous_gets_401(api_client, prd):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401


# --- tenancy ---------------------------------------------------------------------------------------


def test_other_workspace_gets_404_on_every_route_and_nothing_changes(token_client, prd, outsider, other_product):
    # given
    version = prd.versions.get()
    client = token_client(outsider)
    before = fingerprint()
    # when
    answers = {
        "get": client.get(f"{URL}{prd.pk}/"),
        "put": client.put(f"{URL}{prd.pk}/", {"title": "Hijacked"}),
        "patch": client.patch(f"{URL}{prd.pk}/", {"title": "Hijacked"}),
        "delete": client.delete(f"{URL}{prd.pk}/"),
        "publish": publish(client, prd, sections=SECTIONS, change_note="Hijack"),
        "versions": client.get(f"{URL}{prd.pk}/versions/"),
        "diff": client.get(f"{URL}{prd.pk}/versions/diff/", {"from": 1, "to": 1}),
        "coverage": client.get(f"{URL}{prd.pk}/coverage/"),
        "request-signoff": client.post(f"{URL}{prd.pk}/request-signoff/", {"approver": outsider.pk, "role": "qa"}),
        "version": client.get(f"/api/v1/prd-versions/{version.pk}/"),
        "product coverage": client.get("/api/v1/requirements/coverage/", {"product": prd.product_id}),
    }
    # then
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    assert client.get(URL).json()["count"] == 0
    assert client.get("/api/v1/prd-versions/").json()["count"] == 0
    assert client.get(URL, {"product": prd.product_id}).json()["count"] == 0
    assert fingerprint() == before


def test_creating_in_another_workspace_answers_400_and_writes_nothing(token_client, other_product, editor):
    response = token_client(editor).post(URL, {"product": other_product.pk, "title": "Sneaky"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "product": [f'Invalid pk "{other_product.pk}" - object does not exist.']
    }
    assert not PRD.objects.exists()


# --- query budgets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 50])
def test_prd_list_query_budget_holds_for_5_and_50(
    token_client, product, editor, viewer, count, django_assert_max_num_queries
):
    epic = EpicFactory(product=product)
    item = RoadmapItemFactory(roadmap=RoadmapFactory(product=product))
    for n in range(count):
        PRDFactory(product=product, actor=editor, title=f"PRD {n:02}", epics=[epic], roadmap_items=[item])
    client = token_client(viewer)
    with django_assert_max_num_queries(PRD_LIST_QUERIES):
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [5, 50])
def test_version_lists_query_budget_holds_for_5_and_50(
    token_client, prd, editor, viewer, count, django_assert_max_num_queries
):
    for n in range(count - 1):
        prd_update(prd=prd, actor=editor, title=f"Checkout {n}")
    client = token_client(viewer)
    with django_assert_max_num_queries(VERSIONS_QUERIES):
        response = client.get(f"{URL}{prd.pk}/versions/", {"page_size": 100})
    assert response.json()["count"] == count
    with django_assert_max_num_queries(VERSION_LIST_QUERIES):
        response = client.get("/api/v1/prd-versions/", {"page_size": 100})
    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [5, 50])
def test_coverage_query_budget_holds_for_5_and_50(
    token_client, product, prd, editor, viewer, count, django_assert_max_num_queries
):
    for n in range(count):
        requirement_create(prd=prd, actor=editor, title=f"Requirement {n}")
        StoryFactory(product=product)
    client = token_client(viewer)
    with django_assert_max_num_queries(COVERAGE_QUERIES):
        response = client.get(f"{URL}{prd.pk}/coverage/")
    assert len(response.json()["untraced_stories"]) == count
    with django_assert_max_num_queries(COVERAGE_QUERIES):
        response = client.get("/api/v1/requirements/coverage/", {"product": product.pk})
    assert len(response.json()["unbuilt_requirements"]) == count


# Measured at 5 rows.
PRD_LIST_QUERIES = 7
VERSIONS_QUERIES = 6
VERSION_LIST_QUERIES = 3
COVERAGE_QUERIES = 8
