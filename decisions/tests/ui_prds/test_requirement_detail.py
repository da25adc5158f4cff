"""A requirement's page /p/<id>/prds/<id>/requirements/<id>/page/: key, text, priority, derived status,
what delivers it, its PRD, the flags it raised, and comments with @mentions."""

import pytest
from django.urls import reverse

from activity.models import Notification
from activity.services import comment_create
from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from decisions import services
from decisions.models import Requirement, ReviewFlag
from decisions.tests.factories import PRDFactory
from workspaces.models import Role

from .conftest import url
from .helpers import fragment

pytestmark = pytest.mark.django_db


@pytest.fixture
def requirement(prd, editor) -> Requirement:
    return services.requirement_create(
        prd=prd, actor=editor, title="Pay by card", description="Visa *and* Mastercard", priority="should"
    )


@pytest.fixture
def story(product, editor):
    return StoryFactory(product=product, actor=editor, title="Card form")


@pytest.fixture
def feature(product, editor):
    return FeatureFactory(epic=EpicFactory(product=product, actor=editor), actor=editor, title="Card payments")


def page_url(product, prd, requirement) -> str:
    return url("requirement_detail", product.pk, prd.pk, requirement.pk)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR])
def test_the_page_shows_the_requirement_what_delivers_it_and_its_prd(
    client, product, member_factory, prd, requirement, story, feature, role
):
    services.requirement_link(requirement=requirement, stories=[story], features=[feature])
    client.force_login(member_factory(role))
    response = client.get(page_url(product, prd, requirement))
    body = response.content.decode()
    assert response.status_code == 200
    assert f"{requirement.key}</span> Pay by card" in body
    assert "Visa <em>and</em> Mastercard" in body and "Should have" in body
    assert "Not started" in body  # derived from the status of the work
    assert f'href="{reverse("backlog:story_detail", args=[product.pk, story.pk])}">Card form' in body
    assert f'href="{reverse("backlog:feature_detail", args=[product.pk, feature.pk])}">Card payments' in body
    assert f'href="{url("prd_detail", product.pk, prd.pk)}">Checkout v2' in body
    assert f"{url('prd_requirements', product.pk, prd.pk)}#req-{requirement.pk}" in body
    assert f'id="comments-requirement-{requirement.pk}"' in body
    assert ("Edit or trace it" in body) is (role == Role.EDITOR)


def test_the_derived_status_follows_the_work(client, product, editor, prd, requirement, story):
    client.force_login(editor)
    assert "Not traced" in client.get(page_url(product, prd, requirement)).content.decode()
    services.requirement_link(requirement=requirement, stories=[story])
    from backlog.services import story_set_status

    story_set_status(story=story, actor=editor, status=product.statuses.get(category="done"))
    assert "Delivered" in client.get(page_url(product, prd, requirement)).content.decode()


def test_an_untraced_requirement_says_what_to_do(client, product, editor, viewer, prd, requirement):
    client.force_login(editor)
    body = client.get(page_url(product, prd, requirement)).content.decode()
    assert "Nothing delivers it yet" in body and "Open the requirements table" in body
    client.force_login(viewer)
    assert "Open the requirements table" not in client.get(page_url(product, prd, requirement)).content.decode()


def test_the_flags_it_raised_link_their_items_and_can_be_cleared(
    client, product, editor, contributor, viewer, prd, requirement, story
):
    services.requirement_link(requirement=requirement, stories=[story])
    services.requirement_update(requirement=requirement, actor=editor, title="Pay by card or wallet")
    flag = ReviewFlag.objects.open().get(story=story, requirement=requirement)
    client.force_login(contributor)
    page = page_url(product, prd, requirement)
    listed = fragment(client.get(page).content.decode(), f"flag-{flag.pk}")
    assert reverse("backlog:story_detail", args=[product.pk, story.pk]) in listed
    assert "changed" in listed and "Clear flag" in listed
    response = client.post(url("flag_clear", product.pk, flag.pk), {"note": "Checked"}, HTTP_REFERER=page)
    assert response.status_code == 302 and response["Location"] == page
    assert "No open flags" in client.get(page).content.decode()
    client.force_login(viewer)
    assert "Clear flag" not in client.get(page).content.decode()


def test_requirement_keys_link_to_the_page_from_the_table_and_the_prd(client, product, viewer, prd, requirement):
    client.force_login(viewer)
    link = f'href="{page_url(product, prd, requirement)}"'
    assert link in client.get(url("prd_requirements", product.pk, prd.pk)).content.decode()
    assert link in client.get(url("prd_detail", product.pk, prd.pk)).content.decode()


def test_htmx_gets_the_fragment_only(client, product, viewer, prd, requirement):
    client.force_login(viewer)
    response = client.get(page_url(product, prd, requirement), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and html.lstrip().startswith('<div id="requirement-page"')
    assert f'id="comments-requirement-{requirement.pk}"' in html


def test_only_get_is_allowed_and_a_foreign_row_is_404(
    client, product, editor, outsider, other_product, prd, requirement
):
    client.force_login(editor)
    assert client.post(page_url(product, prd, requirement)).status_code == 405
    other_prd = PRDFactory(product=product, actor=editor)
    assert client.get(url("requirement_detail", product.pk, other_prd.pk, requirement.pk)).status_code == 404
    client.force_login(outsider)
    for product_id in (product.pk, other_product.pk):
        assert client.get(url("requirement_detail", product_id, prd.pk, requirement.pk)).status_code == 404
        assert client.post(url("requirement_detail", product_id, prd.pk, requirement.pk)).status_code == 404


def test_search_and_notifications_link_a_requirement_to_its_page(product, prd, requirement):
    from activity.kinds import page_url as activity_page_url

    assert activity_page_url(requirement) == page_url(product, prd, requirement)


def test_a_mention_in_a_comment_on_the_page_notifies_the_member(client, product, viewer, contributor, prd, requirement):
    page = page_url(product, prd, requirement)
    client.force_login(viewer)
    post_url = reverse("activity:comments_requirement", args=[product.pk, requirement.pk])
    assert f'action="{post_url}"' in client.get(page).content.decode()
    response = client.post(post_url, {"body": "@cora does the card form cover Amex?", "next": page})
    assert response.status_code == 302
    assert response["Location"] == f"{page}#comments-requirement-{requirement.pk}"
    notification = Notification.objects.get(recipient=contributor)
    assert notification.kind == Notification.Kind.MENTION
    assert '<span class="mention">@cora</span>' in client.get(page).content.decode()


@pytest.mark.parametrize("size", [1, 15])
def test_the_page_reads_in_a_bounded_number_of_queries(
    client, product, editor, viewer, prd, requirement, size, django_assert_max_num_queries
):
    epic = EpicFactory(product=product, actor=editor)
    stories = [StoryFactory(product=product, actor=editor) for _ in range(size)]
    features = [FeatureFactory(epic=epic, actor=editor) for _ in range(size)]
    services.requirement_link(requirement=requirement, stories=stories, features=features)
    services.requirement_update(requirement=requirement, actor=editor, title="Pay by card, flagged")
    for n in range(size):
        comment_create(workspace=product.workspace, target=requirement, author=editor, body=f"Note {n} @vic")
    assert ReviewFlag.objects.open().filter(requirement=requirement).count() == 2 * size
    client.force_login(viewer)
    with django_assert_max_num_queries(12):
        response = client.get(page_url(product, prd, requirement))
    assert response.status_code == 200
