"""Reads of the sprint pages: the list with points, a sprint with its stories, and sprint planning."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from workspaces.models import Product

from ..burndown import Burndown, burndown_chart, burndown_series
from ..models import Sprint, StatusCategory, Story, WorkflowStatus
from .board import StoryFilters, detail_url_maker, filter_stories

PLANNING_PAGE_SIZE = 25
SPRINT_STORY_LIMIT = 500  # a sprint page lists at most this many stories (a real sprint holds far fewer)


def sprints_with_points(product: Product) -> dict[str, list[Sprint]]:
    """The product's sprints by state (active, planned by start date, closed latest first), each annotated with
    committed / done points and its story count (one query)."""
    done = Q(stories__status__category=StatusCategory.DONE)
    sprints = (
        Sprint.objects.filter(product=product)
        .annotate(
            committed=Coalesce(Sum("stories__points"), 0),
            done_points=Coalesce(Sum("stories__points", filter=done), 0),
            story_count=Count("stories"),
        )
        .order_by("start_date", "pk")
    )
    groups: dict[str, list[Sprint]] = {state: [] for state in Sprint.State.values}
    for sprint in sprints:
        groups[sprint.state].append(sprint)
    groups[Sprint.State.CLOSED].reverse()
    return groups


@dataclass
class SprintLoad:
    """Committed points against capacity, and what is done."""

    capacity: int
    committed: int = 0
    done: int = 0
    story_count: int = 0
    unestimated: int = 0

    @property
    def over_capacity(self) -> bool:
        return self.committed > self.capacity

    @property
    def over_by(self) -> int:
        return max(self.committed - self.capacity, 0)


def sprint_load(sprint: Sprint) -> SprintLoad:
    done = Q(status__category=StatusCategory.DONE)
    figures = Story.objects.filter(sprint=sprint).aggregate(
        committed=Coalesce(Sum("points"), 0),
        done=Coalesce(Sum("points", filter=done), 0),
        story_count=Count("pk"),
        unestimated=Count("pk", filter=Q(points__isnull=True)),
    )
    return SprintLoad(capacity=sprint.capacity_points, **figures)


@dataclass
class StatusGroup:
    status: WorkflowStatus
    stories: list[Story] = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(s.points or 0 for s in self.stories)


@dataclass
class SprintReport:
    load: SprintLoad
    groups: list[StatusGroup]
    burndown: Burndown
    truncated: bool


def sprint_report(*, sprint: Sprint, product: Product, statuses: list[WorkflowStatus], today: date) -> SprintReport:
    """The sprint's stories by status, its points, and its burn-down (two queries)."""
    stories = list(
        Story.objects.filter(sprint=sprint)
        .select_related("assignee")
        .order_by("rank")
        .only(
            "pk",
            "product_id",
            "number",
            "title",
            "points",
            "status_id",
            "completed_at",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
        )[: SPRINT_STORY_LIMIT + 1]
    )
    truncated = len(stories) > SPRINT_STORY_LIMIT
    stories = stories[:SPRINT_STORY_LIMIT]
    by_status = {status.pk: StatusGroup(status=status) for status in statuses}
    done_ids = {status.pk for status in statuses if status.is_done}
    story_url = detail_url_maker("backlog:story_detail", product)
    for story in stories:
        story.product = product
        story.url = story_url(story.pk) if story_url else None
        by_status[story.status_id].stories.append(story)
    # The figures come from the aggregate, not the listed rows, so that they hold past SPRINT_STORY_LIMIT.
    load = sprint_load(sprint)
    tz = timezone.get_current_timezone()
    completions = [
        (timezone.localtime(s.completed_at, tz).date(), s.points or 0)
        for s in stories
        if s.status_id in done_ids and s.completed_at
    ]
    series = burndown_series(
        start=sprint.start_date, end=sprint.end_date, total=load.committed, completions=completions, today=today
    )
    return SprintReport(
        load=load,
        groups=[group for group in by_status.values()],
        burndown=burndown_chart(series, total=load.committed),
        truncated=truncated,
    )


def planning_backlog(
    *, product: Product, statuses: list[WorkflowStatus], filters: StoryFilters, page: str | int | None
) -> Page:
    """Stories not in any sprint and not done, in rank order, one page (a count and a page: two queries)."""
    open_statuses = [s.pk for s in statuses if s.category != StatusCategory.DONE]
    stories = filter_stories(
        Story.objects.filter(product=product, sprint__isnull=True, status_id__in=open_statuses),
        StoryFilters(assignee=filters.assignee, label=filters.label, q=filters.q),
    )
    page_obj = Paginator(_planning_rows(stories), PLANNING_PAGE_SIZE).get_page(page)
    _decorate(page_obj.object_list, product, statuses)
    return page_obj


def sprint_stories(*, sprint: Sprint, product: Product, statuses: list[WorkflowStatus]) -> list[Story]:
    stories = list(_planning_rows(Story.objects.filter(sprint=sprint))[:SPRINT_STORY_LIMIT])
    _decorate(stories, product, statuses)
    return stories


def _planning_rows(stories: QuerySet[Story]) -> QuerySet[Story]:
    return (
        stories.select_related("assignee")
        .order_by("rank")
        .only(
            "pk",
            "product_id",
            "number",
            "title",
            "points",
            "status_id",
            "sprint_id",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
        )
    )


def _decorate(stories: list[Story], product: Product, statuses: list[WorkflowStatus]) -> None:
    """Key, link, status and neighbours of each row, without a query per row."""
    by_pk = {status.pk: status for status in statuses}
    story_url = detail_url_maker("backlog:story_detail", product)
    rows = list(stories)
    for index, story in enumerate(rows):
        story.product = product
        story.status = by_pk[story.status_id]
        story.url = story_url(story.pk) if story_url else None
        story.prev_id = rows[index - 1].pk if index else None
        story.next_id = rows[index + 1].pk if index + 1 < len(rows) else None
