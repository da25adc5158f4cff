"""A roadmap item's page: every field, linked epics with progress, computed confidence with its reasons,
dependencies (cycle refused on the form), review flags, delete; stale saves refused."""

import datetime

import pytest
from django.urls import reverse

from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from decisions.services.impact import flags_raise
from decisions.tests.factories import DecisionRecordFactory
from roadmap import services
from roadmap.forms import item_version
from roadmap.models import Dependency, Goal, Lane, RoadmapItem
from roadmap.tests.factories import RoadmapItemFactory
from workspaces.models import Role

D = datetime.date


def item_url(item, name="item_detail", *extra) -> str:
    return reverse(f"roadmap:{name}", args=[item.roadmap.product_id, item.pk, *extra])


@pytest.fixture
def vault(product, roadmap, editor):
    """ "Card vault" in Now, linked to an epic with 3 of 8 points done and an unestimated story."""
    epic = EpicFactory(product=product, title="Tokenisation")
    done = product.statuses.get(name="Done")
    StoryFactory(feature=FeatureFactory(epic=epic), points=3, status=done)
    StoryFactory(epic=epic, points=5)
    StoryFactory(epic=epic, points=None)
    return RoadmapItemFactory(
        roadmap=roadmap,
        title="Card vault",
        lane=Lane.NOW,
        description="Store **cards** safely.",
        owner=editor,
        epics=[epic],
    )


def form_data(item, **changes):
    item.refresh_from_db()
    data = {
        "version": item_version(item),
        "title": item.title,
        "description": item.description,
        "lane": item.lane,
        "status": item.status,
        "start_date": item.start_date.isoformat() if item.start_date else "",
        "end_date": item.end_date.isoformat() if item.end_date else "",
        "confidence": item.confidence,
        "owner": item.owner_id or "",
        "milestone": item.milestone_id or "",
        "goals": [goal.pk for goal in item.goals.all()],
    }
    data.update(changes)
    return data


# --- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN])
def test_every_member_reads_the_item_with_progress_and_both_confidences(
    client, product, vault, editor, member_factory, role
):
    # given: an open decision linked to it, and a flag
    decision = DecisionRecordFactory(product=product, title="Which vault vendor", actor=editor)
    decision.roadmap_items.add(vault)
    flags_raise(items=[vault], reason="The PCI requirement changed.", actor=None, decision=decision)
    client.force_login(member_factory(role))
    # when
    response = client.get(item_url(vault))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Card vault</h1>" in body
    assert "<strong>cards</strong>" in body
    assert "3 of 8 points (38%)" in body
    assert "PAY-" in body and "Tokenisation" in body
    assert "Set by a person" in body and "Computed from the evidence" in body
    assert "Only 2 of 3 stories are estimated (67%)." in body
    assert "“Which vault vendor” is still open." in body
    assert "Needs re-review" in body and "The PCI requirement changed." in body
    assert (f'<form method="post" action="{item_url(vault)}"' in body) is Role.at_least(role, Role.EDITOR)


def test_an_htmx_request_gets_the_item_section_only(client, vault, viewer):
    client.force_login(viewer)
    body = client.get(item_url(vault), HTTP_HX_REQUEST="true").content.decode()
    assert body.lstrip().startswith('<div id="item" class="roadmap-item">')
    assert "<html" not in body


def test_an_item_of_another_product_is_404_here(client, product, other_product, editor):
    from roadmap.tests.factories import RoadmapFactory

    foreign = RoadmapItemFactory(roadmap=RoadmapFactory(product=other_product), title="Theirs")
    client.force_login(editor)
    assert client.get(reverse("roadmap:item_detail", args=[product.pk, foreign.pk])).status_code == 404


def test_outsiders_get_404_and_change_nothing(client, vault, outsider):
    client.force_login(outsider)
    assert client.get(item_url(vault)).status_code == 404
    assert client.post(item_url(vault), form_data(vault, title="Hijacked")).status_code == 404
    vault.refresh_from_db()
    assert vault.title == "Card vault"


# --- editing -------------------------------------------------------------------------------------


def test_an_editor_edits_every_field(client, product, vault, editor, viewer):
    # given
    goal = Goal.objects.create(product=product, title="Fewer failed payments")
    milestone = services.milestone_create(product=product, name="GA", date=D(2026, 6, 1))
    client.force_login(editor)
    data = form_data(
        vault,
        title="Card vault v2",
        description="New *text*",
        lane="later",
        status="in_progress",
        start_date="2026-02-01",
        end_date="2026-05-31",
        confidence="off_track",
        owner=viewer.pk,
        milestone=milestone.pk,
        goals=[goal.pk],
    )
    # when
    response = client.post(item_url(vault), data, HTTP_HX_REQUEST="true")
    # then
    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    vault.refresh_from_db()
    assert (vault.title, vault.description, vault.lane, vault.status) == (
        "Card vault v2",
        "New *text*",
        "later",
        "in_progress",
    )
    assert (vault.start_date, vault.end_date, vault.confidence) == (D(2026, 2, 1), D(2026, 5, 31), "off_track")
    assert (vault.owner, vault.milestone) == (viewer, milestone)
    assert list(vault.goals.all()) == [goal]


def test_saving_without_js_redirects_back(client, vault, editor):
    client.force_login(editor)
    response = client.post(item_url(vault), form_data(vault, title="Renamed"))
    assert response.status_code == 302 and response["Location"] == item_url(vault)


def test_an_end_before_the_start_is_422_next_to_the_field(client, vault, editor):
    client.force_login(editor)
    response = client.post(
        item_url(vault), form_data(vault, start_date="2026-05-01", end_date="2026-04-01"), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert '<p class="field__error" id="id_end_date-error">The end date must be on or after the start date.</p>' in body
    vault.refresh_from_db()
    assert vault.start_date is None


def test_an_owner_outside_the_workspace_is_422(client, vault, editor, outsider):
    client.force_login(editor)
    response = client.post(item_url(vault), form_data(vault, owner=outsider.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()


def test_a_stale_save_is_refused_with_409_and_the_current_state(client, vault, editor):
    # given: the form was read, then someone else renamed the item
    client.force_login(editor)
    data = form_data(vault, title="Mine")
    services.roadmap_item_update(item=vault, actor=editor, title="Theirs")
    # when
    response = client.post(item_url(vault), data, HTTP_HX_REQUEST="true")
    # then
    body = response.content.decode()
    assert response.status_code == 409
    assert f"Not saved: this item was changed by {editor.get_full_name()} after you opened it." in body
    assert "<h1>Theirs</h1>" in body
    vault.refresh_from_db()
    assert vault.title == "Theirs"


def test_a_drag_to_another_lane_also_makes_the_form_stale(client, vault, editor):
    client.force_login(editor)
    data = form_data(vault, title="Mine")
    services.roadmap_item_move(item=vault, lane="later")
    assert client.post(item_url(vault), data, HTTP_HX_REQUEST="true").status_code == 409
    vault.refresh_from_db()
    assert (vault.title, vault.lane) == ("Card vault", "later")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_readers_may_not_edit(client, vault, member_factory, role):
    client.force_login(member_factory(role))
    response = client.post(item_url(vault), form_data(vault, title="Nope"))
    assert response.status_code == 403
    assert "This needs the editor role or higher in Acme" in response.content.decode()
    vault.refresh_from_db()
    assert vault.title == "Card vault"


# --- epics ---------------------------------------------------------------------------------------


def test_an_editor_links_and_unlinks_an_epic(client, product, vault, editor):
    client.force_login(editor)
    wallets = EpicFactory(product=product, title="Wallets")
    StoryFactory(epic=wallets, points=2, status=product.statuses.get(name="Done"))
    response = client.post(item_url(vault, "epic_link"), {"epic": wallets.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "5 of 10 points (50%)" in response.content.decode()
    assert set(vault.epics.values_list("title", flat=True)) == {"Tokenisation", "Wallets"}
    response = client.post(item_url(vault, "epic_unlink", wallets.pk))
    assert response.status_code == 302
    assert list(vault.epics.values_list("title", flat=True)) == ["Tokenisation"]


def test_an_epic_of_another_product_cannot_be_linked(client, vault, other_product, editor):
    client.force_login(editor)
    foreign = EpicFactory(product=other_product)
    response = client.post(item_url(vault, "epic_link"), {"epic": foreign.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    assert client.post(item_url(vault, "epic_unlink", foreign.pk)).status_code == 404
    assert vault.epics.count() == 1


# --- dependencies --------------------------------------------------------------------------------


def test_an_editor_adds_and_removes_a_dependency(client, roadmap, vault, editor):
    client.force_login(editor)
    api = RoadmapItemFactory(roadmap=roadmap, title="Card API", end_date=D(2026, 3, 1))
    response = client.post(
        item_url(vault, "dependency_add"), {"blocker": api.pk, "note": "needs tokens"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Card vault now depends on Card API." in body
    assert "Depends on “Card API”, not done yet." in body
    dependency = Dependency.objects.get()
    # the blocker's page shows it under "Blocks", and removing it there answers that page
    response = client.post(
        reverse("roadmap:dependency_remove", args=[roadmap.product_id, dependency.pk]),
        {"page_item": api.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<h1>Card API</h1>" in response.content.decode()
    assert not Dependency.objects.exists()


def test_a_dependency_cycle_is_shown_on_the_form(client, roadmap, vault, editor):
    # given: the API already depends on the vault
    api = RoadmapItemFactory(roadmap=roadmap, title="Card API")
    services.dependency_add(blocker=vault, blocked=api)
    client.force_login(editor)
    # when: the vault would depend on the API
    response = client.post(item_url(vault, "dependency_add"), {"blocker": api.pk}, HTTP_HX_REQUEST="true")
    # then
    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_blocker-error">This would make a dependency cycle: Card vault → Card API → Card vault.' in body
    assert Dependency.objects.count() == 1


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_readers_may_not_change_links_or_dependencies(client, product, roadmap, vault, member_factory, role):
    api = RoadmapItemFactory(roadmap=roadmap, title="Card API")
    dependency = services.dependency_add(blocker=api, blocked=vault)
    client.force_login(member_factory(role))
    assert client.post(item_url(vault, "epic_link"), {"epic": EpicFactory(product=product).pk}).status_code == 403
    assert client.post(item_url(vault, "epic_unlink", vault.epics.get().pk)).status_code == 403
    assert client.post(item_url(vault, "dependency_add"), {"blocker": api.pk}).status_code == 403
    assert client.post(reverse("roadmap:dependency_remove", args=[product.pk, dependency.pk])).status_code == 403
    assert client.post(item_url(vault, "item_delete")).status_code == 403
    assert vault.epics.count() == 1 and Dependency.objects.count() == 1 and RoadmapItem.objects.count() == 2


# --- delete --------------------------------------------------------------------------------------


def test_an_editor_deletes_the_item_and_lands_on_the_board(client, product, roadmap, vault, editor):
    client.force_login(editor)
    response = client.post(item_url(vault, "item_delete"))
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:board", args=[product.pk]) + f"?roadmap={roadmap.pk}"
    assert not RoadmapItem.objects.exists()


# --- queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_the_item_page_reads_in_a_bounded_number_of_queries(
    client, product, roadmap, editor, count, django_assert_max_num_queries
):
    epics = [EpicFactory(product=product) for _ in range(count)]
    for epic in epics:
        StoryFactory(epic=epic, points=2)
    item = RoadmapItemFactory(roadmap=roadmap, title="Big", epics=epics)
    for n in range(count):
        services.dependency_add(blocker=RoadmapItemFactory(roadmap=roadmap), blocked=item)
        Goal.objects.create(product=product, title=f"Goal {n}")
    client.force_login(editor)
    with django_assert_max_num_queries(24):
        response = client.get(item_url(item))
    assert response.status_code == 200
