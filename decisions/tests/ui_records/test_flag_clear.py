"""Clearing a review flag: POST /p/<id>/flags/<flag_id>/clear/ (field `note`), from ui/review_flags.html."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from backlog.tests.factories import StoryFactory
from decisions.models import ReviewFlag
from decisions.services import flags_raise
from workspaces.models import Role

from .helpers import HX


@pytest.fixture
def story(product, editor):
    return StoryFactory(product=product, title="Tokenise cards", actor=editor)


@pytest.fixture
def flags(story, record, prd, editor):
    """Two open flags on the story: one for a decision, one for a requirement."""
    from decisions.services import requirement_create

    requirement = requirement_create(prd=prd, actor=editor, title="Cards are tokenised")
    return [
        *flags_raise(items=[story], reason="ADR-1 was superseded by ADR-2.", actor=editor, decision=record),
        *flags_raise(items=[story], reason="REQ-1 changed.", actor=editor, requirement=requirement),
    ]


def clear_url(flag) -> str:
    return reverse("decisions:flag_clear", args=[flag.product_id, flag.pk])


def test_the_flags_template_posts_to_the_clear_view_with_htmx(flags, contributor):
    request = RequestFactory().get("/")
    request.user = contributor
    html = render_to_string("ui/review_flags.html", {"flags": flags, "can_write": True}, request=request)
    assert f'action="{clear_url(flags[0])}"' in html
    assert f'hx-post="{clear_url(flags[0])}"' in html and 'hx-target="closest .review-flags"' in html


def test_a_contributor_clears_a_flag_and_htmx_gets_the_remaining_flags(client, flags, contributor):
    # given
    first, second = flags
    client.force_login(contributor)
    # when
    response = client.post(clear_url(first), {"note": "Checked: still right"}, **HX)
    # then
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "REQ-1 changed." in body and "ADR-1 was superseded" not in body
    first.refresh_from_db()
    assert first.cleared_by == contributor and first.clear_note == "Checked: still right"
    assert ReviewFlag.objects.open().filter(pk=second.pk).exists()


def test_clearing_the_last_flag_answers_nothing_to_show(client, flags, contributor):
    client.force_login(contributor)
    client.post(clear_url(flags[0]), {"note": ""}, **HX)
    response = client.post(clear_url(flags[1]), {"note": ""}, **HX)
    assert response.status_code == 200 and response.content.decode().strip() == ""


def test_a_plain_form_redirects_back_to_the_page_it_came_from(client, flags, contributor, product):
    client.force_login(contributor)
    page = f"http://testserver/p/{product.pk}/backlog/"
    response = client.post(clear_url(flags[0]), {"note": ""}, HTTP_REFERER=page)
    assert response.status_code == 302 and response["Location"] == page


def test_a_foreign_referer_is_not_followed(client, flags, contributor, product):
    client.force_login(contributor)
    response = client.post(clear_url(flags[0]), {"note": ""}, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 302 and "evil" not in response["Location"]
    assert response["Location"].startswith("/p/")


def test_a_flag_cleared_meanwhile_answers_409_with_the_current_flags(client, flags, contributor, editor):
    from decisions.services import review_flag_clear

    review_flag_clear(flag=flags[0], actor=editor, note="Done")
    client.force_login(contributor)
    response = client.post(clear_url(flags[0]), {"note": "Me too"}, **HX)
    assert response.status_code == 409 and "REQ-1 changed." in response.content.decode()
    flags[0].refresh_from_db()
    assert flags[0].clear_note == "Done"


def test_a_note_too_long_answers_422_and_keeps_the_flag(client, flags, contributor):
    client.force_login(contributor)
    response = client.post(clear_url(flags[0]), {"note": "x" * 300}, **HX)
    assert response.status_code == 422
    assert ReviewFlag.objects.open().filter(pk=flags[0].pk).exists()


def test_a_viewer_cannot_clear(client, flags, viewer):
    client.force_login(viewer)
    response = client.post(clear_url(flags[0]), {"note": ""})
    assert response.status_code == 403 and "contributor role" in response.content.decode()
    assert ReviewFlag.objects.open().count() == 2


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_outsider_gets_404_and_nothing_changes(client, flags, outsider, method):
    client.force_login(outsider)
    assert getattr(client, method)(clear_url(flags[0])).status_code == 404
    assert ReviewFlag.objects.open().count() == 2


def test_a_get_is_not_allowed(client, flags, contributor):
    client.force_login(contributor)
    assert client.get(clear_url(flags[0])).status_code == 405


def test_a_flag_of_another_product_is_404(client, flags, contributor, workspace):
    from workspaces.tests.factories import ProductFactory

    other = ProductFactory(workspace=workspace, name="Checkout", key="CHK")
    client.force_login(contributor)
    url = reverse("decisions:flag_clear", args=[other.pk, flags[0].pk])
    assert client.post(url, {"note": ""}).status_code == 404
    assert ReviewFlag.objects.open().count() == 2


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN])
def test_every_writer_role_clears(client, flags, member_factory, role):
    client.force_login(member_factory(role))
    assert client.post(clear_url(flags[0]), {"note": ""}, **HX).status_code == 200
