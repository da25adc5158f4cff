"""The decision option resource: add, change, remove while the record is open; roles, tenancy, budgets."""

import pytest

from decisions.models import DecisionOption, DecisionRecord, SignOff
from decisions.services import decision_choose_option, signoff_approve, signoff_request
from decisions.tests.factories import DecisionRecordFactory

from .helpers import client_as, fingerprint, ids

URL = "/api/v1/decision-options/"


@pytest.fixture
def option(record):
    return record.options.get(title="Option A")


def test_add_an_option(token_client, record, editor):
    response = token_client(editor).post(
        URL, {"decision": record.pk, "title": "Option C", "pros": "Cheap", "cost": "low", "risk": "high"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["decision"], body["title"], body["pros"], body["cost"], body["risk"], body["position"]) == (
        record.pk,
        "Option C",
        "Cheap",
        "low",
        "high",
        2,
    )
    assert body["chosen"] is False
    assert [o.title for o in record.options.order_by("position")] == ["Option A", "Option B", "Option C"]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"title": "No record"}, {"decision"}),
        ({"decision": "RECORD", "title": "Option A"}, {"title"}),
        ({"decision": "RECORD", "title": " "}, {"title"}),
        ({"decision": "RECORD", "title": "C", "risk": "extreme"}, {"risk"}),
        ({"decision": "RECORD", "title": "C", "position": 0}, {"position"}),
    ],
)
def test_bad_input_answers_400_naming_the_fields(token_client, record, editor, payload, fields):
    payload = {key: (record.pk if value == "RECORD" else value) for key, value in payload.items()}
    response = token_client(editor).post(URL, payload)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields
    assert record.options.count() == 2


def test_change_an_option(token_client, option, editor):
    response = token_client(editor).patch(f"{URL}{option.pk}/", {"cons": "Operations", "cost": "high"})
    assert response.status_code == 200, response.json()
    option.refresh_from_db()
    assert (option.cons, option.cost) == ("Operations", "high")


def test_stale_if_match_answers_412(token_client, option, editor):
    client = token_client(editor)
    etag = client.get(f"{URL}{option.pk}/")["ETag"]
    assert client.patch(f"{URL}{option.pk}/", {"pros": "First"}, HTTP_IF_MATCH=etag).status_code == 200
    assert client.patch(f"{URL}{option.pk}/", {"pros": "Second"}, HTTP_IF_MATCH=etag).status_code == 412
    option.refresh_from_db()
    assert option.pros == "First"


def test_choosing_another_option_does_not_make_an_options_etag_stale(token_client, record, option, editor):
    # given
    client = token_client(editor)
    etag = client.get(f"{URL}{option.pk}/")["ETag"]
    # when: the record's choice changes (the option's `chosen` flips), then the option is edited
    decision_choose_option(record=record, actor=editor, option=option)
    response = client.patch(f"{URL}{option.pk}/", {"pros": "Durable"}, HTTP_IF_MATCH=etag)
    # then
    assert response.status_code == 200, response.json()
    assert (response.json()["chosen"], response.json()["pros"]) == (True, "Durable")


def test_remove_an_option(token_client, record, option, editor):
    assert token_client(editor).delete(f"{URL}{option.pk}/").status_code == 204
    assert [o.title for o in record.options.all()] == ["Option B"]


def test_changing_an_option_of_a_record_in_review_asks_again(token_client, record, option, editor, viewer):
    # given
    decision_choose_option(record=record, actor=editor, option=option)
    signoff = signoff_request(document=record, actor=editor, approver=viewer, role="architecture")
    # when
    response = token_client(editor).patch(f"{URL}{option.pk}/", {"risk": "high"})
    # then
    assert response.status_code == 200
    assert list(SignOff.objects.filter(decision=record).values_list("state", flat=True).order_by("pk")) == [
        "stale",
        "pending",
    ]
    signoff.refresh_from_db()
    assert signoff.state == "stale"


def test_options_of_an_accepted_record_are_frozen(token_client, record, option, editor, viewer):
    # given
    decision_choose_option(record=record, actor=editor, option=option)
    signoff_approve(
        signoff=signoff_request(document=record, actor=editor, approver=viewer, role="architecture"), actor=viewer
    )
    client = token_client(editor)
    before = fingerprint()
    # when
    answers = [
        client.post(URL, {"decision": record.pk, "title": "Late idea"}),
        client.patch(f"{URL}{option.pk}/", {"title": "Rewritten"}),
        client.delete(f"{URL}{option.pk}/"),
    ]
    # then
    assert [r.status_code for r in answers] == [400, 400, 400]
    assert all("frozen" in r.json()["error"]["fields"]["non_field_errors"][0] for r in answers)
    assert fingerprint() == before


def test_list_filters_by_decision(token_client, product, record, editor, viewer):
    other = DecisionRecordFactory(product=product, actor=editor)
    client = token_client(viewer)
    assert ids(client.get(URL, {"decision": record.pk})) == list(
        record.options.order_by("position").values_list("pk", flat=True)
    )
    assert client.get(URL, {"product": product.pk}).json()["count"] == 4
    assert ids(client.get(URL, {"decision": other.pk, "search": "option b"})) == [
        other.options.get(title="Option B").pk
    ]


@pytest.mark.parametrize(
    ("role", "allowed"), [("viewer", False), ("contributor", False), ("editor", True), ("admin", True)]
)
def test_who_writes_options(request, token_client, record, option, role, allowed):
    client = client_as(request, token_client, role)
    before = fingerprint()
    answers = {
        "create": client.post(URL, {"decision": record.pk, "title": "Option C"}).status_code,
        "patch": client.patch(f"{URL}{option.pk}/", {"pros": "Fast"}).status_code,
        "delete": client.delete(f"{URL}{option.pk}/").status_code,
    }
    if allowed:
        assert answers == {"create": 201, "patch": 200, "delete": 204}
    else:
        assert answers == dict.fromkeys(answers, 403)
        assert fingerprint() == before


def test_other_workspace_gets_404_on_every_route_and_nothing_changes(token_client, record, option, outsider):
    client = token_client(outsider)
    before = fingerprint()
    url = f"{URL}{option.pk}/"
    answers = {
        "get": client.get(url),
        "put": client.put(url, {"title": "Hijacked"}),
        "patch": client.patch(url, {"title": "Hijacked"}),
        "delete": client.delete(url),
    }
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    assert client.get(URL, {"decision": record.pk}).json()["count"] == 0
    create = client.post(URL, {"decision": record.pk, "title": "Sneaky"})
    assert create.status_code == 400
    assert set(create.json()["error"]["fields"]) == {"decision"}
    assert fingerprint() == before


@pytest.mark.parametrize("count", [5, 50])
def test_option_list_query_budget_holds_for_5_and_50(
    token_client, product, editor, viewer, count, django_assert_max_num_queries
):
    DecisionRecordFactory(product=product, actor=editor, options=[{"title": f"Option {n}"} for n in range(count)])
    assert DecisionOption.objects.count() == count
    client = token_client(viewer)
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] == count
    assert DecisionRecord.objects.count() == 1
