"""The landing page's figures per product, and the product home; each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Case, CharField, Count, F, IntegerField, Model, Q, Sum, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber

from activity.models import Notification
from backlog.models import Epic, Feature, Sprint, StatusCategory, Story
from core.ui.navigation import url_or_none
from decisions.models import PRD, DecisionRecord
from decisions.selectors import signoffs_waiting_for
from roadmap.models import Confidence, Lane, RoadmapItem
from workspaces.models import Membership, Product, Workspace


def home_overview(*, user: AbstractBaseUser) -> dict[str, Any]:
    memberships = {m.workspace_id: m.role for m in Membership.objects.filter(user=user)}
    workspaces = list(Workspace.objects.filter(pk__in=memberships).order_by("name"))
    products = list(Product.objects.filter(workspace_id__in=memberships).order_by("name"))
    product_ids = [p.pk for p in products]

    items = dict(
        RoadmapItem.objects.filter(roadmap__product_id__in=product_ids)
        .values("roadmap__product_id")
        .annotate(n=Count("pk"))
        .values_list("roadmap__product_id", "n")
    )
    done = Q(status__category=StatusCategory.DONE)
    stories = {
        row["product_id"]: row
        for row in Story.objects.filter(product_id__in=product_ids)
        .values("product_id")
        .annotate(open=Count("pk", filter=~done), points_done=Sum("points", filter=done), points_total=Sum("points"))
    }
    in_review = dict(
        DecisionRecord.objects.filter(product_id__in=product_ids, status=DecisionRecord.Status.IN_REVIEW)
        .values("product_id")
        .annotate(n=Count("pk"))
        .values_list("product_id", "n")
    )
    by_workspace: dict[int, list[Product]] = defaultdict(list)
    for product in products:
        row = stories.get(product.pk, {})
        product.roadmap_item_count = items.get(product.pk, 0)
        product.open_story_count = row.get("open", 0)
        product.points_done = row.get("points_done") or 0
        product.points_total = row.get("points_total") or 0
        product.decisions_in_review = in_review.get(product.pk, 0)
        by_workspace[product.workspace_id].append(product)
    for workspace in workspaces:
        workspace.my_role = memberships[workspace.pk]
        workspace.product_list = by_workspace[workspace.pk]
    return {
        "workspaces": workspaces,
        "signoffs": list(signoffs_waiting_for(user=user)[:20]),
        "notifications": list(
            Notification.objects.filter(recipient=user, workspace_id__in=memberships).order_by("-created_at")[:20]
        ),
    }


# --- The product home: /p/<product_id>/ -------------------------------------------------------------

LANE_PREVIEW = 5
RECENT_ACTIVITY = 12
HISTORY_READ = 4 * RECENT_ACTIVITY  # records read to fill RECENT_ACTIVITY entries once repeats fold


@dataclass
class LaneGlance:
    lane: str
    label: str
    items: list[RoadmapItem]
    total: int
    by_confidence: dict[str, int]  # confidence value -> count, for every Confidence


@dataclass
class SprintGlance:
    sprint: Sprint
    is_active: bool
    committed_points: int
    done_points: int
    story_count: int
    unestimated_count: int

    @property
    def over_capacity(self) -> bool:
        return self.committed_points > self.sprint.capacity_points


@dataclass
class ActivityEntry:
    kind: str  # story, epic, feature, roadmap item, PRD, decision
    object_id: int
    label: str
    change: str  # created, changed, deleted
    at: datetime
    who: Any  # a user or None
    url: str | None
    times: int = 1  # consecutive identical changes (same object, person and kind of change), folded


def product_overview(*, user: AbstractBaseUser, product: Product) -> dict[str, Any]:
    """Roadmap at a glance, the current sprint, my waiting sign-offs, recent activity: eight queries."""
    return {
        "lanes": _roadmap_glance(product),
        "sprint": _sprint_glance(product),
        "signoffs": list(
            signoffs_waiting_for(user=user).filter(Q(prd__product=product) | Q(decision__product=product))[:10]
        ),
        "activity": _recent_activity(product),
    }


def _roadmap_glance(product: Product) -> list[LaneGlance]:
    counts: dict[str, dict[str, int]] = {lane: dict.fromkeys(Confidence.values, 0) for lane in Lane.values}
    for row in (
        RoadmapItem.objects.filter(roadmap__product=product)
        .values("lane", "confidence")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["lane"]][row["confidence"]] = row["n"]
    first = (
        RoadmapItem.objects.filter(roadmap__product=product)
        .annotate(position=Window(RowNumber(), partition_by=[F("lane")], order_by=[F("roadmap_id"), F("rank")]))
        .filter(position__lte=LANE_PREVIEW)
        .select_related("roadmap", "owner")
        .order_by("lane", "position")
    )
    by_lane: dict[str, list[RoadmapItem]] = defaultdict(list)
    for item in first:
        by_lane[item.lane].append(item)
    return [
        LaneGlance(
            lane=lane,
            label=label,
            items=by_lane[lane],
            total=sum(counts[lane].values()),
            by_confidence=counts[lane],
        )
        for lane, label in Lane.choices
    ]


def _sprint_glance(product: Product) -> SprintGlance | None:
    """The active sprint, else the next planned one; its committed points against its capacity."""
    done = Q(stories__status__category=StatusCategory.DONE)
    sprint = (
        Sprint.objects.filter(product=product, state__in=[Sprint.State.ACTIVE, Sprint.State.PLANNED])
        .annotate(
            committed=Coalesce(Sum("stories__points"), 0),
            done_points=Coalesce(Sum("stories__points", filter=done), 0),
            story_count=Count("stories"),
            unestimated=Count("stories", filter=Q(stories__points__isnull=True)),
            is_active=Case(When(state=Sprint.State.ACTIVE, then=Value(0)), default=Value(1)),
        )
        .order_by("is_active", "start_date", "pk")
        .first()
    )
    if sprint is None:
        return None
    return SprintGlance(
        sprint=sprint,
        is_active=sprint.state == Sprint.State.ACTIVE,
        committed_points=sprint.committed,
        done_points=sprint.done_points,
        story_count=sprint.story_count,
        unestimated_count=sprint.unestimated,
    )


# kind label, model, how its history reaches the product, "number" for keyed items, detail URL name and kwarg
_HISTORY_SOURCES: tuple[tuple[str, type[Model], str, bool, str], ...] = (
    ("story", Story, "product_id", True, "backlog:story_detail"),
    ("epic", Epic, "product_id", True, "backlog:epic_detail"),
    ("feature", Feature, "product_id", True, "backlog:feature_detail"),
    ("roadmap item", RoadmapItem, "roadmap__product_id", False, "roadmap:item_detail"),
    ("PRD", PRD, "product_id", False, "decisions:prd_detail"),
    ("decision", DecisionRecord, "product_id", True, "decisions:decision_detail"),
)
_CHANGE = {"+": "created", "~": "changed", "-": "deleted"}


def _recent_activity(product: Product) -> list[ActivityEntry]:
    """The latest history records of the product's main objects, newest first (two queries).

    Consecutive records of the same change by the same person to the same object fold into one.
    """
    parts = []
    for kind, model, path, numbered, _ in _HISTORY_SOURCES:
        history = model.history.model.objects.filter(**{path: product.pk})  # type: ignore[attr-defined]
        # Only annotations, defined in the same order, so that every part of the UNION has the same columns.
        part = history.annotate(
            a_at=F("history_date"),
            a_type=F("history_type"),
            a_user=F("history_user_id"),
            a_id=F("id"),
            a_title=F("title"),
            a_number=F("number") if numbered else Value(None, output_field=IntegerField()),
            a_kind=Value(kind, output_field=CharField()),
        ).values_list("a_at", "a_type", "a_user", "a_id", "a_title", "a_number", "a_kind")
        # Each part stops at its own newest rows where the database allows it (PostgreSQL); SQLite
        # (make run) refuses LIMIT inside a UNION, and its demo-sized history needs no such bound.
        if connection.features.supports_slicing_ordering_in_compound:
            part = part.order_by("-a_at")[:HISTORY_READ]
        else:
            part = part.order_by()  # nor an ORDER BY (the history model's default ordering)
        parts.append(part)
    rows = list(parts[0].union(*parts[1:], all=True).order_by("-a_at")[:HISTORY_READ])
    users = get_user_model()._default_manager.in_bulk({row[2] for row in rows if row[2]})
    urls = {kind: url_name for kind, _, _, _, url_name in _HISTORY_SOURCES}
    entries: list[ActivityEntry] = []
    for at, change, user_id, object_id, title, number, kind in rows:
        last = entries[-1] if entries else None
        same = (kind, object_id, _CHANGE.get(change, "changed"), user_id)
        if last and (last.kind, last.object_id, last.change, last.who.pk if last.who else None) == same:
            last.times += 1
            continue
        if len(entries) == RECENT_ACTIVITY:
            break
        if number is not None:
            key = f"ADR-{number}" if kind == "decision" else f"{product.key}-{number}"
            label = f"{key} {title}"
        else:
            label = title
        url = url_or_none(urls[kind], product.pk, object_id) if change != "-" else None
        entries.append(
            ActivityEntry(
                kind=kind,
                object_id=object_id,
                label=label,
                change=_CHANGE.get(change, "changed"),
                at=at,
                who=users.get(user_id),
                url=url,
            )
        )
    return entries
