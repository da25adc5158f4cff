"""The kanban board: the product's workflow statuses as columns, each with its first cards in rank order.

Built for a product of 100,000 stories: a fixed number of queries whatever the size, and nothing read
that the first screen does not show. Counts and points of every column come from one aggregate over at
most COUNT_CAP + 1 stories per column; the cards are the first `limit` stories of each column (one
UNION ALL of per-status `LIMIT`s, each of which walks the (product, status, rank) or (sprint, rank)
index), then one read of those rows and one of their labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from workspaces.models import Membership, Product

from ..models import Label, Sprint, Story, WorkflowStatus
from ..planning_forms import ALL_SPRINTS, NO_SPRINT, UNASSIGNED

COLUMN_LIMIT = 20  # cards per column on the first screen
COLUMN_LIMIT_MAX = 200  # "show more" stops growing a column here: a longer one is a filter away
COUNT_CAP = 1000  # a column counts up to this many stories ("1000+" past it): never a 45,000-row scan
_NUMBER = re.compile(r"^(?:[A-Za-z][A-Za-z0-9]*-)?(\d{1,9})$")


@dataclass
class BoardColumn:
    status: WorkflowStatus
    cards: list[Story]
    count: int
    points: int
    limit: int
    capped: bool = False  # more than COUNT_CAP stories: `count` and `points` cover the first COUNT_CAP

    @property
    def has_more(self) -> bool:
        return self.capped or self.count > len(self.cards)

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)

    @property
    def next_limit(self) -> int:
        return min(self.limit + COLUMN_LIMIT, COLUMN_LIMIT_MAX)

    # The "Move to" select's options with this column's status selected: rendered once, not per card.
    status_options: SafeString | str = ""

    @property
    def can_show_more(self) -> bool:
        return self.has_more and self.limit < COLUMN_LIMIT_MAX


@dataclass
class Board:
    columns: list[BoardColumn]
    statuses: list[WorkflowStatus]
    count: int = 0
    points: int = 0
    capped: bool = False
    status_choices: list[tuple[int, str]] = field(default_factory=list)

    def column(self, status_id: int) -> BoardColumn | None:
        return next((c for c in self.columns if c.status.pk == status_id), None)


@dataclass(frozen=True)
class StoryFilters:
    """What a list of stories is narrowed to. `sprint`: "" (any), NO_SPRINT, or a sprint id."""

    sprint: str = ""
    assignee: str = ""
    label: str = ""
    q: str = ""


def filter_stories(stories: QuerySet[Story], filters: StoryFilters) -> QuerySet[Story]:
    if filters.sprint == NO_SPRINT:
        stories = stories.filter(sprint__isnull=True)
    elif filters.sprint and filters.sprint != ALL_SPRINTS:
        stories = stories.filter(sprint_id=int(filters.sprint))
    if filters.assignee == UNASSIGNED:
        stories = stories.filter(assignee__isnull=True)
    elif filters.assignee:
        stories = stories.filter(assignee_id=int(filters.assignee))
    if filters.label:
        stories = stories.filter(labels__id=int(filters.label))
    if filters.q:
        text = Q(title__icontains=filters.q)
        if number := _NUMBER.match(filters.q):  # PAY-12 or 12 finds the story by its key
            text |= Q(number=int(number.group(1)))
        stories = stories.filter(text)
    return stories


def product_statuses(product: Product) -> list[WorkflowStatus]:
    return list(WorkflowStatus.objects.filter(product=product).order_by("position", "pk"))


def product_sprints(product: Product) -> list[Sprint]:
    """Active first, then planned by date, then closed, latest first (one query)."""
    sprints = list(Sprint.objects.filter(product=product).order_by("start_date", "pk"))
    order = {Sprint.State.ACTIVE: 0, Sprint.State.PLANNED: 1, Sprint.State.CLOSED: 2}
    closed = [s for s in sprints if s.state == Sprint.State.CLOSED][::-1]
    return sorted((s for s in sprints if s.state != Sprint.State.CLOSED), key=lambda s: order[s.state]) + closed


def filter_choices(product: Product) -> tuple[list[Membership], list[Label]]:
    """The people and labels the filters offer (two queries)."""
    members = list(
        Membership.objects.filter(workspace_id=product.workspace_id)
        .select_related("user")
        .order_by("user__first_name", "user__username")
    )
    return members, list(Label.objects.filter(product=product).order_by("name"))


def detail_url_maker(name: str, product: Product) -> Callable[[int], str] | None:
    """A fast `reverse(name, args=[product.pk, pk])` for many rows (one reverse), or None when the page does
    not exist yet (docs/ui.md: a link appears once its URL name resolves)."""
    sentinel = 2147480000
    try:
        pattern = reverse(name, args=[product.pk, sentinel])
    except NoReverseMatch:
        return None
    head, tail = pattern.rsplit(str(sentinel), 1)
    return lambda pk: f"{head}{pk}{tail}"


def column_totals(stories: QuerySet[Story], status_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Stories and points per status, counting at most COUNT_CAP + 1 stories of each (one query).

    One aggregate over the first COUNT_CAP + 1 rows of each status in rank order: each part walks the
    (product, status, rank) index and stops there, so a 45,000-story "To do" costs what 1,001 do. A
    column past the cap says "1000+" and the points of its first 1,000 stories.
    """
    if not status_ids:
        return {}
    if not connection.features.supports_slicing_ordering_in_compound:
        # SQLite (make run) refuses LIMIT inside a UNION: count every story, which demo sizes afford.
        rows = list(
            stories.filter(status_id__in=status_ids)
            .order_by()
            .values("status_id")
            .annotate(n=Count("pk"), pts=Coalesce(Sum("points"), 0))
            .values_list("status_id", "n", "pts")
        )
        return _totals(rows)
    parts = [
        stories.filter(status_id=pk).order_by("rank").values_list("status_id", "points")[: COUNT_CAP + 1]
        for pk in status_ids
    ]
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    sql, params = union.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.sid, COUNT(*), COALESCE(SUM(t.pts), 0) FROM ({sql}) AS t(sid, pts) GROUP BY t.sid", params
        )
        rows = cursor.fetchall()
    return _totals(rows)


def _totals(rows: Iterable[tuple[int, int, int]]) -> dict[int, dict[str, int]]:
    totals = {}
    for status_id, count, points in rows:
        capped = count > COUNT_CAP
        totals[status_id] = {"n": min(count, COUNT_CAP), "points": int(points), "capped": capped}
    return totals


def board_read(
    *,
    product: Product,
    filters: StoryFilters,
    statuses: Sequence[WorkflowStatus],
    limits: dict[int, int] | None = None,
    only_status: int | None = None,
) -> Board:
    """Columns in workflow order with counts, points and their first cards (three queries; none without statuses).

    `limits` raises a column's card count (capped at COLUMN_LIMIT_MAX); `only_status` reads one column.
    """
    limits = limits or {}
    stories = filter_stories(Story.objects.filter(product=product), filters)
    shown = [s for s in statuses if only_status is None or s.pk == only_status]
    totals = column_totals(stories, [s.pk for s in shown])

    def limit_of(status: WorkflowStatus) -> int:
        return max(COLUMN_LIMIT, min(limits.get(status.pk, COLUMN_LIMIT), COLUMN_LIMIT_MAX))

    parts = [
        stories.filter(status_id=status.pk).order_by("rank").values_list("pk", flat=True)[: limit_of(status)]
        for status in shown
        if status.pk in totals
    ]
    ids: list[int] = []
    if len(parts) == 1 or (parts and not connection.features.supports_slicing_ordering_in_compound):
        # One column, or SQLite (make run), which refuses LIMIT inside a UNION: a query per column.
        ids = [pk for part in parts for pk in part]
    elif parts:
        ids = list(parts[0].union(*parts[1:], all=True))
    cards: dict[int, list[Story]] = {status.pk: [] for status in shown}
    if ids:
        story_url = detail_url_maker("backlog:story_detail", product)
        for story in (
            Story.objects.filter(pk__in=ids)
            .select_related("assignee")
            .prefetch_related("labels")
            .order_by("rank")
            .only(
                "pk",
                "product_id",
                "number",
                "title",
                "points",
                "status_id",
                "rank",
                "assignee__username",
                "assignee__first_name",
                "assignee__last_name",
            )
        ):
            story.product = product  # the key (PAY-12) without a query per card
            story.url = story_url(story.pk) if story_url else None
            cards[story.status_id].append(story)
    columns = []
    for status in shown:
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((s.pk, " selected" if s.pk == status.pk else "", s.name) for s in statuses),
        )
        column_cards = cards[status.pk]
        for index, story in enumerate(column_cards):
            story.prev_id = column_cards[index - 1].pk if index else None
            story.next_id = column_cards[index + 1].pk if index + 1 < len(column_cards) else None
        row = totals.get(status.pk, {})
        columns.append(
            BoardColumn(
                status=status,
                cards=column_cards,
                count=row.get("n", 0),
                capped=row.get("capped", False),
                points=row.get("points") or 0,
                limit=limit_of(status),
                status_options=options,
            )
        )
    return Board(
        columns=columns,
        statuses=list(statuses),
        count=sum(c.count for c in columns),
        points=sum(c.points for c in columns),
        capped=any(c.capped for c in columns),
        status_choices=[(s.pk, s.name) for s in statuses],
    )
