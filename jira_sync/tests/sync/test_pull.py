"""Pull: the first import brings the whole hierarchy; later pulls fetch only what changed."""

from __future__ import annotations

from datetime import timedelta

from backlog.models import Epic, Feature, Story
from jira_sync.adf import markdown_to_adf
from jira_sync.models import IssueLink, SyncRun
from jira_sync.tasks import run_mapping

from .conftest import HUMAN


def ms(moment):
    """Jira's timestamps carry milliseconds."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def pull(mapping, **kwargs):
    run, countdown = run_mapping(mapping.pk, full=False, **kwargs)
    assert countdown is None
    return run


def test_first_import_brings_the_whole_hierarchy(cloud, mapping, statuses):
    # given: an epic with a feature and two stories, one story done, created child-first in `updated` order
    state = cloud.state
    epic = state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN, labels=["payments"])
    feature = state.create_issue("ABC", "Feature", "Saved cards", author_id=HUMAN, parent=epic)
    story = state.create_issue(
        "ABC",
        "Story",
        "Pay with a saved card",
        author_id=HUMAN,
        parent=epic,
        story_points=5,
        priority_id="2",
        labels=["web", "cards"],
        description=markdown_to_adf("## Why\n\nFaster **checkout**.\n\n- one\n- two"),
        assignee_id=HUMAN,
    )
    done = state.create_issue("ABC", "Story", "Receipt e-mail", author_id=HUMAN, parent=epic, status="Done")
    state.create_issue("ABC", "Task", "Not ours", author_id=HUMAN)
    # when
    run = pull(mapping)
    # then
    assert (run.kind, run.status, run.counts()) == (
        SyncRun.Kind.IMPORT,
        SyncRun.Status.SUCCEEDED,
        {"created": 4, "updated": 0, "archived": 0, "pushed": 0, "conflicts": 0, "errors": 0},
    )
    ours_epic = Epic.objects.get(jira_link__jira_issue_id=epic.id)
    ours_feature = Feature.objects.get(jira_link__jira_issue_id=feature.id)
    ours_story = Story.objects.get(jira_link__jira_issue_id=story.id)
    assert ours_epic.title == "Checkout"
    assert list(ours_epic.labels.values_list("name", flat=True)) == ["payments"]
    assert ours_feature.epic == ours_epic
    assert (ours_story.epic, ours_story.feature, ours_story.points, ours_story.priority) == (ours_epic, None, 5, 2)
    assert ours_story.description == "## Why\n\nFaster **checkout**.\n\n- one\n- two"
    assert sorted(ours_story.labels.values_list("name", flat=True)) == ["cards", "web"]
    assert ours_story.status == statuses["To do"]
    assert Story.objects.get(jira_link__jira_issue_id=done.id).status == statuses["Done"]
    assert IssueLink.objects.get(jira_issue_id=story.id).jira_key == story.key
    mapping.refresh_from_db()
    assert mapping.watermark == ms(done.updated) and mapping.imported_at is not None


def test_first_import_of_a_three_level_hierarchy(cloud_premium, make_mapping):
    # given
    state = cloud_premium.state
    epic = state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    feature = state.create_issue("ABC", "Feature", "Saved cards", author_id=HUMAN, parent=epic)
    story = state.create_issue("ABC", "Story", "Pay", author_id=HUMAN, parent=feature)
    mapping = make_mapping(cloud_premium)
    # when
    run = pull(mapping)
    # then
    assert run.counts()["created"] == 3
    ours = Story.objects.get(jira_link__jira_issue_id=story.id)
    assert (ours.feature.title, ours.feature.epic.title, ours.epic) == ("Saved cards", "Checkout", None)


def test_nothing_changed_costs_one_search_and_changes_nothing(cloud, mapping):
    # given
    for n in range(3):
        cloud.state.create_issue("ABC", "Epic", f"Epic {n}", author_id=HUMAN)
    pull(mapping)
    before = len(cloud.requests)
    # when
    run = pull(mapping)
    # then
    new = cloud.requests[before:]
    assert [(r.method, r.path) for r in new] == [("POST", "/rest/api/3/search/jql")]
    assert run.kind == SyncRun.Kind.PULL
    assert run.counts() == {"created": 0, "updated": 0, "archived": 0, "pushed": 0, "conflicts": 0, "errors": 0}


def test_incremental_pull_picks_up_only_what_changed(cloud, mapping):
    # given
    issues = [cloud.state.create_issue("ABC", "Epic", f"Epic {n}", author_id=HUMAN) for n in range(3)]
    pull(mapping)
    cloud.advance_time(timedelta(minutes=30))
    cloud.state.edit_issue(issues[1], {"summary": "Renamed in Jira"}, author_id=HUMAN)
    # when
    run = pull(mapping)
    # then
    assert run.counts()["updated"] == 1 and run.counts()["created"] == 0
    assert sorted(Epic.objects.values_list("title", flat=True)) == ["Epic 0", "Epic 2", "Renamed in Jira"]
    (search,) = [r for r in cloud.calls("POST", "/search/jql$")][-1:]
    assert 'updated >= "' in search.body["jql"]
    mapping.refresh_from_db()
    assert mapping.watermark == ms(issues[1].updated)
