"""The decision record resource: CRUD of the text, participants, links, choose, supersede / amend, roles, tenancy."""

import pytest

from backlog.tests.factories import EpicFactory
from decisions.models import DecisionParticipant, DecisionRecord
from decisions.services import (
    current_hash,
    decision_amend,
    decision_choose_option,
    signoff_approve,
    signoff_request,
)
from decisions.tests.factories import DecisionRecordFactory, PRDFactory
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory
from workspaces.tests.factories import MembershipFactory, ProductFactory

from .helpers import client_as, fingerprint, ids

URL = "/api/v1/decisions/"


def accept(record: DecisionRecord, *, editor, approver) -> DecisionRecord:
    decision_choose_option(record=record, actor=editor, option=record.options.order_by("position").first())
    signoff = signoff_request(document=record, actor=editor, approver=approver, role="architecture")
    signoff_approve(signoff=signoff, actor=approver)
    record.refresh_from_db()
    assert record.status == DecisionRecord.Status.ACCEPTED
    return record


def participants(record: DecisionRecord) -> list[tuple[str, str]]:
    return sorted(record.participants.values_list("user__username", "part"))


# --- create, read ----------------------------------------------------------------------------------


def test_create_a_record_with_options_participants_and_links(token_client, product, editor, viewer, contributor):
    # given
    epic = EpicFactory(product=product)
    item = RoadmapItemFactory(roadmap=RoadmapFactory(product=product))
    prd = PRDFactory(product=product, actor=editor)
    # when
    response = token_client(editor).post(
        URL,
        {
            "product": product.pk,
            "title": "Queue for payment events",
            "context": "We lose events under load.",
            "decision_drivers": "Durability\nCost",
            "options": [
                {"title": "Kafka", "pros": "Durable", "cost": "high", "risk": "low"},
                {"title": "SQS", "cons": "Vendor lock-in"},
            ],
            "deciders": [editor.pk],
            "consulted": [contributor.pk],
            "informed": [viewer.pk, contributor.pk],
            "epics": [epic.pk],
            "roadmap_items": [item.pk],
            "prds": [prd.pk],
        },
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    record = DecisionRecord.objects.get(pk=body["id"])
    assert (body["key"], body["status"], body["owner"]["id"]) == ("ADR-1", "proposed", editor.pk)
    assert [(o["title"], o["cost"], o["risk"], o["position"], o["chosen"]) for o in body["options"]] == [
        ("Kafka", "high", "low", 0, False),
        ("SQS", "medium", "medium", 1, False),
    ]
    assert body["chosen_option"] is None
    assert (body["deciders"], body["consulted"], body["informed"]) == (
        [editor.pk],
        [contributor.pk],
        sorted([viewer.pk, contributor.pk]),
    )
    assert (body["epics"], body["roadmap_items"], body["prds"]) == ([epic.pk], [item.pk], [prd.pk])
    assert body["content_hash"] == current_hash(record)
    assert (body["supersedes"], body["amends"], body["superseded_by"], body["amended_by"]) == (None, None, None, [])
    assert response["ETag"]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"title": "No product"}, {"product"}),
        ({"product": "PRODUCT", "title": ""}, {"title"}),
        ({"product": "PRODUCT", "title": "X", "status": "accepted"}, {"status"}),
        ({"product": "PRODUCT", "title": "X", "options": [{"pros": "no title"}]}, {"options[0].title"}),
        ({"product": "PRODUCT", "title": "X", "options": [{"title": "A", "cost": "huge"}]}, {"options[0].cost"}),
        ({"product": "PRODUCT", "title": "X", "options": [{"title": "A", "colour": "red"}]}, {"options[0].colour"}),
        ({"product": "PRODUCT", "title": "X", "deciders": [10**9]}, {"deciders"}),
        ({"product": "PRODUCT", "title": "X", "prds": "all"}, {"prds"}),
    ],
)
def test_bad_create_input_answers_400_naming_the_fields(token_client, product, editor, payload, fields):
    payload = {key: (product.pk if value == "PRODUCT" else value) for key, value in payload.items()}
    response = token_client(editor).post(URL, payload)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields
    assert not DecisionRecord.objects.exists()


def test_a_decider_from_another_shared_workspace_is_refused(token_client, product, editor, other_workspace):
    # given: someone who shares another workspace with the editor, but not this one
    MembershipFactory(workspace=other_workspace, user=editor)
    stranger = MembershipFactory(workspace=other_workspace).user
    # when
    response = token_client(editor).post(URL, {"product": product.pk, "title": "X", "deciders": [stranger.pk]})
    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"deciders": [f"{stranger} is not a member of this workspace."]}
    assert not DecisionRecord.objects.exists()


def test_list_filters_and_orders(token_client, product, editor, viewer):
    epic = EpicFactory(product=product)
    a = DecisionRecordFactory(product=product, actor=editor, title="Queue", epics=[epic], deciders=[viewer])
    b = DecisionRecordFactory(product=product, actor=editor, title="Database")
    b = accept(b, editor=editor, approver=viewer)
    client = token_client(viewer)
    assert ids(client.get(URL)) == [b.pk, a.pk]
    assert ids(client.get(URL, {"ordering": "number"})) == [a.pk, b.pk]
    assert ids(client.get(URL, {"status": "accepted"})) == [b.pk]
    assert ids(client.get(URL, {"epic": epic.pk})) == [a.pk]
    assert ids(client.get(URL, {"decider": viewer.pk})) == [a.pk]
    assert ids(client.get(URL, {"search": "datab"})) == [b.pk]
    assert client.get(URL, {"status": "maybe"}).status_code == 400


# --- update, delete --------------------------------------------------------------------------------


def test_patch_edits_the_text(token_client, record, editor):
    response = token_client(editor).patch(f"{URL}{record.pk}/", {"outcome": "Kafka, for durability.", "title": "Queue"})
    assert response.status_code == 200, response.json()
    assert (response.json()["outcome"], response.json()["title"]) == ("Kafka, for durability.", "Queue")
    record.refresh_from_db()
    assert record.outcome == "Kafka, for durability."


def test_patch_refuses_fields_with_their_own_endpoint(token_client, record, editor):
    response = token_client(editor).patch(f"{URL}{record.pk}/", {"options": [], "deciders": [], "status": "accepted"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"options", "deciders", "status"}


def test_an_accepted_record_answers_400_frozen_and_keeps_its_text(token_client, record, editor, viewer):
    # given
    record = accept(record, editor=editor, approver=viewer)
    before = fingerprint()
    # when
    response = token_client(editor).patch(f"{URL}{record.pk}/", {"context": "Rewritten history"})
    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "non_field_errors": [
            "ADR-1 is accepted and its content is frozen; propose a new record that supersedes or amends it."
        ]
    }
    assert fingerprint() == before


def test_stale_if_match_answers_412_and_changes_nothing(token_client, record, editor):
    client = token_client(editor)
    etag = client.get(f"{URL}{record.pk}/")["ETag"]
    first = client.patch(f"{URL}{record.pk}/", {"context": "First"}, HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    second = client.put(f"{URL}{record.pk}/", {"title": "Second", "context": "Second"}, HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    record.refresh_from_db()
    assert (record.title, record.context) == ("Queue for payment events", "First")
    assert client.get(f"{URL}{record.pk}/")["ETag"] == first["ETag"]


def test_a_fresh_if_match_is_accepted(token_client, record, editor):
    client = token_client(editor)
    etag = client.get(f"{URL}{record.pk}/")["ETag"]
    assert client.patch(f"{URL}{record.pk}/", {"context": "Fine"}, HTTP_IF_MATCH=etag).status_code == 200


def test_delete_a_proposed_record(token_client, record, editor):
    assert token_client(editor).delete(f"{URL}{record.pk}/").status_code == 204
    assert not DecisionRecord.objects.filter(pk=record.pk).exists()


def test_delete_is_refused_for_a_record_with_signoffs_or_successors(token_client, product, record, editor, viewer):
    # given: ADR-1 accepted (so it has sign-offs), and ADR-2 amending it
    accepted = accept(record, editor=editor, approver=viewer)
    amendment = decision_amend(record=accepted, actor=editor)
    client = token_client(editor)
    before = fingerprint()
    # when
    with_signoffs = client.delete(f"{URL}{accepted.pk}/")
    # then
    assert with_signoffs.status_code == 400
    assert with_signoffs.json()["error"]["fields"] == {
        "non_field_errors": ["ADR-1 has sign-offs, and their audit trail is kept: it cannot be deleted."]
    }
    assert fingerprint() == before
    assert client.delete(f"{URL}{amendment.pk}/").status_code == 204


def test_delete_is_refused_while_another_record_rests_on_it(token_client, product, editor, viewer):
    # given: a record amended by another, without sign-offs of its own (the audit trail is not the reason)
    original = DecisionRecordFactory(product=product, actor=editor)
    original = accept(original, editor=editor, approver=viewer)
    amendment = decision_amend(record=original, actor=editor)
    original.signoffs.all().delete()  # as if it had none: the successor alone must keep it
    # when
    response = token_client(editor).delete(f"{URL}{original.pk}/")
    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "non_field_errors": [f"{original.key} cannot be deleted: {amendment.key} supersedes or amends it."]
    }
    assert DecisionRecord.objects.filter(pk=original.pk).exists()


# --- participants, links, choose -------------------------------------------------------------------


def test_participants_replace_only_the_lists_given(token_client, product, editor, viewer, contributor):
    # given
    record = DecisionRecordFactory(product=product, actor=editor, deciders=[editor], informed=[viewer])
    # when
    response = token_client(editor).post(
        f"{URL}{record.pk}/participants/", {"deciders": [contributor.pk, editor.pk], "consulted": [viewer.pk]}
    )
    # then
    assert response.status_code == 200, response.json()
    assert participants(record) == sorted(
        [("cora", "decider"), ("eddie", "decider"), ("vic", "consulted"), ("vic", "informed")]
    )
    assert response.json()["deciders"] == sorted([contributor.pk, editor.pk])


def test_participants_of_an_accepted_record_are_frozen(token_client, record, editor, viewer):
    record = accept(record, editor=editor, approver=viewer)
    response = token_client(editor).post(f"{URL}{record.pk}/participants/", {"informed": [viewer.pk]})
    assert response.status_code == 400
    assert "frozen" in response.json()["error"]["fields"]["non_field_errors"][0]
    assert participants(record) == []


@pytest.mark.parametrize(("payload", "fields"), [({}, {"deciders"}), ({"informed": ["x"]}, {"informed"})])
def test_bad_participants_answer_400(token_client, record, editor, payload, fields):
    response = token_client(editor).post(f"{URL}{record.pk}/participants/", payload)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields


def test_links_replace_only_the_lists_given_even_after_acceptance(token_client, product, record, editor, viewer):
    # given
    first, second = EpicFactory(product=product), EpicFactory(product=product)
    prd = PRDFactory(product=product, actor=editor)
    item = RoadmapItemFactory(roadmap=RoadmapFactory(product=product))
    client = token_client(editor)
    assert client.post(f"{URL}{record.pk}/links/", {"epics": [first.pk], "prds": [prd.pk]}).status_code == 200
    record = accept(record, editor=editor, approver=viewer)
    # when
    response = client.post(f"{URL}{record.pk}/links/", {"epics": [second.pk], "roadmap_items": [item.pk]})
    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["epics"], body["roadmap_items"], body["prds"]) == ([second.pk], [item.pk], [prd.pk])


def test_links_to_another_product_are_refused(token_client, workspace, record, editor):
    sibling_epic = EpicFactory(product=ProductFactory(workspace=workspace, key="SIB"))
    response = token_client(editor).post(f"{URL}{record.pk}/links/", {"epics": [sibling_epic.pk]})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"epics"}
    assert list(record.epics.all()) == []


def test_choose_an_option_and_none(token_client, record, editor):
    option = record.options.get(title="Option B")
    client = token_client(editor)
    chosen = client.post(f"{URL}{record.pk}/choose/", {"option": option.pk})
    assert chosen.status_code == 200, chosen.json()
    assert chosen.json()["chosen_option"] == option.pk
    assert [o["chosen"] for o in chosen.json()["options"]] == [False, True]
    cleared = client.post(f"{URL}{record.pk}/choose/", {"option": None})
    assert cleared.json()["chosen_option"] is None


def test_choosing_an_option_of_another_record_answers_400(token_client, product, record, editor):
    other = DecisionRecordFactory(product=product, actor=editor)
    response = token_client(editor).post(f"{URL}{record.pk}/choose/", {"option": other.options.first().pk})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"option": ["ADR-1 has no option with this id."]}
    record.refresh_from_db()
    assert record.chosen_option is None


def test_choose_needs_the_option_field(token_client, record, editor):
    response = token_client(editor).post(f"{URL}{record.pk}/choose/", {})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"option"}


# --- supersede, amend ------------------------------------------------------------------------------


def test_supersede_answers_the_new_record(token_client, record, editor, viewer):
    record = accept(record, editor=editor, approver=viewer)
    client = token_client(editor)
    response = client.post(f"{URL}{record.pk}/supersede/", {"title": "Queue, revisited"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["key"], body["title"], body["status"], body["supersedes"]) == (
        "ADR-2",
        "Queue, revisited",
        "proposed",
        record.pk,
    )
    assert [o["title"] for o in body["options"]] == ["Option A", "Option B"]
    assert client.get(f"{URL}{record.pk}/").json()["superseded_by"] == body["id"]


def test_amend_answers_the_new_record(token_client, record, editor, viewer):
    record = accept(record, editor=editor, approver=viewer)
    client = token_client(editor)
    response = client.post(f"{URL}{record.pk}/amend/", {})
    assert response.status_code == 201, response.json()
    assert (response.json()["title"], response.json()["amends"]) == ("Amend: Queue for payment events", record.pk)
    assert client.get(f"{URL}{record.pk}/").json()["amended_by"] == [response.json()["id"]]


def test_superseding_a_proposed_record_answers_400(token_client, record, editor):
    response = token_client(editor).post(f"{URL}{record.pk}/supersede/", {})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "non_field_errors": ["Only an accepted record can be superseded; ADR-1 is proposed. Edit it instead."]
    }
    assert DecisionRecord.objects.count() == 1


# --- roles and tenancy -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"), [("viewer", False), ("contributor", False), ("editor", True), ("admin", True)]
)
def test_who_writes_decision_records(request, token_client, product, record, role, allowed, viewer):
    # given
    accepted = accept(DecisionRecordFactory(product=product, actor=record.owner), editor=record.owner, approver=viewer)
    client = client_as(request, token_client, role)
    epic = EpicFactory(product=product)
    before = fingerprint()
    # when
    answers = {
        "create": client.post(URL, {"product": product.pk, "title": "New"}).status_code,
        "patch": client.patch(f"{URL}{record.pk}/", {"context": "Changed"}).status_code,
        "participants": client.post(f"{URL}{record.pk}/participants/", {"informed": [viewer.pk]}).status_code,
        "links": client.post(f"{URL}{record.pk}/links/", {"epics": [epic.pk]}).status_code,
        "choose": client.post(f"{URL}{record.pk}/choose/", {"option": record.options.first().pk}).status_code,
        "supersede": client.post(f"{URL}{accepted.pk}/supersede/", {}).status_code,
        "amend": client.post(f"{URL}{accepted.pk}/amend/", {}).status_code,
        "delete": client.delete(f"{URL}{record.pk}/").status_code,
    }
    # then
    if allowed:
        assert answers == {
            "create": 201,
            "patch": 200,
            "participants": 200,
            "links": 200,
            "choose": 200,
            "supersede": 201,
            "amend": 201,
            "delete": 204,
        }
    else:
        assert answers == dict.fromkeys(answers, 403)
        assert fingerprint() == before


def test_other_workspace_gets_404_on_every_route_and_nothing_changes(
    token_client, product, record, editor, viewer, outsider
):
    # given
    accepted = accept(DecisionRecordFactory(product=product, actor=editor), editor=editor, approver=viewer)
    client = token_client(outsider)
    before = fingerprint()
    url = f"{URL}{record.pk}/"
    # when
    answers = {
        "get": client.get(url),
        "put": client.put(url, {"title": "Hijacked"}),
        "patch": client.patch(url, {"title": "Hijacked"}),
        "delete": client.delete(url),
        "participants": client.post(f"{url}participants/", {"deciders": [outsider.pk]}),
        "links": client.post(f"{url}links/", {"epics": []}),
        "choose": client.post(f"{url}choose/", {"option": None}),
        "request-signoff": client.post(f"{url}request-signoff/", {"approver": outsider.pk, "role": "qa"}),
        "supersede": client.post(f"{URL}{accepted.pk}/supersede/", {}),
        "amend": client.post(f"{URL}{accepted.pk}/amend/", {}),
    }
    # then
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    assert client.get(URL).json()["count"] == 0
    assert client.get(URL, {"product": product.pk}).json()["count"] == 0
    assert fingerprint() == before


@pytest.mark.parametrize("count", [5, 50])
def test_decision_list_query_budget_holds_for_5_and_50(
    token_client, product, editor, viewer, count, django_assert_max_num_queries
):
    epic = EpicFactory(product=product)
    item = RoadmapItemFactory(roadmap=RoadmapFactory(product=product))
    prd = PRDFactory(product=product, actor=editor)
    first = DecisionRecordFactory(product=product, actor=editor)
    first = accept(first, editor=editor, approver=viewer)
    decision_amend(record=first, actor=editor)
    for _ in range(count - 2):
        DecisionRecordFactory(
            product=product,
            actor=editor,
            epics=[epic],
            roadmap_items=[item],
            prds=[prd],
            deciders=[editor],
            informed=[viewer],
        )
    client = token_client(viewer)
    with django_assert_max_num_queries(DECISION_LIST_QUERIES):
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] == count
    assert DecisionParticipant.objects.count() == 2 * (count - 2)


# Measured at 5 rows.
DECISION_LIST_QUERIES = 10
