"""The kanban board (backlog:board) and its moves (backlog:board_move)."""

import pytest

from backlog.models import Story
from backlog.selectors.board import COLUMN_LIMIT
from backlog.tests.factories import SprintFactory, StoryFactory
from tpm_workspace.tests.tenancy import database_fingerprint
from workspaces.models import Role

from .conftest import url


def column_ids(body: str, status) -> list[int]:
    """The card ids of one column, in the order the page shows them."""
    start = body.index(f'id="col-{status.pk}"')
    end = body.index("</ul>", start)
    import re

    return [int(pk) for pk in re.findall(r'class="kanban__card" data-id="(\d+)"', body[start:end])]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN])
def test_every_member_sees_the_columns_in_workflow_order(client, product, statuses, member_factory, role):
    # given
    StoryFactory(product=product, title="Tokenise cards", points=5, status=statuses["In review"])
    client.force_login(member_factory(role))
    # when
    response = client.get(url("board", product))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Board</h1>" in body
    positions = [body.index(f'id="column-{statuses[name].pk}-heading"') for name in statuses]
    assert positions == sorted(positions)
    assert "kanban__column--in_progress" in body and "kanban__column--done" in body
    assert "Tokenise cards" in body and "PAY-1" in body and "5 pt" in body
    assert ("data-sortable" in body) == (role != Role.VIEWER)
    assert ('name="list"' in body) == (role != Role.VIEWER)  # the keyboard "Move to" select


def test_cards_show_key_points_assignee_labels_in_rank_order_with_counts_and_points(
    client, product, statuses, contributor
):
    # given
    first = StoryFactory(product=product, title="First", points=3, assignee=contributor, labels=["api", "ux"])
    second = StoryFactory(product=product, title="Second", points=5)
    third = StoryFactory(product=product, title="Third", points=None)
    from backlog.services import item_move

    item_move(item=third, before=first)
    client.force_login(contributor)
    # when
    body = client.get(url("board", product)).content.decode()
    # then
    assert column_ids(body, statuses["To do"]) == [third.pk, first.pk, second.pk]
    assert '>3<span class="visually-hidden"> stories</span>' in body
    assert "8 points · To do" in body
    assert "No estimate" in body
    assert '<span class="label-chip">api</span><span class="label-chip">ux</span>' in body
    assert f'<span class="assignee">{contributor.get_full_name() or contributor.username}</span>' in body


def test_the_board_defaults_to_the_active_sprint(client, product, statuses, sprint, viewer):
    # given
    StoryFactory(product=product, title="In the sprint", sprint=sprint)
    StoryFactory(product=product, title="Not in it")
    client.force_login(viewer)
    # when
    default = client.get(url("board", product)).content.decode()
    everything = client.get(url("board", product) + "?sprint=all").content.decode()
    backlog_only = client.get(url("board", product) + "?sprint=none").content.decode()
    # then
    assert "In the sprint" in default and "Not in it" not in default
    assert f'<option value="{sprint.pk}" selected>Sprint 7 (active)</option>' in default
    assert "In the sprint" in everything and "Not in it" in everything
    assert "Not in it" in backlog_only and "In the sprint" not in backlog_only


def test_filters_by_assignee_label_and_text_in_the_url(client, product, statuses, contributor, viewer):
    # given
    StoryFactory(product=product, title="Refund API", assignee=contributor, labels=["api"])
    StoryFactory(product=product, title="Refund screen", labels=["ux"])
    StoryFactory(product=product, title="Payout API", assignee=contributor)
    client.force_login(viewer)
    api = product.labels.get(name="api")
    # when
    by_person = client.get(url("board", product), {"assignee": contributor.pk}).content.decode()
    by_label = client.get(url("board", product), {"label": api.pk}).content.decode()
    by_text = client.get(url("board", product), {"q": "refund"}).content.decode()
    by_key = client.get(url("board", product), {"q": "PAY-3"}).content.decode()
    unassigned = client.get(url("board", product), {"assignee": "none"}).content.decode()
    # then
    assert "Refund API" in by_person and "Payout API" in by_person and "Refund screen" not in by_person
    assert "Refund API" in by_label and "Refund screen" not in by_label and "Payout API" not in by_label
    assert "Refund API" in by_text and "Refund screen" in by_text and "Payout API" not in by_text
    assert "Payout API" in by_key and "Refund API" not in by_key
    assert "Refund screen" in unassigned and "Refund API" not in unassigned
    assert "matching the filters" in by_text


def test_a_bad_filter_value_is_ignored_not_a_500(client, product, statuses, viewer):
    StoryFactory(product=product, title="Still here")
    client.force_login(viewer)
    response = client.get(url("board", product), {"sprint": "99999", "assignee": "x", "label": "-1", "column": "z"})
    assert response.status_code == 200
    assert "Still here" in response.content.decode()


def test_empty_states_say_what_to_do(client, product, statuses, sprint, viewer):
    client.force_login(viewer)
    assert "No stories match" in client.get(url("board", product)).content.decode()
    assert "No stories yet" in client.get(url("board", product) + "?sprint=all").content.decode()


def test_a_column_shows_a_bounded_number_of_cards_and_more_on_request(client, product, statuses, viewer, make_stories):
    # given
    make_stories(COLUMN_LIMIT + 5)
    todo = statuses["To do"]
    client.force_login(viewer)
    # when
    first = client.get(url("board", product)).content.decode()
    more = client.get(
        url("board", product),
        {"column": todo.pk, "limit": COLUMN_LIMIT * 2},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"column-{todo.pk}",
    )
    # then
    assert len(column_ids(first, todo)) == COLUMN_LIMIT
    assert f"Showing {COLUMN_LIMIT} of {COLUMN_LIMIT + 5}" in first
    assert f"column={todo.pk}" in first and "Show more" in first
    body = more.content.decode()
    assert "<html" not in body and body.lstrip().startswith('<section class="kanban__column')
    assert len(column_ids(body, todo)) == COLUMN_LIMIT + 5
    assert "Show more" not in body


def test_htmx_filters_answer_the_board_fragment_only(client, product, statuses, viewer):
    StoryFactory(product=product, title="Fragment")
    client.force_login(viewer)
    response = client.get(url("board", product), {"sprint": "all"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="board"')
    assert "Fragment" in body
    assert response["Vary"] == "HX-Request" or "HX-Request" in response["Vary"]


def test_an_outsider_gets_404_and_moves_nothing(client, product, statuses, outsider):
    story = StoryFactory(product=product)
    client.force_login(outsider)
    before = database_fingerprint()
    assert client.get(url("board", product)).status_code == 404
    response = client.post(url("board_move", product), {"item": story.pk, "list": statuses["Done"].pk})
    assert response.status_code == 404
    assert database_fingerprint() == before


def test_a_viewer_may_not_move_a_card(client, product, statuses, viewer):
    story = StoryFactory(product=product)
    client.force_login(viewer)
    response = client.post(url("board_move", product), {"item": story.pk, "list": statuses["Done"].pk})
    assert response.status_code == 403
    assert "contributor role" in response.content.decode()
    story.refresh_from_db()
    assert story.status_id == statuses["To do"].pk


def test_dropping_a_card_in_another_column_transitions_it_and_answers_the_board(client, product, statuses, contributor):
    # given
    done_one = StoryFactory(product=product, title="Done one", status=statuses["Done"])
    story = StoryFactory(product=product, title="Moving", points=5)
    client.force_login(contributor)
    # when: dropped under "Done one" in the Done column
    response = client.post(
        url("board_move", product) + "?sprint=all",
        {
            "item": story.pk,
            "after": done_one.pk,
            "before": "",
            "list": statuses["Done"].pk,
            "from_list": statuses["To do"].pk,
        },
        HTTP_HX_REQUEST="true",
    )
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="board"' in body
    story.refresh_from_db()
    assert story.status_id == statuses["Done"].pk
    assert story.completed_at is not None
    assert column_ids(body, statuses["Done"]) == [done_one.pk, story.pk]
    assert column_ids(body, statuses["To do"]) == []
    assert "8 points · Done" in body


def test_ranking_within_a_column_writes_one_row(client, product, statuses, contributor):
    # given
    a, b, c = (StoryFactory(product=product, title=t) for t in "ABC")
    ranks = dict(Story.objects.values_list("pk", "rank"))
    client.force_login(contributor)
    # when: C dropped between A and B
    response = client.post(
        url("board_move", product),
        {"item": c.pk, "after": a.pk, "before": b.pk, "list": statuses["To do"].pk, "from_list": statuses["To do"].pk},
        HTTP_HX_REQUEST="true",
    )
    # then
    assert response.status_code == 200
    after = dict(Story.objects.values_list("pk", "rank"))
    assert [pk for pk in after if after[pk] != ranks[pk]] == [c.pk]
    assert column_ids(response.content.decode(), statuses["To do"]) == [a.pk, c.pk, b.pk]


def test_the_keyboard_move_to_select_works_without_js(client, product, statuses, contributor):
    # given
    story = StoryFactory(product=product)
    client.force_login(contributor)
    # when: a plain form post (no HX-Request)
    response = client.post(
        url("board_move", product) + "?sprint=all",
        {"item": story.pk, "list": statuses["In progress"].pk, "from_list": statuses["To do"].pk},
    )
    # then: back to the board with the same filters
    assert response.status_code == 302
    assert response["Location"] == url("board", product) + "?sprint=all"
    story.refresh_from_db()
    assert story.status_id == statuses["In progress"].pk


def test_the_keyboard_up_button_ranks_before_the_previous_card(client, product, statuses, contributor):
    a, b = StoryFactory(product=product), StoryFactory(product=product)
    client.force_login(contributor)
    body = client.get(url("board", product)).content.decode()
    assert f'name="before" value="{a.pk}"' in body  # B's "Move up"
    client.post(url("board_move", product), {"item": b.pk, "before": a.pk, "list": statuses["To do"].pk})
    assert list(Story.objects.order_by("rank").values_list("pk", flat=True)) == [b.pk, a.pk]


def test_a_refused_transition_answers_409_with_the_message_and_the_card_where_it_was(
    client, product, statuses, contributor
):
    # given: a story whose stored data the service's checks refuse (a title emptied outside the app)
    story = StoryFactory(product=product, title="Broken")
    Story.objects.filter(pk=story.pk).update(title="")
    client.force_login(contributor)
    # when
    response = client.post(
        url("board_move", product),
        {"item": story.pk, "list": statuses["Done"].pk, "from_list": statuses["To do"].pk},
        HTTP_HX_REQUEST="true",
    )
    # then
    body = response.content.decode()
    assert response.status_code == 409
    assert "PAY-1 was not moved" in body and 'role="alert"' in body
    assert column_ids(body, statuses["To do"]) == [story.pk]
    story.refresh_from_db()
    assert story.status_id == statuses["To do"].pk and story.completed_at is None


def test_an_invalid_move_is_422(client, product, statuses, contributor):
    story = StoryFactory(product=product)
    client.force_login(contributor)
    response = client.post(url("board_move", product), {"item": story.pk, "after": story.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "cannot be placed next to itself" in response.content.decode()
    assert client.post(url("board_move", product), {"item": "x"}, HTTP_HX_REQUEST="true").status_code == 422


def test_a_status_or_story_of_another_product_is_404(
    client, product, statuses, other_statuses, other_product, contributor
):
    story = StoryFactory(product=product)
    foreign = StoryFactory(product=other_product)
    client.force_login(contributor)
    assert (
        client.post(url("board_move", product), {"item": story.pk, "list": other_statuses["Done"].pk}).status_code
        == 404
    )
    assert client.post(url("board_move", product), {"item": foreign.pk, "list": statuses["Done"].pk}).status_code == 404
    assert client.post(url("board_move", product), {"item": story.pk, "after": foreign.pk}).status_code == 404


@pytest.mark.parametrize("size", [5, 60])
def test_the_board_reads_in_a_bounded_number_of_queries(
    client, product, statuses, contributor, make_stories, django_assert_max_num_queries, size
):
    # given: stories in every column, half of them in the active sprint, labelled and assigned
    sprint = SprintFactory(product=product)
    for name in statuses:
        make_stories(size // 2, name, assignee=contributor)
        make_stories(size - size // 2, name, sprint=sprint)
    label = product.labels.get()
    client.force_login(contributor)
    # when / then
    with django_assert_max_num_queries(14):
        response = client.get(url("board", product) + "?sprint=all")
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        client.get(url("board", product), {"sprint": sprint.pk, "label": label.pk, "q": "Story"})
