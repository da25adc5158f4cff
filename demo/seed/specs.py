"""The shapes of the demo data, the names it shares (statuses, sprints, shorthands) and the demo's fixed names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from backlog.models import Priority
from decisions.models import Requirement, SectionKind
from roadmap.models import Confidence, RoadmapItem

WORKSPACE_NAME = "Acme Corp"
WORKSPACE_SLUG = "acme-corp"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-pass-2026"
# RFC 2606: a domain that can never receive mail.
EMAIL_DOMAIN = "acme.example"
# The demo login may use the admin for these apps; the admin's tenancy rules limit it to its workspace and role.
ADMIN_APPS = ("workspaces", "activity", "backlog", "roadmap", "decisions")

TODO, DOING, REVIEW, DONE = "To do", "In progress", "In review", "Done"
CURRENT, NEXT = "current", "next"


# --- People ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    role: str
    title: str

    @property
    def email(self) -> str:
        return f"{self.username}@{EMAIL_DOMAIN}"


# --- Backlog --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StorySpec:
    title: str
    statement: str
    criteria: tuple[str, ...]
    points: int | None
    priority: int
    status: str
    assignee: str | None
    sprint: str | None
    labels: tuple[str, ...]


def story(
    title: str,
    statement: str,
    *criteria: str,
    pts: int | None,
    pri: int = Priority.MEDIUM,
    status: str = TODO,
    who: str | None = None,
    sprint: str | None = None,
    labels: Sequence[str] = (),
) -> StorySpec:
    return StorySpec(title, statement, criteria, pts, pri, status, who, sprint, tuple(labels))


@dataclass(frozen=True)
class FeatureSpec:
    title: str
    description: str
    status: str
    owner: str | None
    stories: tuple[StorySpec, ...]


@dataclass(frozen=True)
class EpicSpec:
    code: str
    title: str
    description: str
    status: str
    owner: str
    target_in_days: int
    labels: tuple[str, ...]
    features: tuple[FeatureSpec, ...]
    stories: tuple[StorySpec, ...] = ()  # directly under the epic (spikes)


HIGHEST, HIGH, MEDIUM, LOW = Priority.HIGHEST, Priority.HIGH, Priority.MEDIUM, Priority.LOW


@dataclass(frozen=True)
class TechDebtSpec:
    title: str
    description: str
    kind: str
    impact: str
    cost_of_delay: int
    remediation_points: int
    epic: str | None
    owner: str
    schedule_into: str | None = None


# --- Roadmaps -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    roadmap: str  # "product" or "technology"
    title: str
    description: str
    lane: str
    status: str
    start: int  # days from today
    end: int
    confidence: str
    owner: str
    epics: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    milestone: str | None = None


ON, RISK, OFF = Confidence.ON_TRACK, Confidence.AT_RISK, Confidence.OFF_TRACK
PLANNED, IN_PROGRESS, SHIPPED = RoadmapItem.Status.PLANNED, RoadmapItem.Status.IN_PROGRESS, RoadmapItem.Status.DONE


# --- PRDs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequirementSpec:
    title: str
    description: str
    priority: str
    features: tuple[str, ...] = ()
    stories: tuple[str, ...] = ()


@dataclass(frozen=True)
class PRDSpec:
    title: str
    owner: str
    epics: tuple[str, ...]
    roadmap_items: tuple[str, ...]
    sections: dict[str, str]  # body per section kind, in the standard order
    requirements: tuple[RequirementSpec, ...]
    # (approver, stakeholder role)
    signoffs: tuple[tuple[str, str], ...] = ()


SECTION_TITLES = (
    (SectionKind.PROBLEM, "Problem"),
    (SectionKind.GOALS, "Goals"),
    (SectionKind.NON_GOALS, "Non-goals"),
    (SectionKind.REQUIREMENTS, "Requirements"),
    (SectionKind.SUCCESS_METRICS, "Success metrics"),
    (SectionKind.UX, "UX and design links"),
    (SectionKind.OPEN_QUESTIONS, "Open questions"),
)

MUST, SHOULD, COULD = Requirement.Priority.MUST, Requirement.Priority.SHOULD, Requirement.Priority.COULD


# --- Decision records -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionSpec:
    title: str
    owner: str
    context: str
    decision_drivers: str
    options: tuple[dict[str, str], ...]
    chosen: str
    outcome: str
    consequences: str
    confirmation: str
    epics: tuple[str, ...] = ()
    roadmap_items: tuple[str, ...] = ()
    prds: tuple[str, ...] = ()
    deciders: tuple[str, ...] = ()
    consulted: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()
    signoffs: tuple[tuple[str, str], ...] = ()
    # Approvers (by username) who approve after the request, in this order.
    approve: tuple[str, ...] = ()
    # Text changes made after the approvals above; they make those approvals stale.
    edit: dict[str, str] = field(default_factory=dict)


def option(title: str, description: str, pros: str, cons: str, cost: str, risk: str) -> dict[str, str]:
    return {"title": title, "description": description, "pros": pros, "cons": cons, "cost": cost, "risk": risk}
