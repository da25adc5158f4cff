"""Reads for the backlog tree (epic → feature → story): a page of epics with their roll-ups, and the
children of the nodes a person opened. Each read runs a fixed number of queries whatever the size of
the product: the first screen never touches more stories than those of the epics on the page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from workspaces.models import Product

from ..models import Epic, Feature, StatusCategory, Story
from ..rollup import epic_totals

# Epics per page of the tree's first screen (their roll-ups come from kept totals, not their stories).
EPICS_PER_PAGE = 20
# Children shown under one open node; the rest are one click away in the filtered story list.
CHILD_LIMIT = 100


@dataclass
class Rollup:
    """Stories and points under a node, and how many of them are done."""

    stories: int = 0
    stories_done: int = 0
    points: int = 0
    points_done: int = 0

    @property
    def percent(self) -> int:
        """Percent of points done; by story count when nothing is estimated."""
        if self.points:
            return round(100 * self.points_done / self.points)
        if self.stories:
            return round(100 * self.stories_done / self.stories)
        return 0

    def add(self, other: Rollup) -> None:
        self.stories += other.stories
        self.stories_done += other.stories_done
        self.points += other.points
        self.points_done += other.points_done


def with_neighbours(items: list) -> list:
    """Set `prev_id` / `next_id` on each item (the keyboard "move up / down" anchors)."""
    for index, item in enumerate(items):
        item.prev_id = items[index - 1].pk if index else None
        item.next_id = items[index + 1].pk if index + 1 < len(items) else None
    return items


def set_neighbours(item: Any, siblings: QuerySet) -> None:
    """`prev_id` / `next_id` of one item among its siblings in rank order (a row rendered on its own): two queries."""
    item.prev_id = siblings.filter(rank__lt=item.rank).order_by("-rank").values_list("pk", flat=True).first()
    item.next_id = siblings.filter(rank__gt=item.rank).order_by("rank").values_list("pk", flat=True).first()


def rollups(*, feature_epic: dict[int, int], epic_ids: Collection[int]) -> tuple[dict[int, Rollup], dict[int, Rollup]]:
    """Roll-ups per feature and per epic, in one aggregate query.

    `feature_epic` maps the features to count to their epic; `epic_ids` are the epics whose direct
    stories count too. The stories are found through the (feature, rank) and (epic, rank) indexes: an
    OR of two index scans over exactly the stories below these nodes, never the whole product.
    """
    per_feature: dict[int, Rollup] = defaultdict(Rollup)
    per_epic: dict[int, Rollup] = defaultdict(Rollup)
    if not feature_epic and not epic_ids:
        return per_feature, per_epic
    done = Q(status__category=StatusCategory.DONE)
    rows = (
        Story.objects.filter(Q(feature_id__in=list(feature_epic)) | Q(epic_id__in=list(epic_ids)))
        .values("feature_id", "epic_id")
        .annotate(
            n=Count("pk"),
            n_done=Count("pk", filter=done),
            points_sum=Sum("points"),
            points_done=Sum("points", filter=done),
        )
        .order_by()
    )
    for row in rows:
        rollup = Rollup(row["n"], row["n_done"], row["points_sum"] or 0, row["points_done"] or 0)
        if row["feature_id"]:
            per_feature[row["feature_id"]] = rollup
            epic_id = feature_epic.get(row["feature_id"])
        else:
            epic_id = row["epic_id"]
        if epic_id in epic_ids:
            per_epic[epic_id].add(rollup)
    return per_feature, per_epic


def epic_queryset(product: Product) -> QuerySet[Epic]:
    return Epic.objects.filter(product=product).select_related("status", "owner").order_by("rank")


def epic_page(*, product: Product, page_number: int | str | None) -> Page:
    """One page of the product's epics in rank order, each with `rollup`, `feature_count` and its
    neighbours: four queries (count, epics, their features, the roll-up)."""
    page = Paginator(epic_queryset(product), EPICS_PER_PAGE).get_page(page_number)
    epics = with_neighbours(list(page.object_list))
    annotate_epics(epics)
    page.object_list = epics
    return page


def annotate_epics(epics: list[Epic]) -> list[Epic]:
    """`rollup` and `feature_count` on each epic: two queries, neither of which reads stories on PostgreSQL
    (the kept per-epic totals of backlog/rollup.py)."""
    epic_ids = [epic.pk for epic in epics]
    feature_count = dict(
        Feature.objects.filter(epic_id__in=epic_ids)
        .order_by()  # the model's ordering would join the GROUP BY
        .values("epic_id")
        .annotate(n=Count("pk"))
        .values_list("epic_id", "n")
    )
    totals = epic_totals(epic_ids)
    for epic in epics:
        found = totals.get(epic.pk)
        epic.rollup = Rollup(found.stories, found.stories_done, found.points, found.points_done) if found else Rollup()
        epic.feature_count = feature_count.get(epic.pk, 0)
    return epics


def story_queryset(product: Product) -> QuerySet[Story]:
    return Story.objects.filter(product=product).select_related("status", "assignee")


def _first_per_parent(stories: QuerySet[Story], parent: str, parent_ids: Iterable[int]) -> dict[int, list[Story]]:
    """The first CHILD_LIMIT + 1 stories (rank order) of each parent, in one query (the extra row says "more")."""
    ids = list(parent_ids)
    if not ids:
        return {}
    rows = (
        stories.filter(**{f"{parent}_id__in": ids})
        .annotate(position=Window(RowNumber(), partition_by=[F(f"{parent}_id")], order_by=[F("rank").asc()]))
        .filter(position__lte=CHILD_LIMIT + 1)
        .order_by(f"{parent}_id", "rank")
    )
    found: dict[int, list[Story]] = defaultdict(list)
    for story in rows:
        found[getattr(story, f"{parent}_id")].append(story)
    return found


@dataclass
class Children:
    """What hangs under one epic or feature, as far as the tree shows it."""

    features: list[Feature] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    more_features: bool = False
    more_stories: bool = False


def children_of(
    *, product: Product, epic_ids: Collection[int], feature_ids: Collection[int] = ()
) -> tuple[dict[int, Children], dict[int, Children]]:
    """The children of the open epics and features: at most four queries, however many are open.

    Per epic: its features (each with `rollup` and `is_open`) and the stories directly under it;
    per open feature (including the features of open epics that are themselves open): its stories.
    """
    epic_children: dict[int, Children] = {pk: Children() for pk in epic_ids}
    features: list[Feature] = []
    if epic_ids:
        features = list(
            Feature.objects.filter(product=product, epic_id__in=list(epic_ids))
            .select_related("status", "owner")
            .annotate(position=Window(RowNumber(), partition_by=[F("epic_id")], order_by=[F("rank").asc()]))
            .filter(position__lte=CHILD_LIMIT + 1)
            .order_by("epic_id", "rank")
        )
        per_feature, _ = rollups(feature_epic={f.pk: f.epic_id for f in features}, epic_ids=())
        for feature in features:
            feature.rollup = per_feature.get(feature.pk, Rollup())
            epic_children[feature.epic_id].features.append(feature)
        for pk, stories in _first_per_parent(story_queryset(product), "epic", epic_ids).items():
            epic_children[pk].stories = stories
    feature_children: dict[int, Children] = {pk: Children() for pk in feature_ids}
    for pk, stories in _first_per_parent(story_queryset(product), "feature", feature_ids).items():
        feature_children[pk].stories = stories
    for children in [*epic_children.values(), *feature_children.values()]:
        children.more_features = len(children.features) > CHILD_LIMIT
        children.more_stories = len(children.stories) > CHILD_LIMIT
        children.features = with_neighbours(children.features[:CHILD_LIMIT])
        children.stories = with_neighbours(children.stories[:CHILD_LIMIT])
    return epic_children, feature_children


def feature_rollup(feature: Feature) -> Rollup:
    """The roll-up of one feature (its page): one query."""
    per_feature, _ = rollups(feature_epic={feature.pk: feature.epic_id}, epic_ids=())
    return per_feature.get(feature.pk, Rollup())
