"""Story, epic and feature pages: every field edited in place, stale saves refused, the criteria checklist."""

import re

import pytest
from django.urls import reverse

from backlog.models import AcceptanceCriterion, Epic, Feature, Priority, Story
from backlog.services import criterion_add, epic_update, story_update
from backlog.tests.factories import EpicFactory, FeatureFactory, SprintFactory, StoryFactory
from workspaces.models import Role


def url(name: str, product, *args) -> str:
    return reverse(f"backlog:{name}", args=[product.pk, *args])


def version(item) -> str:
    item.refresh_from_db()
    return item.updated_at.isoformat()


def save(client, product, story, field: str, value, *, kind: str = "story", stale: str | None = None, htmx=True):
    data = {"field": field, field: value, "version": stale or version(story)}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(url(f"{kind}_edit", product, story.pk), data, **headers)


# --- The story page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR])
def test_every_member_reads_the_story_page(client, product, member_factory, backlog, role, editor):
    # given
    story = backlog.stories[0]
    story_update(story=story, actor=editor, statement="As a buyer I want to pay by card", description="**Bold** plan")
    criterion_add(story=story, text="Declined cards show a reason")
    client.force_login(member_factory(role))
    # when
    response = client.get(url("story_detail", product, story.pk))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<span class="key">PAY-{story.number}</span> Alpha</h1>' in body
    assert "As a buyer I want to pay by card" in body
    assert "<strong>Bold</strong>" in body
    assert "Declined cards show a reason" in body
    assert "Card payments" in body and "Checkout" in body  # breadcrumb and parent
    edits = ('Edit<span class="visually-hidden"> points', "Add a criterion", "criteria/")
    if role == Role.VIEWER:
        assert not any(marker in body for marker in edits[:2])
    else:
        assert all(marker in body for marker in edits)


def test_a_story_of_another_product_is_404(client, product, other_product, viewer, outsider, backlog):
    foreign = StoryFactory(product=other_product)
    client.force_login(viewer)
    assert client.get(url("story_detail", product, foreign.pk)).status_code == 404
    client.force_login(outsider)
    assert client.get(url("story_detail", product, backlog.stories[0].pk)).status_code == 404


def test_the_story_page_shows_open_review_flags(client, product, viewer, backlog, editor):
    from decisions.models import ReviewFlag

    ReviewFlag.objects.create(product=product, story=backlog.stories[0], reason="REQ-3 changed", raised_by=editor)
    client.force_login(viewer)
    body = client.get(url("story_detail", product, backlog.stories[0].pk)).content.decode()
    assert "Needs re-review" in body and "REQ-3 changed" in body


def test_markdown_in_the_description_cannot_run_script(client, product, viewer, backlog, editor):
    story_update(
        story=backlog.stories[0], actor=editor, description="<script>alert(1)</script>[x](javascript:alert(1))"
    )
    client.force_login(viewer)
    body = client.get(url("story_detail", product, backlog.stories[0].pk)).content.decode()
    assert "<script>alert" not in body and "javascript:" not in body


# --- Editing one field in place ------------------------------------------------------------------------


def test_edit_opens_the_field_editor_as_a_fragment(client, product, contributor, backlog):
    client.force_login(contributor)
    story = backlog.stories[0]
    response = client.get(url("story_edit", product, story.pk), {"field": "points"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div class="item-field item-field--points item-field--editing" id="field-points">')
    assert f'name="version" value="{version(story)}"' in body
    assert 'name="points" value="3"' in body and "autofocus" in body
    assert "<html" not in body


def test_without_javascript_edit_is_a_link_to_the_page_with_the_editor_open(client, product, contributor, backlog):
    client.force_login(contributor)
    story = backlog.stories[0]
    response = client.get(url("story_edit", product, story.pk), {"field": "title"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert 'id="field-title"' in page.content.decode() and 'name="version"' in page.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "check"),
    [
        ("title", "Pay by card", lambda s: s.title == "Pay by card"),
        ("statement", "As a buyer…", lambda s: s.statement == "As a buyer…"),
        ("description", "# Plan", lambda s: s.description == "# Plan"),
        ("points", "8", lambda s: s.points == 8),
        ("points", "", lambda s: s.points is None),
        ("priority", str(Priority.HIGHEST), lambda s: s.priority == Priority.HIGHEST),
        ("labels", "api, ux", lambda s: sorted(s.labels.values_list("name", flat=True)) == ["api", "ux"]),
    ],
)
def test_each_field_is_saved_through_the_service(client, product, contributor, backlog, field, value, check):
    client.force_login(contributor)
    story = backlog.stories[0]
    response = save(client, product, story, field, value)
    assert response.status_code == 200, response.content.decode()
    assert f'id="field-{field}"' in response.content.decode() and "Saved." in response.content.decode()
    assert check(Story.objects.get(pk=story.pk))


def test_status_is_a_transition_and_stamps_completion(client, product, contributor, backlog, statuses):
    client.force_login(contributor)
    story = backlog.stories[0]
    response = save(client, product, story, "status", statuses["Done"].pk)
    assert response.status_code == 200
    story.refresh_from_db()
    assert story.status == statuses["Done"] and story.completed_at is not None
    assert "badge--done" in response.content.decode()


def test_people_sprint_and_parent_are_saved(client, product, contributor, viewer, backlog):
    client.force_login(contributor)
    story = backlog.stories[0]
    sprint = SprintFactory(product=product, name="Sprint 4")
    other_feature = FeatureFactory(epic=backlog.epic, title="Wallet")
    assert save(client, product, story, "assignee", viewer.pk).status_code == 200
    assert save(client, product, story, "owner", contributor.pk).status_code == 200
    assert save(client, product, story, "sprint", sprint.pk).status_code == 200
    assert save(client, product, story, "parent", f"feature-{other_feature.pk}").status_code == 200
    story.refresh_from_db()
    assert (story.assignee, story.owner, story.sprint, story.feature) == (viewer, contributor, sprint, other_feature)
    response = save(client, product, story, "parent", f"epic-{backlog.epic.pk}")
    assert response.status_code == 200
    story.refresh_from_db()
    assert story.epic == backlog.epic and story.feature is None
    assert save(client, product, story, "sprint", "none").status_code == 200
    assert Story.objects.get(pk=story.pk).sprint is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "This field is required."),
        ("points", "101", "less than or equal to 100"),
        ("points", "many", "Enter a whole number."),
        ("priority", "9", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_next_to_the_field_with_422(client, product, contributor, backlog, field, value, message):
    client.force_login(contributor)
    story = backlog.stories[0]
    response = save(client, product, story, field, value)
    body = response.content.decode()
    assert response.status_code == 422
    assert message in body and 'aria-invalid="true"' in body and f'id="field-{field}"' in body
    assert Story.objects.get(pk=story.pk).title == "Alpha"


def test_a_person_outside_the_workspace_or_a_foreign_parent_is_refused(
    client, product, other_product, contributor, outsider, backlog
):
    client.force_login(contributor)
    story = backlog.stories[0]
    foreign_feature = FeatureFactory(epic=EpicFactory(product=other_product))
    assert save(client, product, story, "assignee", outsider.pk).status_code == 422
    assert save(client, product, story, "parent", f"feature-{foreign_feature.pk}").status_code == 422
    story.refresh_from_db()
    assert story.assignee is None and story.feature == backlog.feature


def test_a_stale_save_is_refused_with_409_and_the_current_value(client, product, contributor, editor, backlog):
    # given: the editor opened at one version, then someone else saved the story
    client.force_login(contributor)
    story = backlog.stories[0]
    opened_at = version(story)
    story_update(story=story, actor=editor, title="Renamed by Eddie")
    # when
    response = save(client, product, story, "title", "My title", stale=opened_at)
    # then
    body = response.content.decode()
    assert response.status_code == 409
    assert "changed this story since you opened it; here is the current value" in body
    assert editor.get_full_name() in body
    assert 'value="Renamed by Eddie"' in body
    assert "My title" in body  # what they typed is not lost
    assert f'name="version" value="{version(story)}"' in body
    assert Story.objects.get(pk=story.pk).title == "Renamed by Eddie"


def test_a_stale_save_without_javascript_shows_the_page_with_409(client, product, contributor, editor, backlog):
    client.force_login(contributor)
    story = backlog.stories[0]
    opened_at = version(story)
    story_update(story=story, actor=editor, points=13)
    response = save(client, product, story, "points", "1", stale=opened_at, htmx=False)
    assert response.status_code == 409
    assert "<html" in response.content.decode() and "since you opened it" in response.content.decode()
    assert Story.objects.get(pk=story.pk).points == 13


def test_a_plain_save_redirects_to_the_page(client, product, contributor, backlog):
    client.force_login(contributor)
    story = backlog.stories[0]
    response = save(client, product, story, "title", "Plain", htmx=False)
    assert response.status_code == 302
    assert response["Location"] == f"{url('story_detail', product, story.pk)}#field-title"


def test_a_viewer_cannot_save_and_nothing_changes(client, product, viewer, backlog):
    client.force_login(viewer)
    story = backlog.stories[0]
    response = save(client, product, story, "title", "Hijacked")
    assert response.status_code == 403
    assert Story.objects.get(pk=story.pk).title == "Alpha"
    # and reading the editor gives the value only
    body = client.get(url("story_edit", product, story.pk), {"field": "title"}, HTTP_HX_REQUEST="true").content
    assert b"<form" not in body


def test_an_unknown_field_is_404(client, product, contributor, backlog):
    client.force_login(contributor)
    story = backlog.stories[0]
    assert save(client, product, story, "rank", "0").status_code == 404
    assert client.get(url("story_edit", product, story.pk), {"field": "product"}).status_code == 404


def test_markdown_preview_is_sanitized(client, product, contributor):
    client.force_login(contributor)
    response = client.post(
        url("markdown_preview", product),
        {"description": "**hi** <img src=x onerror=alert(1)> <script>x</script>"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>hi</strong>" in body and "onerror" not in body and "<script" not in body


# --- Acceptance criteria ----------------------------------------------------------------------------


def test_the_checklist_adds_checks_edits_and_deletes(client, product, contributor, backlog):
    client.force_login(contributor)
    story = backlog.stories[0]
    # add
    response = client.post(url("criterion_add", product, story.pk), {"text": "Shows a receipt"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="card criteria" id="criteria"')
    assert "Shows a receipt" in body and "autofocus" in body
    criterion = AcceptanceCriterion.objects.get(story=story)
    # check
    response = client.post(url("criterion_toggle", product, criterion.pk), {"is_met": "1"}, HTTP_HX_REQUEST="true")
    assert 'aria-pressed="true"' in response.content.decode() and "(1 of 1 met)" in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.is_met
    # uncheck
    client.post(url("criterion_toggle", product, criterion.pk), {"is_met": "0"}, HTTP_HX_REQUEST="true")
    criterion.refresh_from_db()
    assert not criterion.is_met
    # edit
    editor_html = client.get(url("criterion_edit", product, criterion.pk), HTTP_HX_REQUEST="true").content.decode()
    assert 'value="Shows a receipt"' in editor_html or ">Shows a receipt</textarea>" in editor_html
    assert f'name="version" value="{version(criterion)}"' in editor_html
    response = client.post(
        url("criterion_edit", product, criterion.pk),
        {"text": "Emails a receipt", "version": version(criterion)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    criterion.refresh_from_db()
    assert criterion.text == "Emails a receipt"
    # delete
    response = client.post(url("criterion_delete", product, criterion.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "No acceptance criteria yet" in response.content.decode()
    assert not AcceptanceCriterion.objects.filter(story=story).exists()


def test_an_empty_criterion_is_refused_with_422(client, product, contributor, backlog):
    client.force_login(contributor)
    story = backlog.stories[0]
    response = client.post(url("criterion_add", product, story.pk), {"text": "  "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode()
    criterion = criterion_add(story=story, text="Keep me")
    response = client.post(url("criterion_edit", product, criterion.pk), {"text": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert AcceptanceCriterion.objects.get(pk=criterion.pk).text == "Keep me"


def test_the_checklist_works_without_javascript(client, product, contributor, backlog):
    client.force_login(contributor)
    story = backlog.stories[0]
    response = client.post(url("criterion_add", product, story.pk), {"text": "No JS"})
    assert response.status_code == 302 and response["Location"].endswith("#criteria")
    response = client.post(url("criterion_add", product, story.pk), {"text": ""})
    assert response.status_code == 422 and "<html" in response.content.decode()


def test_criteria_are_guarded_by_role_and_product(client, product, other_product, viewer, outsider, backlog):
    story = backlog.stories[0]
    criterion = criterion_add(story=story, text="Keep me")
    client.force_login(viewer)
    assert client.post(url("criterion_toggle", product, criterion.pk), {"is_met": "1"}).status_code == 403
    assert client.post(url("criterion_delete", product, criterion.pk)).status_code == 403
    client.force_login(outsider)
    assert client.post(url("criterion_delete", product, criterion.pk)).status_code == 404
    other = reverse("backlog:criterion_delete", args=[other_product.pk, criterion.pk])
    assert client.post(other).status_code == 404
    criterion.refresh_from_db()
    assert not criterion.is_met


# --- Epic and feature pages -----------------------------------------------------------------------------


def test_the_epic_page_shows_its_children_with_progress(client, product, viewer, backlog, statuses, editor):
    story_update(story=backlog.stories[0], actor=editor, status=statuses["Done"])
    client.force_login(viewer)
    response = client.get(url("epic_detail", product, backlog.epic.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Checkout" in body and "Card payments" in body and "Loose end" in body
    assert "3 of 12 points (25%)" in body
    assert "Add a feature" not in body


def test_the_epic_page_creates_children_and_edits_fields(client, product, contributor, backlog, viewer):
    client.force_login(contributor)
    body = client.get(url("epic_detail", product, backlog.epic.pk)).content.decode()
    assert "Add a feature" in body and "Add a story directly under this epic" in body
    assert save(client, product, backlog.epic, "title", "Checkout v2", kind="epic").status_code == 200
    assert save(client, product, backlog.epic, "target_date", "2027-03-01", kind="epic").status_code == 200
    assert save(client, product, backlog.epic, "owner", viewer.pk, kind="epic").status_code == 200
    epic = Epic.objects.get(pk=backlog.epic.pk)
    assert (epic.title, str(epic.target_date), epic.owner) == ("Checkout v2", "2027-03-01", viewer)
    assert save(client, product, backlog.epic, "target_date", "soon", kind="epic").status_code == 422


def test_a_stale_epic_save_is_409(client, product, contributor, editor, backlog):
    client.force_login(contributor)
    opened_at = version(backlog.epic)
    epic_update(epic=backlog.epic, actor=editor, description="Changed")
    response = save(client, product, backlog.epic, "description", "Mine", kind="epic", stale=opened_at)
    assert response.status_code == 409
    assert Epic.objects.get(pk=backlog.epic.pk).description == "Changed"


def test_the_feature_page_lists_its_stories_and_moves_under_another_epic(client, product, contributor, backlog):
    other_epic = EpicFactory(product=product, title="Wallets")
    client.force_login(contributor)
    body = client.get(url("feature_detail", product, backlog.feature.pk)).content.decode()
    assert re.findall(r'<a href="/p/\d+/backlog/stories/\d+/">(\w+)</a>', body) == ["Alpha", "Bravo", "Charlie"]
    assert "Add a story" in body
    assert save(client, product, backlog.feature, "epic", other_epic.pk, kind="feature").status_code == 200
    assert Feature.objects.get(pk=backlog.feature.pk).epic == other_epic


def test_epic_and_feature_pages_hide_other_products(client, product, other_product, viewer, backlog):
    foreign = FeatureFactory(epic=EpicFactory(product=other_product))
    client.force_login(viewer)
    assert client.get(url("feature_detail", product, foreign.pk)).status_code == 404
    assert client.get(url("epic_detail", product, foreign.epic_id)).status_code == 404


# --- Query budgets ------------------------------------------------------------------------------------


def test_the_story_page_runs_a_fixed_number_of_queries(
    client, product, contributor, backlog, django_assert_max_num_queries
):
    story = backlog.stories[0]
    client.force_login(contributor)
    criterion_add(story=story, text="One")
    with django_assert_max_num_queries(16) as small:
        assert client.get(url("story_detail", product, story.pk)).status_code == 200
    for n in range(15):
        criterion_add(story=story, text=f"Criterion {n}")
    story_update(story=story, actor=contributor, labels=[f"l{n}" for n in range(8)])
    for _ in range(5):
        StoryFactory(feature=backlog.feature)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url("story_detail", product, story.pk)).status_code == 200


def test_the_epic_page_runs_a_fixed_number_of_queries(
    client, product, contributor, backlog, django_assert_max_num_queries
):
    client.force_login(contributor)
    with django_assert_max_num_queries(18) as small:
        assert client.get(url("epic_detail", product, backlog.epic.pk)).status_code == 200
    for _ in range(6):
        feature = FeatureFactory(epic=backlog.epic)
        StoryFactory(feature=feature)
        StoryFactory(epic=backlog.epic)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url("epic_detail", product, backlog.epic.pk)).status_code == 200
