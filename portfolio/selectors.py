"""The leadership dashboard's figures, over every product of the given workspaces at once.

`portfolio_dashboard(workspace_ids=…)` reads in a fixed number of queries (about twenty), whatever the
number of workspaces, products, items or stories: each query covers every visible product and the rows
are grouped per product in Python. The rules are the domain's own: progress is the roll-up of
`roadmap.selectors` (backlog/rollup.py), confidence the computed signal of `roadmap.confidence`.

"Release" is the domain's: a `Milestone` of kind release, which roadmap items ship in
(`RoadmapItem.milestone`); a release's stories are those of the epics linked to its items.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import Coalesce, RowNumber, TruncDate
from django.utils import timezone

from backlog.models import StatusCategory, Story
from backlog.selectors.progress import Progress, epic_progress
from decisions.models import DecisionRecord, SignOff
from jira_sync.models import Conflict, JiraConnection, SyncItemError, SyncRun
from roadmap.confidence import ConfidenceSignal, confidence_signals
from roadmap.models import Confidence, Milestone, RoadmapItem
from roadmap.selectors import roadmap_item_progress
from workspaces.models import Product, Workspace

from .charts import Burnup, Strip, StripInput, burnup_chart, timeline_strip

UPCOMING_DAYS = 90
DECISION_DAYS = 30
# Releases shown: every one not reached yet, and those reached within this many days.
RECENT_RELEASE_DAYS = 90
ERRORS_PER_RUN = 5
CONFIDENCE_ORDER: tuple[str, ...] = (Confidence.ON_TRACK, Confidence.AT_RISK, Confidence.OFF_TRACK)


@dataclass
class ItemRow:
    item: RoadmapItem
    progress: Progress
    signal: ConfidenceSignal

    @property
    def is_done(self) -> bool:
        return self.item.status == RoadmapItem.Status.DONE


@dataclass
class ReleaseRow:
    release: Milestone
    progress: Progress
    items: list[RoadmapItem]
    burnup: Burnup | None


@dataclass
class MilestoneRow:
    milestone: Milestone
    days: int  # until it (upcoming) or since it (slipped)


@dataclass
class SignOffRow:
    signoff: SignOff
    waited_days: int


@dataclass
class ConfidenceCount:
    value: str
    label: str
    count: int


@dataclass
class ProductDashboard:
    product: Product
    items: list[ItemRow] = field(default_factory=list)
    releases: list[ReleaseRow] = field(default_factory=list)
    upcoming: list[MilestoneRow] = field(default_factory=list)
    slipped: list[MilestoneRow] = field(default_factory=list)
    signoffs: list[SignOffRow] = field(default_factory=list)
    decisions: list[DecisionRecord] = field(default_factory=list)
    strip: Strip | None = None
    undated_items: int = 0

    @property
    def by_confidence(self) -> list[ConfidenceCount]:
        """Items not done, by computed confidence (every level, zeros included)."""
        counts = {value: 0 for value in CONFIDENCE_ORDER}
        for row in self.items:
            if not row.is_done:
                counts[row.signal.level] += 1
        return [ConfidenceCount(value, Confidence(value).label, counts[value]) for value in CONFIDENCE_ORDER]

    @property
    def done_items(self) -> int:
        return sum(1 for row in self.items if row.is_done)


@dataclass
class ConnectionHealth:
    connection: JiraConnection
    last_success_at: datetime | None
    last_run: SyncRun | None
    errors: list[SyncItemError]
    open_conflicts: int

    @property
    def last_run_failed(self) -> bool:
        return self.last_run is not None and self.last_run.status == SyncRun.Status.FAILED


@dataclass
class WorkspaceDashboard:
    workspace: Workspace
    connection: ConnectionHealth | None
    products: list[ProductDashboard]


@dataclass
class Dashboard:
    today: date
    workspaces: list[WorkspaceDashboard]

    @property
    def products(self) -> list[ProductDashboard]:
        return [product for workspace in self.workspaces for product in workspace.products]

    @property
    def off_track(self) -> int:
        return sum(
            row.signal.level == Confidence.OFF_TRACK for p in self.products for row in p.items if not row.is_done
        )

    @property
    def at_risk(self) -> int:
        return sum(row.signal.level == Confidence.AT_RISK for p in self.products for row in p.items if not row.is_done)

    @property
    def slipped(self) -> int:
        return sum(len(p.slipped) for p in self.products)

    @property
    def signoffs_waiting(self) -> int:
        return sum(len(p.signoffs) for p in self.products)

    @property
    def decisions_made(self) -> int:
        return sum(len(p.decisions) for p in self.products)

    @property
    def open_conflicts(self) -> int:
        return sum(w.connection.open_conflicts for w in self.workspaces if w.connection)


def portfolio_dashboard(*, workspace_ids: Sequence[int] | None, now: datetime | None = None) -> Dashboard:
    """Everything the dashboard shows for these workspaces (None: every workspace, for a superuser)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    workspaces_qs = Workspace.objects.order_by("name", "pk")
    products_qs = Product.objects.order_by("name", "pk")
    if workspace_ids is not None:
        workspaces_qs = workspaces_qs.filter(pk__in=workspace_ids)
        products_qs = products_qs.filter(workspace_id__in=workspace_ids)
    workspaces = list(workspaces_qs)
    products = {product.pk: ProductDashboard(product) for product in products_qs}
    product_ids = list(products)

    items = list(
        RoadmapItem.objects.filter(roadmap__product_id__in=product_ids)
        .select_related("roadmap", "milestone")
        .order_by(F("start_date").asc(nulls_last=True), F("end_date").asc(nulls_last=True), "title", "pk")
    )
    progress = roadmap_item_progress(items)
    signals = confidence_signals(items, today=today, progress=progress)
    for item in items:
        products[item.roadmap.product_id].items.append(ItemRow(item, progress[item.pk], signals[item.pk]))

    milestones = _milestones(product_ids, today)
    _add_milestones(products, milestones, today)
    _add_releases(products, [m for m in milestones if _is_shown_release(m, today)], items, today)
    for pd in products.values():
        pd.strip, pd.undated_items = _strip(pd, milestones, today)
    _add_signoffs(products, now)
    for record in (
        DecisionRecord.objects.filter(product_id__in=product_ids, decided_at__gte=now - timedelta(days=DECISION_DAYS))
        .select_related("chosen_option", "owner")
        .order_by("-decided_at", "-pk")
    ):
        products[record.product_id].decisions.append(record)

    health = _jira_health([w.pk for w in workspaces])
    by_workspace: dict[int, list[ProductDashboard]] = defaultdict(list)
    for pd in products.values():
        by_workspace[pd.product.workspace_id].append(pd)
    return Dashboard(
        today=today,
        workspaces=[WorkspaceDashboard(w, health.get(w.pk), by_workspace[w.pk]) for w in workspaces],
    )


# --- milestones and releases -----------------------------------------------------------------------


def _is_shown_release(milestone: Milestone, today: date) -> bool:
    return milestone.kind == Milestone.Kind.RELEASE and (
        not milestone.is_reached or milestone.date >= today - timedelta(days=RECENT_RELEASE_DAYS)
    )


def _milestones(product_ids: list[int], today: date) -> list[Milestone]:
    """The milestones of the next 90 days, the slipped ones, and the releases shown: one query."""
    upcoming = Q(date__gte=today, date__lte=today + timedelta(days=UPCOMING_DAYS))
    slipped = Q(date__lt=today, is_reached=False)
    release = Q(kind=Milestone.Kind.RELEASE) & (
        Q(is_reached=False) | Q(date__gte=today - timedelta(days=RECENT_RELEASE_DAYS))
    )
    return list(
        Milestone.objects.filter(Q(product_id__in=product_ids) & (upcoming | slipped | release)).order_by("date", "pk")
    )


def _add_milestones(products: dict[int, ProductDashboard], milestones: list[Milestone], today: date) -> None:
    for milestone in milestones:
        pd = products[milestone.product_id]
        if today <= milestone.date <= today + timedelta(days=UPCOMING_DAYS):
            pd.upcoming.append(MilestoneRow(milestone, (milestone.date - today).days))
        elif milestone.date < today and not milestone.is_reached:
            pd.slipped.append(MilestoneRow(milestone, (today - milestone.date).days))
    for pd in products.values():
        pd.slipped.sort(key=lambda row: (-row.days, row.milestone.pk))  # the longest overdue first


def _add_releases(
    products: dict[int, ProductDashboard], releases: list[Milestone], items: list[RoadmapItem], today: date
) -> None:
    """Each release's progress (its items' epics, each counted once) and burn-up: four queries."""
    if not releases:
        return
    release_ids = [release.pk for release in releases]
    epics_of: dict[int, set[int]] = defaultdict(set)
    for milestone_id, epic_id in RoadmapItem.epics.through.objects.filter(
        roadmapitem__milestone_id__in=release_ids
    ).values_list("roadmapitem__milestone_id", "epic_id"):
        epics_of[milestone_id].add(epic_id)
    all_epics = sorted({epic for epics in epics_of.values() for epic in epics})
    per_epic = epic_progress(all_epics)
    scope, done = _story_days(all_epics)
    items_of: dict[int, list[RoadmapItem]] = defaultdict(list)
    for item in items:
        if item.milestone_id is not None:
            items_of[item.milestone_id].append(item)
    for release in releases:
        epics = epics_of.get(release.pk, set())
        total = Progress()
        for epic_id in sorted(epics):
            total += per_epic.get(epic_id, Progress())
        release_items = items_of.get(release.pk, [])
        scope_days = [(day, pts) for epic_id in epics for day, pts in scope.get(epic_id, ())]
        done_days = [(day, pts) for epic_id in epics for day, pts in done.get(epic_id, ())]
        burnup = None
        if scope_days:
            starts = [day for day, _ in scope_days] + [item.start_date for item in release_items if item.start_date]
            burnup = burnup_chart(
                start=min(starts), release_date=release.date, today=today, scope=scope_days, done=done_days
            )
        products[release.product_id].releases.append(ReleaseRow(release, total, release_items, burnup))


def _story_days(epic_ids: list[int]) -> tuple[dict[int, list[tuple[date, int]]], dict[int, list[tuple[date, int]]]]:
    """Per epic, the points of its stories by the day they were created, and of its done stories by the day
    they were completed: two grouped queries (rows per epic and day, never per story)."""
    if not epic_ids:
        return {}, {}
    stories = (
        Story.objects.filter(Q(feature__epic_id__in=epic_ids) | Q(epic_id__in=epic_ids))
        .annotate(epic_ref=Coalesce("feature__epic_id", "epic_id"))
        .order_by()
    )
    scope: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for row in (
        stories.annotate(day=TruncDate("created_at"))
        .values("epic_ref", "day")
        .annotate(points=Coalesce(Sum("points"), 0))
    ):
        scope[row["epic_ref"]].append((row["day"], row["points"]))
    done: dict[int, list[tuple[date, int]]] = defaultdict(list)
    # A done story without a completion time (made done before it was recorded) counts from its last change.
    for row in (
        stories.filter(status__category=StatusCategory.DONE)
        .annotate(day=TruncDate(Coalesce("completed_at", "updated_at")))
        .values("epic_ref", "day")
        .annotate(points=Coalesce(Sum("points"), 0))
    ):
        done[row["epic_ref"]].append((row["day"], row["points"]))
    return scope, done


def _strip(pd: ProductDashboard, milestones: list[Milestone], today: date) -> tuple[Strip | None, int]:
    dated = [row for row in pd.items if row.item.start_date and row.item.end_date]
    inputs = []
    for row in dated:
        item = row.item
        state = "done" if row.is_done else row.signal.level
        state_label = "done" if row.is_done else row.signal.label.lower()
        inputs.append(
            StripInput(
                key=item.pk,
                title=item.title,
                start=item.start_date,
                end=item.end_date,
                kind=state,
                summary=f"{state_label}, {row.progress.percent}% of points done",
            )
        )
    marks = [(m.name, m.date, m.is_reached) for m in milestones if m.product_id == pd.product.pk]
    return timeline_strip(items=inputs, today=today, milestones=marks), len(pd.items) - len(dated)


# --- sign-offs -----------------------------------------------------------------------------------


def _add_signoffs(products: dict[int, ProductDashboard], now: datetime) -> None:
    """Sign-offs still waiting, oldest first, with the whole days they have waited: one query."""
    ids = list(products)
    waiting = (
        SignOff.objects.filter(state=SignOff.State.PENDING)
        .filter(Q(prd__product_id__in=ids) | Q(decision__product_id__in=ids))
        .select_related("prd", "decision", "approver", "requested_by")
        .order_by("created_at", "pk")
    )
    for signoff in waiting:
        product_id = signoff.prd.product_id if signoff.prd_id else signoff.decision.product_id
        products[product_id].signoffs.append(SignOffRow(signoff, (now - signoff.created_at).days))


# --- Jira sync -----------------------------------------------------------------------------------


def _jira_health(workspace_ids: list[int]) -> dict[int, ConnectionHealth]:
    """Per workspace's connection: the last successful run, the last run and its first errors, open
    conflicts. Three queries. Dry runs change nothing and are left out of "last run"."""
    runs = SyncRun.objects.filter(connection=OuterRef("pk")).exclude(kind=SyncRun.Kind.DRY_RUN)
    connections = list(
        JiraConnection.objects.filter(workspace_id__in=workspace_ids)
        .annotate(
            last_success_at=Subquery(
                runs.filter(status=SyncRun.Status.SUCCEEDED)
                .order_by(F("finished_at").desc(nulls_last=True), "-pk")
                .values("finished_at")[:1]
            ),
            last_run_id=Subquery(runs.order_by("-started_at", "-pk").values("pk")[:1]),
            open_conflicts=Coalesce(
                Subquery(
                    Conflict.objects.filter(link__connection=OuterRef("pk"), status=Conflict.Status.OPEN)
                    .order_by()
                    .values("link__connection")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
        )
        .order_by("pk")
    )
    run_ids = [c.last_run_id for c in connections if c.last_run_id]
    last_runs = {run.pk: run for run in SyncRun.objects.filter(pk__in=run_ids)}
    errors: dict[int, list[SyncItemError]] = defaultdict(list)
    if run_ids:
        first_errors = (
            SyncItemError.objects.filter(run_id__in=run_ids)
            .annotate(n=Window(RowNumber(), partition_by=[F("run_id")], order_by=[F("at").asc(), F("pk").asc()]))
            .filter(n__lte=ERRORS_PER_RUN)
            .order_by("run_id", "n")
        )
        for error in first_errors:
            errors[error.run_id].append(error)
    return {
        c.workspace_id: ConnectionHealth(
            connection=c,
            last_success_at=c.last_success_at,
            last_run=last_runs.get(c.last_run_id),
            errors=errors.get(c.last_run_id, []),
            open_conflicts=c.open_conflicts,
        )
        for c in connections
    }
