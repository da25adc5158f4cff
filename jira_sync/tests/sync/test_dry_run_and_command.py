"""The dry run writes nothing but its plan; the management command runs the same work from a shell."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from backlog import services as backlog
from backlog.models import Epic, Story
from jira_sync.models import IssueLink, PushIntent, SyncRun
from jira_sync.services.dry_run import dry_run

from .conftest import HUMAN


def test_a_dry_run_plans_both_sides_and_writes_nothing(cloud, mapping, product):
    # given: Jira has an epic and a story; we have our own epic, linked to nothing
    epic = cloud.state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    cloud.state.create_issue("ABC", "Story", "Pay", author_id=HUMAN, parent=epic)
    backlog.epic_create(product=product, actor=None, title="Ours only")
    PushIntent.objects.all().delete()
    requests_before = len(cloud.requests)
    # when
    run = dry_run(connection=mapping.connection)
    # then
    assert run.kind == SyncRun.Kind.DRY_RUN and run.status == SyncRun.Status.SUCCEEDED
    (plan,) = run.plan["mappings"]
    assert plan["counts"] == {
        "create_here": 2,
        "update_here": 0,
        "archive_here": 0,
        "create_in_jira": 1,
        "update_in_jira": 0,
        "conflicts": 0,
        "pending_pushes": 0,
    }
    assert [e["summary"] for e in plan["create_here"]] == ["Checkout", "Pay"]
    assert plan["create_in_jira"] == [{"kind": "epic", "item": "PAY-1", "title": "Ours only"}]
    assert (Epic.objects.count(), Story.objects.count(), IssueLink.objects.count()) == (1, 0, 0)
    assert all(r.method == "POST" and r.path.endswith("/search/jql") for r in cloud.requests[requests_before:])


def test_the_command_pulls_and_pushes_with_a_progress_bar(cloud, mapping, product):
    # given
    epic = cloud.state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    cloud.state.create_issue("ABC", "Story", "Pay", author_id=HUMAN, parent=epic)
    backlog.story_create(product=product, actor=None, title="From here")  # pending in the outbox
    out, err = io.StringIO(), io.StringIO()
    # when
    call_command("jira_sync", str(mapping.connection_id), stdout=out, stderr=err)
    # then
    assert "ABC → PAY: succeeded — created 2, updated 0, archived 0, pushed 0, conflicts 0, errors 0." in out.getvalue()
    assert "push: created 1." in out.getvalue()
    assert "issue" in err.getvalue()  # tqdm's bar
    assert {i.summary for i in cloud.state.issues.values()} == {"Checkout", "Pay", "From here"}


def test_the_command_dry_run_and_full(cloud, mapping):
    cloud.state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    out = io.StringIO()
    call_command("jira_sync", mapping.connection.site_url, "--dry-run", stdout=out, stderr=io.StringIO())
    assert '"create_here": 1' in out.getvalue()
    assert Epic.objects.count() == 0
    call_command("jira_sync", str(mapping.connection_id), "--full", stdout=out, stderr=io.StringIO())
    assert Epic.objects.count() == 1


def test_the_command_says_what_is_wrong(db, cloud, mapping):
    with pytest.raises(CommandError, match=r"No Jira connection “999”: give its id or site URL\."):
        call_command("jira_sync", "999")
    cloud.fail(401, times=None)
    with pytest.raises(CommandError, match="The sync finished with failures"):
        call_command("jira_sync", str(mapping.connection_id), stdout=io.StringIO(), stderr=io.StringIO())
    run = SyncRun.objects.get()
    assert run.message == "Jira said: Stand-in refusal 401. (HTTP 401)"
