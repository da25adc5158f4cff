"""Data Center end to end: /rest/api/2, Bearer PAT, wiki markup, search with startAt, Epic Link."""

from __future__ import annotations

from datetime import timedelta

from backlog import services as backlog
from backlog.models import Epic, Story
from jira_sync.models import IssueLink, PushIntent
from jira_sync.services.push import push_intent
from jira_sync.tasks import run_mapping
from jira_sync.testing.state import EPIC_LINK_FIELD

from .conftest import HUMAN


def test_data_center_pull_and_push(dc, make_mapping, product, statuses):
    # given
    mapping = make_mapping(dc)
    assert mapping.epic_link_field_id == EPIC_LINK_FIELD
    state = dc.state
    state.dc_max_results = 40  # DC clamps maxResults: pages of 40
    epic = state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    for n in range(90):
        state.create_issue("ABC", "Story", f"Story {n}", author_id=HUMAN, parent=epic, description="h2. Why\n\n*fast*")
    # when
    run, _ = run_mapping(mapping.pk, full=False)
    # then
    assert run.counts()["created"] == 91
    assert Story.objects.filter(epic__title="Checkout").count() == 90
    assert Story.objects.first().description == "## Why\n\n**fast**"
    # the count (maxResults 0, for the progress bar, asked alongside), and epics, features and stories
    # page by page
    searches = [(c.body["maxResults"], c.body["startAt"]) for c in dc.calls("POST", "/rest/api/2/search$")]
    assert searches.count((0, 0)) == 1
    assert [s for s in searches if s != (0, 0)] == [(100, 0), (100, 0), (100, 0), (100, 40), (100, 80)]
    assert all(c.headers["Authorization"] == f"Bearer {dc.pat}" for c in dc.calls("POST"))
    # when: a story saved here goes out with an Epic Link and wiki markup, then moves to Done
    ours_epic = Epic.objects.get()
    story = backlog.story_create(
        product=product, actor=None, title="From here", epic=ours_epic, description="Use **cards**", points=2
    )
    backlog.story_set_status(story=story, actor=None, status=statuses["Done"])
    for pk in PushIntent.objects.values_list("pk", flat=True):
        push_intent(intent_id=pk)
    # then
    created = state.issues[IssueLink.objects.get(story=story).jira_issue_id]
    assert (created.parent_id, created.description, created.story_points) == (epic.id, "Use *cards*", 2)
    assert state.statuses[created.status_id].name == "Done"
    create_call = dc.calls("POST", r"/rest/api/2/issue$")[-1]
    assert create_call.body["fields"][EPIC_LINK_FIELD] == epic.key
    # and an edit in Jira comes back, with nothing echoed
    dc.advance_time(timedelta(minutes=10))
    state.edit_issue(created, {"summary": "Renamed in DC"}, author_id=HUMAN)
    puts_before = len(dc.calls("PUT"))
    run, _ = run_mapping(mapping.pk, full=False)
    story.refresh_from_db()
    assert story.title == "Renamed in DC" and run.counts()["updated"] == 1
    assert len(dc.calls("PUT")) == puts_before
