"""The record page: read, edit the MADR text (409 on a stale save), options table, choice, links, chain."""

import pytest
from django.urls import reverse

from backlog.models import Epic
from backlog.tests.factories import EpicFactory
from decisions.models import DecisionOption, DecisionRecord, SignOff
from decisions.record_forms import option_version, record_text_version
from decisions.services import decision_set_links, decision_supersede, decision_update, signoff_approve
from decisions.tests.factories import DecisionRecordFactory
from workspaces.models import Role

from .helpers import HX, ask, chosen, detail_url


def text_post(record: DecisionRecord, **changes) -> dict:
    data = {name: getattr(record, name) for name in DecisionRecord.CONTENT_FIELDS}
    data["version"] = record_text_version(record)
    data.update(changes)
    return data


def option_url(record, option, suffix: str = "") -> str:
    return reverse("decisions:decision_option" + suffix, args=[record.product_id, record.pk, option.pk])


def action_url(record, name: str) -> str:
    return reverse(f"decisions:decision_{name}", args=[record.product_id, record.pk])


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN])
def test_every_member_reads_the_record(client, record, member_factory, role):
    # given
    client.force_login(member_factory(role))
    # when
    response = client.get(detail_url(record))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert record.key in body and "Queue for payment events" in body
    assert "Option A" in body and "Option B" in body
    assert 'id="signoffs"' in body and "Sign-offs" in body
    assert "Supersedes" in body and "Superseded by" in body
    writes = Role.at_least(role, Role.EDITOR)
    assert ("Edit the text" in body) is writes
    assert ("Add an option" in body) is writes
    assert ("Request sign-off" in body) is False  # no option chosen yet
    assert ("Choose an option before asking for sign-off." in body) is writes


def test_an_outsider_gets_404_on_every_record_url(client, record, outsider):
    # given
    client.force_login(outsider)
    option = record.options.first()
    # when / then
    assert client.get(detail_url(record)).status_code == 404
    assert client.post(detail_url(record), text_post(record, title="Hijacked")).status_code == 404
    assert client.post(option_url(record, option, "_remove")).status_code == 404
    assert client.post(action_url(record, "choose"), {"option": option.pk}).status_code == 404
    record.refresh_from_db()
    assert record.title == "Queue for payment events" and record.options.count() == 2


def test_a_record_of_another_product_is_404(client, record, editor, workspace):
    from workspaces.tests.factories import ProductFactory

    other = ProductFactory(workspace=workspace, name="Checkout", key="CHK")
    client.force_login(editor)
    assert client.get(reverse("decisions:decision_detail", args=[other.pk, record.pk])).status_code == 404


def test_the_editor_form_opens_in_place_and_after_a_reload(client, record, editor):
    client.force_login(editor)
    fragment = client.get(detail_url(record), {"edit": "1", "section": "content"}, **HX).content.decode()
    page = client.get(detail_url(record), {"edit": "1"}).content.decode()
    assert "<html" not in fragment and 'name="context"' in fragment and 'name="version"' in fragment
    assert "<html" in page and 'name="context"' in page


def test_an_editor_saves_the_text_and_htmx_gets_the_record_back(client, record, editor):
    # given
    client.force_login(editor)
    # when
    response = client.post(
        detail_url(record), text_post(record, title="Kafka for payment events", outcome="Because **ordering**."), **HX
    )
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<strong>ordering</strong>" in body
    assert 'id="record-title" hx-swap-oob="true"' in body
    assert "document-changed" in response["HX-Trigger"]
    record.refresh_from_db()
    assert record.title == "Kafka for payment events"


def test_a_plain_save_redirects_back(client, record, editor):
    client.force_login(editor)
    response = client.post(detail_url(record), text_post(record, context="New context"))
    assert response.status_code == 302 and response["Location"] == detail_url(record)


def test_an_empty_title_answers_422_next_to_the_field(client, record, editor):
    client.force_login(editor)
    response = client.post(detail_url(record), text_post(record, title=""), **HX)
    body = response.content.decode()
    assert response.status_code == 422
    assert 'aria-invalid="true"' in body and "This field is required." in body
    record.refresh_from_db()
    assert record.title == "Queue for payment events"


def test_a_stale_save_is_refused_with_409_and_keeps_both_texts(client, record, editor, admin_user):
    # given: the editor opened the form, then someone else saved
    opened = text_post(record)
    decision_update(record=record, actor=admin_user, context="Admin's context")
    client.force_login(editor)
    # when
    response = client.post(detail_url(record), {**opened, "context": "Editor's context"}, **HX)
    # then
    body = response.content.decode()
    assert response.status_code == 409
    assert "was changed by someone else since you opened it" in body
    assert "Admin&#x27;s context" in body  # the current text in the form
    assert "Editor&#x27;s context" in body  # what they typed, to copy from
    record.refresh_from_db()
    assert record.context == "Admin's context"


def test_a_stale_save_without_htmx_answers_the_whole_page_with_409(client, record, editor, admin_user):
    opened = text_post(record)
    decision_update(record=record, actor=admin_user, context="Admin's context")
    client.force_login(editor)
    response = client.post(detail_url(record), {**opened, "context": "Mine"})
    assert response.status_code == 409 and "<html" in response.content.decode()


def test_a_viewer_cannot_edit(client, record, viewer):
    client.force_login(viewer)
    response = client.post(detail_url(record), text_post(record, title="Viewer's"))
    assert response.status_code == 403
    assert "your role there is viewer" in response.content.decode()
    record.refresh_from_db()
    assert record.title == "Queue for payment events"


def test_an_accepted_record_is_frozen(client, record, editor, viewer):
    # given
    chosen(record, editor)
    (signoff,) = ask(record, editor, viewer)
    signoff_approve(signoff=signoff, actor=viewer)
    client.force_login(editor)
    # when
    page = client.get(detail_url(record)).content.decode()
    response = client.post(
        detail_url(record), text_post(DecisionRecord.objects.get(pk=record.pk), title="Changed"), **HX
    )
    # then
    assert "Edit the text" not in page and "Add an option" not in page
    assert "Supersede with a new record" in page
    assert response.status_code == 409 and "content is frozen" in response.content.decode()


# --- options -------------------------------------------------------------------------------------------


def test_an_editor_adds_an_option_row(client, record, editor):
    client.force_login(editor)
    response = client.post(
        action_url(record, "option_add"),
        {"title": "Option C", "pros": "Cheap\nFast", "cons": "New", "cost": "low", "risk": "high"},
        **HX,
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="options"' in body and "<html" not in body
    assert "<li>Cheap</li>" in body and "<li>Fast</li>" in body
    assert "document-changed" in response["HX-Trigger"]
    option = record.options.get(title="Option C")
    assert (option.cost, option.risk, option.position) == ("low", "high", 2)


def test_adding_an_option_twice_answers_422_next_to_the_title(client, record, editor):
    client.force_login(editor)
    response = client.post(action_url(record, "option_add"), {"title": "Option A", "cost": "low", "risk": "low"}, **HX)
    assert response.status_code == 422
    assert "already has an option called" in response.content.decode()
    assert record.options.count() == 2


def test_an_option_row_opens_as_a_form_and_saves(client, record, editor):
    # given
    option = record.options.get(title="Option B")
    client.force_login(editor)
    # when
    form = client.get(option_url(record, option), **HX)
    no_js = client.get(option_url(record, option))
    response = client.post(
        option_url(record, option),
        {
            "title": "Option B2",
            "cost": "high",
            "risk": "low",
            "pros": "",
            "cons": "",
            "version": option_version(option),
        },
        **HX,
    )
    # then
    assert form.status_code == 200 and f'id="option-{option.pk}"' in form.content.decode()
    assert 'name="version"' in form.content.decode()
    assert no_js.status_code == 302 and f"edit_option={option.pk}" in no_js["Location"]
    assert response.status_code == 200 and "Option B2" in response.content.decode()
    option.refresh_from_db()
    assert (option.title, option.cost) == ("Option B2", "high")


def test_a_stale_option_edit_is_refused_with_409(client, record, editor, admin_user):
    from decisions.services import decision_option_update

    option = record.options.get(title="Option B")
    version = option_version(option)
    decision_option_update(option=option, actor=admin_user, cost="low")
    client.force_login(editor)
    response = client.post(
        option_url(record, option), {"title": "Mine", "cost": "high", "risk": "high", "version": version}, **HX
    )
    assert response.status_code == 409
    assert "Someone else changed this option" in response.content.decode()
    option.refresh_from_db()
    assert (option.title, option.cost) == ("Option B", "low")


def test_choose_and_remove_options(client, record, editor):
    # given
    a, b = record.options.order_by("position")
    client.force_login(editor)
    # when
    chose = client.post(action_url(record, "choose"), {"option": b.pk}, **HX)
    removed = client.post(option_url(record, a, "_remove"), **HX)
    # then
    assert chose.status_code == 200 and "Chosen" in chose.content.decode()
    assert removed.status_code == 200 and "Option A" not in removed.content.decode()
    record.refresh_from_db()
    assert record.chosen_option == b
    assert list(record.options.values_list("title", flat=True)) == ["Option B"]


def test_choosing_an_option_of_another_record_is_404(client, record, product, editor):
    other = DecisionRecordFactory(product=product, actor=editor)
    client.force_login(editor)
    response = client.post(action_url(record, "choose"), {"option": other.options.first().pk}, **HX)
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.chosen_option is None


def test_removing_the_chosen_option_under_review_is_refused_with_409(client, record, editor, viewer):
    chosen(record, editor)
    ask(record, editor, viewer)
    client.force_login(editor)
    response = client.post(option_url(record, record.options.get(title="Option A"), "_remove"), **HX)
    assert response.status_code == 409 and "choose another option instead of none" in response.content.decode()
    assert DecisionOption.objects.filter(record=record, title="Option A").exists()


# --- links, supersession, deletion -----------------------------------------------------------------------


def test_links_to_epics_are_saved_and_shown(client, record, product, editor):
    epic = EpicFactory(product=product, title="Card vault", actor=editor)
    client.force_login(editor)
    response = client.post(action_url(record, "links"), {"epics": [epic.pk]}, **HX)
    assert response.status_code == 200 and "Card vault" in response.content.decode()
    assert list(record.epics.all()) == [epic]


def test_a_link_to_another_products_epic_answers_422(client, record, editor, other_product):
    epic = EpicFactory(product=other_product)
    client.force_login(editor)
    response = client.post(action_url(record, "links"), {"epics": [epic.pk]}, **HX)
    assert response.status_code == 422
    assert not record.epics.exists()


def test_the_supersession_chain_shows_both_ways(client, record, editor, viewer):
    # given: ADR-1 accepted, then superseded by ADR-2
    chosen(record, editor)
    (signoff,) = ask(record, editor, viewer)
    signoff_approve(signoff=signoff, actor=viewer)
    successor = decision_supersede(record=DecisionRecord.objects.get(pk=record.pk), actor=editor, title="Kafka, v2")
    client.force_login(viewer)
    # when
    old_page = client.get(detail_url(record)).content.decode()
    new_page = client.get(detail_url(successor)).content.decode()
    # then
    assert f'href="{detail_url(successor)}">{successor.key} Kafka, v2</a>' in old_page
    assert f'href="{detail_url(record)}">{record.key} Queue for payment events</a>' in new_page
    assert "The whole chain, oldest first" in new_page


def test_supersede_starts_a_new_record(client, record, editor, viewer):
    chosen(record, editor)
    (signoff,) = ask(record, editor, viewer)
    signoff_approve(signoff=signoff, actor=viewer)
    client.force_login(editor)
    response = client.post(action_url(record, "supersede"), {"title": "Queue, revisited"})
    successor = DecisionRecord.objects.get(supersedes=record)
    assert response.status_code == 302 and response["Location"] == detail_url(successor)
    assert successor.title == "Queue, revisited"


def test_superseding_a_proposed_record_answers_409_with_the_reason(client, record, editor):
    client.force_login(editor)
    response = client.post(action_url(record, "supersede"), {"title": ""}, **HX)
    assert response.status_code == 409 and "Only an accepted record can be superseded" in response.content.decode()
    assert not DecisionRecord.objects.filter(supersedes=record).exists()


def test_delete_a_proposed_record_but_not_one_with_signoffs(client, record, product, editor, viewer):
    other = chosen(DecisionRecordFactory(product=product, actor=editor, title="Asked"), editor)
    ask(other, editor, viewer)
    client.force_login(editor)
    deleted = client.post(action_url(record, "delete"))
    refused = client.post(action_url(other, "delete"), **HX)
    assert deleted.status_code == 302 and not DecisionRecord.objects.filter(pk=record.pk).exists()
    assert refused.status_code == 409 and "cannot be deleted" in refused.content.decode()
    assert DecisionRecord.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("section", ["status", "content", "options", "links"])
def test_each_piece_answers_htmx_alone(client, record, editor, section):
    client.force_login(editor)
    body = client.get(detail_url(record), {"section": section}, **HX).content.decode()
    assert "<html" not in body and body.strip().startswith("<section")


@pytest.mark.parametrize("options", [2, 12])
def test_the_record_page_reads_a_bounded_number_of_queries(
    client, product, editor, viewer, contributor, admin_user, django_assert_max_num_queries, options
):
    # given: a record in review with options, links, sign-offs (one stale) and a supersession chain
    record = DecisionRecordFactory(
        product=product, actor=editor, options=[{"title": f"Option {n}", "pros": "a\nb"} for n in range(options)]
    )
    chosen(record, editor, "Option 0")
    for _ in range(options // 2):
        EpicFactory(product=product)
    decision_set_links(record=record, epics=Epic.objects.filter(product=product), roadmap_items=[], prds=[])
    ask(record, editor, viewer, contributor, admin_user)
    decision_update(record=record, actor=editor, context="Edited")
    assert SignOff.objects.filter(decision=record, state="stale").count() == 3
    client.force_login(editor)
    # when / then
    with django_assert_max_num_queries(20):
        response = client.get(detail_url(record))
    assert response.status_code == 200
