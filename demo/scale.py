"""A large product for benchmarks and load tests: `seed_scale()` behind `manage.py seed_scale`.

The default shape is the one the performance goal is stated for: 200 epics, 2,000 features and
100,000 stories in one product, spread the way a busy backlog is (statuses, points, priorities,
assignees, labels, acceptance criteria, closed / active / planned sprints), with a product and a
technology roadmap whose items link epics so that their roll-up has work to add up.

Why bulk writes here, and only here. Every other write in the app goes through one service per
row: `backlog.services.story_create` validates, takes the product row lock to reserve a number,
reads `Max(rank)` to rank the item last, saves it and writes its history row, a handful of round
trips per item. For 100,000 items that is many minutes, so this module inserts epics, features,
stories, their labels and criteria with `bulk_create` in batches. That is the one place where going
around the per-row services is justified, and it keeps every invariant they keep, by construction:

- numbers: reserved in one go with `workspaces.services.product_next_numbers(count=N)` under the
  product row lock, so keys are unique and never reused, and items created later continue after them;
- ranks: `core.ranks.initial_ranks(n)` per kind, unique and evenly spread (room for later moves);
- every item belongs to the product, with one of the product's statuses; a feature's epic and a
  story's feature, epic and sprint belong to the same product; a story hangs under a feature or
  directly under an epic, never both;
- `completed_at` is set exactly on the stories in a done-category status; closed sprints hold
  finished stories only, planned sprints unstarted ones; assignees and owners are workspace members;
  points stay within 0..100 and priorities within 1..5.

What bulk creation leaves out: the history rows (like an import, the items start without an audit
entry; their later edits are recorded as usual). Everything small (workspace, people, product and
workflow, labels, sprints, milestones, goals, roadmaps and their items) goes through the services.

Idempotent by refusing: a product with the same key in the workspace makes `seed_scale` stop with a
message, unless `replace=True`, which deletes that product and everything in it first.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models, transaction
from django.test.utils import override_settings
from django.utils import timezone
from tqdm import tqdm

from backlog import services as backlog_services
from backlog.models import AcceptanceCriterion, Epic, Feature, Label, Sprint, StatusCategory, Story, WorkflowStatus
from core.errors import ApplicationError
from core.ranks import initial_ranks
from roadmap import services as roadmap_services
from roadmap.models import Lane, Roadmap, RoadmapItem
from workspaces import services as workspace_services
from workspaces.models import Membership, Product, Role, Workspace

WORKSPACE_NAME = "Scale Co"
WORKSPACE_SLUG = "scale-co"
USERNAME = "scale"
TEAM_SIZE = 24
BATCH_SIZE = 5000
SPRINT_LENGTH_DAYS = 14
STORIES_PER_SPRINT = 15

LABELS = (
    "api",
    "backend",
    "compliance",
    "customer-request",
    "frontend",
    "mobile",
    "performance",
    "security",
    "tech-debt",
    "ux",
)

# Share of stories per status of the default workflow (To do, In progress, In review, Done).
STATUS_WEIGHTS = {"To do": 45, "In progress": 12, "In review": 6, "Done": 37}
POINTS = (None, 1, 2, 3, 5, 8, 13, 21)
POINTS_WEIGHTS = (14, 12, 20, 22, 17, 9, 4, 2)
PRIORITY_WEIGHTS = (5, 20, 50, 18, 7)  # highest … lowest

AREAS = (
    "Checkout",
    "Payouts",
    "Refunds",
    "Invoicing",
    "Ledger",
    "Fraud checks",
    "Onboarding",
    "Reporting",
    "Subscriptions",
    "Disputes",
    "Card vault",
    "Webhooks",
    "Merchant portal",
    "Reconciliation",
    "Tax",
    "Currency conversion",
)
THEMES = (
    "v2",
    "for enterprise merchants",
    "in new markets",
    "reliability",
    "self-service",
    "at scale",
    "automation",
    "compliance",
)
VERBS = (
    "Show",
    "Export",
    "Validate",
    "Retry",
    "Cache",
    "Audit",
    "Reconcile",
    "Notify about",
    "Search",
    "Filter",
    "Schedule",
    "Cancel",
    "Approve",
    "Import",
    "Archive",
)
OBJECTS = (
    "card payments",
    "refunds",
    "payouts",
    "invoices",
    "ledger entries",
    "webhook deliveries",
    "disputes",
    "settlement reports",
    "merchant accounts",
    "API keys",
    "exchange rates",
    "tax rates",
    "chargebacks",
    "statements",
)
PLACES = (
    "in the dashboard",
    "through the API",
    "on mobile",
    "for admins",
    "in bulk",
    "per merchant",
    "per currency",
    "by date range",
)
PERSONAS = ("merchant", "finance admin", "support agent", "developer", "risk analyst", "account owner")
BENEFITS = (
    "I can close the month on time",
    "customers get their money faster",
    "I spend less time on support tickets",
    "we stay compliant",
    "I can find problems before customers do",
    "integrations stop failing silently",
)
CRITERIA = (
    "Works for every supported currency",
    "Errors show a message that says what to do",
    "Covered by an API test",
    "Audit log records who did it",
    "Loads in under a second for 10,000 rows",
    "Keyboard accessible",
)

T = TypeVar("T", bound=models.Model)


class ScaleSeedRefused(ApplicationError):
    """The product exists already (and replace was not asked for), or the options make no sense."""


@dataclass
class ScaleResult:
    workspace: Workspace
    product: Product
    user: AbstractBaseUser
    password: str | None  # set only when the user was created by this run
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    replaced: bool = False


def seed_scale(
    *,
    stories: int = 100_000,
    features: int = 2_000,
    epics: int = 200,
    product_key: str = "SCALE",
    workspace_slug: str | None = None,
    replace: bool = False,
    seed: int = 1,
    progress: bool = True,
) -> ScaleResult:
    """Build one large product; see the module docstring for what is made and how."""
    if min(stories, features, epics) < 0:
        raise ScaleSeedRefused("Counts cannot be negative.")
    if epics == 0 and (features or stories):
        raise ScaleSeedRefused("Features and stories need at least one epic to sit under.")
    started = time.monotonic()
    rng = random.Random(seed)
    with transaction.atomic():
        workspace, user, password = _workspace_and_user(workspace_slug)
        replaced = _clear_existing(workspace, product_key, replace=replace)
        team = _team(workspace, user)
        product = backlog_services.product_create(
            workspace=workspace,
            name=f"Scale test {product_key.strip().upper()}",
            key=product_key,
            description=f"{stories:,} stories under {features:,} features and {epics:,} epics, for benchmarks.",
        )
        builder = _Builder(product=product, actor=user, team=team, rng=rng, progress=progress)
        builder.build(stories=stories, features=features, epics=epics)
    _analyze()
    return ScaleResult(
        workspace=workspace,
        product=product,
        user=user,
        password=password,
        counts=builder.counts,
        seconds=time.monotonic() - started,
        replaced=replaced,
    )


# --- People and places ----------------------------------------------------------------------------


def _workspace_and_user(workspace_slug: str | None) -> tuple[Workspace, AbstractBaseUser, str | None]:
    """The workspace to fill and the person acting in it (an admin); a new password only for a new user."""
    if workspace_slug:
        workspace = Workspace.objects.filter(slug=workspace_slug).first()
        if workspace is None:
            raise ScaleSeedRefused(
                f"No workspace with the slug “{workspace_slug}”; leave --workspace out to create one."
            )
        admins = Membership.objects.filter(workspace=workspace, role=Role.ADMIN).select_related("user")
        admin = admins.order_by("pk").first()
        if admin is None:
            raise ScaleSeedRefused(f"The workspace “{workspace_slug}” has no admin to act as.")
        return workspace, admin.user, None
    users = get_user_model().objects
    password = None
    user = users.filter(username=USERNAME).first()
    if user is None:
        password = secrets.token_urlsafe(12)
        user = users.create_user(username=USERNAME, password=password, first_name="Scale", last_name="Admin")
    workspace = Workspace.objects.filter(slug=WORKSPACE_SLUG).first()
    if workspace is None:
        workspace = workspace_services.workspace_create(name=WORKSPACE_NAME, slug=WORKSPACE_SLUG, creator=user)
    else:
        workspace_services.member_add(workspace=workspace, user=user, role=Role.ADMIN)
    return workspace, user, password


def _team(workspace: Workspace, actor: AbstractBaseUser) -> list[AbstractBaseUser]:
    """The workspace's members; in the default workspace, a team of contributors is added first."""
    if workspace.slug == WORKSPACE_SLUG:
        users = get_user_model().objects
        for n in range(1, TEAM_SIZE + 1):
            username = f"{USERNAME}.dev{n:02d}"
            person = users.filter(username=username).first()
            if person is None:
                person = users.create_user(username=username, first_name="Developer", last_name=f"{n:02d}")
                person.set_unusable_password()
                person.save(update_fields=["password"])
            if not Membership.objects.filter(workspace=workspace, user=person).exists():
                workspace_services.member_add(workspace=workspace, user=person, role=Role.CONTRIBUTOR)
    members = get_user_model().objects.filter(memberships__workspace=workspace).order_by("pk")
    return list(members) or [actor]


def _clear_existing(workspace: Workspace, product_key: str, *, replace: bool) -> bool:
    key = product_key.strip().upper()
    existing = Product.objects.filter(workspace=workspace, key=key).first()
    if existing is None:
        return False
    if not replace:
        stories = Story.objects.filter(product=existing).count()
        raise ScaleSeedRefused(
            f"{workspace.name} already has a product with the key {key} ({existing.name}, {stories:,} stories): "
            "left unchanged. Pass --replace to delete it and build it again, or choose another --product-key."
        )
    # Deleted through the ORM so that every relation's rule applies; without history rows, which would
    # add one insert per deleted item (the bulk-made items had none to begin with).
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        existing.delete()
    return True


def _analyze() -> None:
    """Fresh planner statistics and visibility map, as autovacuum leaves them a little after a large load.

    Without them the first queries plan on empty-table estimates, and counts cannot use index-only
    scans. VACUUM cannot run inside a transaction (a test's, or a caller's): there, ANALYZE only.
    """
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in (Epic, Feature, Story, AcceptanceCriterion, Label)]
    tables.append(Story.labels.through._meta.db_table)
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'{command} "{table}"')


# --- The builder ----------------------------------------------------------------------------------


class _Builder:
    def __init__(
        self,
        *,
        product: Product,
        actor: AbstractBaseUser,
        team: list[AbstractBaseUser],
        rng: random.Random,
        progress: bool,
    ) -> None:
        self.product = product
        self.actor = actor
        self.team = team
        self.rng = rng
        self.progress = progress
        self.now = timezone.now()
        self.counts: dict[str, int] = {}
        self.statuses = {s.name: s for s in WorkflowStatus.objects.filter(product=product)}
        self.status_list = list(self.statuses.values())
        self.status_weights = [STATUS_WEIGHTS.get(s.name, 5) for s in self.status_list]
        self.done = next(s for s in self.status_list if s.category == StatusCategory.DONE)
        self.todo = next(s for s in self.status_list if s.category == StatusCategory.TODO)
        self.bar: tqdm | None = None

    def build(self, *, stories: int, features: int, epics: int) -> None:
        labels = backlog_services.labels_resolve(product=self.product, names=LABELS)
        sprints = self._sprints(stories)
        numbers = iter(
            workspace_services.product_next_numbers(
                product_id=self.product.pk, field="last_item_number", count=epics + features + stories
            )
            if epics + features + stories
            else []
        )
        with tqdm(
            total=epics + features + stories,
            desc=f"{self.product.key} backlog",
            unit=" items",
            disable=not self.progress,
            dynamic_ncols=True,
        ) as self.bar:
            epic_rows = self._insert(Epic, self._epics(epics, numbers))
            feature_rows = self._insert(Feature, self._features(features, epic_rows, numbers))
            self._stories(stories, epic_rows, feature_rows, sprints, labels, numbers)
        self.counts.update(
            epics=len(epic_rows),
            features=len(feature_rows),
            stories=stories,
            sprints=sum(len(group) for group in sprints.values()),
            labels=len(labels),
        )
        self._roadmaps(epic_rows)

    # Rows in batches -------------------------------------------------------------------------

    def _insert(self, model: type[T], rows: Iterable[T], *, tick: bool = True) -> list[T]:
        made: list[T] = []
        for batch in _batched(rows, BATCH_SIZE):
            made.extend(model.objects.bulk_create(batch))
            if tick and self.bar is not None:
                self.bar.update(len(batch))
        return made

    def _member(self) -> AbstractBaseUser:
        return self.rng.choice(self.team)

    def _item_status(self) -> WorkflowStatus:
        return self.rng.choices(self.status_list, weights=self.status_weights)[0]

    def _ranks(self, count: int) -> list[str]:
        """Unique ranks in an order unrelated to the numbers, as after a while of moves."""
        ranks = initial_ranks(count) if count else []
        self.rng.shuffle(ranks)
        return ranks

    def _epics(self, count: int, numbers: Iterator[int]) -> Iterator[Epic]:
        ranks = self._ranks(count)
        for i in range(count):
            yield Epic(
                product=self.product,
                number=next(numbers),
                rank=ranks[i],
                title=f"{AREAS[i % len(AREAS)]} {THEMES[(i // len(AREAS)) % len(THEMES)]} ({i + 1})",
                description=f"Everything for {AREAS[i % len(AREAS)].lower()}: scope, rollout and measures.",
                status=self._item_status(),
                owner=self._member(),
                created_by=self.actor,
                target_date=(self.now + timedelta(days=self.rng.randint(-60, 360))).date(),
            )

    def _features(self, count: int, epics: Sequence[Epic], numbers: Iterator[int]) -> Iterator[Feature]:
        ranks = self._ranks(count)
        for i in range(count):
            epic = epics[i % len(epics)] if i < len(epics) else self.rng.choice(epics)
            yield Feature(
                product=self.product,
                epic=epic,
                number=next(numbers),
                rank=ranks[i],
                title=f"{self.rng.choice(VERBS)} {self.rng.choice(OBJECTS)} {self.rng.choice(PLACES)}",
                status=self._item_status(),
                owner=self._member(),
                created_by=self.actor,
            )

    def _stories(
        self,
        count: int,
        epics: Sequence[Epic],
        features: Sequence[Feature],
        sprints: dict[str, list[Sprint]],
        labels: Sequence[Label],
        numbers: Iterator[int],
    ) -> None:
        rng = self.rng
        ranks = self._ranks(count)
        statuses = rng.choices(self.status_list, weights=self.status_weights, k=count)
        sprint_of = self._plan_sprints(statuses, sprints)
        label_through = Story.labels.through
        criteria = 0
        links = 0
        for start in range(0, count, BATCH_SIZE):
            batch: list[Story] = []
            for i in range(start, min(start + BATCH_SIZE, count)):
                status = statuses[i]
                sprint = sprint_of.get(i)
                under_feature = features and rng.random() < 0.9
                verb, obj, place = rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(PLACES)
                assigned = status.category != StatusCategory.TODO or sprint is not None or rng.random() < 0.3
                batch.append(
                    Story(
                        product=self.product,
                        number=next(numbers),
                        rank=ranks[i],
                        title=f"{verb} {obj} {place}",
                        statement=(
                            f"As a {rng.choice(PERSONAS)} I want to {verb.lower()} {obj} {place} "
                            f"so that {rng.choice(BENEFITS)}."
                        ),
                        description="" if rng.random() < 0.6 else f"Notes: start with {obj}; {place} comes next.",
                        feature=rng.choice(features) if under_feature else None,
                        epic=None if under_feature else rng.choice(epics),
                        status=status,
                        points=rng.choices(POINTS, weights=POINTS_WEIGHTS)[0],
                        priority=rng.choices((1, 2, 3, 4, 5), weights=PRIORITY_WEIGHTS)[0],
                        assignee=self._member() if assigned else None,
                        sprint=sprint,
                        completed_at=self._completed_at(sprint) if status.category == StatusCategory.DONE else None,
                        created_by=self.actor,
                    )
                )
            made = Story.objects.bulk_create(batch)
            story_labels = []
            story_criteria = []
            for story in made:
                for label in rng.sample(labels, rng.choices((0, 1, 2), weights=(35, 45, 20))[0]):
                    story_labels.append(label_through(story_id=story.pk, label_id=label.pk))
                if rng.random() < 0.3:
                    for position, text in enumerate(rng.sample(CRITERIA, rng.randint(1, 3))):
                        met = story.status_id == self.done.pk or rng.random() < 0.2
                        story_criteria.append(
                            AcceptanceCriterion(story=story, text=text, position=position, is_met=met)
                        )
            label_through.objects.bulk_create(story_labels, batch_size=BATCH_SIZE)
            AcceptanceCriterion.objects.bulk_create(story_criteria, batch_size=BATCH_SIZE)
            links += len(story_labels)
            criteria += len(story_criteria)
            if self.bar is not None:
                self.bar.update(len(made))
        self.counts.update(story_labels=links, acceptance_criteria=criteria)

    def _completed_at(self, sprint: Sprint | None) -> datetime:
        if sprint is not None and sprint.state == Sprint.State.CLOSED:
            day = sprint.end_date - timedelta(days=self.rng.randint(0, SPRINT_LENGTH_DAYS - 1))
            return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=15)
        return self.now - timedelta(days=self.rng.randint(0, 365), minutes=self.rng.randint(0, 1440))

    # Sprints -----------------------------------------------------------------------------------

    def _sprints(self, stories: int) -> dict[str, list[Sprint]]:
        """Closed sprints behind today, one active sprint around it, one planned after; through the services."""
        total = max(3, min(26, stories // 4000 + 3))
        today = self.now.date()
        first_start = today - timedelta(days=SPRINT_LENGTH_DAYS * (total - 2) + 3)
        made: dict[str, list[Sprint]] = {"closed": [], "active": [], "planned": []}
        for n in range(total):
            start = first_start + timedelta(days=SPRINT_LENGTH_DAYS * n)
            sprint = backlog_services.sprint_create(
                product=self.product,
                name=f"Sprint {n + 1}",
                start_date=start,
                end_date=start + timedelta(days=SPRINT_LENGTH_DAYS - 1),
                goal=f"Ship {self.rng.choice(OBJECTS)} {self.rng.choice(PLACES)}",
                capacity_points=self.rng.choice((50, 60, 70)),
            )
            if n < total - 1:
                sprint = backlog_services.sprint_start(sprint=sprint)
            if n < total - 2:
                sprint = backlog_services.sprint_close(sprint=sprint, actor=self.actor)
            made[sprint.state].append(sprint)
        return made

    def _plan_sprints(self, statuses: Sequence[WorkflowStatus], sprints: dict[str, list[Sprint]]) -> dict[int, Sprint]:
        """Which stories sit in which sprint: finished ones in closed sprints, any in the active one,
        unstarted ones in the planned one."""
        by_category: dict[str, list[int]] = {category: [] for category in StatusCategory.values}
        for i, status in enumerate(statuses):
            by_category[status.category].append(i)
        for indices in by_category.values():
            self.rng.shuffle(indices)
        sprint_of: dict[int, Sprint] = {}

        def take(category: str, n: int, sprint: Sprint) -> None:
            pool = by_category[category]
            for _ in range(min(n, len(pool))):
                sprint_of[pool.pop()] = sprint

        for sprint in sprints["closed"]:
            take(StatusCategory.DONE, STORIES_PER_SPRINT, sprint)
        for sprint in sprints["active"]:
            take(StatusCategory.DONE, STORIES_PER_SPRINT // 3, sprint)
            take(StatusCategory.IN_PROGRESS, STORIES_PER_SPRINT // 3, sprint)
            take(StatusCategory.TODO, STORIES_PER_SPRINT // 3, sprint)
        for sprint in sprints["planned"]:
            take(StatusCategory.TODO, STORIES_PER_SPRINT, sprint)
        return sprint_of

    # Roadmaps ----------------------------------------------------------------------------------

    def _roadmaps(self, epics: Sequence[Epic]) -> None:
        """A product and a technology roadmap through the services; items link epics for the roll-up."""
        today = self.now.date()
        milestones = [
            roadmap_services.milestone_create(
                product=self.product, name=f"Release {n}", date=today + timedelta(days=45 * n), kind="release"
            )
            for n in range(1, 4)
        ]
        goals = [
            roadmap_services.goal_create(
                product=self.product, title=title, metric=metric, target=target, due_date=today + timedelta(days=180)
            )
            for title, metric, target in (
                ("Faster payouts", "median payout time", "under 1 day"),
                ("Fewer failed payments", "payment failure rate", "-20%"),
            )
        ]
        product_roadmap = roadmap_services.roadmap_create(
            product=self.product, name="Product roadmap", owner=self.actor, description="What we ship, by lane."
        )
        tech_roadmap = roadmap_services.roadmap_create(
            product=self.product,
            name="Technology roadmap",
            kind=Roadmap.Kind.TECHNOLOGY,
            owner=self.actor,
            description="Platform work that keeps the product fast and safe.",
        )
        epic_list = list(epics)
        product_items = min(24, len(epic_list))
        tech_items = min(8, max(0, len(epic_list) - product_items))
        # Up to four epics per product item, the next ones for the technology items.
        linked = epic_list[: product_items * 4]
        groups: list[list[Epic]] = [linked[n::product_items] for n in range(product_items)] if product_items else []
        tech_pool = epic_list[len(linked) :]
        groups += [tech_pool[n :: max(tech_items, 1)][:2] for n in range(tech_items)]
        items = 0
        for n, group in enumerate(groups):
            roadmap = product_roadmap if n < product_items else tech_roadmap
            position = n if n < product_items else n - product_items
            lane = (Lane.NOW, Lane.NEXT, Lane.LATER)[min(2, position * 3 // max(1, product_items))]
            start = today + timedelta(days=30 * position - 60)
            roadmap_services.roadmap_item_create(
                roadmap=roadmap,
                actor=self.actor,
                title=group[0].title if group else f"Item {n + 1}",
                lane=lane,
                start_date=start,
                end_date=start + timedelta(days=self.rng.choice((30, 60, 90))),
                status=(RoadmapItem.Status.IN_PROGRESS if lane == Lane.NOW else RoadmapItem.Status.PLANNED),
                owner=self._member(),
                milestone=milestones[min(len(milestones) - 1, position // 8)],
                epics=group,
                goals=[goals[n % len(goals)]],
            )
            items += 1
        self.counts.update(roadmaps=2, roadmap_items=items, milestones=len(milestones), goals=len(goals))


def _batched(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def scale_summary(result: ScaleResult) -> str:
    counts = result.counts
    return (
        f"{result.product.name} ({result.product.key}) in {result.workspace.name}: "
        f"{counts.get('epics', 0):,} epics, {counts.get('features', 0):,} features, "
        f"{counts.get('stories', 0):,} stories, "
        f"{counts.get('sprints', 0)} sprints, {counts.get('roadmap_items', 0)} roadmap items "
        f"in {result.seconds:.1f} s"
    )
