"""Baselines: take one (from the board or the list), list them, and see what moved since."""

import datetime

import pytest
from django.urls import reverse

from roadmap import services
from roadmap.models import Baseline, Lane
from roadmap.tests.factories import RoadmapItemFactory
from workspaces.models import Role

D = datetime.date


def list_url(product) -> str:
    return reverse("roadmap:baseline_list", args=[product.pk])


def create_url(roadmap) -> str:
    return reverse("roadmap:baseline_create", args=[roadmap.product_id, roadmap.pk])


def detail_url(baseline) -> str:
    return reverse("roadmap:baseline_detail", args=[baseline.roadmap.product_id, baseline.pk])


@pytest.fixture
def moved(product, roadmap, editor):
    """A baseline, then: one item added, one removed, one re-dated and re-laned, one whose confidence changed."""
    kept = RoadmapItemFactory(
        roadmap=roadmap, title="Vault", lane=Lane.NEXT, start_date=D(2026, 1, 1), end_date=D(2026, 2, 1)
    )
    doomed = RoadmapItemFactory(roadmap=roadmap, title="Doomed", lane=Lane.LATER)
    steady = RoadmapItemFactory(roadmap=roadmap, title="Wallets", lane=Lane.NOW)
    baseline = services.baseline_create(roadmap=roadmap, name="Q1 review", actor=editor)
    RoadmapItemFactory(roadmap=roadmap, title="Fresh", lane=Lane.NOW)
    services.roadmap_item_delete(item=doomed, actor=editor)
    services.roadmap_item_update(item=kept, actor=editor, start_date=D(2026, 3, 1), end_date=D(2026, 4, 30))
    services.roadmap_item_move(item=kept, lane="now")
    services.roadmap_item_update(item=steady, actor=editor, confidence="at_risk")
    return baseline


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR])
def test_what_moved_since_shows_every_kind_of_change(client, moved, member_factory, role):
    client.force_login(member_factory(role))
    response = client.get(detail_url(moved))
    body = response.content.decode()
    assert response.status_code == 200
    assert "What moved since “Q1 review”" in body
    assert 'id="added-heading">Added <span class="count">1</span>' in body and "Fresh" in body
    assert 'id="removed-heading">Removed <span class="count">1</span>' in body and "<del>Doomed</del>" in body
    assert "<td>1 Jan 2026 – 1 Feb 2026</td><td>1 Mar 2026 – 30 Apr 2026</td>" in body
    assert "<td>Next</td><td>Now</td>" in body
    assert "<td>On track</td><td>At risk</td>" in body


def test_nothing_moved_says_so(client, roadmap, editor):
    RoadmapItemFactory(roadmap=roadmap, title="Still")
    baseline = services.baseline_create(roadmap=roadmap, name="Today", actor=editor)
    client.force_login(editor)
    assert "Nothing moved since" in client.get(detail_url(baseline)).content.decode()


def test_an_htmx_request_gets_the_diff_only(client, moved, viewer):
    client.force_login(viewer)
    body = client.get(detail_url(moved), HTTP_HX_REQUEST="true").content.decode()
    assert body.lstrip().startswith('<div id="diff" class="roadmap-diff">')


def test_the_list_shows_each_roadmap_with_its_baselines(client, product, roadmap, tech_roadmap, moved, viewer):
    client.force_login(viewer)
    body = client.get(list_url(product)).content.decode()
    assert f'<a href="{detail_url(moved)}">Q1 review</a>' in body
    assert "Payments platform" in body and "No baseline yet" in body
    assert "Take a baseline" not in body


def test_no_roadmap_no_baselines(client, product, viewer):
    client.force_login(viewer)
    assert "No roadmap yet" in client.get(list_url(product)).content.decode()


def test_an_editor_takes_a_baseline_and_sees_it(client, roadmap, editor):
    RoadmapItemFactory(roadmap=roadmap, title="Vault")
    client.force_login(editor)
    response = client.post(create_url(roadmap), {"name": "Board review"})
    baseline = Baseline.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(baseline)
    assert (baseline.name, baseline.created_by, len(baseline.snapshot)) == ("Board review", editor, 1)


def test_a_duplicate_or_blank_name_is_422_on_that_roadmaps_form(client, roadmap, moved, editor):
    client.force_login(editor)
    response = client.post(create_url(roadmap), {"name": "Q1 review"})
    body = response.content.decode()
    assert response.status_code == 422
    assert f'id="baseline-{roadmap.pk}-name-error">Payments 2026 already has a baseline called Q1 review.' in body
    assert client.post(create_url(roadmap), {"name": "  "}).status_code == 422
    assert Baseline.objects.count() == 1


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_readers_may_not_take_baselines(client, roadmap, member_factory, role):
    client.force_login(member_factory(role))
    assert client.post(create_url(roadmap), {"name": "Mine"}).status_code == 403
    assert not Baseline.objects.exists()


def test_outsiders_get_404(client, product, moved, outsider):
    client.force_login(outsider)
    assert client.get(detail_url(moved)).status_code == 404
    assert client.get(list_url(product)).status_code == 404
    assert client.post(create_url(moved.roadmap), {"name": "Theirs"}).status_code == 404
    assert Baseline.objects.count() == 1


@pytest.mark.parametrize("count", [3, 30])
def test_baseline_pages_read_in_a_bounded_number_of_queries(
    client, product, roadmap, editor, count, django_assert_max_num_queries
):
    items = [RoadmapItemFactory(roadmap=roadmap) for _ in range(count)]
    baselines = [services.baseline_create(roadmap=roadmap, name=f"B{n}", actor=editor) for n in range(count)]
    for each in items:
        services.roadmap_item_update(item=each, actor=editor, confidence="off_track")
    client.force_login(editor)
    with django_assert_max_num_queries(10):
        assert client.get(list_url(product)).status_code == 200
    with django_assert_max_num_queries(10):
        body = client.get(detail_url(baselines[0])).content.decode()
    assert body.count("<td>On track</td><td>Off track</td>") == count


def test_the_baseline_page_is_read_only(client, moved, editor):
    client.force_login(editor)
    assert client.post(detail_url(moved)).status_code == 405
    assert client.get(create_url(moved.roadmap)).status_code == 405
