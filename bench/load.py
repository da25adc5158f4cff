"""Load test: signed-in users on gunicorn (2 workers) against PostgreSQL, Redis and a `seed_scale` product.

    .venv/bin/python bench/load.py                                   # the full run (quiet machine): ~3 minutes
    .venv/bin/python bench/load.py --duration 5 --users 4 --no-write # a smoke run
    .venv/bin/python bench/load.py --phases contention --duration 10 --users 20 --no-write

What it does, reusing bench/api.py's pieces (database, seeded product, gunicorn settings):
1. creates the database (default `tpm_load`) if missing, migrates it, collects the static files (DEBUG=0,
   as in production) and seeds one product with `manage.py seed_scale` (key B100K, 100,000 stories under
   2,000 features and 200 epics, in "Scale Co"), reusing it when it is already there;
2. makes `--users` people (`load.user01`, …), contributors of Scale Co (the least role that edits and
   ranks the backlog), each with a fresh random password and a personal API token; at the end the tokens
   are revoked and the passwords made unusable (which also ends their sessions);
3. starts the app as bench/api.py does (gunicorn, 2 workers, gthread, keep-alive, DEBUG=0,
   DB_CONN_MAX_AGE=600, cache and broker on Redis database 11) and signs every user in through the real
   sign-in form (GET /login/ for the CSRF token, POST it, keep the session cookie);
4. **mixed** phase, `--duration` seconds (default 60): each user, in its own thread with one keep-alive
   connection (httpx), picks an action at random (weights in ACTIONS) and pauses `--think` seconds on
   average (uniform in 0 … 2 × think) between actions: the backlog tree's first screen; opening a feature in
   the tree (htmx); the kanban board; a story's page; editing a story field through the htmx field editor
   (GET the editor, POST it back with its `version`: two requests); ranking a story among its siblings
   (the tree's move endpoint, htmx); an API story list with the user's personal token. Every request's
   latency and status is recorded by type: p50 / p95 / p99, counts, refusals (409: a concurrent edit or
   move, answered in words, which is the app working) and errors (anything else: the goal is 0);
5. **contention** phase, `--contention-duration` seconds (default: half of `--duration`): every user ranks
   stories of the SAME list (the stories of one feature, the largest one: about 70 with seed_scale's
   100,000) as fast as the app answers, with no pause: a random story X placed after or before a random
   other story Y of the list through the tree's move endpoint. Every move is recorded with when it was
   sent, when its answer came and what it was (moved: 200, refused: 409, error: anything else or no
   answer; `--moves-log` writes them all to a file). The phase runs in rounds of `--round-seconds`
   (default 5 s: six rounds in 30 s); a round ends when every user has had the answer to its last move,
   and the list is read and checked against that round's moves (see below) before the next round starts;
6. checks that the workload queued no Celery task (none is expected: Scale Co has no Jira connection and
   no webhook endpoint, so no worker is started; if one were queued the run says so);
7. prints the tables and writes them, with the machine, into bench/RESULTS.md as its "Load" section
   (replacing an earlier one, keeping the other sections).

The contention checks (`check_moves`, also used by backlog/tests/services/test_rank_contention.py):

- **Total order.** After every round the list holds exactly the stories it held before, each once, and
  their ranks are unique and sort them in one order; at the end no two stories of the whole product share
  a rank, and the list as the tree page shows it (the feature opened, htmx) is the database's order.
- **Successful moves are reflected.** A move "X after Y" that answered 200 committed at some instant c
  between its sending (s) and its answer (r): right after c, X sat directly after Y. Only a move whose item
  is X or Y changes the rank of X or Y (a move writes its item's rank only; a rebalance rewrites every rank
  in the same order), so the order read afterwards keeps Y before X unless a move of X or Y committed
  after c. We do not see commit instants, only [s, r], so "may have committed after c" is taken
  conservatively: any other move that answered 200 and whose answer came after s (it did not finish before
  this one started), and any move with an unknown outcome (error or no answer: it may have committed at any
  time; an error fails the run anyway). Refused moves (409) write nothing and are ignored. So, exactly:

      for every move m = (X, after|before, Y) that answered 200:
          later(m) = {m' ≠ m : m' answered 200 and m'.r > m.s} ∪ {m' : m' had no clear answer}
          ORDER:     if no m' in later(m) has m'.item ∈ {X, Y}:
                         final position(Y) < position(X)   (after)   |   position(X) < position(Y)   (before)
          ADJACENCY: if no m' in later(m) has m'.item or m'.anchor ∈ {X, Y}:
                         X directly after Y (after)   |   X directly before Y (before)

  Adjacency holds because something can only come between Y and X by being placed directly after Y or
  directly before X (anchored on one of them) or by X or Y moving. Moves that a later move overtook are
  not checked (nothing can be said of them from the final order alone), which is why the list is read after
  every round and each round's moves are checked against it (with the order it started from as "before");
  the run prints how many moves each rule checked. A violation names the move and both positions.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import platform
import random
import re
import secrets
import subprocess
import sys
import textwrap
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import api, ui  # noqa: E402  (this tree's bench helpers, whatever the working directory)

USERNAME_PREFIX = "load.user"
REDIS_URL = "redis://127.0.0.1:6379/11"  # its own database: other benches use 9, the tests theirs
EDITED_FIELDS = ("points", "priority", "assignee")
SAMPLE_FEATURES = 400
SAMPLE_STORIES = 5000
HTTP_TIMEOUT = 60.0

# --- Contention check (pure: no Django, no HTTP) ----------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One rank move as a client saw it. `outcome`: "moved" (200), "refused" (409), "error" (anything else or
    no answer). `sent` / `received` on one monotonic clock; `received` is inf when no answer came."""

    item: int
    anchor: int
    place: str  # "after" | "before"
    sent: float
    received: float
    outcome: str
    user: int = 0
    round: int = 0


@dataclass
class MoveCheck:
    missing: list[int] = field(default_factory=list)  # in the list before, not after
    extra: list[int] = field(default_factory=list)  # in the list after, not before
    duplicates: list[int] = field(default_factory=list)
    order_checked: int = 0
    adjacency_checked: int = 0
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.duplicates or self.violations)

    def add(self, other: MoveCheck) -> None:
        """Fold in the check of another round."""
        self.missing += other.missing
        self.extra += other.extra
        self.duplicates += other.duplicates
        self.order_checked += other.order_checked
        self.adjacency_checked += other.adjacency_checked
        self.violations += other.violations


def check_moves(initial: Sequence[int], final: Sequence[int], moves: Sequence[Move]) -> MoveCheck:
    """The list is still a total order of the same items, and every successful move the final order can
    still show is shown (the exact rule is in this module's docstring)."""
    result = MoveCheck()
    seen: set[int] = set()
    for pk in final:
        if pk in seen:
            result.duplicates.append(pk)
        seen.add(pk)
    result.missing = sorted(set(initial) - seen)
    result.extra = sorted(seen - set(initial))
    position = {pk: index for index, pk in enumerate(final)}
    # The moves that may overtake another: those that answered 200, and those whose outcome is unknown.
    unsure = [m for m in moves if m.outcome not in ("moved", "refused")]
    moved = [m for m in moves if m.outcome == "moved"]
    by_item: dict[int, list[Move]] = defaultdict(list)  # moves whose item is this
    by_anchor: dict[int, list[Move]] = defaultdict(list)  # moves anchored on this
    for m in moved + unsure:
        by_item[m.item].append(m)
        by_anchor[m.anchor].append(m)

    def later(m: Move, candidates: list[Move]) -> bool:
        # Answered 200 after m was sent, or no clear answer (received is inf then).
        return any(other is not m and (other.received > m.sent or other.outcome != "moved") for other in candidates)

    for m in moved:
        x, y = m.item, m.anchor
        if x not in position or y not in position:
            result.violations.append(f"{describe_move(m)}: the story is no longer in the list")
            continue
        if later(m, by_item[x] + by_item[y]):
            continue
        result.order_checked += 1
        in_order = position[y] < position[x] if m.place == "after" else position[x] < position[y]
        if not in_order:
            result.violations.append(
                f"{describe_move(m)} answered 200 and no later move touched either story, but the final list has "
                f"{x} at position {position[x] + 1} and {y} at {position[y] + 1}"
            )
            continue
        if later(m, by_anchor[x] + by_anchor[y]):
            continue
        result.adjacency_checked += 1
        expected = position[y] + 1 if m.place == "after" else position[y] - 1
        if position[x] != expected:
            result.violations.append(
                f"{describe_move(m)} answered 200 and nothing was moved next to either story since, but the final "
                f"list has {x} at position {position[x] + 1} and {y} at {position[y] + 1}"
            )
    return result


def describe_move(m: Move) -> str:
    return (
        f"round {m.round}, user {m.user}: move {m.item} {m.place} {m.anchor} "
        f"(sent {m.sent:.3f} s, answered {m.received:.3f} s)"
    )


# --- Recording --------------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    status: int  # 0: no answer
    ms: float
    outcome: str  # "ok" | "refused" | "error"
    note: str = ""


@dataclass
class Stats:
    count: int = 0
    refused: int = 0
    errors: int = 0
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    statuses: dict[int, int] = field(default_factory=dict)


def summarise(samples: Sequence[Sample]) -> dict[str, Stats]:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    stats = {}
    for kind, rows in by_kind.items():
        values = sorted(row.ms for row in rows)
        statuses: dict[int, int] = defaultdict(int)
        for row in rows:
            statuses[row.status] += 1
        stats[kind] = Stats(
            count=len(rows),
            refused=sum(row.outcome == "refused" for row in rows),
            errors=sum(row.outcome == "error" for row in rows),
            p50=api.percentile(values, 0.50),
            p95=api.percentile(values, 0.95),
            p99=api.percentile(values, 0.99),
            statuses=dict(sorted(statuses.items())),
        )
    return stats


# --- The HTML a user reads ----------------------------------------------------------------------------


class FormReader(HTMLParser):
    """The controls of the first form in a fragment: hidden values, other inputs, selects with options."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.inputs: dict[str, str] = {}
        self.selects: dict[str, list[tuple[str, bool]]] = {}
        self._select: str | None = None
        self._forms = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._forms += 1
        if self._forms != 1:
            return
        if tag == "input" and values.get("name"):
            if values.get("type") == "hidden":
                self.hidden[values["name"]] = values.get("value", "")
            else:
                self.inputs[values["name"]] = values.get("value", "")
        elif tag == "select" and values.get("name"):
            self._select = values["name"]
            self.selects[self._select] = []
        elif tag == "option" and self._select:
            self.selects[self._select].append((values.get("value", ""), "selected" in values))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def list_order(html: str, parent_token: str) -> list[int]:
    """The story ids of the tree list `<ul id="<parent_token>-stories">`, top to bottom, as the page shows them."""
    start = html.find(f'id="{parent_token}-stories"')
    if start < 0:
        return []
    end = html.find("</ul>", start)
    return [int(pk) for pk in re.findall(r'tree-node--story" data-id="(\d+)"', html[start:end])]


# --- Setup: people, tokens, the product's shape ---------------------------------------------------------


@dataclass
class Person:
    index: int
    user: Any
    password: str
    token: Any = None
    plain_token: str = ""
    cookie: str = ""
    csrf: str = ""


def make_people(count: int) -> list[Person]:
    """`count` contributors of the scale workspace, each with a fresh random password and API token."""
    from django.contrib.auth import get_user_model

    from demo.scale import WORKSPACE_SLUG
    from workspaces import services as workspace_services
    from workspaces.models import Membership, Role, Workspace

    users = get_user_model().objects
    workspace = Workspace.objects.get(slug=WORKSPACE_SLUG)
    people = []
    stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S}"
    for index in range(1, count + 1):
        username = f"{USERNAME_PREFIX}{index:02d}"
        user = users.filter(username=username).first()
        if user is None:
            user = users.create_user(username=username, first_name="Load", last_name=f"User {index:02d}")
        if not Membership.objects.filter(workspace=workspace, user=user).exists():
            workspace_services.member_add(workspace=workspace, user=user, role=Role.CONTRIBUTOR)
        password = secrets.token_urlsafe(18)
        user.set_password(password)
        user.save(update_fields=["password"])
        person = Person(index=index, user=user, password=password)
        person.token, person.plain_token = workspace_services.api_token_create(user=user, name=f"load test {stamp}")
        people.append(person)
    return people


def retire_people(people: Sequence[Person]) -> None:
    from workspaces.services import api_token_revoke

    for person in people:
        if person.token is not None:
            api_token_revoke(token=person.token, actor=person.user)
        person.user.set_unusable_password()
        person.user.save(update_fields=["password"])


def sign_in_all(port: int, people: Sequence[Person]) -> None:
    """Through the real sign-in form, two at a time (the server has two workers; hashing is the cost)."""

    def sign_in(person: Person) -> None:
        person.cookie = ui.sign_in(port, person.user.get_username(), person.password)
        match = re.search(r"(?:^|; )csrftoken=([^;]+)", person.cookie)
        if match is None:
            raise RuntimeError("No CSRF cookie after signing in")
        person.csrf = match.group(1)

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(sign_in, people))


@dataclass
class Shape:
    """What the users' clicks need: ids of the product, as a person reads them off the pages."""

    product_id: int
    epic_of_feature: dict[int, int]
    stories_of_feature: dict[int, list[int]]
    story_ids: list[int]
    status_ids: list[int]
    contention_feature: int
    contention_epic: int


def product_shape(product_id: int, seed: int) -> Shape:
    from django.db.models import Count

    from backlog.models import Feature, Story, WorkflowStatus

    rng = random.Random(seed)
    features = list(
        Feature.objects.filter(product_id=product_id)
        .annotate(n=Count("stories"))
        .filter(n__gte=2)
        .order_by("rank")
        .values_list("pk", "epic_id", "n")
    )
    if not features:
        raise RuntimeError("The product has no feature with two stories or more")
    # The contended list: a full feature in the middle of the backlog.
    largest = max(n for _, _, n in features)
    full = [(pk, epic) for pk, epic, n in features if n == largest]
    contention_feature, contention_epic = full[len(full) // 2]
    sample = [row for row in features if row[0] != contention_feature]
    sample = rng.sample(sample, min(SAMPLE_FEATURES, len(sample)))
    stories: dict[int, list[int]] = defaultdict(list)
    for feature_id, story_id in (
        Story.objects.filter(feature_id__in=[pk for pk, _, _ in sample])
        .order_by("rank")
        .values_list("feature_id", "pk")
    ):
        stories[feature_id].append(story_id)
    all_ids = list(Story.objects.filter(product_id=product_id).values_list("pk", flat=True))
    return Shape(
        product_id=product_id,
        epic_of_feature={pk: epic for pk, epic, _ in sample},
        stories_of_feature=dict(stories),
        story_ids=rng.sample(all_ids, min(SAMPLE_STORIES, len(all_ids))),
        status_ids=list(WorkflowStatus.objects.filter(product_id=product_id).values_list("pk", flat=True)),
        contention_feature=contention_feature,
        contention_epic=contention_epic,
    )


# --- A user ----------------------------------------------------------------------------------------------


class User:
    """One signed-in person with one keep-alive connection; every request is timed and recorded."""

    def __init__(self, person: Person, port: int, shape: Shape, rng: random.Random) -> None:
        import httpx

        self.person = person
        self.shape = shape
        self.rng = rng
        self.origin = f"http://127.0.0.1:{port}"
        # Session and CSRF cookies are Secure (DEBUG=0): sent by hand over plain HTTP, as bench/ui.py does.
        self.client = httpx.Client(base_url=self.origin, timeout=HTTP_TIMEOUT, follow_redirects=False)
        self.samples: list[Sample] = []
        self.base = f"/p/{shape.product_id}/backlog"

    def close(self) -> None:
        self.client.close()

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        htmx_from: str | None = None,
        data: dict[str, Any] | None = None,
        token: bool = False,
        ok: Sequence[int] = (200,),
        refused: Sequence[int] = (),
    ) -> tuple[int, str]:
        headers = {"Accept": "application/json"} if token else {"Cookie": self.person.cookie, "Accept": "text/html"}
        if token:
            headers["Authorization"] = f"Bearer {self.person.plain_token}"
        if htmx_from is not None:
            headers.update({"HX-Request": "true", "HX-Current-URL": f"{self.origin}{htmx_from}"})
        if method == "POST":
            headers.update({"X-CSRFToken": self.person.csrf, "Origin": self.origin})
        started = time.perf_counter()
        try:
            response = self.client.request(method, path, headers=headers, data=data)
            body = response.text
            status = response.status_code
            note = "" if status in ok or status in refused else f"{method} {path}: {status} {body[:200]!r}"
        except Exception as exc:  # a timeout or a dropped connection is an error of the run, recorded as such
            status, body, note = 0, "", f"{method} {path}: {type(exc).__name__}: {exc}"
        ms = (time.perf_counter() - started) * 1000
        outcome = "ok" if status in ok else "refused" if status in refused else "error"
        self.samples.append(Sample(kind=kind, status=status, ms=ms, outcome=outcome, note=note))
        return status, body

    # -- the mixed workload's actions --

    def tree(self) -> None:
        self.request("backlog tree", "GET", f"{self.base}/")

    def open_feature(self) -> None:
        feature = self.rng.choice(list(self.shape.epic_of_feature))
        page = f"{self.base}/?open=e{self.shape.epic_of_feature[feature]}"
        self.request("tree: open a feature", "GET", f"{self.base}/features/{feature}/node/?expanded=1", htmx_from=page)

    def board(self) -> None:
        self.request("kanban board", "GET", f"{self.base}/board/")

    def story(self) -> None:
        self.request("story page", "GET", f"{self.base}/stories/{self.rng.choice(self.shape.story_ids)}/")

    def edit(self) -> None:
        story = self.rng.choice(self.shape.story_ids)
        name = self.rng.choice(EDITED_FIELDS)
        page = f"{self.base}/stories/{story}/"
        edit = f"{self.base}/stories/{story}/edit/?field={name}"
        status, body = self.request("edit: open the editor", "GET", edit, htmx_from=page)
        if status != 200:
            return
        form = FormReader()
        form.feed(body)
        data = dict(form.hidden)
        if name in form.selects:
            choices = [value for value, selected in form.selects[name] if not selected]
            data[name] = self.rng.choice(choices) if choices else ""
        else:
            current = form.inputs.get(name, "")
            data[name] = self.rng.choice([p for p in ("1", "2", "3", "5", "8", "13") if p != current])
        # 409: someone saved the story since the editor opened; the answer says so with the current value.
        self.request("edit: save", "POST", edit, htmx_from=page, data=data, refused=(409,))

    def move(self) -> None:
        feature = self.rng.choice(list(self.shape.stories_of_feature))
        siblings = self.shape.stories_of_feature[feature]
        item, anchor = self.rng.sample(siblings, 2)
        page = f"{self.base}/?open=e{self.shape.epic_of_feature[feature]},f{feature}"
        place = self.rng.choice(("after", "before"))
        data = {"item": item, place: anchor, "list": f"f{feature}", "from_list": f"f{feature}"}
        self.request("rank: move", "POST", f"{self.base}/stories/move/", htmx_from=page, data=data, refused=(409,))

    def api_list(self) -> None:
        if self.rng.random() < 0.5:
            query = f"status={self.rng.choice(self.shape.status_ids)}"
        else:
            query = f"feature={self.rng.choice(list(self.shape.stories_of_feature))}"
        path = f"/api/v1/stories/?product={self.shape.product_id}&{query}&page_size=50"
        self.request("API: story list", "GET", path, token=True)

    # -- the contention workload --

    def contend(
        self, *, ids: Sequence[int], feature: int, epic: int, clock_zero: float, deadline: float, round_number: int
    ) -> list[Move]:
        page = f"{self.base}/?open=e{epic},f{feature}"
        moves = []
        while time.perf_counter() < deadline:
            item, anchor = self.rng.sample(list(ids), 2)
            place = self.rng.choice(("after", "before"))
            data = {"item": item, place: anchor, "list": f"f{feature}", "from_list": f"f{feature}"}
            sent = time.perf_counter() - clock_zero
            status, _ = self.request(
                "contention: move", "POST", f"{self.base}/stories/move/", htmx_from=page, data=data, refused=(409,)
            )
            received = time.perf_counter() - clock_zero if status else math.inf
            outcome = "moved" if status == 200 else "refused" if status == 409 else "error"
            moves.append(Move(item, anchor, place, sent, received, outcome, user=self.person.index, round=round_number))
        return moves


# Relative weights of the mixed workload's actions (an edit is two requests: open the editor, save).
ACTIONS: tuple[tuple[str, int], ...] = (
    ("tree", 12),
    ("open_feature", 12),
    ("board", 10),
    ("story", 22),
    ("edit", 10),
    ("move", 10),
    ("api_list", 24),
)


def run_users(users: Sequence[User], work: Callable[[User], Any]) -> list[Any]:
    """`work(user)` in one thread per user, started together; their results in user order."""
    results: list[Any] = [None] * len(users)
    failures: list[BaseException] = []
    start = threading.Barrier(len(users))

    def body(index: int, user: User) -> None:
        try:
            start.wait()
            results[index] = work(user)
        except BaseException as exc:  # reported after the join: a crashed client thread voids the run
            failures.append(exc)

    threads = [threading.Thread(target=body, args=(i, u), daemon=True) for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} client threads crashed: {failures[0]!r}") from failures[0]
    return results


def mixed(users: Sequence[User], duration: float, think: float) -> dict[str, Any]:
    names, weights = zip(*ACTIONS, strict=True)

    def work(user: User) -> None:
        deadline = time.perf_counter() + duration
        while time.perf_counter() < deadline:
            getattr(user, user.rng.choices(names, weights)[0])()
            if think > 0:
                time.sleep(user.rng.uniform(0, 2 * think))

    # Warm-up, not measured: every user does every action once (connections, caches, first templates).
    run_users(users, lambda user: [getattr(user, name)() for name in names])
    for user in users:
        user.samples.clear()
    started = time.perf_counter()
    run_users(users, work)
    elapsed = time.perf_counter() - started
    samples = [sample for user in users for sample in user.samples]
    return {"samples": samples, "stats": summarise(samples), "elapsed": elapsed}


def contention(users: Sequence[User], shape: Shape, duration: float, rounds: int) -> dict[str, Any]:
    """`rounds` rounds of duration / rounds seconds; after each, every user has had its answer and the list
    is read and checked against that round's moves (a final order can only vouch for the moves nothing
    overtook, so checking after every round checks many more of them)."""
    from django.db.models import Count

    from backlog.models import Story

    feature, epic = shape.contention_feature, shape.contention_epic
    listed = Story.objects.filter(feature_id=feature).order_by("rank")
    initial = list(listed.values_list("pk", flat=True))
    rank_length_before = max(len(rank) for rank in listed.values_list("rank", flat=True))
    for user in users:
        user.samples.clear()
    check, moves, ranks_ok, order, active = MoveCheck(), [], True, initial, 0.0
    clock_zero = time.perf_counter()
    for number in range(1, rounds + 1):
        started = time.perf_counter()
        deadline = started + duration / rounds
        per_user = run_users(
            users,
            partial(
                User.contend,
                ids=initial,
                feature=feature,
                epic=epic,
                clock_zero=clock_zero,
                deadline=deadline,
                round_number=number,
            ),
        )
        round_moves = [move for user_moves in per_user for move in user_moves]
        active += time.perf_counter() - started
        rows = list(listed.values_list("pk", "rank"))
        ranks = [rank for _, rank in rows]
        ranks_ok = ranks_ok and len(set(ranks)) == len(ranks) and ranks == sorted(ranks)
        final = [pk for pk, _ in rows]
        check.add(check_moves(order, final, round_moves))
        moves += round_moves
        order = final
    shared_ranks = (
        Story.objects.filter(product_id=shape.product_id).values("rank").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    samples = [sample for user in users for sample in user.samples]
    # The list as the tree shows it: the feature opened (htmx), in the tree with its epic open.
    page_url = f"/p/{shape.product_id}/backlog/features/{feature}/node/?expanded=1"
    _, page = users[0].request("final page", "GET", page_url, htmx_from=f"/p/{shape.product_id}/backlog/?open=e{epic}")
    shown = list_order(page, f"f{feature}")
    # The phase as a whole: the same stories as at its start, each once.
    whole = check_moves(initial, order, [])
    check.missing, check.extra, check.duplicates = whole.missing, whole.extra, whole.duplicates
    return {
        "feature": feature,
        "initial": initial,
        "final": order,
        "moves": moves,
        "rounds": rounds,
        "check": check,
        "ranks_ok": ranks_ok,
        "shared_ranks": shared_ranks,
        "page_matches": shown == order,
        "page_count": len(shown),
        "rank_length": (rank_length_before, max(len(rank) for rank in listed.values_list("rank", flat=True))),
        "stats": summarise(samples),
        "errors": [s.note for s in samples if s.outcome == "error"],
        "elapsed": active,
    }


def contention_ok(result: dict[str, Any]) -> bool:
    return (
        result["check"].ok
        and result["ranks_ok"]
        and result["shared_ranks"] == 0
        and result["page_matches"]
        and not result["errors"]
    )


# --- Run -----------------------------------------------------------------------------------------------


def queued_tasks() -> int:
    """Messages waiting on the broker's default queue (Celery's Redis transport keeps a list per queue)."""
    import redis

    return int(redis.Redis.from_url(REDIS_URL).llen("celery"))


def run(args: argparse.Namespace) -> dict[str, Any]:
    env = api.bench_environment(args.database, args.host)
    env["REDIS_URL"] = REDIS_URL
    os.environ.update(env)
    api.ensure_database(args.database, args.host)

    import django

    django.setup()
    from django.core.management import call_command

    load_before = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    call_command("migrate", verbosity=0, interactive=False)
    ui.collect_static()
    target = api.ensure_data([args.stories])[0]
    shape = product_shape(target.product_id, args.seed)
    print(
        f"Product {target.product_id} ({target.stories:,} stories); contended list: feature {shape.contention_feature}"
    )
    people = make_people(args.users)
    queued_before = queued_tasks()
    result: dict[str, Any] = {"load_before": load_before, "stories": target.stories, "args": args}
    try:
        with api.Server(
            "tpm_workspace.wsgi:application", env, workers=args.workers, worker_class=args.worker_class
        ) as server:
            sign_in_all(server.port, people)
            users = [User(p, server.port, shape, random.Random(args.seed * 1000 + p.index)) for p in people]
            print(f"{len(users)} users signed in (sign-in form, session cookie) with a personal API token each")
            try:
                if "mixed" in args.phases:
                    print(f"Mixed workload: {args.duration:g} s, think {args.think:g} s on average", flush=True)
                    result["mixed"] = mixed(users, args.duration, args.think)
                    print_mixed(result["mixed"])
                if "contention" in args.phases:
                    print(f"Rank contention: {args.contention_duration:g} s on one list", flush=True)
                    rounds = max(1, round(args.contention_duration / args.round_seconds))
                    result["contention"] = contention(users, shape, args.contention_duration, rounds)
                    print_contention(result["contention"])
            finally:
                for user in users:
                    user.close()
    finally:
        retire_people(people)
    result["queued_tasks"] = queued_tasks() - queued_before
    result["load_after"] = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    if args.moves_log and "contention" in result:
        write_moves(Path(args.moves_log), result["contention"]["moves"])
    return result


def write_moves(path: Path, moves: Sequence[Move]) -> None:
    lines = ["round\tuser\titem\tplace\tanchor\tsent_s\treceived_s\toutcome"]
    lines += [
        f"{m.round}\t{m.user}\t{m.item}\t{m.place}\t{m.anchor}\t{m.sent:.6f}\t{m.received:.6f}\t{m.outcome}"
        for m in moves
    ]
    path.write_text("\n".join(lines) + "\n")
    print(f"Wrote every contention move to {path}")


# --- Report -----------------------------------------------------------------------------------------------


def stats_table(stats: dict[str, Stats], elapsed: float) -> str:
    lines = [
        "| request | count | per s | p50 ms | p95 ms | p99 ms | refused (409) | errors | statuses |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    order = [
        "backlog tree",
        "tree: open a feature",
        "kanban board",
        "story page",
        "edit: open the editor",
        "edit: save",
        "rank: move",
        "API: story list",
        "contention: move",
    ]
    kinds = sorted(stats, key=lambda kind: order.index(kind) if kind in order else len(order))
    for kind in kinds:
        s = stats[kind]
        statuses = ", ".join(f"{status or 'none'}: {n}" for status, n in s.statuses.items())
        lines.append(
            f"| {kind} | {s.count:,} | {s.count / elapsed:.1f} | {api.fmt(s.p50)} | {api.fmt(s.p95)} | "
            f"{api.fmt(s.p99)} | {s.refused} | {s.errors} | {statuses} |"
        )
    total = sum(s.count for s in stats.values())
    lines.append(
        f"| **all** | {total:,} | {total / elapsed:.1f} | | | | {sum(s.refused for s in stats.values())} "
        f"| {sum(s.errors for s in stats.values())} | |"
    )
    return "\n".join(lines)


def print_mixed(result: dict[str, Any]) -> None:
    print(stats_table(result["stats"], result["elapsed"]))
    errors = [s.note for s in result["samples"] if s.outcome == "error"]
    print(f"errors: {len(errors)}")
    for note in errors[:10]:
        print(f"  {note}")


def contention_lines(result: dict[str, Any]) -> list[str]:
    check: MoveCheck = result["check"]
    moves: list[Move] = result["moves"]
    counts = {outcome: sum(m.outcome == outcome for m in moves) for outcome in ("moved", "refused", "error")}
    yes = {True: "yes", False: "NO"}
    lines = [
        f"- moves tried: {len(moves):,} in {result['elapsed']:.1f} s ({len(moves) / result['elapsed']:.1f} per s) "
        f"on the {len(result['initial'])} stories of feature {result['feature']}",
        f"- succeeded (200): {counts['moved']:,}; refused (409, in words): {counts['refused']:,}; "
        f"errors (other status or no answer): {counts['error']:,}",
        f"- total order: same {len(result['final'])} stories, each once: "
        f"{yes[not (check.missing or check.extra or check.duplicates)]}; ranks unique and sorted after every round: "
        f"{yes[result['ranks_ok']]}; stories of the product sharing a rank: "
        f"{result['shared_ranks']}; the tree page shows the same order ({result['page_count']} rows): "
        f"{yes[result['page_matches']]}",
        f"- successful moves reflected: order checked for {check.order_checked:,} moves, adjacency for "
        f"{check.adjacency_checked:,} (the others were overtaken by a possibly later move of the same stories); "
        f"violations: {len(check.violations)}",
        f"- longest rank in the list: {result['rank_length'][0]} characters before, {result['rank_length'][1]} after",
        f"- verdict: {'PASS' if contention_ok(result) else 'FAIL'}",
    ]
    lines += [f"  - {violation}" for violation in check.violations[:10]]
    lines += [f"  - error: {note}" for note in result["errors"][:10]]
    return lines


def print_contention(result: dict[str, Any]) -> None:
    print(stats_table(result["stats"], result["elapsed"]))
    print("\n".join(contention_lines(result)))


def versions() -> dict[str, str]:
    from importlib.metadata import version

    import redis

    info = redis.Redis.from_url(REDIS_URL).info("server")
    return {
        "gunicorn": version("gunicorn"),
        "httpx": version("httpx"),
        "redis": str(info.get("redis_version", "?")),
        "kernel": platform.release(),
    }


def memory_gb() -> str:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    return "unknown"


def section(result: dict[str, Any]) -> str:
    args = result["args"]
    info = api.machine()
    more = versions()
    now = datetime.now(UTC)
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    short = args.users < 20 or args.duration < 60 or args.contention_duration < 30
    parts = [
        "## Load",
        "",
        *(
            [
                "**A short run to check the tool, not the reference figures**: those come from "
                "`.venv/bin/python bench/load.py` (20 users, 60 s mixed, 30 s contention) on a quiet machine.",
                "",
            ]
            if short
            else []
        ),
        f"Written by `bench/load.py` on {now:%Y-%m-%d %H:%M} UTC (commit {git.strip() or '?'}), "
        f"`--users {args.users} --duration {args.duration:g} --contention-duration {args.contention_duration:g} "
        f"--think {args.think:g}`.",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {memory_gb()} RAM, Linux {more['kernel']}; PostgreSQL "
        f"{info['postgresql']}, Redis {more['redis']}, Python {info['python']}, Django {info['django']}, gunicorn "
        f"{more['gunicorn']}, httpx {more['httpx']}. Load average (1 / 5 / 15 min) at the start: "
        f"{result['load_before']}, at the end: {result['load_after']}. The clients run on the same machine as the "
        "server and the database (other work on the machine inflates the figures).",
        "",
        f"Server: gunicorn, {args.workers} workers, `{args.worker_class}` worker (one request at a time each), "
        "DEBUG=0, DB_CONN_MAX_AGE=600, cache, API throttling and Celery broker on Redis. Data: `seed_scale`, "
        f"{result['stories']:,} stories, 2,000 features, 200 epics. Each user is a contributor signed in through "
        "the sign-in form (session cookie, CSRF token) with a personal API token, on one keep-alive connection. "
        "Latency is measured by the client, from sending the request to the end of the body. Refused (409) "
        "answers are the app refusing a concurrent edit or move in words; errors are anything else (the goal is "
        f"0). Celery tasks queued by the run: {result['queued_tasks']} (none expected, so no worker runs).",
    ]
    if "mixed" in result:
        mixed_result = result["mixed"]
        parts += [
            "",
            f"### Mixed workload: {args.users} users, {mixed_result['elapsed']:.0f} s",
            "",
            f"Each user picks an action at random and pauses {args.think:g} s on average (0 … {2 * args.think:g} s) "
            "between actions: the tree's first screen, opening a feature in the tree, the board, a story's page, "
            "editing a story's points / priority / assignee in the field editor (open it, save it with its "
            "version), ranking a story among its siblings (the move endpoint), the API story list (by status or "
            f"feature, 50 a page). Weights: {', '.join(f'{name} {weight}' for name, weight in ACTIONS)}.",
            "",
            stats_table(mixed_result["stats"], mixed_result["elapsed"]),
        ]
    if "contention" in result:
        contended = result["contention"]
        parts += [
            "",
            f"### Rank contention: {args.users} users on one list, {contended['elapsed']:.0f} s",
            "",
            "Every user moves a random story of the same feature after or before another random story of it "
            f"through the tree's move endpoint, with no pause, in {contended['rounds']} rounds of "
            f"{args.contention_duration / contended['rounds']:g} s (the list is read and checked after each; a "
            "round ends when every user has its last answer, so the phase lasts a little longer than "
            "`--contention-duration`). The checks are described in bench/load.py (`check_moves`).",
            "",
            stats_table(contended["stats"], contended["elapsed"]),
            "",
            *contention_lines(contended),
        ]
    # Prose wrapped as the other sections are; tables and lists stay one line per row.
    wrapped = [
        part
        if part.startswith(("|", "-", "#", " "))
        else textwrap.fill(part, 110, break_on_hyphens=False, break_long_words=False)
        for part in parts
    ]
    return "\n".join(wrapped) + "\n"


def write_results(path: Path, text: str) -> None:
    """Replace the file's "## Load" section (up to the next "## " heading), or append it."""
    current = path.read_text() if path.exists() else ""
    start = current.find("\n## Load\n")
    if start < 0:
        updated = current.rstrip("\n") + "\n\n" + text
    else:
        following = current.find("\n## ", start + 1)
        rest = current[following:] if following >= 0 else ""
        updated = current[: start + 1] + text + rest
    path.write_text(updated)
    print(f"Wrote the Load section of {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20, help="Concurrent signed-in users")
    parser.add_argument("--duration", type=float, default=60, help="Seconds of the mixed workload")
    parser.add_argument(
        "--contention-duration", type=float, default=None, help="Seconds of the rank contention (default: half)"
    )
    parser.add_argument("--think", type=float, default=0.5, help="Mean pause between a user's actions (mixed), s")
    parser.add_argument(
        "--round-seconds", type=float, default=5, help="Contention: check the list after every round of this length"
    )
    parser.add_argument("--phases", default="mixed,contention", help="Which phases: mixed, contention")
    parser.add_argument("--stories", type=int, default=100_000, help="Stories of the seeded product")
    parser.add_argument("--seed", type=int, default=1, help="Random seed of the users' choices")
    parser.add_argument("--database", default="tpm_load")
    parser.add_argument("--host", default="127.0.0.1:5432", help="PostgreSQL host:port (user postgres)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--no-write", action="store_true", help="Do not write bench/RESULTS.md")
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--moves-log", default="", help="Write every contention move to this file (TSV)")
    args = parser.parse_args()
    if args.contention_duration is None:
        args.contention_duration = args.duration / 2
    args.phases = [phase.strip() for phase in args.phases.split(",") if phase.strip()]
    if not set(args.phases) <= {"mixed", "contention"} or args.users < 1:
        parser.error("--phases takes mixed and/or contention; --users at least 1")
    os.chdir(ROOT)
    result = run(args)
    errors = sum(s.errors for s in result["mixed"]["stats"].values()) if "mixed" in result else 0
    ok = errors == 0 and ("contention" not in result or contention_ok(result["contention"]))
    if result["queued_tasks"]:
        print(f"WARNING: the run queued {result['queued_tasks']} Celery tasks and no worker ran them")
    if not args.no_write:
        write_results(Path(args.output), section(result))
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
