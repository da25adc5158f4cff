"""The assignee travels to Jira by e-mail when a mapping says so (two-way / to Jira): the Jira user is found
by user search (Cloud: accountId, Data Center: name), once per run; nobody under that e-mail (or an
address Jira hides) is an item error in words on a push run, and the rest of the change still goes over."""

from __future__ import annotations

import pytest

from backlog import services as backlog
from jira_sync.models import IssueLink, PushIntent, SyncItemError, SyncRun
from jira_sync.services.push import push_intent
from jira_sync.tasks import run_mapping
from workspaces.models import Role

from .conftest import HUMAN

TWO_WAY = {"directions": {"assignee": "two_way"}}


def push_pending() -> list[str]:
    return [
        push_intent(intent_id=pk)[0]
        for pk in PushIntent.objects.filter(done_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    ]


def jira_issue(stand_in, story):
    return stand_in.state.issues[IssueLink.objects.get(story=story).jira_issue_id]


@pytest.fixture
def ann(member_factory):
    # The workspace member whose e-mail is HUMAN's in the stand-in Jira.
    return member_factory(Role.CONTRIBUTOR, user__username="ann", user__email="Ann@Example.com")


def test_a_story_assigned_here_is_assigned_to_the_jira_user_with_that_email(cloud, make_mapping, product, ann):
    # given: someone else whose address starts the same way (Jira's search matches prefixes)
    cloud.state.add_user("557058:ann-au", "Ann Aussie", "ann@example.com.au")
    make_mapping(cloud, **TWO_WAY)
    story = backlog.story_create(product=product, actor=None, title="Pay by card", assignee=ann)
    # when
    assert push_pending() == ["created"]
    # then: the create carries the accountId, found by one search
    issue = jira_issue(cloud, story)
    assert issue.assignee_id == HUMAN
    (create,) = cloud.calls("POST", r"/rest/api/3/issue$")
    assert create.body["fields"]["assignee"] == {"accountId": HUMAN}
    searches = cloud.calls("GET", r"/rest/api/3/user/search$")
    assert [s.query for s in searches] == [{"query": ["ann@example.com"]}]
    assert SyncRun.objects.filter(kind=SyncRun.Kind.PUSH).count() == 0


def test_unassigning_here_sends_null(cloud, make_mapping, product, ann):
    # given
    make_mapping(cloud, **TWO_WAY)
    story = backlog.story_create(product=product, actor=None, title="Pay by card", assignee=ann)
    push_pending()
    # when
    backlog.story_update(story=story, actor=None, assignee=None)
    assert push_pending() == ["updated"]
    # then
    assert jira_issue(cloud, story).assignee_id is None
    assert cloud.calls("PUT", r"/issue/\d+$")[-1].body == {"fields": {"assignee": None}}
    assert IssueLink.objects.get(story=story).base["assignee"] is None


def test_an_email_jira_does_not_know_is_an_item_error_and_the_rest_is_pushed(
    cloud, make_mapping, product, ann, member_factory
):
    # given: zed is a member here but has no Jira account; hal's Jira account hides its e-mail
    zed = member_factory(Role.CONTRIBUTOR, user__username="zed", user__email="zed@example.com")
    hal = member_factory(Role.CONTRIBUTOR, user__username="hal", user__email="hal@example.com")
    cloud.state.add_user("557058:hal", "Hal Hidden", "hal@example.com", email_visible=False)
    make_mapping(cloud, **TWO_WAY)
    for_zed = backlog.story_create(product=product, actor=None, title="For Zed", points=3, assignee=zed)
    for_hal = backlog.story_create(product=product, actor=None, title="For Hal", assignee=hal)
    for_ann = backlog.story_create(product=product, actor=None, title="For Ann", assignee=ann)
    # when
    results = push_pending()
    # then: every story reached Jira; only the assignees Jira could not match are missing
    assert results == ["created", "created", "created"]
    zed_issue, hal_issue = jira_issue(cloud, for_zed), jira_issue(cloud, for_hal)
    assert (zed_issue.summary, zed_issue.story_points, zed_issue.assignee_id) == ("For Zed", 3, None)
    assert hal_issue.assignee_id is None  # found by its address, but shown without it: not taken
    assert jira_issue(cloud, for_ann).assignee_id == HUMAN
    errors = {e.item_label: (e.jira_key, e.message) for e in SyncItemError.objects.all()}
    assert errors == {
        f"{for_zed.key} For Zed": (
            zed_issue.key,
            "Assignee not set in Jira: no Jira user with the e-mail zed@example.com; assign in Jira or invite them.",
        ),
        f"{for_hal.key} For Hal": (
            hal_issue.key,
            "Assignee not set in Jira: Jira shows no user with the e-mail hal@example.com (it hides some "
            "addresses); assign them in Jira.",
        ),
    }
    runs = SyncRun.objects.filter(kind=SyncRun.Kind.PUSH)
    assert sorted((r.status, r.pushed, r.errors) for r in runs) == [("succeeded", 1, 1), ("succeeded", 1, 1)]
    # the item's sync state says so too, and nothing stays pending
    intent = PushIntent.objects.get(story=for_zed)
    assert intent.done_at is not None and "zed@example.com" in intent.last_error
    assert not PushIntent.objects.filter(done_at__isnull=True).exists()
    # and the base keeps "unassigned", so that a later change tries the assignee again
    assert IssueLink.objects.get(story=for_zed).base["assignee"] is None


def test_a_jira_assignee_who_is_no_member_here_is_not_unassigned(cloud, make_mapping, product):
    # given: Jira assigns bob, who is not in the workspace, so our story holds nobody
    cloud.state.add_user("557058:bob", "Bob Builder", "bob@example.com")
    mapping = make_mapping(cloud, **TWO_WAY)
    issue = cloud.state.create_issue("ABC", "Story", "From Jira", author_id=HUMAN, assignee_id="557058:bob")
    run_mapping(mapping.pk, full=False)
    story = IssueLink.objects.get(jira_issue_id=issue.id).story
    assert story.assignee is None
    # when: the story changes here
    backlog.story_update(story=story, actor=None, title="Renamed here")
    push_pending()
    # then: the title went over, Jira's assignee stayed
    assert (issue.summary, issue.assignee_id) == ("Renamed here", "557058:bob")
    assert all("assignee" not in c.body.get("fields", {}) for c in cloud.calls("PUT", r"/issue/\d+$"))
    assert not SyncItemError.objects.exists()


def test_from_jira_only_never_sends_the_assignee(cloud, mapping, product, ann):
    # given: the default direction of the assignee
    assert mapping.direction("assignee") == "from_jira"
    story = backlog.story_create(product=product, actor=None, title="Pay", assignee=ann)
    # when
    push_pending()
    # then
    assert jira_issue(cloud, story).assignee_id is None
    assert cloud.calls("GET", "/user/search") == []


def test_data_center_assigns_by_user_name(dc, make_mapping, product, ann):
    # given
    make_mapping(dc, **TWO_WAY)
    story = backlog.story_create(product=product, actor=None, title="Pay by card", assignee=ann)
    # when
    push_pending()
    # then: DC searches with username= and assigns by name
    assert jira_issue(dc, story).assignee_id == HUMAN
    (search,) = dc.calls("GET", r"/rest/api/2/user/search$")
    assert search.query == {"username": ["ann@example.com"]}
    assert dc.calls("POST", r"/rest/api/2/issue$")[-1].body["fields"]["assignee"] == {"name": HUMAN}
