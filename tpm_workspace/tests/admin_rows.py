"""One row of every model the admin shows, in one workspace, made through the services (admin page tests)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models

from activity.models import Notification
from activity.services import comment_create, notify
from backlog import services as backlog_services
from backlog.models import WorkflowStatus
from backlog.tests.factories import EpicFactory, FeatureFactory, SprintFactory, StoryFactory, TechDebtItemFactory
from decisions import services as decision_services
from decisions.models import SignOff, StakeholderRole
from decisions.tests.factories import DecisionRecordFactory, PRDFactory
from jira_sync.models import JiraWebhookEvent, PushIntent
from jira_sync.tests.factories import jira_rows
from roadmap import services as roadmap_services
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory
from webhooks import services as webhook_services
from workspaces.models import Membership, Product, Workspace


def populate(*, workspace: Workspace, product: Product, owner: Any, approver: Any, tag: str) -> dict[type, Any]:
    """{model: a row of it in `workspace`}. `owner` acts (an admin of the workspace), `approver` is asked to sign off.

    `tag` goes into names and titles, so that two workspaces' rows read differently.
    """
    rows: dict[type[models.Model], Any] = {Workspace: workspace, Product: product}
    rows[Membership] = Membership.objects.get(workspace=workspace, user=owner)
    rows[WorkflowStatus] = WorkflowStatus.objects.filter(product=product).order_by("position", "pk").first()
    label = backlog_services.label_create(product=product, actor=owner, name=f"{tag}-label")
    rows[type(label)] = label
    epic = EpicFactory(product=product, actor=owner, title=f"{tag} epic")
    feature = FeatureFactory(epic=epic, actor=owner, title=f"{tag} feature")
    story = StoryFactory(feature=feature, actor=owner, title=f"{tag} story")
    sprint = SprintFactory(product=product, name=f"{tag} sprint")
    criterion = backlog_services.criterion_add(story=story, text=f"{tag} criterion holds")
    debt = TechDebtItemFactory(product=product, actor=owner, title=f"{tag} debt")
    for row in (epic, feature, story, sprint, criterion, debt):
        rows[type(row)] = row

    roadmap = RoadmapFactory(product=product, name=f"{tag} roadmap")
    first = RoadmapItemFactory(roadmap=roadmap, actor=owner, title=f"{tag} initiative")
    second = RoadmapItemFactory(roadmap=roadmap, actor=owner, title=f"{tag} follow-up")
    dependency = roadmap_services.dependency_add(blocker=first, blocked=second, note=f"{tag} needs it")
    goal = roadmap_services.goal_create(product=product, title=f"{tag} goal")
    milestone = roadmap_services.milestone_create(
        product=product, name=f"{tag} launch", date=datetime.date(2026, 12, 1)
    )
    baseline = roadmap_services.baseline_create(roadmap=roadmap, name=f"{tag} Q4 review", actor=owner)
    for row in (roadmap, first, dependency, goal, milestone, baseline):
        rows[type(row)] = row

    prd = PRDFactory(product=product, actor=owner, title=f"{tag} PRD")
    requirement = decision_services.requirement_create(prd=prd, actor=owner, title=f"{tag} requirement")
    prd.refresh_from_db()
    record = DecisionRecordFactory(product=product, actor=owner, title=f"{tag} decision")
    option = record.options.order_by("position", "pk").first()
    decision_services.decision_choose_option(record=record, actor=owner, option=option)
    decision_services.decision_set_participants(record=record, actor=owner, deciders=[owner])
    signoff = decision_services.signoff_request(
        document=prd, actor=owner, approver=approver, role=StakeholderRole.LEADERSHIP
    )
    decision_services.signoff_request(document=record, actor=owner, approver=approver, role=StakeholderRole.ENGINEERING)
    flag = decision_services.flags_raise(
        items=[story], reason=f"{tag} requirement changed", actor=owner, requirement=requirement
    )[0]
    rows.update(
        {
            type(prd): prd,
            type(prd.sections.first()): prd.sections.order_by("position", "pk").first(),
            type(prd.versions.first()): prd.versions.order_by("number").first(),
            type(requirement): requirement,
            type(record): record,
            type(option): option,
            type(record.participants.first()): record.participants.first(),
            SignOff: signoff,
            type(signoff.events.first()): signoff.events.order_by("at", "pk").first(),
            type(flag): flag,
        }
    )

    comment = comment_create(workspace=workspace, target=story, author=owner, body=f"{tag} looks right")
    rows[type(comment)] = comment
    rows[Notification] = notify(
        workspace=workspace, recipients=[approver], kind=Notification.Kind.MENTION, message=f"{tag} ping", actor=owner
    )[0]

    endpoint, _ = webhook_services.endpoint_create(
        workspace=workspace, actor=owner, url=f"https://hooks.example.com/{tag}", events=["story.created"]
    )
    delivery = webhook_services.endpoint_ping(endpoint=endpoint, actor=owner)
    rows.update({type(endpoint): endpoint, type(delivery): delivery, type(delivery.event): delivery.event})

    jira = jira_rows(workspace, product, story, site=f"https://{tag}.atlassian.net")
    rows.update(
        {
            type(jira.connection): jira.connection,
            type(jira.mapping): jira.mapping,
            type(jira.mapping.status_mappings.first()): jira.mapping.status_mappings.first(),
            type(jira.link): jira.link,
            type(jira.run): jira.run,
            type(jira.run.item_errors.first()): jira.run.item_errors.first(),
            type(jira.conflict): jira.conflict,
        }
    )
    rows[PushIntent] = PushIntent.objects.create(connection=jira.connection, story=story, fields=["summary"])
    rows[JiraWebhookEvent] = JiraWebhookEvent.objects.create(
        connection=jira.connection,
        identifier=f"{tag}-wh-1",
        event="jira:issue_updated",
        issue_id="10042",
        payload={"issue": {"id": "10042"}},
    )
    return rows
