"""The PRD list /p/<id>/prds/ and creating a PRD."""

import pytest

from decisions import services
from decisions.models import PRD, StakeholderRole
from decisions.tests.factories import PRDFactory
from workspaces.models import Role

from .conftest import url


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN])
def test_every_member_sees_the_list(client, product, member_factory, prd, role):
    client.force_login(member_factory(role))
    response = client.get(url("prd_list", product.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Checkout v2" in body
    assert f'href="{url("prd_detail", product.pk, prd.pk)}"' in body
    assert ("New PRD" in body) == Role.at_least(role, Role.EDITOR)


def test_the_list_shows_status_owner_version_requirements_coverage_and_signoffs(client, product, editor, viewer, prd):
    # given: two requirements, one traced; one sign-off asked
    from backlog.tests.factories import StoryFactory

    traced = services.requirement_create(prd=prd, actor=editor, title="Pay by card")
    services.requirement_create(prd=prd, actor=editor, title="Pay by wallet")
    services.requirement_link(requirement=traced, stories=[StoryFactory(product=product, actor=editor)])
    services.signoff_request(document=prd, actor=editor, approver=viewer, role=StakeholderRole.ENGINEERING)
    client.force_login(viewer)
    # when
    body = client.get(url("prd_list", product.pk)).content.decode()
    # then
    row = body[body.index("Checkout v2") : body.index("</tr>", body.index("Checkout v2"))]
    assert "In review" in row or "Draft" in row
    assert editor.get_full_name() in row
    assert "v4" in row  # created, written, two requirements
    assert ">2</a>" in row
    assert "50%" in row
    assert "1 waiting" in row


def test_an_empty_list_says_what_to_do_next(client, product, editor, viewer):
    client.force_login(editor)
    body = client.get(url("prd_list", product.pk)).content.decode()
    assert "No PRDs yet" in body
    assert f'href="{url("prd_create", product.pk)}"' in body
    client.force_login(viewer)
    body = client.get(url("prd_list", product.pk)).content.decode()
    assert "No PRDs yet" in body and "When an editor" in body


def test_an_htmx_request_gets_the_table_only(client, product, editor, prd):
    client.force_login(editor)
    response = client.get(url("prd_list", product.pk), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="prd-table">')
    assert "<html" not in body and "Checkout v2" in body


def test_an_outsider_gets_404(client, product, outsider, prd):
    client.force_login(outsider)
    assert client.get(url("prd_list", product.pk)).status_code == 404
    assert client.post(url("prd_create", product.pk), {"title": "Hijack"}).status_code == 404
    assert not PRD.objects.filter(title="Hijack").exists()


def test_an_editor_creates_a_prd_with_the_standard_sections(client, product, editor):
    client.force_login(editor)
    assert "Create PRD" in client.get(url("prd_create", product.pk)).content.decode()
    response = client.post(url("prd_create", product.pk), {"title": "  Wallets  ", "owner": ""})
    prd = PRD.objects.get(product=product, title="Wallets")
    assert response.status_code == 302
    assert response["Location"] == url("prd_detail", product.pk, prd.pk)
    assert prd.owner == editor
    assert [s.kind for s in prd.sections.all()][:3] == ["problem", "goals", "non_goals"]
    assert prd.versions.count() == 1


def test_htmx_create_redirects_with_hx_redirect(client, product, editor):
    client.force_login(editor)
    response = client.post(url("prd_create", product.pk), {"title": "Wallets"}, HTTP_HX_REQUEST="true")
    prd = PRD.objects.get(title="Wallets")
    assert response["HX-Redirect"] == url("prd_detail", product.pk, prd.pk)


@pytest.mark.parametrize("title", ["", "   ", "Checkout v2"])
def test_a_blank_or_taken_title_answers_422_next_to_the_field(client, product, editor, prd, title):
    client.force_login(editor)
    response = client.post(url("prd_create", product.pk), {"title": title}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 422
    assert body.lstrip().startswith('<form id="prd-form"')
    assert 'aria-invalid="true"' in body and "field__error" in body
    assert PRD.objects.filter(product=product).count() == 1


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_readers_cannot_create(client, product, member_factory, role):
    client.force_login(member_factory(role))
    response = client.post(url("prd_create", product.pk), {"title": "Mine"})
    assert response.status_code == 403
    assert "This needs the editor role or higher in Acme" in response.content.decode()
    assert not PRD.objects.exists()


def test_the_owner_must_be_a_member(client, product, editor, outsider):
    client.force_login(editor)
    response = client.post(url("prd_create", product.pk), {"title": "Wallets", "owner": outsider.pk})
    assert response.status_code == 422
    assert not PRD.objects.exists()


def populate(product, editor, viewer, n: int) -> None:
    from backlog.tests.factories import StoryFactory

    for _ in range(n):
        prd = PRDFactory(product=product, actor=editor)
        requirement = services.requirement_create(prd=prd, actor=editor, title="Do it")
        services.requirement_link(requirement=requirement, stories=[StoryFactory(product=product, actor=editor)])
        services.signoff_request(document=prd, actor=editor, approver=viewer, role=StakeholderRole.QA)


def test_the_list_runs_a_bounded_number_of_queries(client, product, editor, viewer, django_assert_max_num_queries):
    client.force_login(editor)
    populate(product, editor, viewer, 3)
    with django_assert_max_num_queries(8) as small:
        assert client.get(url("prd_list", product.pk)).status_code == 200
    populate(product, editor, viewer, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("prd_list", product.pk))
    assert response.content.decode().count("1 waiting") == 33
