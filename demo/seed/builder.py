"""Builds the demo workspace from the data modules, every row through the domain services."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from activity.services import comment_create
from backlog import services as backlog
from backlog.models import Epic, Feature, Sprint, Story, WorkflowStatus
from decisions import services as decisions
from decisions.models import PRD, DecisionRecord, SignOff
from roadmap import services as roadmap
from roadmap.models import Goal, Lane, Milestone, Roadmap, RoadmapItem
from workspaces.models import Role, Workspace
from workspaces.services import member_add, workspace_create

from .data.comments import COMMENTS
from .data.decision_records import DECISIONS
from .data.epics import EPICS
from .data.people import PEOPLE
from .data.prds import CHECKOUT_PRD, CHECKOUT_PRD_EDIT, SCA_PRD
from .data.roadmaps import DEPENDENCIES, GOALS, MILESTONES, ROADMAP_ITEMS, ROADMAPS
from .data.tech_debt import TECH_DEBT
from .specs import (
    CURRENT,
    DEMO_USERNAME,
    DONE,
    IN_PROGRESS,
    NEXT,
    OFF,
    REVIEW,
    SECTION_TITLES,
    WORKSPACE_NAME,
    WORKSPACE_SLUG,
    StorySpec,
)
from .users import make_demo_login, person_user


class Builder:
    def __init__(self, *, today: date) -> None:
        self.today = today
        self.users: dict[str, AbstractBaseUser] = {}
        self.statuses: dict[str, WorkflowStatus] = {}
        self.sprints: dict[str, Sprint] = {}
        self.epics: dict[str, Epic] = {}
        self.features: dict[str, Feature] = {}
        self.stories: dict[str, Story] = {}
        self.milestones: dict[str, Milestone] = {}
        self.goals: dict[str, Goal] = {}
        self.roadmaps: dict[str, Roadmap] = {}
        self.items: dict[str, RoadmapItem] = {}
        self.prds: dict[str, PRD] = {}
        self.decisions: dict[str, DecisionRecord] = {}

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    @property
    def demo(self) -> AbstractBaseUser:
        return self.users[DEMO_USERNAME]

    def build(self) -> Workspace:
        workspace = self.build_people()
        self.product = backlog.product_create(
            workspace=workspace,
            name="Payments Platform",
            key="PAY",
            description="Checkout, authentication, payouts, risk and the ledger behind them.",
        )
        self.statuses = {status.name: status for status in WorkflowStatus.objects.filter(product=self.product)}
        self.build_sprints()
        self.build_backlog()
        self.backdate_backlog()
        self.build_tech_debt()
        self.build_roadmaps()
        self.build_prds()
        self.build_decisions()
        self.build_comments()
        return workspace

    # --- people ---

    def build_people(self) -> Workspace:
        for person in PEOPLE:
            self.users[person.username] = person_user(person)
        make_demo_login(self.demo)
        admin = next(person for person in PEOPLE if person.role == Role.ADMIN)
        workspace = workspace_create(name=WORKSPACE_NAME, slug=WORKSPACE_SLUG, creator=self.users[admin.username])
        for person in PEOPLE:
            member_add(workspace=workspace, user=self.users[person.username], role=person.role, title=person.title)
        return workspace

    # --- backlog ---

    def build_sprints(self) -> None:
        # Two-week sprints from Monday to Friday of the next week; today falls inside the current one.
        monday = self.today - timedelta(days=self.today.weekday())
        start = monday if (self.today - monday).days >= 5 else monday - timedelta(days=7)
        current = backlog.sprint_create(
            product=self.product,
            name="Sprint 14",
            start_date=start,
            end_date=start + timedelta(days=11),
            goal="3DS2 challenge flow end to end in staging; dual-write switched on for internal merchants.",
            capacity_points=50,
        )
        upcoming_start = start + timedelta(days=14)
        upcoming = backlog.sprint_create(
            product=self.product,
            name="Sprint 15",
            start_date=upcoming_start,
            end_date=upcoming_start + timedelta(days=11),
            goal="SCA exemptions live for low-value payments; wallet buttons behind a flag.",
            capacity_points=50,
        )
        self.sprints = {CURRENT: backlog.sprint_start(sprint=current), NEXT: upcoming}

    def build_backlog(self) -> None:
        for spec in EPICS:
            epic = backlog.epic_create(
                product=self.product,
                actor=self.demo,
                title=spec.title,
                description=spec.description,
                status=self.statuses[spec.status],
                owner=self.users[spec.owner],
                target_date=self.day(spec.target_in_days),
                labels=spec.labels,
            )
            self.epics[spec.code] = epic
            for feature_spec in spec.features:
                feature = backlog.feature_create(
                    epic=epic,
                    actor=self.demo,
                    title=feature_spec.title,
                    description=feature_spec.description,
                    status=self.statuses[feature_spec.status],
                    owner=self.users.get(feature_spec.owner or ""),
                )
                self.features[feature.title] = feature
                for story_spec in feature_spec.stories:
                    self.add_story(story_spec, feature=feature)
            for story_spec in spec.stories:
                self.add_story(story_spec, epic=epic)

    HISTORY_DAYS = 84  # the demo team has worked on this backlog for twelve weeks

    def backdate_backlog(self) -> None:
        """Spread the stories' creation over the last twelve weeks and their completion after it, so that
        burn-ups and burn-downs show a history rather than everything happening today. Deterministic:
        the n-th story is created at the same point of the window on every seed."""
        now = timezone.now()
        stories = list(self.stories.values())
        sprint = self.sprints[CURRENT]
        sprint_start = timezone.make_aware(datetime.combine(sprint.start_date, time(9)))
        for n, story in enumerate(stories):
            created = now - timedelta(days=self.HISTORY_DAYS * (len(stories) - n) / (len(stories) + 1))
            changes: dict[str, Any] = {"created_at": created}
            if story.completed_at is not None:
                if story.sprint_id == sprint.pk:  # done in this sprint: between its start and now
                    span = max(now - sprint_start, timedelta(hours=1))
                    changes["completed_at"] = sprint_start + span * ((n % 7) + 1) / 8
                else:  # done a few weeks after it was written, never in the future
                    changes["completed_at"] = min(created + timedelta(days=10 + n % 15), now - timedelta(days=1))
                changes["completed_at"] = max(changes["completed_at"], created)
            Story.objects.filter(pk=story.pk).update(**changes)

    def add_story(self, spec: StorySpec, *, feature: Feature | None = None, epic: Epic | None = None) -> Story:
        created = backlog.story_create(
            product=self.product,
            actor=self.demo,
            title=spec.title,
            feature=feature,
            epic=epic,
            statement=spec.statement,
            points=spec.points,
            priority=spec.priority,
            status=self.statuses[spec.status],
            assignee=self.users.get(spec.assignee or ""),
            sprint=self.sprints.get(spec.sprint or ""),
            labels=spec.labels,
            acceptance_criteria=spec.criteria,
        )
        criteria = list(created.acceptance_criteria.order_by("position"))
        met = {DONE: len(criteria), REVIEW: 1}.get(spec.status, 0)
        for criterion in criteria[:met]:
            backlog.criterion_set_met(criterion=criterion, is_met=True)
        self.stories[created.title] = created
        return created

    def build_tech_debt(self) -> None:
        for spec in TECH_DEBT:
            item = backlog.tech_debt_create(
                product=self.product,
                actor=self.demo,
                title=spec.title,
                description=spec.description,
                kind=spec.kind,
                impact=spec.impact,
                cost_of_delay=spec.cost_of_delay,
                remediation_points=spec.remediation_points,
                epic=self.epics.get(spec.epic or ""),
                owner=self.users[spec.owner],
                labels=("tech-debt",),
            )
            if spec.schedule_into:
                backlog.tech_debt_schedule(item=item, actor=self.demo, sprint=self.sprints[spec.schedule_into])

    # --- roadmaps ---

    def build_roadmaps(self) -> None:
        for name, kind, offset, description in MILESTONES:
            self.milestones[name] = roadmap.milestone_create(
                product=self.product, name=name, date=self.day(offset), kind=kind, description=description
            )
        for title, description, metric, target, due in GOALS:
            self.goals[title] = roadmap.goal_create(
                product=self.product,
                title=title,
                description=description,
                metric=metric,
                target=target,
                due_date=self.day(due),
            )
        for code, name, kind, owner, description in ROADMAPS:
            self.roadmaps[code] = roadmap.roadmap_create(
                product=self.product, name=name, kind=kind, description=description, owner=self.users[owner]
            )
        for spec in ROADMAP_ITEMS:
            self.items[spec.title] = roadmap.roadmap_item_create(
                roadmap=self.roadmaps[spec.roadmap],
                actor=self.demo,
                title=spec.title,
                description=spec.description,
                lane=spec.lane,
                status=spec.status,
                start_date=self.day(spec.start),
                end_date=self.day(spec.end),
                confidence=spec.confidence,
                owner=self.users[spec.owner],
                milestone=self.milestones.get(spec.milestone or ""),
                epics=[self.epics[code] for code in spec.epics],
                goals=[self.goals[title] for title in spec.goals],
            )
        for blocker, blocked, note in DEPENDENCIES:
            roadmap.dependency_add(blocker=self.items[blocker], blocked=self.items[blocked], note=note)
        self.review_product_roadmap()

    def review_product_roadmap(self) -> None:
        """Freeze the product roadmap for the planning review, then move what moved since."""
        quarter = (self.today.month - 1) // 3 + 1
        roadmap.baseline_create(
            roadmap=self.roadmaps["product"], name=f"Q{quarter} {self.today.year} planning review", actor=self.demo
        )
        fraud = self.items["Real-time fraud scoring"]
        roadmap.roadmap_item_update(
            item=fraud,
            actor=self.demo,
            start_date=fraud.start_date + timedelta(days=21),
            end_date=fraud.end_date + timedelta(days=21),
            confidence=OFF,
        )
        wallets = roadmap.roadmap_item_move(item=self.items["Apple Pay and Google Pay"], lane=Lane.NOW)
        roadmap.roadmap_item_update(item=wallets, actor=self.demo, status=IN_PROGRESS, start_date=self.day(-2))

    # --- PRDs and decisions ---

    def build_prds(self) -> None:
        for spec in (CHECKOUT_PRD, SCA_PRD):
            prd = decisions.prd_create(
                product=self.product,
                actor=self.users[spec.owner],
                title=spec.title,
                sections=section_list(spec.sections),
                epics=[self.epics[code] for code in spec.epics],
                roadmap_items=[self.items[title] for title in spec.roadmap_items],
            )
            for requirement in spec.requirements:
                decisions.requirement_create(
                    prd=prd,
                    actor=self.users[spec.owner],
                    title=requirement.title,
                    description=requirement.description,
                    priority=requirement.priority,
                    features=[self.features[title] for title in requirement.features],
                    stories=[self.stories[title] for title in requirement.stories],
                )
            self.prds[spec.title] = prd

        # SCA: every stakeholder approves, so the PRD is approved.
        sca = self.prds[SCA_PRD.title]
        for signoff in self.request_signoffs(sca, SCA_PRD.signoffs):
            self.approve(signoff)

        # Checkout 2.0: approved by both, then the success metrics change: both approvals go stale,
        # both are asked again, and the designer has re-approved the new version.
        checkout = self.prds[CHECKOUT_PRD.title]
        # Before review, a requirement is sharpened: what delivers it is flagged for re-review.
        first_requirement = checkout.requirements.order_by("number").first()
        decisions.requirement_update(
            requirement=first_requirement,
            actor=self.demo,
            description=f"{first_requirement.description} Measured on the 95th percentile, not the median.",
        )
        for signoff in self.request_signoffs(checkout, CHECKOUT_PRD.signoffs):
            self.approve(signoff)
        decisions.prd_update(
            prd=checkout,
            actor=self.demo,
            sections=section_list({**CHECKOUT_PRD.sections, **CHECKOUT_PRD_EDIT}),
            change_note="Raised the conversion target after the prototype test",
        )
        self.approve(SignOff.objects.current().get(prd=checkout, approver=self.users["nina.okafor"]))

    def build_decisions(self) -> None:
        for spec in DECISIONS:
            owner = self.users[spec.owner]
            record = decisions.decision_create(
                product=self.product,
                actor=owner,
                title=spec.title,
                context=spec.context,
                decision_drivers=spec.decision_drivers,
                outcome=spec.outcome,
                consequences=spec.consequences,
                confirmation=spec.confirmation,
                owner=owner,
                options=spec.options,
                epics=[self.epics[code] for code in spec.epics],
                roadmap_items=[self.items[title] for title in spec.roadmap_items],
                prds=[self.prds[title] for title in spec.prds],
                deciders=[self.users[name] for name in spec.deciders],
                consulted=[self.users[name] for name in spec.consulted],
                informed=[self.users[name] for name in spec.informed],
            )
            record = decisions.decision_choose_option(
                record=record, actor=owner, option=record.options.get(title=spec.chosen)
            )
            signoffs = {s.approver.username: s for s in self.request_signoffs(record, spec.signoffs, actor=owner)}
            for username in spec.approve:
                self.approve(signoffs[username])
            if spec.edit:
                decisions.decision_update(record=record, actor=owner, **spec.edit)
            self.decisions[spec.title] = record

    def request_signoffs(
        self, document: PRD | DecisionRecord, wanted: Sequence[tuple[str, str]], actor: AbstractBaseUser | None = None
    ) -> list[SignOff]:
        return [
            decisions.signoff_request(
                document=document, actor=actor or self.demo, approver=self.users[username], role=role
            )
            for username, role in wanted
        ]

    def approve(self, signoff: SignOff) -> SignOff:
        return decisions.signoff_approve(signoff=signoff, actor=signoff.approver)

    # --- conversation ---

    def build_comments(self) -> None:
        targets: dict[str, dict[str, Any]] = {
            "story": self.stories,
            "decision": self.decisions,
            "prd": self.prds,
            "roadmap_item": self.items,
        }
        workspace = self.product.workspace
        for author, kind, name, body in COMMENTS:
            comment_create(workspace=workspace, target=targets[kind][name], author=self.users[author], body=body)


def section_list(bodies: dict[str, str]) -> list[dict[str, str]]:
    return [{"kind": kind, "title": title, "body": bodies.get(kind, "")} for kind, title in SECTION_TITLES]
