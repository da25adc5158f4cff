"""The PRD page: sections, the section editor with its live preview, saves, stale saves, roles."""

import pytest

from decisions import services
from decisions.models import PRD, SignOff, StakeholderRole
from decisions.tests.helpers import edited_sections
from workspaces.models import Role

from .conftest import position_of, save_data, url
from .helpers import HOSTILE, assert_inert, fragment


def latest(prd: PRD) -> int:
    return prd.versions.order_by("-number").first().number


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN])
def test_every_member_reads_the_prd(client, product, member_factory, prd, role):
    client.force_login(member_factory(role))
    response = client.get(url("prd_detail", product.pk, prd.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Checkout v2</h1>" in body
    assert "Checkout is <strong>slow</strong>.<br>" in body
    assert "<li>Pay in one click</li>" in body
    assert "Version 2" in body
    for heading in ("Problem", "Goals", "Non-goals", "Requirements", "Success metrics", "Open questions"):
        assert f">{heading}</h2>" in body
    assert ("?edit=0" in body) == Role.at_least(role, Role.EDITOR)
    assert f'href="{url("prd_history", product.pk, prd.pk)}"' in body


def test_edit_in_the_url_opens_the_editor_after_a_reload(client, product, editor, prd):
    client.force_login(editor)
    problem = position_of(prd, "problem")
    body = client.get(url("prd_detail", product.pk, prd.pk), {"edit": problem}).content.decode()
    editor_html = fragment(body, f"section-{problem}")
    assert "Editing: Problem" in editor_html
    assert "Checkout is **slow**." in editor_html  # the Markdown source in the textarea
    assert f'hx-post="{url("prd_preview", product.pk, prd.pk)}?prefix=s{problem}"' in editor_html
    assert 'hx-trigger="input changed delay:400ms"' in editor_html
    assert 'value="2"' in editor_html  # the version the editor started from
    assert "Checkout is <strong>slow</strong>" in editor_html  # the preview of the saved text


def test_a_viewer_asking_for_the_editor_reads_the_section(client, product, viewer, prd):
    client.force_login(viewer)
    body = client.get(url("prd_detail", product.pk, prd.pk), {"edit": 0}).content.decode()
    section = fragment(body, "section-0")
    assert "Editing:" not in section and "<textarea" not in section
    assert "prd_section_save" not in body and 'action="/p/' not in section


def test_htmx_gets_one_section_or_its_editor(client, product, editor, prd):
    client.force_login(editor)
    goals = position_of(prd, "goals")
    response = client.get(url("prd_detail", product.pk, prd.pk), {"edit": goals}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<section class="card prd-section prd-section--editing" id="section-{goals}"')
    assert "<html" not in body and "Problem" not in body
    response = client.get(url("prd_detail", product.pk, prd.pk), {"section": goals}, HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith(f'<section class="card prd-section" id="section-{goals}"')
    assert client.get(url("prd_detail", product.pk, prd.pk), {"section": 99}, HTTP_HX_REQUEST="true").status_code == 404


def test_saving_a_section_publishes_a_version_and_redirects_back(client, product, editor, prd):
    client.force_login(editor)
    data = save_data(prd, "goals", "- Pay in one tap\n- Keep the card", change_note="Taps, not clicks")
    response = client.post(url("prd_section_save", product.pk, prd.pk), data)
    assert response.status_code == 302
    assert response["Location"] == f"{url('prd_detail', product.pk, prd.pk)}#section-{position_of(prd, 'goals')}"
    version = prd.versions.order_by("-number").first()
    assert version.number == 3 and version.change_note == "Taps, not clicks" and version.created_by == editor
    assert prd.sections.get(kind="goals").body == "- Pay in one tap\n- Keep the card"
    assert prd.sections.get(kind="problem").body == "Checkout is **slow**.\nPeople leave."
    body = client.get(response["Location"]).content.decode()
    assert "Saved as version 3." in body and "<li>Pay in one tap</li>" in body


def test_an_htmx_save_answers_the_section_and_the_new_version_out_of_band(client, product, editor, prd):
    client.force_login(editor)
    goals = position_of(prd, "goals")
    response = client.post(
        url("prd_section_save", product.pk, prd.pk), save_data(prd, "goals", "Fast"), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<section class="card prd-section" id="section-{goals}"')
    assert '<span id="prd-version" class="badge badge--neutral" hx-swap-oob="true">Version 3</span>' in body
    assert "Saved as version 3." in body
    assert "prd-saved" in response["HX-Trigger"]


def test_saving_the_same_text_publishes_nothing(client, product, editor, prd):
    client.force_login(editor)
    data = save_data(prd, "goals", "- Pay in one click")
    response = client.post(url("prd_section_save", product.pk, prd.pk), data, HTTP_HX_REQUEST="true")
    assert "Nothing changed" in response.content.decode()
    assert "HX-Trigger" not in response
    assert latest(prd) == 2


def test_a_save_makes_given_signoffs_stale(client, product, editor, viewer, prd):
    signoff = services.signoff_request(document=prd, actor=editor, approver=viewer, role=StakeholderRole.QA)
    services.signoff_approve(signoff=signoff, actor=viewer)
    client.force_login(editor)
    client.post(url("prd_section_save", product.pk, prd.pk), save_data(prd, "problem", "Changed"))
    assert SignOff.objects.get(pk=signoff.pk).state == SignOff.State.STALE


def test_a_stale_save_is_refused_with_409_and_nothing_is_overwritten(client, product, editor, admin_user, prd):
    # given: both open the problem section at version 2; the admin saves first
    client.force_login(editor)
    mine = save_data(prd, "problem", "My take", base_version=2)
    services.prd_update(prd=prd, actor=admin_user, sections=edited_sections(prd, problem="Their take"))
    # when
    response = client.post(url("prd_section_save", product.pk, prd.pk), mine, HTTP_HX_REQUEST="true")
    # then
    body = response.content.decode()
    problem = position_of(prd, "problem")
    assert response.status_code == 409
    assert body.lstrip().startswith(f'<section class="card prd-section prd-section--editing" id="section-{problem}"')
    assert "Someone else saved this section while you were editing (version 3 by" in body
    assert "<p>Their take</p>" in body  # what is saved now
    assert "\nMy take</textarea>" in body  # what I typed is kept
    assert f'name="s{problem}-base_version" value="3"' in body
    assert "Save my version anyway" in body
    assert prd.sections.get(kind="problem").body == "Their take"
    assert latest(prd) == 3
    # when: saving again after seeing theirs is a deliberate choice
    again = save_data(prd, "problem", "My take", base_version=3)
    assert client.post(url("prd_section_save", product.pk, prd.pk), again).status_code == 302
    assert prd.sections.get(kind="problem").body == "My take"


def test_a_stale_save_without_htmx_answers_the_page_with_409(client, product, editor, admin_user, prd):
    client.force_login(editor)
    mine = save_data(prd, "problem", "My take", base_version=2)
    services.prd_update(prd=prd, actor=admin_user, sections=edited_sections(prd, problem="Their take"))
    response = client.post(url("prd_section_save", product.pk, prd.pk), mine)
    assert response.status_code == 409
    assert "<html" in response.content.decode() and "Someone else saved this section" in response.content.decode()


def test_a_save_after_someone_edited_another_section_is_no_conflict(client, product, editor, admin_user, prd):
    client.force_login(editor)
    mine = save_data(prd, "goals", "Mine", base_version=2)
    services.prd_update(prd=prd, actor=admin_user, sections=edited_sections(prd, problem="Their problem"))
    response = client.post(url("prd_section_save", product.pk, prd.pk), mine)
    assert response.status_code == 302
    assert prd.sections.get(kind="goals").body == "Mine"
    assert prd.sections.get(kind="problem").body == "Their problem"


def test_renaming_a_section_saves_the_new_title(client, product, editor, prd):
    client.force_login(editor)
    client.post(url("prd_section_save", product.pk, prd.pk), save_data(prd, "goals", "x", title="Objectives"))
    assert prd.sections.get(kind="goals").title == "Objectives"


@pytest.mark.parametrize(
    ("title", "message"), [("", "This field is required."), ("Problem", "Two sections are called")]
)
def test_an_invalid_save_answers_422_next_to_the_field(client, product, editor, prd, title, message):
    client.force_login(editor)
    data = save_data(prd, "goals", "x")
    data[f"s{position_of(prd, 'goals')}-title"] = title
    response = client.post(url("prd_section_save", product.pk, prd.pk), data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 422
    assert message in body
    assert latest(prd) == 2


def test_a_section_that_does_not_exist_is_404(client, product, editor, prd):
    client.force_login(editor)
    data = save_data(prd, "goals", "x")
    data["position"] = 42
    assert client.post(url("prd_section_save", product.pk, prd.pk), data).status_code == 404


def test_the_no_js_preview_button_renders_without_saving(client, product, editor, prd):
    client.force_login(editor)
    data = save_data(prd, "goals", "**Bold** goal", preview="1")
    response = client.post(url("prd_section_save", product.pk, prd.pk), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Bold</strong> goal" in body and "Editing: Goals" in body
    assert latest(prd) == 2


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_readers_cannot_save_add_or_preview(client, product, member_factory, prd, role):
    client.force_login(member_factory(role))
    for name, data in (
        ("prd_section_save", save_data(prd, "goals", "Hijacked")),
        ("prd_section_add", {"title": "Extra", "kind": "other"}),
        ("prd_preview", {"body": "x"}),
    ):
        response = client.post(url(name, product.pk, prd.pk), data, HTTP_HX_REQUEST="true")
        assert response.status_code == 403
    assert "This needs the editor role" in response.content.decode()
    assert latest(prd) == 2
    assert prd.sections.get(kind="goals").body == "- Pay in one click"


def test_an_outsider_gets_404_everywhere_and_nothing_changes(client, product, outsider, other_product, prd):
    client.force_login(outsider)
    assert client.get(url("prd_detail", product.pk, prd.pk)).status_code == 404
    assert client.get(url("prd_detail", other_product.pk, prd.pk)).status_code == 404
    data = save_data(prd, "goals", "Hijacked")
    assert client.post(url("prd_section_save", product.pk, prd.pk), data).status_code == 404
    assert client.post(url("prd_section_save", other_product.pk, prd.pk), data).status_code == 404
    assert client.post(url("prd_preview", product.pk, prd.pk), {"body": "x"}).status_code == 404
    assert latest(prd) == 2


def test_adding_a_section_publishes_and_opens_its_editor(client, product, editor, prd):
    client.force_login(editor)
    response = client.post(url("prd_section_add", product.pk, prd.pk), {"title": "Rollout", "kind": "other"})
    added = prd.sections.get(title="Rollout")
    assert (
        response["Location"]
        == f"{url('prd_detail', product.pk, prd.pk)}?edit={added.position}#section-{added.position}"
    )
    assert latest(prd) == 3


def test_adding_a_section_with_a_taken_title_answers_422(client, product, editor, prd):
    client.force_login(editor)
    response = client.post(
        url("prd_section_add", product.pk, prd.pk), {"title": "Goals", "kind": "other"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert response.content.decode().lstrip().startswith('<form id="section-add"')
    assert "Two sections are called" in response.content.decode()


def test_the_preview_renders_markdown(client, product, editor, prd):
    client.force_login(editor)
    response = client.post(url("prd_preview", product.pk, prd.pk) + "?prefix=s1", {"s1-body": "# Hi\n\n*there*"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Hi</h1>" in body and "<em>there</em>" in body and "<html" not in body


def test_an_empty_preview_says_so(client, product, editor, prd):
    client.force_login(editor)
    body = client.post(url("prd_preview", product.pk, prd.pk), {"body": ""}).content.decode()
    assert "Nothing to preview yet." in body


def test_a_too_long_preview_answers_422(client, product, editor, prd):
    client.force_login(editor)
    response = client.post(url("prd_preview", product.pk, prd.pk), {"body": "x" * 100_001})
    assert response.status_code == 422


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_is_inert_in_the_preview(client, product, editor, prd, text):
    client.force_login(editor)
    response = client.post(url("prd_preview", product.pk, prd.pk), {"body": text})
    assert response.status_code == 200
    assert_inert(response.content.decode())


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_is_inert_on_the_page_and_in_the_editor(client, product, editor, prd, text):
    # given: a section saved with hostile text
    client.force_login(editor)
    client.post(url("prd_section_save", product.pk, prd.pk), save_data(prd, "problem", text))
    problem = position_of(prd, "problem")
    # when / then: read
    body = client.get(url("prd_detail", product.pk, prd.pk)).content.decode()
    assert_inert(fragment(body, f"section-{problem}"))
    # when / then: in the editor, the source is escaped text of the textarea and the preview is sanitized
    body = client.get(url("prd_detail", product.pk, prd.pk), {"edit": problem}).content.decode()
    assert_inert(fragment(body, f"section-{problem}-preview"))
    textarea = fragment(body, f"id_s{problem}-body")
    assert "<script" not in textarea.split(">", 1)[1].lower()  # the text inside is escaped


def test_the_comments_panel_is_on_the_page(client, product, viewer, prd):
    client.force_login(viewer)
    body = client.get(url("prd_detail", product.pk, prd.pk)).content.decode()
    assert f'id="comments-prd-{prd.pk}"' in body


def test_the_signoff_panel_loads_lazily_once_its_page_exists(client, product, editor, prd):
    from django.urls import NoReverseMatch, reverse

    client.force_login(editor)
    body = client.get(url("prd_detail", product.pk, prd.pk)).content.decode()
    try:
        signoffs_url = reverse("decisions:prd_signoffs", args=[product.pk, prd.pk])
    except NoReverseMatch:
        assert 'id="signoffs"' not in body
    else:
        assert f'hx-get="{signoffs_url}" hx-trigger="load, prd-saved from:body"' in body


def test_open_review_flags_of_the_prd_show_on_its_page(client, product, editor, prd):
    from backlog.tests.factories import StoryFactory

    requirement = services.requirement_create(prd=prd, actor=editor, title="Pay by card")
    services.requirement_link(requirement=requirement, stories=[StoryFactory(product=product, actor=editor)])
    services.requirement_update(requirement=requirement, actor=editor, title="Pay by any card")
    client.force_login(editor)
    body = client.get(url("prd_detail", product.pk, prd.pk)).content.decode()
    assert "Needs re-review" in body
    assert f"{requirement.key} “Pay by any card” changed." in body


def populate(prd, editor, n: int) -> None:
    from backlog.tests.factories import StoryFactory

    sections = edited_sections(prd)
    sections += [{"kind": "other", "title": f"Extra {len(sections) + i}", "body": f"Text {i}"} for i in range(n)]
    services.prd_update(prd=prd, actor=editor, sections=sections)
    for _ in range(n):
        requirement = services.requirement_create(prd=prd, actor=editor, title="Do")
        story = StoryFactory(product=prd.product, actor=editor)
        services.requirement_link(requirement=requirement, stories=[story])
        services.requirement_update(requirement=requirement, actor=editor, title="Do more")


def test_the_page_runs_a_bounded_number_of_queries(client, product, editor, prd, django_assert_max_num_queries):
    client.force_login(editor)
    populate(prd, editor, 3)
    with django_assert_max_num_queries(15) as small:
        assert client.get(url("prd_detail", product.pk, prd.pk)).status_code == 200
    populate(prd, editor, 25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(url("prd_detail", product.pk, prd.pk)).content.decode()
    assert "Extra" in body


def test_a_wrong_method_is_405_here_and_404_for_a_prd_of_another_product(
    client, product, editor, prd, outsider, other_product
):
    client.force_login(editor)
    assert client.post(url("prd_detail", product.pk, prd.pk)).status_code == 405
    assert client.get(url("prd_section_save", product.pk, prd.pk)).status_code == 405
    client.force_login(outsider)  # an admin of their own product, naming our PRD under it
    assert client.post(url("prd_detail", other_product.pk, prd.pk)).status_code == 404
    assert client.get(url("prd_section_save", other_product.pk, prd.pk)).status_code == 404


def test_the_page_lists_the_tracked_requirements_with_search_anchors(client, product, viewer, editor, prd):
    requirement = services.requirement_create(prd=prd, actor=editor, title="Pay by card")
    client.force_login(viewer)
    body = client.get(url("prd_detail", product.pk, prd.pk)).content.decode()
    row = fragment(body, f"requirement-{requirement.pk}")
    assert requirement.key in row and "Pay by card" in row and "Not traced" in row
    # the key opens the requirement's own page (its comments); the table is one click away from there
    assert f'href="{url("requirement_detail", product.pk, prd.pk, requirement.pk)}"' in row
