"""The entry points: `seed_demo()` builds the demo once; `demo_summary()` counts what it holds."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone

from backlog.models import Epic, Feature, Sprint, Story, TechDebtItem
from decisions.models import PRD, DecisionRecord, Requirement, SignOff
from roadmap.models import RoadmapItem
from workspaces.models import Product, Workspace
from workspaces.services import member_add

from .builder import Builder
from .data.people import DEMO_PERSON
from .specs import WORKSPACE_SLUG
from .users import make_demo_login, person_user


@dataclass(frozen=True)
class SeedResult:
    workspace: Workspace
    created: bool


def seed_demo() -> SeedResult:
    """Build the demo workspace once; when it exists already, change nothing but the demo login.

    All or nothing: one transaction. The sign-off e-mails the services queue for the fictional
    team are dropped (their addresses are on a reserved domain anyway) when tasks run in-process.
    """
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
        existing = Workspace.objects.filter(slug=WORKSPACE_SLUG).first()
        if existing is not None:
            demo = person_user(DEMO_PERSON)
            make_demo_login(demo)
            # Only when missing: a role someone changed since is theirs to keep (and member_add would
            # overwrite it without the last-admin check that member_set_role makes).
            if not existing.memberships.filter(user=demo).exists():
                member_add(workspace=existing, user=demo, role=DEMO_PERSON.role, title=DEMO_PERSON.title)
            return SeedResult(workspace=existing, created=False)
        workspace = Builder(today=timezone.localdate()).build()
    return SeedResult(workspace=workspace, created=True)


def demo_summary(workspace: Workspace) -> str:
    """What the demo holds, in one line for the command's output."""
    products = Product.objects.filter(workspace=workspace)
    counts = [
        (workspace.memberships.count(), "people"),
        (Epic.objects.filter(product__in=products).count(), "epics"),
        (Feature.objects.filter(product__in=products).count(), "features"),
        (Story.objects.filter(product__in=products).count(), "stories"),
        (TechDebtItem.objects.filter(product__in=products).count(), "tech-debt items"),
        (Sprint.objects.filter(product__in=products).count(), "sprints"),
        (RoadmapItem.objects.filter(roadmap__product__in=products).count(), "roadmap items"),
        (PRD.objects.filter(product__in=products).count(), "PRDs"),
        (Requirement.objects.filter(product__in=products).count(), "requirements"),
        (DecisionRecord.objects.filter(product__in=products).count(), "decision records"),
        (SignOff.objects.filter(Q(prd__product__in=products) | Q(decision__product__in=products)).count(), "sign-offs"),
    ]
    return ", ".join(f"{count} {noun}" for count, noun in counts)
