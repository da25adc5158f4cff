"""The requirements table of a PRD: add, edit (stale edits refused), remove, link and unlink work."""

import pytest
from django.urls import NoReverseMatch, reverse

from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from decisions import services
from decisions.models import Requirement, ReviewFlag
from workspaces.models import Role

from .conftest import url
from .helpers import fragment


@pytest.fixture
def requirement(prd, editor) -> Requirement:
    return services.requirement_create(prd=prd, actor=editor, title="Pay by card", description="Visa *and* Mastercard")


@pytest.fixture
def story(product, editor):
    return StoryFactory(product=product, actor=editor, title="Card form")


@pytest.fixture
def feature(product, editor):
    return FeatureFactory(epic=EpicFactory(product=product, actor=editor), actor=editor, title="Card payments")


def reverse_or_none(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR])
def test_the_table_shows_key_text_priority_status_and_what_delivers(
    client, product, member_factory, prd, requirement, story, role
):
    services.requirement_link(requirement=requirement, stories=[story])
    client.force_login(member_factory(role))
    response = client.get(url("prd_requirements", product.pk, prd.pk))
    body = response.content.decode()
    row = fragment(body, f"req-{requirement.pk}")
    assert response.status_code == 200
    assert requirement.key in row and "Pay by card" in row and "Visa <em>and</em> Mastercard" in row
    assert "Must have" in row
    assert "Not started" in row  # the story is still to do
    assert f"PAY-{story.number}" in row and "Card form" in row
    story_url = reverse_or_none("backlog:story_detail", product.pk, story.pk)
    assert (f'href="{story_url}"' in row) if story_url else ("<a href" not in row.split("Card form")[0][-200:])
    assert ("Link</button>" in row) == (role == Role.EDITOR)


def test_a_requirement_nothing_delivers_says_so(client, product, editor, prd, requirement):
    client.force_login(editor)
    row = fragment(client.get(url("prd_requirements", product.pk, prd.pk)).content.decode(), f"req-{requirement.pk}")
    assert "Not traced" in row and "Nothing delivers it yet." in row


def test_an_empty_table_says_what_to_do_next(client, product, editor, viewer, prd):
    client.force_login(editor)
    body = client.get(url("prd_requirements", product.pk, prd.pk)).content.decode()
    assert "No requirements yet" in body and "Add a requirement" in body
    client.force_login(viewer)
    body = client.get(url("prd_requirements", product.pk, prd.pk)).content.decode()
    assert "No requirements yet" in body and "Add a requirement" not in body


def test_an_editor_adds_a_requirement(client, product, editor, prd):
    client.force_login(editor)
    response = client.post(
        url("prd_requirements", product.pk, prd.pk), {"title": "Refunds", "priority": "should", "description": ""}
    )
    requirement = prd.requirements.get(title="Refunds")
    assert response.status_code == 302
    assert response["Location"] == f"{url('prd_requirements', product.pk, prd.pk)}#req-{requirement.pk}"
    assert requirement.priority == "should"
    assert prd.versions.order_by("-number").first().change_note == f"Added {requirement.key}"


def test_an_htmx_add_answers_the_table(client, product, editor, prd):
    client.force_login(editor)
    response = client.post(
        url("prd_requirements", product.pk, prd.pk), {"title": "Refunds", "priority": "must"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="requirements-table">')
    assert "Refunds" in body and "Added REQ-" in body


@pytest.mark.parametrize("data", [{"title": "", "priority": "must"}, {"title": "X", "priority": "maybe"}])
def test_an_invalid_requirement_answers_422(client, product, editor, prd, data):
    client.force_login(editor)
    response = client.post(url("prd_requirements", product.pk, prd.pk), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode()
    assert not prd.requirements.exists()


def test_editing_shows_the_row_as_a_form_and_saves(client, product, editor, prd, requirement, story):
    services.requirement_link(requirement=requirement, stories=[story])
    client.force_login(editor)
    edit_url = url("requirement_edit", product.pk, prd.pk, requirement.pk)
    body = client.get(edit_url, HTTP_HX_REQUEST="true").content.decode()
    assert body.lstrip().startswith(f'<tr id="req-{requirement.pk}" class="requirement-row requirement-row--editing"')
    assert client.get(edit_url).status_code == 200  # the full page, without JS
    base = requirement.updated_at.isoformat()
    prefix = f"r{requirement.pk}"
    data = {
        f"{prefix}-title": "Pay by any card",
        f"{prefix}-priority": "must",
        f"{prefix}-description": "",
        f"{prefix}-base_updated_at": base,
    }
    response = client.post(edit_url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<tr id="req-{requirement.pk}" class="requirement-row">')
    requirement.refresh_from_db()
    assert requirement.title == "Pay by any card"
    assert ReviewFlag.objects.open().filter(story=story, requirement=requirement).exists()


def test_a_stale_requirement_edit_is_refused_with_409(client, product, editor, admin_user, prd, requirement):
    client.force_login(editor)
    prefix = f"r{requirement.pk}"
    data = {
        f"{prefix}-title": "Mine",
        f"{prefix}-priority": "must",
        f"{prefix}-base_updated_at": requirement.updated_at.isoformat(),
    }
    services.requirement_update(requirement=requirement, actor=admin_user, title="Theirs")
    response = client.post(url("requirement_edit", product.pk, prd.pk, requirement.pk), data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 409
    assert f"{admin_user.get_full_name()} changed" in body and "“Theirs”" in body and 'value="Mine"' in body
    requirement.refresh_from_db()
    assert requirement.title == "Theirs"


def test_an_invalid_edit_answers_422(client, product, editor, prd, requirement):
    client.force_login(editor)
    prefix = f"r{requirement.pk}"
    data = {
        f"{prefix}-title": " ",
        f"{prefix}-priority": "must",
        f"{prefix}-base_updated_at": requirement.updated_at.isoformat(),
    }
    response = client.post(url("requirement_edit", product.pk, prd.pk, requirement.pk), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422


def test_cancel_gets_the_row_back(client, product, editor, prd, requirement):
    client.force_login(editor)
    response = client.get(url("prd_requirements", product.pk, prd.pk), {"row": requirement.pk}, HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith(f'<tr id="req-{requirement.pk}" class="requirement-row">')


def test_linking_a_story_or_a_feature_by_key(client, product, editor, prd, requirement, story, feature):
    client.force_login(editor)
    link_url = url("requirement_link", product.pk, prd.pk, requirement.pk)
    prefix = f"r{requirement.pk}"
    response = client.post(link_url, {f"{prefix}-key": f"pay-{story.number}"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Card form" in response.content.decode()
    response = client.post(link_url, {f"{prefix}-key": str(feature.number)})
    assert response.status_code == 302
    assert list(requirement.stories.all()) == [story] and list(requirement.features.all()) == [feature]


def test_linking_an_unknown_key_answers_422(client, product, editor, prd, requirement):
    client.force_login(editor)
    prefix = f"r{requirement.pk}"
    response = client.post(
        url("requirement_link", product.pk, prd.pk, requirement.pk),
        {f"{prefix}-key": "PAY-999"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "No story or feature of Payments has the key “PAY-999”." in body
    assert 'aria-invalid="true"' in body


def test_a_key_of_another_product_links_nothing(client, product, editor, prd, requirement, other_product):
    foreign = StoryFactory(product=other_product)
    client.force_login(editor)
    prefix = f"r{requirement.pk}"
    response = client.post(
        url("requirement_link", product.pk, prd.pk, requirement.pk), {f"{prefix}-key": f"GPAY-{foreign.number}"}
    )
    assert response.status_code == 422
    assert not requirement.stories.exists()


def test_unlinking(client, product, editor, prd, requirement, story, feature):
    services.requirement_link(requirement=requirement, stories=[story], features=[feature])
    client.force_login(editor)
    unlink_url = url("requirement_unlink", product.pk, prd.pk, requirement.pk)
    response = client.post(unlink_url, {"story": story.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Card form" not in response.content.decode()
    assert client.post(unlink_url, {"feature": feature.pk}).status_code == 302
    assert not requirement.stories.exists() and not requirement.features.exists()
    assert client.post(unlink_url, {}, HTTP_HX_REQUEST="true").status_code == 422


def test_unlinking_a_story_of_another_product_is_404(client, product, editor, prd, requirement, other_product):
    foreign = StoryFactory(product=other_product)
    client.force_login(editor)
    assert (
        client.post(url("requirement_unlink", product.pk, prd.pk, requirement.pk), {"story": foreign.pk}).status_code
        == 404
    )


def test_removing_a_requirement(client, product, editor, prd, requirement):
    client.force_login(editor)
    response = client.post(url("requirement_delete", product.pk, prd.pk, requirement.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="requirements-table">')
    assert not Requirement.objects.filter(pk=requirement.pk).exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_readers_cannot_change_requirements(client, product, member_factory, prd, requirement, story, role):
    client.force_login(member_factory(role))
    prefix = f"r{requirement.pk}"
    for name, data in (
        ("requirement_edit", {f"{prefix}-title": "X", f"{prefix}-priority": "must", f"{prefix}-base_updated_at": "x"}),
        ("requirement_link", {f"{prefix}-key": f"PAY-{story.number}"}),
        ("requirement_unlink", {"story": story.pk}),
        ("requirement_delete", {}),
    ):
        assert client.post(url(name, product.pk, prd.pk, requirement.pk), data).status_code == 403, name
    assert (
        client.post(url("prd_requirements", product.pk, prd.pk), {"title": "X", "priority": "must"}).status_code == 403
    )
    requirement.refresh_from_db()
    assert requirement.title == "Pay by card" and not requirement.stories.exists()
    assert prd.requirements.count() == 1


def test_an_outsider_gets_404(client, product, outsider, other_product, prd, requirement):
    client.force_login(outsider)
    assert client.get(url("prd_requirements", product.pk, prd.pk)).status_code == 404
    assert client.get(url("requirement_edit", other_product.pk, prd.pk, requirement.pk)).status_code == 404
    assert client.post(url("requirement_delete", product.pk, prd.pk, requirement.pk)).status_code == 404
    assert Requirement.objects.filter(pk=requirement.pk).exists()


def test_a_requirement_of_another_prd_is_404(client, product, editor, prd, requirement):
    from decisions.tests.factories import PRDFactory

    other = PRDFactory(product=product, actor=editor, title="Other")
    client.force_login(editor)
    assert client.get(url("requirement_edit", product.pk, other.pk, requirement.pk)).status_code == 404


def populate(prd, editor, n: int) -> None:
    product = prd.product
    epic = EpicFactory(product=product, actor=editor)
    for _ in range(n):
        requirement = services.requirement_create(prd=prd, actor=editor, title="Do")
        services.requirement_link(
            requirement=requirement,
            stories=[StoryFactory(product=product, actor=editor), StoryFactory(product=product, actor=editor)],
            features=[FeatureFactory(epic=epic, actor=editor)],
        )


def test_the_table_runs_a_bounded_number_of_queries(client, product, editor, prd, django_assert_max_num_queries):
    client.force_login(editor)
    populate(prd, editor, 3)
    with django_assert_max_num_queries(12) as small:
        assert client.get(url("prd_requirements", product.pk, prd.pk)).status_code == 200
    populate(prd, editor, 25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(url("prd_requirements", product.pk, prd.pk)).content.decode()
    assert body.count('class="requirement-row"') == 28
