"""The decision list /p/<id>/decisions/ (grouped by status, filtered in the URL) and record creation."""

import pytest
from django.urls import reverse

from decisions.models import DecisionRecord
from decisions.tests.factories import DecisionRecordFactory
from workspaces.models import Role

from .helpers import HX, ask, chosen, list_url


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN])
def test_every_member_reads_the_list(client, product, record, member_factory, role):
    # given
    client.force_login(member_factory(role))
    # when
    response = client.get(list_url(product))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "Queue for payment events" in body and record.key in body
    assert "New decision" in body if Role.at_least(role, Role.EDITOR) else "New decision" not in body


def test_records_are_grouped_by_status_with_owner_and_signoff_state(client, product, editor, viewer, contributor):
    # given
    proposed = DecisionRecordFactory(product=product, actor=editor, title="Use Kafka")
    in_review = chosen(DecisionRecordFactory(product=product, actor=editor, title="Card vault"), editor)
    ask(in_review, editor, viewer, contributor)
    client.force_login(viewer)
    # when
    body = client.get(list_url(product)).content.decode()
    # then
    assert body.index('id="group-in_review"') < body.index("Card vault")
    assert body.index('id="group-proposed"') < body.index("Use Kafka")
    assert "0 of 2 approved" in body and "2 waiting" in body
    assert "Not asked yet" in body
    assert (editor.get_full_name() or "eddie") in body
    assert proposed.key in body


def test_the_status_filter_lives_in_the_url_and_htmx_gets_the_list_only(client, product, editor):
    # given
    DecisionRecordFactory(product=product, actor=editor, title="Use Kafka")
    client.force_login(editor)
    # when
    full = client.get(list_url(product), {"status": "in_review"})
    fragment = client.get(list_url(product), {"status": "proposed"}, **HX)
    # then
    assert full.status_code == 200 and "<html" in full.content.decode()
    assert "Nothing is in review" in full.content.decode()
    assert "Use Kafka" not in full.content.decode()
    assert "<html" not in fragment.content.decode()
    assert 'id="decision-list"' in fragment.content.decode() and "Use Kafka" in fragment.content.decode()
    assert fragment["Vary"] and "HX-Request" in fragment["Vary"]


def test_an_unknown_status_shows_everything(client, product, record, viewer):
    client.force_login(viewer)
    body = client.get(list_url(product), {"status": "nonsense"}).content.decode()
    assert record.title in body


def test_an_empty_list_says_what_to_do_next(client, product, editor, viewer):
    client.force_login(editor)
    assert "Record the first decision" in client.get(list_url(product)).content.decode()
    client.force_login(viewer)
    body = client.get(list_url(product)).content.decode()
    assert "No decisions yet" in body and "Record the first decision" not in body


def test_an_outsider_gets_404(client, product, record, outsider):
    client.force_login(outsider)
    assert client.get(list_url(product)).status_code == 404


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_reads_a_bounded_number_of_queries(
    client, product, editor, viewer, django_assert_max_num_queries, count
):
    # given
    for n in range(count):
        record = chosen(DecisionRecordFactory(product=product, actor=editor, title=f"Decision {n}"), editor)
        if n % 2:
            ask(record, editor, viewer)
    client.force_login(viewer)
    # when / then
    with django_assert_max_num_queries(8):
        response = client.get(list_url(product))
    assert response.content.decode().count("decisions/") >= count


# --- create -------------------------------------------------------------------------------------------


def test_an_editor_creates_a_record_and_lands_on_its_page(client, product, editor):
    # given
    client.force_login(editor)
    # when
    response = client.post(
        reverse("decisions:decision_create", args=[product.pk]), {"title": "Pick a PSP", "context": "We need one."}
    )
    # then
    record = DecisionRecord.objects.get(product=product, title="Pick a PSP")
    assert response.status_code == 302
    assert response["Location"] == reverse("decisions:decision_detail", args=[product.pk, record.pk])
    assert record.owner == editor and record.context == "We need one."


def test_creating_without_a_title_answers_422_next_to_the_field(client, product, editor):
    client.force_login(editor)
    response = client.post(reverse("decisions:decision_create", args=[product.pk]), {"title": ""}, **HX)
    body = response.content.decode()
    assert response.status_code == 422
    assert 'aria-invalid="true"' in body and "This field is required." in body
    assert "<html" not in body
    assert not DecisionRecord.objects.filter(product=product).exists()


def test_a_viewer_cannot_create(client, product, viewer):
    client.force_login(viewer)
    response = client.post(reverse("decisions:decision_create", args=[product.pk]), {"title": "Nope"})
    assert response.status_code == 403
    assert "This needs the editor role" in response.content.decode()
    assert not DecisionRecord.objects.exists()
