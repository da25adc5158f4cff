"""Push: a change saved here reaches Jira through the outbox: create, edit, transition, remote link."""

from __future__ import annotations

from backlog import services as backlog
from jira_sync.fields import marker_label
from jira_sync.models import IssueLink, PushIntent
from jira_sync.services.push import push_intent
from jira_sync.testing.state import STORY_POINTS_FIELD


def push_pending():
    return [
        push_intent(intent_id=pk)[0]
        for pk in PushIntent.objects.filter(done_at__isnull=True).values_list("pk", flat=True)
    ]


def issue_of(cloud, item):
    return cloud.state.issues[IssueLink.objects.get(**{type(item).__name__.lower(): item}).jira_issue_id]


def test_a_story_saved_here_is_created_in_jira_with_its_epic_first(
    cloud, mapping, product, statuses, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        epic = backlog.epic_create(product=product, actor=None, title="Checkout")
        story = backlog.story_create(
            product=product,
            actor=None,
            title="Pay by card",
            epic=epic,
            points=5,
            priority=2,
            labels=["web"],
            description="Use **Stripe**.",
            status=statuses["In progress"],
        )
    # then: each create queued a push after commit, which ran (eagerly) and created the issue
    assert len(callbacks) == 2
    assert PushIntent.objects.filter(done_at__isnull=True).count() == 0
    jira_story, jira_epic = issue_of(cloud, story), issue_of(cloud, epic)
    assert (jira_story.summary, jira_story.story_points, jira_story.priority_id) == ("Pay by card", 5, "2")
    assert jira_story.parent_id == jira_epic.id
    assert jira_story.labels == ["web", marker_label(mapping.connection_id, "story", story.pk)]
    assert jira_story.description["content"][0]["content"][1] == {
        "type": "text",
        "text": "Stripe",
        "marks": [{"type": "strong"}],
    }
    assert cloud.state.statuses[jira_story.status_id].name == "In Progress"
    (remote,) = jira_story.remote_links
    assert remote.global_id == f"tpmws:story:{story.pk}"
    assert remote.payload["object"]["url"] == f"https://tpm.example/p/{product.pk}/backlog/stories/{story.pk}/"
    link = IssueLink.objects.get(story=story)
    assert (link.jira_key, link.remote_link_id) == (jira_story.key, str(remote.id))
    assert len(cloud.calls("POST", r"/rest/api/3/issue$")) == 2


def test_an_edit_here_is_sent_as_the_changed_fields_and_a_transition(
    cloud, mapping, product, statuses, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        story = backlog.story_create(product=product, actor=None, title="Pay by card", points=3)
    edits_before = len(cloud.calls("PUT", r"/issue/\d+$"))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        backlog.story_update(story=story, actor=None, title="Pay by saved card", points=8)
        backlog.story_set_status(story=story, actor=None, status=statuses["Done"])
    # then
    jira_story = issue_of(cloud, story)
    assert (jira_story.summary, jira_story.story_points) == ("Pay by saved card", 8)
    assert cloud.state.statuses[jira_story.status_id].name == "Done"
    edits = cloud.calls("PUT", r"/issue/\d+$")[edits_before:]
    assert [sorted(e.body["fields"]) for e in edits] == [[STORY_POINTS_FIELD, "summary"]]
    # To Do → Start → In Progress → Done: the workflow walked, not jumped
    assert [c.body["transition"]["id"] for c in cloud.calls("POST", "/transitions$")] == ["11", "31"]
    assert PushIntent.objects.filter(done_at__isnull=True).count() == 0


def test_changes_are_coalesced_into_one_pending_intent(cloud, mapping, product):
    # given: the broker never ran anything (no on-commit callbacks executed)
    story = backlog.story_create(product=product, actor=None, title="Pay")
    backlog.story_update(story=story, actor=None, title="Pay by card")
    backlog.story_update(story=story, actor=None, points=5)
    # then
    (intent,) = PushIntent.objects.all()
    assert (intent.version, intent.story_id) == (3, story.pk)
    assert set(intent.fields) >= {"summary", "points"}


def test_a_lost_create_answer_does_not_duplicate(cloud, mapping, product):
    # given: Jira creates the issue but the answer never arrives
    story = backlog.story_create(product=product, actor=None, title="Pay by card")
    cloud.lose_answer(method="POST", path=r"/rest/api/3/issue$")
    # when
    first = push_pending()
    second = push_pending()
    # then
    assert first == ["uncertain"]
    assert second == ["created"]  # found by its label and adopted, not created again
    assert len(cloud.calls("POST", r"/rest/api/3/issue$")) == 1
    assert [i.summary for i in cloud.state.issues.values()] == ["Pay by card"]
    assert IssueLink.objects.get(story=story).jira_issue_id == next(iter(cloud.state.issues))


def test_the_sync_own_writes_are_not_echoed(cloud, mapping):
    # given
    issue = cloud.state.create_issue("ABC", "Story", "From Jira", author_id="557058:ann")
    from jira_sync.tasks import run_mapping

    # when
    run_mapping(mapping.pk, full=False)
    # then
    assert PushIntent.objects.count() == 0
    assert IssueLink.objects.get().jira_issue_id == issue.id


def test_a_product_without_mapping_queues_nothing(cloud, mapping, other_product):
    backlog.story_create(product=other_product, actor=None, title="Elsewhere")
    assert PushIntent.objects.count() == 0


def test_the_sweep_drains_what_the_broker_missed(cloud, mapping, product):
    # given: saved, but the queued push never ran (broker down at commit time)
    from jira_sync.models import SyncRun
    from jira_sync.tasks import push_sweep

    backlog.story_create(product=product, actor=None, title="Late but safe")
    # when
    result = push_sweep()
    # then
    assert result == {"created": 1}
    assert [i.summary for i in cloud.state.issues.values()] == ["Late but safe"]
    run = SyncRun.objects.get()
    assert (run.kind, run.pushed) == ("push", 1)


def test_field_directions_are_honoured(cloud, mapping, product):
    # given: the summary comes from Jira only
    from jira_sync.services.mappings import mapping_set_directions

    mapping_set_directions(mapping=mapping, actor=None, directions={"summary": "from_jira"})
    story = backlog.story_create(product=product, actor=None, title="Original")
    push_pending()
    # when
    backlog.story_update(story=story, actor=None, title="Changed here", points=2)
    push_pending()
    # then: Jira keeps its summary (and ours is set back from it); points went over
    jira_story = issue_of(cloud, story)
    story.refresh_from_db()
    assert (jira_story.summary, jira_story.story_points, story.title) == ("Original", 2, "Original")


def test_an_item_deleted_here_stays_in_jira_and_is_not_brought_back(cloud, mapping, product):
    # given
    from datetime import timedelta

    from backlog.models import Story
    from jira_sync.tasks import run_mapping

    story = backlog.story_create(product=product, actor=None, title="Short-lived")
    push_pending()
    jira_id = IssueLink.objects.get(story=story).jira_issue_id
    # when
    backlog.story_delete(story=story, actor=None)
    cloud.advance_time(timedelta(minutes=10))
    cloud.state.edit_issue(cloud.state.issues[jira_id], {"summary": "Edited in Jira"}, author_id="557058:ann")
    run, _ = run_mapping(mapping.pk, full=False)
    # then
    link = IssueLink.objects.get(jira_issue_id=jira_id)
    assert (link.story_id, link.archived_reason) == (None, IssueLink.ArchiveReason.DELETED_HERE)
    assert jira_id in cloud.state.issues and Story.objects.count() == 0
    assert run.counts()["created"] == 0
    assert PushIntent.objects.filter(done_at__isnull=True).count() == 0
