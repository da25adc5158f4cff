"""The product home /p/<id>/: roadmap at a glance, current sprint, my sign-offs, recent activity."""

import pytest
from django.urls import reverse

from backlog.models import Sprint
from backlog.services import sprint_start, story_update
from backlog.tests.factories import SprintFactory, StoryFactory
from decisions.models import StakeholderRole
from decisions.services import signoff_request
from decisions.tests.factories import DecisionRecordFactory, PRDFactory
from roadmap.models import Confidence, Lane
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory
from workspaces.models import Role


def product_url(product) -> str:
    return reverse("product_home", args=[product.pk])


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN])
def test_every_member_sees_the_product_home(client, product, member_factory, role):
    # given
    client.force_login(member_factory(role))
    # when
    response = client.get(product_url(product))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "Roadmap at a glance" in body
    assert "Current sprint" in body or "No sprint planned" in body
    assert "Sign-offs waiting for you" in body
    assert "Recent activity" in body
    assert f'href="{product_url(product)}" aria-current="page"' in body


def test_the_home_shows_lanes_sprint_signoffs_and_activity(client, product, editor, viewer):
    # given
    roadmap = RoadmapFactory(product=product, name="Payments 2027")
    RoadmapItemFactory(roadmap=roadmap, title="Card vault", lane=Lane.NOW, confidence=Confidence.AT_RISK)
    RoadmapItemFactory(roadmap=roadmap, title="Wallets", lane=Lane.LATER)
    sprint = SprintFactory(product=product, name="Sprint 7", capacity_points=10)
    sprint_start(sprint=sprint, actor=editor)
    StoryFactory(product=product, sprint=sprint, points=8, title="Tokenise cards", actor=editor)
    StoryFactory(product=product, sprint=sprint, points=5)
    prd = PRDFactory(product=product, actor=editor, title="Card vaulting")
    signoff_request(document=prd, actor=editor, approver=viewer, role=StakeholderRole.LEADERSHIP)
    client.force_login(viewer)
    # when
    body = client.get(product_url(product)).content.decode()
    # then
    assert "Card vault" in body and "At risk" in body
    assert "Wallets" in body
    assert "Sprint 7" in body
    assert "13 of 10 points (130%)" in body
    assert "take stories out or raise the capacity" in body
    assert "Card vaulting" in body
    assert "created the story" in body and "PAY-" in body and "Tokenise cards" in body


def test_an_empty_product_says_what_to_do_next(client, product, viewer):
    client.force_login(viewer)
    body = client.get(product_url(product)).content.decode()
    assert "No roadmap items yet" in body
    assert "No sprint planned" in body
    assert "Nothing waits for your sign-off" in body
    assert "No activity yet" in body


def test_a_member_of_another_workspace_gets_404_without_the_name(client, product, outsider):
    client.force_login(outsider)
    response = client.get(product_url(product))
    assert response.status_code == 404
    assert "Payments" not in response.content.decode()


def test_a_product_that_does_not_exist_is_404_too(client, product, editor):
    client.force_login(editor)
    assert client.get(reverse("product_home", args=[product.pk + 1000])).status_code == 404


def test_anonymous_is_sent_to_sign_in_and_back(client, product):
    response = client.get(product_url(product))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={product_url(product)}"


def test_anonymous_htmx_request_is_redirected_by_htmx(client, product):
    response = client.get(product_url(product), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next={product_url(product)}"


def test_an_htmx_request_gets_the_fragment_only(client, product, editor):
    # given
    client.force_login(editor)
    # when
    response = client.get(product_url(product), HTTP_HX_REQUEST="true")
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div class="overview-grid" id="overview">')
    assert "<html" not in body and "topbar" not in body
    assert "Roadmap at a glance" in body
    assert "HX-Request" in response["Vary"]


def test_an_htmx_request_for_one_section_gets_that_section(client, product, editor):
    client.force_login(editor)
    response = client.get(product_url(product), {"section": "activity"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card overview-grid__wide" id="overview-activity"')
    assert "Roadmap at a glance" not in body


def test_a_post_is_not_an_action_here(client, product, editor):
    client.force_login(editor)
    assert client.post(product_url(product)).status_code == 405


def test_the_landing_page_links_each_product_to_its_home(client, product, editor):
    client.force_login(editor)
    body = client.get(reverse("home")).content.decode()
    assert f'<a href="{product_url(product)}">Payments</a>' in body


def test_the_switcher_lists_my_products_only(client, product, editor, other_product):
    client.force_login(editor)
    body = client.get(product_url(product)).content.decode()
    assert "Globex" not in body
    assert f'href="{product_url(product)}" aria-current="true"' in body


def populate(product, actor, n: int) -> None:
    """n roadmap items, stories in the active sprint, decisions, and PRDs whose sign-off is asked of `actor`."""
    roadmap = RoadmapFactory(product=product)
    sprint = Sprint.objects.filter(product=product, state=Sprint.State.ACTIVE).first()
    if sprint is None:
        sprint = SprintFactory(product=product)
        sprint_start(sprint=sprint, actor=actor)
    for i in range(n):
        RoadmapItemFactory(roadmap=roadmap, lane=Lane.values[i % 3])
        StoryFactory(product=product, sprint=sprint, actor=actor)
        DecisionRecordFactory(product=product, actor=actor)
        prd = PRDFactory(product=product, actor=actor)
        signoff_request(document=prd, actor=actor, approver=actor, role=StakeholderRole.ENGINEERING)


def test_product_home_queries_stay_bounded(client, product, editor, django_assert_max_num_queries):
    # given
    client.force_login(editor)
    populate(product, editor, 5)
    # when
    with django_assert_max_num_queries(16) as small:
        assert client.get(product_url(product)).status_code == 200
    populate(product, editor, 45)
    # then
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(product_url(product))
    assert response.status_code == 200


def test_repeated_changes_by_one_person_fold_into_one_line(client, product, editor):
    # given
    story = StoryFactory(product=product, title="Tokenise cards", actor=editor)
    story_update(story=story, actor=editor, points=5)
    story_update(story=story, actor=editor, points=8)
    client.force_login(editor)
    # when
    body = client.get(product_url(product), {"section": "activity"}, HTTP_HX_REQUEST="true").content.decode()
    # then
    assert body.count("changed the story") == 1
    assert "(2 times)" in body
    assert body.count("created the story") == 1
