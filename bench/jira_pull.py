"""Jira pull benchmark (issue 5, Performance): the engine's pull against the stand-in Jira over real HTTP.

    .venv/bin/python bench/jira_pull.py                       # 2,000 and 10,000 issues, 150 ms latency run
    .venv/bin/python bench/jira_pull.py --latency-issues 2000 --no-write
    .venv/bin/python bench/jira_pull.py --profile             # cProfile of a 2,000-issue import as well

What it does:
1. creates the database `tpm_jirabench` if missing and migrates it (DEBUG=0: no query log growing with the
   run; no Redis: nothing is queued, the pull is called as the Celery task and `manage.py jira_sync` call it);
2. starts the stand-in Jira Cloud (jira_sync/testing, Epic → Feature → Story hierarchy) in a child process,
   so that its work (rendering pages, checking every answer against Atlassian's OpenAPI spec) does not share
   the bench's interpreter lock, with two projects: J2K (2,000 issues) and J10K (10,000): 1 % epics, 9 %
   features under them, 90 % stories under the features, each with an ADF description, labels and points,
   `updated` 30 s apart and ending an hour ago;
3. per scenario, a fresh workspace, product, connection (tested, as the UI does) and mapping of the project;
4. (a) first import of 2,000 and of 10,000 issues: issues/s and the peak RSS above the start of the run,
   sampled every 20 ms ("flat memory": the same peak for 2,000 and 10,000);
   (b) then an incremental pull with nothing changed: the search requests it made (stand-in request log);
   (c) with 150 ms added to every answer: a first import and an incremental pull, total time against
   search pages × 150 ms, and the stand-in alone paging the import's searches (nothing applied) for comparison;
5. prints a table and writes bench/RESULTS-jira.md with the machine and the date.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing as mp
import os
import platform
import pstats
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATABASE = "tpm_jirabench"
GOAL_RATE = 500.0
GOAL_INCREMENTAL_SEARCHES = 1
GOAL_LATENCY_RATIO = 1.3
LATENCY = 0.150
SEARCH_PATH = "/rest/api/3/search/jql"


# --- the stand-in, in its own process -----------------------------------------------------------------------


def _describe(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": text}]},
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "acceptance"}]}],
                    }
                ],
            },
        ],
    }


def _fill(state: Any, key: str, count: int, newest: datetime) -> None:
    """`count` issues in project `key`: epics, features under them, stories under the features."""
    state.add_project(key, f"Bench {key}")
    epics_n = max(1, count // 100)
    features_n = max(1, count * 9 // 100)
    stories_n = count - epics_n - features_n
    moment = newest - timedelta(seconds=30 * count)
    epics, features = [], []

    def at() -> datetime:
        nonlocal moment
        moment += timedelta(seconds=30)
        return moment

    for i in range(epics_n):
        epics.append(state.create_issue(key, "Epic", f"Epic {i}", description=_describe(f"Epic {i}"), at=at()))
    for i in range(features_n):
        features.append(
            state.create_issue(key, "Feature", f"Feature {i}", parent=epics[i % epics_n], labels=["bench"], at=at())
        )
    for i in range(stories_n):
        state.create_issue(
            key,
            "Story",
            f"Story {i}",
            parent=features[i % features_n],
            description=_describe(f"As a user I want story {i}."),
            labels=["bench", f"l{i % 7}"],
            story_points=float(i % 8 + 1),
            at=at(),
        )


def stand_in_main(pipe: Any, projects: dict[str, int]) -> None:
    from jira_sync.testing.stand_in import StandInJira

    stand_in = StandInJira("cloud", hierarchy="feature-between")
    newest = datetime.now(UTC) - timedelta(hours=1)
    for key, count in projects.items():
        _fill(stand_in.state, key, count, newest)
    stand_in.start()
    pipe.send({"url": stand_in.url, "email": stand_in.email, "token": stand_in.api_token})
    while True:
        command, *args = pipe.recv()
        if command == "latency":
            stand_in.latency = float(args[0])
            pipe.send(True)
        elif command == "mark":
            pipe.send(len(stand_in.requests))
        elif command == "since":
            pipe.send([(r.method, r.path) for r in stand_in.requests[args[0] :]])
        elif command == "violations":
            pipe.send([str(v) for v in stand_in.violations])
        elif command == "stop":
            stand_in.stop()
            pipe.send(True)
            return


class StandIn:
    def __init__(self, projects: dict[str, int]) -> None:
        context = mp.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=stand_in_main, args=(child, projects), daemon=True)
        self.process.start()
        self.info = self.pipe.recv()

    def ask(self, *command: Any) -> Any:
        self.pipe.send(command)
        return self.pipe.recv()

    def stop(self) -> None:
        self.ask("stop")
        self.process.join(timeout=10)


# --- Django side -----------------------------------------------------------------------------------------------


def setup_django(host: str) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@{host}/{DATABASE}"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "jira-bench-only-secret-key-long-enough-for-django-checks-0123456789")
    os.environ["REDIS_URL"] = ""
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tpm_workspace.settings")
    import django

    django.setup()


class RssSampler:
    """The process's peak resident memory while a block runs, sampled every 20 ms from /proc."""

    def __init__(self) -> None:
        self.start = self.peak = self.read()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def read() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.read())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.read())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 2**20


@dataclass
class Result:
    label: str
    issues: int
    seconds: float
    searches: int
    requests: int
    pages: int
    created: int
    errors: int
    status: str
    rss_growth_mb: float | None = None
    other_requests: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return self.issues / self.seconds if self.seconds else 0.0


def make_mapping(stand_in: StandIn, project_key: str, label: str) -> Any:
    from backlog.services import product_create
    from jira_sync.services.connections import connection_create, connection_test
    from jira_sync.services.mappings import mapping_create
    from workspaces.models import Workspace

    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    workspace = Workspace.objects.create(name=f"Jira bench {label} {stamp}", slug=f"jira-bench-{stamp}")
    product = product_create(workspace=workspace, name="Bench", key="JB")
    connection, _ = connection_create(
        workspace=workspace,
        actor=None,
        site_url=stand_in.info["url"],
        deployment="cloud",
        email=stand_in.info["email"],
        token=stand_in.info["token"],
    )
    report = connection_test(connection=connection, project_key=project_key)
    if not report.ok:
        raise SystemExit(f"the stand-in refused the connection: {report.problems}")
    return mapping_create(connection=connection, product=product, actor=None, project_key=project_key)


def pull(stand_in: StandIn, mapping_id: int, label: str, issues: int, *, sample: bool = True) -> Result:
    from jira_sync.tasks import run_mapping

    mark = stand_in.ask("mark")
    sampler = RssSampler()
    started = time.perf_counter()
    if sample:
        with sampler:
            run, _ = run_mapping(mapping_id, full=False)
    else:
        run, _ = run_mapping(mapping_id, full=False)
    seconds = time.perf_counter() - started
    requests = stand_in.ask("since", mark)
    searches = sum(1 for method, path in requests if path == SEARCH_PATH)
    others = Counter(f"{method} {path}" for method, path in requests if path != SEARCH_PATH)
    return Result(
        label=label,
        issues=issues,
        seconds=seconds,
        searches=searches,
        requests=len(requests),
        pages=run.pages,
        created=run.created,
        errors=run.errors,
        status=run.status,
        rss_growth_mb=sampler.growth_mb if sample else None,
        other_requests=others,
    )


def fetch_only(stand_in: StandIn, mapping_id: int, issues: int) -> Result:
    """The floor: page through the pull's searches with the pull's client, applying nothing."""
    from jira_sync.services.pull import PAGE_SIZE, context_for, load_mapping, queries

    mapping = load_mapping(mapping_id)
    ctx = context_for(mapping)
    mark = stand_in.ask("mark")
    started = time.perf_counter()
    pages = seen = 0
    for jql in queries(mapping):
        for page in ctx.client.search_pages(jql, fields=ctx.search_fields(), max_results=PAGE_SIZE):
            pages += 1
            seen += len(page.issues)
    seconds = time.perf_counter() - started
    ctx.client.close()
    requests = stand_in.ask("since", mark)
    searches = sum(1 for _, path in requests if path == SEARCH_PATH)
    return Result("stand-in alone with latency", seen, seconds, searches, len(requests), pages, 0, 0, "—")


def profile_import(stand_in: StandIn, key: str, issues: int) -> str:
    mapping = make_mapping(stand_in, key, "profile")
    profiler = cProfile.Profile()
    from jira_sync.tasks import run_mapping

    profiler.enable()
    run_mapping(mapping.pk, full=False)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(35)
    return out.getvalue()


# --- report ---------------------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    from django import get_version
    from django.db import connection

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    return {
        "cpu": cpu,
        "nproc": str(os.cpu_count()),
        "load": " / ".join(f"{v:.2f}" for v in os.getloadavg()),
        "python": platform.python_version(),
        "django": get_version(),
        "postgresql": pg,
    }


ANALYSIS = """
## How the pull reaches these figures

- **New issues are created a page at a time** (`jira_sync.services.batch.create_fresh` →
  `backlog.imports.items_import`): one query reads the page's links, one the parents it names, then per kind
  one transaction holding the issues' advisory locks reserves the numbers in one UPDATE, counts the ranks on
  in memory, and inserts the items, their history rows, label links, outbox events and Jira links in bulk.
  Issues already linked go through the per-issue merge (`apply.upsert_issue`) as before; an issue linked by
  a webhook in the meantime is handed back to it.
- **Lookups are cached for the run** (`fields.SyncContext`): workflow statuses, members by e-mail, and the
  epics and features linked so far (stories are never parents, so memory stays flat).
- **The next page is read while this one is applied** (`jira_sync.jira.prefetch.read_ahead`, a thread that
  only does HTTP), and the import's approximate count is asked alongside: with latency the run costs about
  the chain of search round trips, which cannot overlap (each page's token comes with the previous page).
- **The stand-in's own time counts against the goal**: each round trip is 150 ms plus its work (rendering
  the page and checking the answer against the OpenAPI spec). It keeps a search's result until the next
  write, as Jira's index does, so a page costs a page rather than a scan of the project. The "stand-in
  alone" row pages through the same searches with the same client and applies nothing: the difference to
  "import with latency" is what the pull itself adds.
"""


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def render(results: dict[str, Result], profile: str | None, info: dict[str, str], latency: float) -> str:
    lines = [
        "# Jira pull benchmark (`bench/jira_pull.py`)",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {info['cpu']} ({info['nproc']} cores, load {info['load']}),",
        f"Python {info['python']}, Django {info['django']}, PostgreSQL {info['postgresql']}.",
        "The stand-in Jira Cloud runs in its own process on 127.0.0.1 (real HTTP, every answer checked against",
        "Atlassian's OpenAPI spec); the pull is `jira_sync.tasks.run_mapping`, as the Celery task runs it.",
        "",
        "| scenario | issues | time | issues/s | search requests | other requests | pages | created | errors "
        "| peak RSS growth |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results.values():
        rss = f"{r.rss_growth_mb:.1f} MB" if r.rss_growth_mb is not None else "—"
        lines.append(
            f"| {r.label} | {r.issues:,} | {r.seconds:.2f} s | {r.rate:,.0f} | {r.searches} | "
            f"{r.requests - r.searches} | {r.pages} | {r.created:,} | {r.errors} | {rss} |"
        )
    lines += ["", "## Goals (issue 5)", ""]
    big = results.get("import 10k")
    small = results.get("import 2k")
    if big:
        lines.append(
            f"- First import of 10,000 issues ≥ {GOAL_RATE:.0f} issues/s: **{big.rate:,.0f}/s** — "
            f"{verdict(big.rate >= GOAL_RATE)}."
        )
    if big and small and big.rss_growth_mb is not None and small.rss_growth_mb is not None:
        flat = big.rss_growth_mb <= small.rss_growth_mb * 1.25 + 5
        lines.append(
            f"- Flat memory: peak RSS growth {small.rss_growth_mb:.1f} MB at 2,000 issues, "
            f"{big.rss_growth_mb:.1f} MB at 10,000 — {verdict(flat)} (flat: within 25 % + 5 MB)."
        )
    incremental = results.get("incremental, nothing changed")
    if incremental:
        lines.append(
            f"- Incremental pull with nothing changed: **{incremental.searches} search request(s)** per mapping "
            f"(goal {GOAL_INCREMENTAL_SEARCHES}) — {verdict(incremental.searches <= GOAL_INCREMENTAL_SEARCHES)}; "
            f"{incremental.requests - incremental.searches} other request(s)."
        )
    for name in ("import with latency", "incremental with latency", "stand-in alone with latency"):
        r = results.get(name)
        if r and name == "stand-in alone with latency":
            floor = r.searches * latency
            lines.append(
                f"- For comparison, the stand-in alone (the same searches, nothing applied): {r.seconds:.2f} s for "
                f"{r.searches} page(s) → {r.seconds / floor:.2f}× pages × {latency * 1000:.0f} ms"
                + (
                    f"; the import with latency adds {results['import with latency'].seconds - r.seconds:.2f} s to it."
                    if "import with latency" in results
                    else "."
                )
            )
        elif r:
            floor = r.searches * latency
            ratio = r.seconds / floor if floor else float("inf")
            lines.append(
                f"- {name.capitalize()} ({latency * 1000:.0f} ms per request): {r.seconds:.2f} s for {r.searches} "
                f"search page(s) → {ratio:.2f}× pages × {latency * 1000:.0f} ms (goal ≤ {GOAL_LATENCY_RATIO}×) — "
                f"{verdict(ratio <= GOAL_LATENCY_RATIO)}; other requests: "
                + (", ".join(f"{k} ×{v}" for k, v in r.other_requests.items()) or "none")
                + "."
            )
    lines += [
        "",
        "Memory: peak RSS above the start of the run, sampled every 20 ms. The machine is shared: the load above",
        "is other work running at the same time, so the rates are indicative (±20 %).",
    ]
    lines.append(ANALYSIS.rstrip())
    if profile:
        lines += ["", "## Profile of a 2,000-issue import (cProfile)", "", "```", profile.strip(), "```"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1:5432")
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--latency-issues", type=int, default=10_000, help="issues of the latency import")
    parser.add_argument("--profile", action="store_true", help="also profile a 2,000-issue import")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS-jira.md alone")
    args = parser.parse_args()

    setup_django(args.host)
    from bench.api import ensure_database

    ensure_database(DATABASE, args.host)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    projects = {"J2K": args.small, "J10K": args.large}
    if args.latency_issues not in (args.small, args.large):
        projects["JLAT"] = args.latency_issues
    latency_key = next(k for k, v in projects.items() if v == args.latency_issues)
    print(f"Starting the stand-in with {sum(projects.values()):,} issues …", flush=True)
    stand_in = StandIn(projects)
    results: dict[str, Result] = {}
    profile = None
    try:
        for key, label in (("J2K", "import 2k"), ("J10K", "import 10k")):
            mapping = make_mapping(stand_in, key, label)
            results[label] = pull(stand_in, mapping.pk, label, projects[key])
            print(f"{label}: {results[label].rate:,.0f} issues/s", flush=True)
            if key == "J10K":
                results["incremental, nothing changed"] = pull(
                    stand_in, mapping.pk, "incremental, nothing changed", 0, sample=False
                )
        stand_in.ask("latency", LATENCY)
        mapping = make_mapping(stand_in, latency_key, "latency")
        results["stand-in alone with latency"] = fetch_only(stand_in, mapping.pk, projects[latency_key])
        results["import with latency"] = pull(
            stand_in, mapping.pk, "import with latency", projects[latency_key], sample=False
        )
        results["incremental with latency"] = pull(stand_in, mapping.pk, "incremental with latency", 0, sample=False)
        stand_in.ask("latency", 0)
        big = results["import 10k"]
        if args.profile or big.rate < GOAL_RATE:
            print("Profiling a 2,000-issue import …", flush=True)
            profile = profile_import(stand_in, "J2K", projects["J2K"])
        violations = stand_in.ask("violations")
        if violations:
            print("Stand-in contract violations:\n  " + "\n  ".join(violations[:20]), flush=True)
    finally:
        stand_in.stop()
    report = render(results, profile, machine(), LATENCY)
    print(report)
    if not args.no_write:
        (ROOT / "bench" / "RESULTS-jira.md").write_text(report)
        print("Wrote bench/RESULTS-jira.md")


if __name__ == "__main__":
    main()
