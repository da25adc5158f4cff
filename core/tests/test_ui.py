"""core.ui: product_view's roles, 422 form answers, object lookups within a product, the move payload."""

import pytest
from django.http import Http404
from django.template import loader
from django.urls import reverse

from backlog.models import Story
from backlog.tests.factories import StoryFactory
from core.errors import ApplicationError
from core.tests.ui_urls import TitleForm
from core.ui.forms import MoveForm, add_service_error
from core.ui.objects import get_in_product_or_404
from workspaces.models import Role

pytestmark = pytest.mark.urls("core.tests.ui_urls")


def url(name, product):
    return reverse(name, args=[product.pk])


@pytest.mark.parametrize(
    ("role", "can_write"),
    [(Role.VIEWER, False), (Role.CONTRIBUTOR, True), (Role.EDITOR, True), (Role.ADMIN, True)],
)
def test_the_view_gets_the_product_workspace_and_role(client, product, member_factory, role, can_write):
    client.force_login(member_factory(role))
    response = client.get(url("test_write", product))
    assert response.status_code == 200
    assert response.content.decode() == f"PAY Acme {role} {can_write}"


def test_a_viewer_cannot_post_where_contributors_write_and_is_told_why(client, product, viewer):
    client.force_login(viewer)
    response = client.post(url("test_write", product), {"title": "ok"})
    assert response.status_code == 403
    assert "This needs the contributor role or higher in Acme; your role there is viewer." in response.content.decode()


def test_too_low_a_role_to_read_is_403_not_404(client, product, contributor):
    client.force_login(contributor)
    response = client.get(url("test_editors", product))
    assert response.status_code == 403
    assert "needs the editor role" in response.content.decode()


def test_an_outsider_gets_404_for_reads_and_writes(client, product, outsider):
    client.force_login(outsider)
    assert client.get(url("test_write", product)).status_code == 404
    assert client.post(url("test_write", product), {"title": "x"}).status_code == 404
    assert client.get(url("test_editors", product)).status_code == 404


def test_form_errors_answer_422_with_the_error_tied_to_the_field(client, product, contributor):
    # given
    client.force_login(contributor)
    # when
    response = client.post(url("test_write", product), {"title": "far too long a title"}, HTTP_HX_REQUEST="true")
    # then
    body = response.content.decode()
    assert response.status_code == 422
    assert 'aria-invalid="true"' in body
    assert 'aria-describedby="id_title-help id_title-error"' in body
    assert '<p class="field__error" id="id_title-error">Ensure this value has at most 10 characters' in body
    assert '<label for="id_title">Title</label>' in body


def test_an_object_of_another_product_is_404(product, other_product):
    # given
    mine = StoryFactory(product=product)
    theirs = StoryFactory(product=other_product)
    # then
    assert get_in_product_or_404(Story, product=product, pk=mine.pk) == mine
    with pytest.raises(Http404):
        get_in_product_or_404(Story, product=product, pk=theirs.pk)
    with pytest.raises(Http404):
        get_in_product_or_404(Story.objects.filter(title="nope"), product=product, pk=mine.pk)


def test_the_move_payload_names_one_anchor():
    form = MoveForm({"item": "5", "after": "3", "before": "9", "list": "now", "from_list": "next"})
    assert form.is_valid()
    assert form.anchor() == ("after", 3)
    first = MoveForm({"item": "5", "after": "", "before": "9", "list": ""})
    assert first.is_valid() and first.anchor() == ("before", 9)
    alone = MoveForm({"item": "5", "list": "later"})
    assert alone.is_valid() and alone.anchor() is None
    assert not MoveForm({"item": "5", "after": "5"}).is_valid()
    assert not MoveForm({"after": "3"}).is_valid()


def test_a_service_error_lands_next_to_its_field_or_on_top():
    form = TitleForm({"title": "ok"})
    assert form.is_valid()
    add_service_error(form, ApplicationError("Taken already.", field="title"))
    add_service_error(form, ApplicationError("The product is archived.", field="not_on_the_form"))
    assert form.errors["title"] == ["Taken already."]
    assert form.non_field_errors() == ["The product is archived."]


def test_the_500_page_renders_without_a_request_or_context_processors():
    html = loader.get_template("500.html").render()
    assert "Something went wrong" in html
    assert "/static/css/app.css" in html
