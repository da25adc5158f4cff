"""The now / next / later board: lanes, switcher, roadmap and item creation, drag and keyboard moves."""

import pytest
from django.urls import reverse

from backlog.tests.factories import EpicFactory, StoryFactory
from roadmap.models import Confidence, Lane, Roadmap, RoadmapItem
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory
from roadmap.tests.helpers import items_with_work
from workspaces.models import Role


def board_url(product, roadmap=None) -> str:
    url = reverse("roadmap:board", args=[product.pk])
    return f"{url}?roadmap={roadmap.pk}" if roadmap else url


def move_url(roadmap) -> str:
    return reverse("roadmap:move", args=[roadmap.product_id, roadmap.pk])


def lanes_of(roadmap) -> dict[str, list[str]]:
    lanes: dict[str, list[str]] = {lane: [] for lane in Lane.values}
    for item in RoadmapItem.objects.filter(roadmap=roadmap).order_by("rank"):
        lanes[item.lane].append(item.title)
    return lanes


@pytest.fixture
def three(roadmap):
    """Alpha and Bravo in Next, Charlie in Now."""
    return {
        title: RoadmapItemFactory(roadmap=roadmap, title=title, lane=lane)
        for title, lane in (("Alpha", Lane.NEXT), ("Bravo", Lane.NEXT), ("Charlie", Lane.NOW))
    }


# --- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN])
def test_every_member_sees_the_lanes_with_confidence_and_progress(client, product, roadmap, member_factory, role):
    # given
    epic = EpicFactory(product=product)
    StoryFactory(epic=epic, points=8, status=product.statuses.get(name="Done"))
    StoryFactory(epic=epic, points=2)
    RoadmapItemFactory(roadmap=roadmap, title="Card vault", lane=Lane.NOW, confidence=Confidence.AT_RISK, epics=[epic])
    client.force_login(member_factory(role))
    # when
    response = client.get(board_url(product))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert '<h1>Roadmap <span class="muted">Payments 2026</span></h1>' in body
    for lane in ("Now", "Next", "Later"):
        assert f'id="lane-{lane.lower()}-heading">{lane} ' in body
    assert "Card vault" in body
    assert '<span class="badge badge--at_risk">' in body
    assert "8 of 10 points (80%)" in body
    assert "Nothing in Later yet." in body
    assert 'aria-current="page">Roadmap</a>' in body


def test_a_viewer_gets_no_drag_and_no_forms(client, product, three, viewer):
    client.force_login(viewer)
    body = client.get(board_url(product)).content.decode()
    assert "data-sortable" not in body
    assert "Move Alpha down" not in body
    assert "Add to Now" not in body
    assert "New roadmap" not in body


def test_an_editor_gets_drag_keyboard_moves_and_inline_create(client, product, roadmap, three, editor):
    client.force_login(editor)
    body = client.get(board_url(product)).content.decode()
    assert f'data-move-url="{move_url(roadmap)}" data-list="next"' in body
    assert 'aria-label="Move Alpha down"' in body
    assert 'aria-label="Move Bravo up"' in body
    assert 'for="move-{}-list"'.format(three["Alpha"].pk) in body
    assert "Add to Later" in body
    assert "New roadmap" in body and "Take a baseline" in body


def test_the_switcher_shows_each_roadmap_and_the_url_picks_one(client, product, roadmap, tech_roadmap, viewer):
    # given
    RoadmapItemFactory(roadmap=roadmap, title="Wallets")
    RoadmapItemFactory(roadmap=tech_roadmap, title="Ledger cut-over")
    client.force_login(viewer)
    # when
    first = client.get(board_url(product)).content.decode()
    tech = client.get(board_url(product, tech_roadmap)).content.decode()
    # then
    assert "Wallets" in first and "Ledger cut-over" not in first
    assert "Ledger cut-over" in tech and "Wallets" not in tech
    assert f'href="{board_url(product, tech_roadmap)}" aria-current="page">Payments platform' in tech
    assert "Technology roadmap" in tech


def test_one_roadmap_needs_no_switcher(client, product, roadmap, viewer):
    client.force_login(viewer)
    assert "roadmap-switcher" not in client.get(board_url(product)).content.decode()


def test_a_roadmap_of_another_product_is_404(client, product, roadmap, other_product, editor):
    foreign = RoadmapFactory(product=other_product)
    client.force_login(editor)
    assert client.get(board_url(product, foreign)).status_code == 404
    assert client.get(board_url(product) + "?roadmap=abc").status_code == 200


def test_no_roadmap_says_what_to_do(client, product, editor, viewer):
    client.force_login(editor)
    body = client.get(board_url(product)).content.decode()
    assert "No roadmap yet" in body and "Create the product roadmap" in body
    assert '<details class="roadmap-disclosure" id="new-roadmap" open>' in body
    client.force_login(viewer)
    assert "An editor of this workspace can create" in client.get(board_url(product)).content.decode()


def test_an_htmx_request_gets_the_board_only(client, product, three, viewer):
    client.force_login(viewer)
    response = client.get(board_url(product), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="board" class="roadmap-board">')
    assert "<html" not in body and "Alpha" in body


def test_outsiders_and_anonymous_see_nothing(client, product, three, outsider):
    assert client.get(board_url(product)).status_code == 302
    client.force_login(outsider)
    response = client.get(board_url(product))
    assert response.status_code == 404
    assert "Alpha" not in response.content.decode()


# --- moving --------------------------------------------------------------------------------------


def test_a_drop_from_next_to_now_moves_it_and_answers_the_board(client, product, roadmap, three, editor):
    # given: Alpha is dropped under Charlie in Now
    client.force_login(editor)
    payload = {
        "item": three["Alpha"].pk,
        "after": three["Charlie"].pk,
        "before": "",
        "list": "now",
        "from_list": "next",
    }
    # when
    response = client.post(move_url(roadmap), payload, HTTP_HX_REQUEST="true")
    # then
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="board"')
    assert lanes_of(roadmap) == {"now": ["Charlie", "Alpha"], "next": ["Bravo"], "later": []}


def test_a_drop_into_an_empty_lane_goes_there(client, product, roadmap, three, editor):
    client.force_login(editor)
    payload = {"item": three["Bravo"].pk, "after": "", "before": "", "list": "later", "from_list": "next"}
    assert client.post(move_url(roadmap), payload, HTTP_HX_REQUEST="true").status_code == 200
    assert lanes_of(roadmap)["later"] == ["Bravo"]


def test_keyboard_moves_work_without_js(client, product, roadmap, three, editor):
    client.force_login(editor)
    # "Move up" on Bravo: before Alpha, a plain form post redirected back
    response = client.post(move_url(roadmap), {"item": three["Bravo"].pk, "before": three["Alpha"].pk, "list": "next"})
    assert response.status_code == 302
    assert response["Location"] == f"{board_url(product, roadmap)}#item-{three['Bravo'].pk}"
    assert lanes_of(roadmap)["next"] == ["Bravo", "Alpha"]
    # "Move to" Now: the bottom of that lane
    client.post(move_url(roadmap), {"item": three["Bravo"].pk, "list": "now", "from_list": "next"})
    assert lanes_of(roadmap) == {"now": ["Charlie", "Bravo"], "next": ["Alpha"], "later": []}


def test_a_refused_move_answers_422_with_the_reason_and_changes_nothing(client, product, roadmap, three, editor):
    # given: a neighbour in Next while the list says Now (a stale page)
    client.force_login(editor)
    before = lanes_of(roadmap)
    payload = {"item": three["Charlie"].pk, "after": three["Alpha"].pk, "list": "now", "from_list": "now"}
    # when
    response = client.post(move_url(roadmap), payload, HTTP_HX_REQUEST="true")
    # then
    assert response.status_code == 422
    assert "Place the item next to an item of the lane it moves to." in response.content.decode()
    assert lanes_of(roadmap) == before


def test_a_bad_lane_is_422_not_500(client, product, roadmap, three, editor):
    client.force_login(editor)
    response = client.post(move_url(roadmap), {"item": three["Alpha"].pk, "list": "someday"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Choose one of now, next, later." in response.content.decode()


def test_an_item_of_another_roadmap_cannot_be_moved_here(client, product, roadmap, tech_roadmap, three, editor):
    client.force_login(editor)
    other = RoadmapItemFactory(roadmap=tech_roadmap, title="Elsewhere")
    assert client.post(move_url(roadmap), {"item": other.pk, "list": "now"}, HTTP_HX_REQUEST="true").status_code == 404
    payload = {"item": three["Alpha"].pk, "after": other.pk, "list": "next"}
    assert client.post(move_url(roadmap), payload, HTTP_HX_REQUEST="true").status_code == 404


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_readers_may_not_move_and_nothing_changes(client, product, roadmap, three, member_factory, role):
    client.force_login(member_factory(role))
    before = lanes_of(roadmap)
    response = client.post(move_url(roadmap), {"item": three["Alpha"].pk, "list": "now"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert "This needs the editor role or higher in Acme" in response.content.decode()
    assert lanes_of(roadmap) == before


def test_an_outsider_cannot_move_and_nothing_changes(client, product, roadmap, three, outsider):
    client.force_login(outsider)
    before = lanes_of(roadmap)
    assert client.post(move_url(roadmap), {"item": three["Alpha"].pk, "list": "now"}).status_code == 404
    assert lanes_of(roadmap) == before


def test_move_is_post_only(client, product, roadmap, editor):
    client.force_login(editor)
    assert client.get(move_url(roadmap)).status_code == 405


# --- creating ------------------------------------------------------------------------------------


def create_url(roadmap) -> str:
    return reverse("roadmap:item_create", args=[roadmap.product_id, roadmap.pk])


def test_inline_create_adds_the_item_at_the_bottom_of_its_lane(client, product, roadmap, three, editor):
    client.force_login(editor)
    response = client.post(create_url(roadmap), {"title": "Delta", "lane": "now"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Delta" in response.content.decode()
    assert lanes_of(roadmap)["now"] == ["Charlie", "Delta"]


def test_inline_create_without_js_redirects_back(client, product, roadmap, editor):
    client.force_login(editor)
    response = client.post(create_url(roadmap), {"title": "Delta", "lane": "later"})
    assert response.status_code == 302 and response["Location"] == board_url(product, roadmap)
    assert lanes_of(roadmap)["later"] == ["Delta"]


def test_inline_create_without_a_title_is_422_next_to_the_field(client, product, roadmap, editor):
    client.force_login(editor)
    response = client.post(create_url(roadmap), {"title": "", "lane": "next"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 422
    assert '<p class="field__error" id="new-next-title-error">This field is required.</p>' in body
    assert 'aria-invalid="true"' in body
    assert not RoadmapItem.objects.exists()


def test_inline_create_in_no_lane_is_422(client, product, roadmap, editor):
    client.force_login(editor)
    response = client.post(create_url(roadmap), {"title": "Delta", "lane": "someday"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Choose the lane Now, Next or Later." in response.content.decode()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_readers_may_not_create_items(client, product, roadmap, member_factory, role):
    client.force_login(member_factory(role))
    assert client.post(create_url(roadmap), {"title": "Delta", "lane": "now"}).status_code == 403
    assert not RoadmapItem.objects.exists()


def test_creating_a_roadmap_opens_its_board(client, product, roadmap, editor):
    client.force_login(editor)
    data = {"name": "Platform", "kind": "technology", "description": "Keeps us fast."}
    response = client.post(reverse("roadmap:roadmap_create", args=[product.pk]), data)
    created = Roadmap.objects.get(product=product, name="Platform")
    assert response.status_code == 302 and response["Location"] == board_url(product, created)
    assert created.kind == "technology"


def test_a_duplicate_roadmap_name_is_shown_on_the_form(client, product, roadmap, editor):
    client.force_login(editor)
    response = client.post(
        reverse("roadmap:roadmap_create", args=[product.pk]), {"name": "Payments 2026", "kind": "product"}
    )
    assert response.status_code == 422
    assert "Payments already has a roadmap called Payments 2026." in response.content.decode()
    assert '<details class="roadmap-disclosure" id="new-roadmap" open>' in response.content.decode()


def test_a_viewer_may_not_create_a_roadmap(client, product, viewer):
    client.force_login(viewer)
    assert (
        client.post(reverse("roadmap:roadmap_create", args=[product.pk]), {"name": "X", "kind": "product"}).status_code
        == 403
    )
    assert not Roadmap.objects.exists()


# --- queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 30])
def test_the_board_reads_in_a_bounded_number_of_queries(
    client, product, roadmap, tech_roadmap, editor, count, django_assert_max_num_queries
):
    items_with_work(roadmap, count)
    client.force_login(editor)
    with django_assert_max_num_queries(14):
        response = client.get(board_url(product))
    assert response.status_code == 200
    assert response.content.decode().count('class="sortable-item roadmap-card"') == count


@pytest.mark.parametrize("count", [5, 30])
def test_a_move_answers_in_a_bounded_number_of_queries(
    client, product, roadmap, editor, count, django_assert_max_num_queries
):
    items = items_with_work(roadmap, count)
    client.force_login(editor)
    with django_assert_max_num_queries(22):
        response = client.post(
            move_url(roadmap), {"item": items[0].pk, "after": items[-1].pk, "list": "now"}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
