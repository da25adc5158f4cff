"""Assignee pushes in a real Celery worker on Redis: saved here, queued after commit, pushed by the worker."""

from __future__ import annotations

import pytest

from backlog import services as backlog
from jira_sync.models import IssueLink, SyncItemError
from workspaces.models import Role

from .conftest import HUMAN, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("worker")]


def test_the_worker_assigns_unassigns_and_reports_an_unknown_email(cloud, make_mapping, product, member_factory):
    # given
    ann = member_factory(Role.CONTRIBUTOR, user__username="ann", user__email="ann@example.com")
    zed = member_factory(Role.CONTRIBUTOR, user__username="zed", user__email="zed@example.com")
    make_mapping(cloud, directions={"assignee": "two_way"})
    # when
    for_ann = backlog.story_create(product=product, actor=None, title="For Ann", assignee=ann)
    for_zed = backlog.story_create(product=product, actor=None, title="For Zed", points=2, assignee=zed)
    # then: both issues exist; Ann's is hers, Zed's says why it is not his
    assert wait_for(lambda: IssueLink.objects.filter(remote_link_id__gt="").count() == 2)
    assert wait_for(lambda: SyncItemError.objects.exists())
    issues = {i.summary: i for i in cloud.state.issues.values()}
    assert (issues["For Ann"].assignee_id, issues["For Zed"].assignee_id, issues["For Zed"].story_points) == (
        HUMAN,
        None,
        2,
    )
    (error,) = SyncItemError.objects.all()
    assert error.item_label == f"{for_zed.key} For Zed"
    assert error.message.endswith("no Jira user with the e-mail zed@example.com; assign in Jira or invite them.")
    # when: Ann is unassigned here
    backlog.story_update(story=for_ann, actor=None, assignee=None)
    # then
    assert wait_for(lambda: issues["For Ann"].assignee_id is None)
