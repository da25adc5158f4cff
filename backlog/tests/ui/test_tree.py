"""The backlog tree /p/<id>/backlog/: first screen, opening nodes, filters, inline creation, ranking, bulk changes."""

import re

import pytest
from django.urls import reverse

from backlog.models import Epic, Feature, Story, WorkflowStatus
from backlog.selectors.tree import EPICS_PER_PAGE
from backlog.services import sprint_close, sprint_start
from backlog.tests.factories import EpicFactory, FeatureFactory, SprintFactory, StoryFactory
from workspaces.models import Role


def url(name: str, product, *args) -> str:
    return reverse(f"backlog:{name}", args=[product.pk, *args])


def ranked(model, **filters) -> list[str]:
    return list(model.objects.filter(**filters).order_by("rank").values_list("title", flat=True))


# --- The first screen ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN])
def test_every_member_sees_the_epics_with_their_rollup(client, product, member_factory, backlog, role):
    # given
    client.force_login(member_factory(role))
    # when
    response = client.get(url("tree", product))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Backlog</h1>" in body
    assert "PAY-1</span> <a href=" in body and "Checkout" in body
    assert "1 feature · 4 stories · 0/12 pts" in body
    assert 'aria-expanded="false"' in body
    assert "Card payments" not in body  # children load on demand
    assert f'href="{url("tree", product)}" aria-current="page"' in body
    writes = ("data-sortable", "Add an epic", 'id="bulk-form"')
    if role == Role.VIEWER:
        assert not any(marker in body for marker in writes)
    else:
        assert all(marker in body for marker in writes)


def test_epics_are_listed_in_rank_order_a_page_at_a_time(client, product, viewer):
    # given
    for n in range(EPICS_PER_PAGE + 3):
        EpicFactory(product=product, title=f"Epic {n:02}")
    client.force_login(viewer)
    # when
    first = client.get(url("tree", product)).content.decode()
    second = client.get(url("tree", product), {"page": 2}).content.decode()
    # then
    assert re.findall(r">(Epic \d\d)</a>", first) == [f"Epic {n:02}" for n in range(EPICS_PER_PAGE)]
    assert re.findall(r">(Epic \d\d)</a>", second) == [
        f"Epic {n:02}" for n in range(EPICS_PER_PAGE, EPICS_PER_PAGE + 3)
    ]
    assert "Page 1 of 2" in first


def test_an_empty_backlog_says_what_to_do_next(client, product, contributor, viewer):
    client.force_login(contributor)
    assert "Add the first epic above" in client.get(url("tree", product)).content.decode()
    client.force_login(viewer)
    assert "When the team adds epics" in client.get(url("tree", product)).content.decode()


def test_outsiders_get_404_and_anonymous_is_sent_to_sign_in(client, product, outsider, backlog):
    assert client.get(url("tree", product)).status_code == 302
    client.force_login(outsider)
    response = client.get(url("tree", product))
    assert response.status_code == 404
    assert "Checkout" not in response.content.decode()


def test_an_htmx_request_gets_the_body_fragment_only(client, product, viewer, backlog):
    client.force_login(viewer)
    response = client.get(url("tree", product), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="backlog-body"')
    assert "<html" not in body and "Checkout" in body
    assert "HX-Request" in response["Vary"]


def test_open_nodes_in_the_url_survive_a_reload(client, product, viewer, backlog):
    client.force_login(viewer)
    # when: the epic and its feature are open
    body = client.get(url("tree", product), {"open": f"e{backlog.epic.pk},f{backlog.feature.pk}"}).content.decode()
    # then
    assert re.findall(r'<a href="/p/\d+/backlog/stories/\d+/">(\w[\w ]*)</a>', body) == [
        "Alpha",
        "Bravo",
        "Charlie",
        "Loose end",
    ]
    assert body.count('aria-expanded="true"') == 2
    assert "Stories directly under PAY-1" in body


# --- Opening and closing nodes (htmx) -------------------------------------------------------------------


def test_opening_an_epic_answers_its_row_with_children_and_pushes_the_url(client, product, viewer, backlog):
    client.force_login(viewer)
    tree = url("tree", product)
    # when
    response = client.get(
        url("epic_node", product, backlog.epic.pk),
        {"expanded": "1"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{tree}?page=1",
    )
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<li class="tree-node tree-node--epic" data-id="{backlog.epic.pk}"')
    assert 'aria-expanded="true"' in body and "Card payments" in body and "Loose end" in body
    assert "Alpha" not in body  # the feature stays closed
    assert response["HX-Push-Url"] == f"{tree}?page=1&open=e{backlog.epic.pk}"
    # when: closed again
    response = client.get(
        url("epic_node", product, backlog.epic.pk),
        {"expanded": "0"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{tree}?open=e{backlog.epic.pk}",
    )
    assert 'aria-expanded="false"' in response.content.decode()
    assert "Card payments" not in response.content.decode()
    assert response["HX-Push-Url"] == tree


def test_opening_a_feature_answers_its_stories(client, product, viewer, backlog):
    client.force_login(viewer)
    response = client.get(url("feature_node", product, backlog.feature.pk), {"expanded": "1"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<li class="tree-node tree-node--feature" data-id="{backlog.feature.pk}"')
    assert [t for t in ("Alpha", "Bravo", "Charlie") if t in body] == ["Alpha", "Bravo", "Charlie"]


def test_without_javascript_the_toggle_is_a_link_to_the_tree(client, product, viewer, backlog):
    client.force_login(viewer)
    response = client.get(url("epic_node", product, backlog.epic.pk), {"expanded": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{url('tree', product)}?open=e{backlog.epic.pk}"


def test_a_node_of_another_product_is_404(client, product, other_product, viewer, editor):
    foreign = EpicFactory(product=other_product)
    client.force_login(viewer)
    assert client.get(url("epic_node", product, foreign.pk), HTTP_HX_REQUEST="true").status_code == 404


# --- Filters ----------------------------------------------------------------------------------------------


def test_a_filter_switches_to_a_flat_list_of_matching_stories(client, product, viewer, backlog, statuses, editor):
    # given
    from backlog.services import story_update

    story_update(story=backlog.stories[1], actor=editor, status=statuses["In progress"], assignee=editor)
    client.force_login(viewer)
    # when
    response = client.get(url("tree", product), {"status": statuses["In progress"].pk})
    # then
    body = response.content.decode()
    assert "1 matching story" in body
    assert "Bravo" in body and "Alpha" not in body
    assert 'id="tree-epics"' not in body
    assert f'<option value="{statuses["In progress"].pk}" selected>' in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "brav"}, ["Bravo"]),
        ({"q": "PAY-3"}, ["Alpha"]),
        ({"label": "LABEL"}, ["Charlie"]),
        ({"sprint": "SPRINT"}, ["Alpha"]),
        ({"sprint": "none"}, ["Bravo", "Charlie", "Loose end"]),
        ({"assignee": "USER"}, ["Loose end"]),
        ({"feature": "FEATURE"}, ["Alpha", "Bravo", "Charlie"]),
        ({"epic": "EPIC"}, ["Alpha", "Bravo", "Charlie", "Loose end"]),
    ],
)
def test_each_filter_narrows_the_list(client, product, viewer, editor, backlog, params, expected):
    # given
    from backlog.services import story_update

    sprint = SprintFactory(product=product, name="Sprint 1")
    story_update(story=backlog.stories[0], actor=editor, sprint=sprint)
    story_update(story=backlog.stories[2], actor=editor, labels=["api"])
    story_update(story=backlog.loose, actor=editor, assignee=viewer)
    label = Story.objects.get(pk=backlog.stories[2].pk).labels.get()
    values = {"LABEL": label.pk, "SPRINT": sprint.pk, "USER": viewer.pk, "FEATURE": backlog.feature.pk}
    values["EPIC"] = backlog.epic.pk
    query = {key: values.get(value, value) for key, value in params.items()}
    client.force_login(viewer)
    # when
    body = client.get(url("tree", product), query).content.decode()
    # then
    assert re.findall(r'<td><a href="/p/\d+/backlog/stories/\d+/">([\w ]+)</a></td>', body) == expected


def test_a_filter_with_no_match_says_what_to_do(client, product, viewer, backlog):
    client.force_login(viewer)
    body = client.get(url("tree", product), {"q": "nothing like this"}).content.decode()
    assert "No story matches these filters" in body


def test_an_invalid_filter_is_shown_next_to_its_field_with_422(client, product, viewer, backlog, other_statuses):
    client.force_login(viewer)
    response = client.get(url("tree", product), {"status": other_statuses["Done"].pk, "q": "a"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 422
    assert 'aria-invalid="true"' in body and "Select a valid choice" in body


def test_the_filtered_list_is_paginated(client, product, viewer, backlog, editor):
    for n in range(52):
        StoryFactory(feature=backlog.feature, title=f"Bulk {n}", actor=editor)
    client.force_login(viewer)
    body = client.get(url("tree", product), {"q": "Bulk"}).content.decode()
    assert "52 matching stories" in body and "Page 1 of 2" in body
    assert 'hx-target="#backlog-body"' in body and "q=Bulk&amp;page=2" in body


# --- Inline creation ------------------------------------------------------------------------------------


def test_a_contributor_adds_an_epic_and_the_form_stays_open(client, product, contributor):
    client.force_login(contributor)
    response = client.post(url("epic_create", product), {"title": "Wallets"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="tree"')
    epic = Epic.objects.get(product=product, title="Wallets")
    assert epic.created_by == contributor
    assert '<details class="tree-create" id="epic-form" open>' in body
    assert "autofocus" in body and "Added <a href" in body and "Wallets" in body


def test_an_epic_without_a_title_is_refused_next_to_the_field(client, product, contributor):
    client.force_login(contributor)
    response = client.post(url("epic_create", product), {"title": " "}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#epic-form" and response["HX-Reswap"] == "outerHTML"
    assert body.lstrip().startswith('<details class="tree-create" id="epic-form" open>')
    assert 'aria-invalid="true"' in body and "This field is required." in body
    assert not Epic.objects.filter(product=product).exists()


def test_without_javascript_creation_redirects_back_with_the_parent_open(client, product, contributor, backlog):
    client.force_login(contributor)
    tree = url("tree", product)
    response = client.post(
        url("feature_create", product, backlog.epic.pk),
        {"title": "Wallet top-up"},
        HTTP_REFERER=f"http://testserver{tree}",
    )
    assert response.status_code == 302
    assert response["Location"] == f"{tree}?open=e{backlog.epic.pk}"
    assert Feature.objects.filter(epic=backlog.epic, title="Wallet top-up").exists()


def test_a_feature_is_added_under_its_epic(client, product, contributor, backlog):
    client.force_login(contributor)
    response = client.post(
        url("feature_create", product, backlog.epic.pk), {"title": "Refunds"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<div class="tree-children" id="epic-{backlog.epic.pk}-children"')
    assert ranked(Feature, epic=backlog.epic) == ["Card payments", "Refunds"]
    assert "Refunds" in body and f'id="epic-{backlog.epic.pk}-feature-form" open' in body


def test_a_story_is_added_under_a_feature_or_an_epic(client, product, contributor, backlog):
    client.force_login(contributor)
    response = client.post(
        url("feature_story_create", product, backlog.feature.pk),
        {"title": "Delta", "points": "5"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<div class="tree-children" id="feature-{backlog.feature.pk}')
    assert Story.objects.get(title="Delta").feature == backlog.feature
    assert Story.objects.get(title="Delta").points == 5
    response = client.post(
        url("epic_story_create", product, backlog.epic.pk), {"title": "Echo"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    story = Story.objects.get(title="Echo")
    assert story.epic == backlog.epic and story.feature is None


def test_story_points_out_of_range_are_refused_with_422(client, product, contributor, backlog):
    client.force_login(contributor)
    response = client.post(
        url("feature_story_create", product, backlog.feature.pk),
        {"title": "Huge", "points": "400"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == f"#feature-{backlog.feature.pk}-story-form"
    assert "less than or equal to 100" in response.content.decode()
    assert not Story.objects.filter(title="Huge").exists()


def test_a_viewer_cannot_create_and_nothing_changes(client, product, viewer, backlog):
    client.force_login(viewer)
    response = client.post(url("epic_create", product), {"title": "Nope"})
    assert response.status_code == 403
    assert "contributor role or higher" in response.content.decode()
    response = client.post(url("feature_story_create", product, backlog.feature.pk), {"title": "Nope"})
    assert response.status_code == 403
    assert not Epic.objects.filter(title="Nope").exists() and not Story.objects.filter(title="Nope").exists()


def test_an_outsider_cannot_create_under_our_epic(client, product, outsider, other_product, backlog):
    client.force_login(outsider)
    assert client.post(url("feature_create", product, backlog.epic.pk), {"title": "X"}).status_code == 404
    other_url = reverse("backlog:feature_create", args=[other_product.pk, backlog.epic.pk])
    assert client.post(other_url, {"title": "X"}).status_code == 404
    assert not Feature.objects.filter(title="X").exists()


# --- Ranking ----------------------------------------------------------------------------------------------


def test_dropping_a_story_ranks_it_and_answers_the_list_from_the_database(client, product, contributor, backlog):
    alpha, _, charlie = backlog.stories
    client.force_login(contributor)
    # when: Alpha is dropped below Charlie
    response = client.post(
        url("story_move", product),
        {"item": alpha.pk, "after": charlie.pk, "before": "", "list": f"f{backlog.feature.pk}"},
        HTTP_HX_REQUEST="true",
    )
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<ul class="tree-list" id="f{backlog.feature.pk}-stories"')
    assert ranked(Story, feature=backlog.feature) == ["Bravo", "Charlie", "Alpha"]
    assert body.index("Bravo") < body.index("Charlie") < body.index("Alpha")


def test_the_keyboard_move_is_a_plain_post_that_redirects_back(client, product, contributor, backlog):
    alpha, bravo, _ = backlog.stories
    client.force_login(contributor)
    tree = url("tree", product)
    page = f"http://testserver{tree}?open=e{backlog.epic.pk},f{backlog.feature.pk}"
    response = client.post(url("story_move", product), {"item": alpha.pk, "after": bravo.pk}, HTTP_REFERER=page)
    assert response.status_code == 302
    assert response["Location"] == f"{tree}?open=e{backlog.epic.pk},f{backlog.feature.pk}"
    assert ranked(Story, feature=backlog.feature) == ["Bravo", "Alpha", "Charlie"]


def test_epics_and_features_rank_too(client, product, contributor, backlog, editor):
    second = EpicFactory(product=product, title="Wallets", actor=editor)
    refunds = FeatureFactory(epic=backlog.epic, title="Refunds", actor=editor)
    client.force_login(contributor)
    response = client.post(
        url("epic_move", product), {"item": second.pk, "before": backlog.epic.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<ul class="tree" id="tree-epics"')
    assert ranked(Epic, product=product) == ["Wallets", "Checkout"]
    response = client.post(
        url("feature_move", product),
        {"item": refunds.pk, "before": backlog.feature.pk, "list": backlog.epic.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert ranked(Feature, epic=backlog.epic) == ["Refunds", "Card payments"]


def test_a_drop_next_to_a_story_of_another_list_is_refused_with_409(client, product, contributor, backlog):
    client.force_login(contributor)
    response = client.post(
        url("story_move", product),
        {"item": backlog.stories[0].pk, "after": backlog.loose.pk, "list": f"f{backlog.feature.pk}"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert "is in another list" in response.content.decode()
    assert ranked(Story, feature=backlog.feature) == ["Alpha", "Bravo", "Charlie"]


def test_a_bad_move_payload_is_422(client, product, contributor, backlog):
    client.force_login(contributor)
    response = client.post(url("story_move", product), {"item": "x"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422


def test_a_viewer_cannot_rank_and_an_outsider_cannot_see(client, product, viewer, outsider, backlog):
    alpha, _, charlie = backlog.stories
    payload = {"item": alpha.pk, "after": charlie.pk}
    client.force_login(viewer)
    assert client.post(url("story_move", product), payload, HTTP_HX_REQUEST="true").status_code == 403
    client.force_login(outsider)
    assert client.post(url("story_move", product), payload, HTTP_HX_REQUEST="true").status_code == 404
    assert ranked(Story, feature=backlog.feature) == ["Alpha", "Bravo", "Charlie"]


def test_a_story_of_another_product_cannot_be_moved_here(client, product, other_product, contributor, backlog):
    foreign = StoryFactory(product=other_product, title="Foreign")
    client.force_login(contributor)
    response = client.post(
        url("story_move", product), {"item": foreign.pk, "after": backlog.stories[0].pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 404


# --- Bulk changes -----------------------------------------------------------------------------------------


def test_bulk_status_change_reports_what_changed(client, product, contributor, backlog, statuses):
    client.force_login(contributor)
    picked = [backlog.stories[0].pk, backlog.stories[2].pk]
    response = client.post(
        url("story_bulk", product),
        {"story": picked, "action": "status", "status": statuses["Done"].pk},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Changed 2 stories." in body
    assert set(Story.objects.filter(status=statuses["Done"]).values_list("pk", flat=True)) == set(picked)
    assert all(s.completed_at for s in Story.objects.filter(pk__in=picked))


def test_bulk_sprint_change_and_a_closed_sprint_is_refused(client, product, contributor, editor, backlog):
    sprint = SprintFactory(product=product, name="Sprint 9")
    client.force_login(contributor)
    picked = [s.pk for s in backlog.stories]
    response = client.post(
        url("story_bulk", product), {"story": picked, "action": "sprint", "sprint": sprint.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert Story.objects.filter(sprint=sprint).count() == 3
    # when: back to the backlog
    client.post(
        url("story_bulk", product), {"story": picked, "action": "sprint", "sprint": "none"}, HTTP_HX_REQUEST="true"
    )
    assert Story.objects.filter(sprint__isnull=True).count() == 4
    # when: a closed sprint is not offered, and refused if posted
    sprint_start(sprint=sprint, actor=editor)
    sprint_close(sprint=sprint, actor=editor)
    response = client.post(
        url("story_bulk", product), {"story": picked, "action": "sprint", "sprint": sprint.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not Story.objects.filter(sprint=sprint).exists()


def test_bulk_status_reports_each_refused_story(client, product, contributor, backlog, statuses):
    # given: one story the service will refuse to save (a blank title, written around the services)
    Story.objects.filter(pk=backlog.stories[1].pk).update(title="")
    client.force_login(contributor)
    # when
    response = client.post(
        url("story_bulk", product),
        {"story": [s.pk for s in backlog.stories], "action": "status", "status": statuses["In review"].pk},
        HTTP_HX_REQUEST="true",
    )
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "Changed 2 stories. 1 could not be changed." in body
    assert f'<span class="key">PAY-{backlog.stories[1].number}</span> : This field cannot be blank.' in body
    assert Story.objects.filter(status=statuses["In review"]).count() == 2


def test_bulk_without_a_selection_is_422(client, product, contributor, backlog, statuses):
    client.force_login(contributor)
    response = client.post(
        url("story_bulk", product), {"action": "status", "status": statuses["Done"].pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "Select at least one story first." in response.content.decode()


def test_bulk_ignores_stories_of_other_products(client, product, other_product, contributor, statuses, backlog):
    foreign = StoryFactory(product=other_product, title="Foreign")
    client.force_login(contributor)
    response = client.post(
        url("story_bulk", product),
        {"story": [foreign.pk], "action": "status", "status": statuses["Done"].pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    foreign.refresh_from_db()
    assert foreign.status.product_id == other_product.pk and not foreign.status.is_done


def test_a_viewer_cannot_bulk_change(client, product, viewer, backlog, statuses):
    client.force_login(viewer)
    response = client.post(
        url("story_bulk", product),
        {"story": [backlog.stories[0].pk], "action": "status", "status": statuses["Done"].pk},
    )
    assert response.status_code == 403
    assert not Story.objects.filter(status=statuses["Done"]).exists()


# --- Query budgets ----------------------------------------------------------------------------------


def populate(product, actor, epics: int, features_per_epic: int, stories_per_feature: int) -> None:
    done = WorkflowStatus.objects.get(product=product, name="Done")
    for _ in range(epics):
        epic = EpicFactory(product=product, actor=actor)
        StoryFactory(epic=epic, actor=actor, status=done)
        for _ in range(features_per_epic):
            feature = FeatureFactory(epic=epic, actor=actor)
            for _ in range(stories_per_feature):
                StoryFactory(feature=feature, actor=actor, labels=["api"])


def test_the_first_screen_runs_a_fixed_number_of_queries(client, product, contributor, django_assert_max_num_queries):
    client.force_login(contributor)
    populate(product, contributor, 2, 1, 2)
    with django_assert_max_num_queries(16) as small:
        assert client.get(url("tree", product)).status_code == 200
    populate(product, contributor, 25, 2, 3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url("tree", product)).status_code == 200


def test_open_nodes_and_fragments_run_a_fixed_number_of_queries(
    client, product, contributor, django_assert_max_num_queries
):
    client.force_login(contributor)
    populate(product, contributor, 2, 2, 2)

    def tree_with_everything_open():
        epics = list(Epic.objects.filter(product=product))
        features = list(Feature.objects.filter(product=product))
        tokens = [f"e{e.pk}" for e in epics] + [f"f{f.pk}" for f in features]
        return client.get(url("tree", product), {"open": ",".join(tokens)})

    def children_fragment():
        epic = Epic.objects.filter(product=product).order_by("rank").first()
        return client.get(url("epic_node", product, epic.pk), {"expanded": "1"}, HTTP_HX_REQUEST="true")

    with django_assert_max_num_queries(24) as page_small:
        assert tree_with_everything_open().status_code == 200
    with django_assert_max_num_queries(14) as node_small:
        assert children_fragment().status_code == 200
    populate(product, contributor, 6, 5, 6)
    for epic in Epic.objects.filter(product=product).order_by("rank")[:1]:
        for _ in range(4):
            feature = FeatureFactory(epic=epic, actor=contributor)
            StoryFactory(feature=feature, actor=contributor)
    with django_assert_max_num_queries(len(page_small.captured_queries)):
        assert tree_with_everything_open().status_code == 200
    with django_assert_max_num_queries(len(node_small.captured_queries)):
        assert children_fragment().status_code == 200


def test_the_filtered_list_runs_a_fixed_number_of_queries(client, product, contributor, django_assert_max_num_queries):
    client.force_login(contributor)
    populate(product, contributor, 1, 1, 3)
    with django_assert_max_num_queries(16) as small:
        assert client.get(url("tree", product), {"label": "", "q": "Story"}).status_code == 200
    populate(product, contributor, 3, 3, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("tree", product), {"q": "Story"})
    assert "matching stories" in response.content.decode()
