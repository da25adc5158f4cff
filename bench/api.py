"""API latency benchmark: the app under gunicorn against PostgreSQL, side by side with a raw floor.

    .venv/bin/python bench/api.py                       # 1k, 10k and 100k stories, 300 requests each
    .venv/bin/python bench/api.py --sizes 1000 --requests 100 --no-write

What it does:
1. creates the database (default `tpm_bench`) if missing and migrates it;
2. seeds one product per size with `manage.py seed_scale` (keys B1K, B10K, B100K, in the workspace
   "Scale Co"; 50 stories per feature and 500 per epic, the shape of the 100k / 2k / 200 goal), reusing
   a product that is already there;
3. creates an API token for the `scale` user (revoked at the end);
4. starts the app (tpm_workspace.wsgi) and the floor (bench/floor_app.py) under the same gunicorn
   settings: 2 workers, gthread (the sync worker ignores keep-alive), persistent database connections
   (DB_CONN_MAX_AGE=600);
5. per server, size and endpoint: a warm-up, then sequential requests on one keep-alive connection per
   server, every series taking turns in rounds (so that the machine's load, which other work changes,
   weighs on all of them alike); p50 / p95; and, in this process, the SQL queries one request makes;
6. prints a table and writes bench/RESULTS.md with the machine and the date.

Measured: the story list (`/api/v1/stories/?product=&status=&page_size=100`, the "To do" status: the
largest), a story detail (with labels and acceptance criteria), and the roadmap with its roll-up
(`/api/v1/roadmap-items/?roadmap=`, the product roadmap), reported missing when the route is not there.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import platform
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
GOAL_LIST_P50_MS = 15.0
GOAL_DETAIL_P50_MS = 6.0
GOAL_GROWTH = 0.20


def bench_environment(database: str, host: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tpm_workspace.settings",
        DATABASE_URL=f"postgres://postgres@{host}/{database}",
        DEBUG="0",
        SECRET_KEY=env.get("BENCH_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0000"),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        REDIS_URL="redis://127.0.0.1:6379/9",
        DB_CONN_MAX_AGE="600",
        # Throttling stays on (its Redis round trips are part of every request), with room for the bench.
        API_RATE_PER_TOKEN="1000000/minute",
        LOG_LEVEL="WARNING",
        PYTHONWARNINGS="ignore:No directory at",
        PYTHONPATH=str(ROOT),
    )
    return env


def size_label(size: int) -> str:
    return f"{size // 1000}K" if size % 1000 == 0 and size >= 1000 else str(size)


# --- Database, data, token --------------------------------------------------------------------------


def ensure_database(database: str, host: str) -> None:
    import psycopg2

    conn = psycopg2.connect(f"postgres://postgres@{host}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        if cur.fetchone() is None:
            print(f"Creating database {database}")
            cur.execute(f'CREATE DATABASE "{database}"')
    conn.close()


@dataclass
class Target:
    size: int
    product_id: int
    status_id: int
    story_id: int
    roadmap_id: int | None
    stories: int


def ensure_data(sizes: list[int]) -> list[Target]:
    """One product per size, seeded once and reused; the ids each request needs."""
    from django.core.management import call_command

    from backlog.models import Story, WorkflowStatus
    from demo.scale import WORKSPACE_SLUG
    from roadmap.models import Roadmap
    from workspaces.models import Product

    targets = []
    for size in sizes:
        key = f"B{size_label(size)}"
        product = Product.objects.filter(workspace__slug=WORKSPACE_SLUG, key=key).first()
        count = Story.objects.filter(product=product).count() if product else 0
        if product is None or count != size:
            print(f"Seeding {key}: {size:,} stories")
            call_command(
                "seed_scale",
                stories=size,
                features=max(1, size // 50),
                epics=max(1, size // 500),
                product_key=key,
                replace=product is not None,
            )
            product = Product.objects.get(workspace__slug=WORKSPACE_SLUG, key=key)
            count = size
        status = WorkflowStatus.objects.get(product=product, name="To do")
        stories = Story.objects.filter(product=product, labels__isnull=False, acceptance_criteria__isnull=False)
        story_ids = list(stories.order_by("number").values_list("pk", flat=True).distinct())
        roadmap = Roadmap.objects.filter(product=product, kind=Roadmap.Kind.PRODUCT).first()
        targets.append(
            Target(
                size=size,
                product_id=product.pk,
                status_id=status.pk,
                story_id=story_ids[len(story_ids) // 2],
                roadmap_id=roadmap.pk if roadmap else None,
                stories=count,
            )
        )
    return targets


def create_token() -> tuple[Any, str]:
    from django.contrib.auth import get_user_model

    from demo.scale import USERNAME
    from workspaces.services import api_token_create

    user = get_user_model().objects.get(username=USERNAME)
    return api_token_create(user=user, name=f"bench {datetime.now(UTC):%Y-%m-%d %H:%M:%S.%f}")


def revoke_token(token: Any) -> None:
    from workspaces.services import api_token_revoke

    api_token_revoke(token=token, actor=token.user)


# --- Servers ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with the bench settings; started and stopped by its own pid."""

    def __init__(self, app: str, env: dict[str, str], *, workers: int, worker_class: str) -> None:
        self.port = free_port()
        self.command = [
            str(VENV_BIN / "gunicorn"),
            app,
            "--chdir",
            str(ROOT),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            "1",
            "--keep-alive",
            "75",
            "--log-level",
            "warning",
        ]
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: {' '.join(self.command)}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start within 30 s")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- Measuring --------------------------------------------------------------------------------------


@dataclass
class Measure:
    status: int = 0
    p50: float | None = None
    p95: float | None = None
    mean: float | None = None
    rows: int | None = None
    queries: int | None = None
    note: str = ""
    body: Any = field(default=None, repr=False)


def percentile(sorted_ms: list[float], fraction: float) -> float:
    return sorted_ms[max(0, math.ceil(fraction * len(sorted_ms)) - 1)]


def get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def measure(
    jobs: dict[tuple[str, str, int], tuple[int, str]],
    headers: dict[str, str],
    *,
    requests: int,
    warmup: int,
    rounds: int,
) -> dict[tuple[str, str, int], Measure]:
    """p50 / p95 of every job (server port, path), sequential requests on one keep-alive connection per server.

    The jobs take turns, `rounds` times `requests / rounds` requests each, so that a change in the
    machine's load during the run weighs on every size and on the app and the floor alike.
    """
    conns = {port: http.client.HTTPConnection("127.0.0.1", port, timeout=30) for port, _ in jobs.values()}
    results: dict[tuple[str, str, int], Measure] = {}
    timings: dict[tuple[str, str, int], list[float]] = {}
    try:
        for key, (port, path) in jobs.items():
            status, payload = get(conns[port], path, headers)
            results[key] = Measure(status=status)
            if status != 200:
                results[key].note = f"HTTP {status}"
                continue
            results[key].body = json.loads(payload)
            for _ in range(warmup):
                get(conns[port], path, headers)
            timings[key] = []
        per_round = max(1, requests // rounds)
        for _ in range(rounds):
            for key in timings:
                port, path = jobs[key]
                for _ in range(per_round):
                    started = time.perf_counter_ns()
                    status, _ = get(conns[port], path, headers)
                    timings[key].append((time.perf_counter_ns() - started) / 1e6)
                    if status != 200:
                        raise RuntimeError(f"{path} answered {status} during the run")
        for key, values in timings.items():
            values.sort()
            result = results[key]
            result.p50, result.p95 = percentile(values, 0.50), percentile(values, 0.95)
            result.mean = sum(values) / len(values)
        return results
    finally:
        for conn in conns.values():
            conn.close()


def count_queries(path: str, token: str) -> int | None:
    """SQL queries of one request, in this process, through Django's test client (no HTTP, same code)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get(path)  # warm caches the way a running server has them
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if os.environ.get("BENCH_SHOW_QUERIES"):
        print("\n".join(f"    {q['sql'][:160]}" for q in queries.captured_queries))
    return len(queries) if response.status_code == 200 else None


ENDPOINTS = ("story list", "story detail", "roadmap + roll-up")


def paths(target: Target) -> dict[str, str | None]:
    return {
        "story list": f"/api/v1/stories/?product={target.product_id}&status={target.status_id}&page_size=100",
        "story detail": f"/api/v1/stories/{target.story_id}/",
        "roadmap + roll-up": f"/api/v1/roadmap-items/?roadmap={target.roadmap_id}" if target.roadmap_id else None,
    }


def rows_of(body: Any) -> list[Any] | None:
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        return body["results"]
    return None


def run(args: argparse.Namespace) -> dict[str, Any]:
    host = args.host
    env = bench_environment(args.database, host)
    os.environ.update(env)
    ensure_database(args.database, host)

    import django

    django.setup()
    from django.core.management import call_command

    load_before = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    call_command("migrate", verbosity=0, interactive=False)
    targets = ensure_data(args.sizes)
    token, plain = create_token()
    headers = {"Authorization": f"Bearer {plain}", "Accept": "application/json"}
    try:
        servers = [("app", "tpm_workspace.wsgi:application")]
        if not args.no_floor:
            servers.append(("floor", "bench.floor_app:application"))
        with contextlib.ExitStack() as stack:
            ports = {
                name: stack.enter_context(Server(app, env, workers=args.workers, worker_class=args.worker_class)).port
                for name, app in servers
            }
            jobs = {
                (name, endpoint, target.size): (ports[name], path)
                for name, _ in servers
                for target in targets
                for endpoint, path in paths(target).items()
                if path is not None
            }
            print(f"Measuring {len(jobs)} series, {args.rounds} rounds of {args.requests // args.rounds} requests")
            results = measure(jobs, headers, requests=args.requests, warmup=args.warmup, rounds=args.rounds)
        for (name, endpoint, size), m in results.items():
            rows = rows_of(m.body)
            m.rows = len(rows) if rows is not None else None
            path = jobs[(name, endpoint, size)][1]
            if name == "app" and m.status == 200:
                m.queries = count_queries(path, plain)
            if m.status == 404 and name == "app" and endpoint == "roadmap + roll-up":
                m.note = "route missing (404)"
            print(f"  {name:5} {endpoint:18} {size:>7,}: {describe(m)}", flush=True)
        for target in targets:
            if target.roadmap_id is None:
                results[("app", "roadmap + roll-up", target.size)] = Measure(note="no roadmap")
        check_same_rows(results, targets)
    finally:
        revoke_token(token)
    return {"targets": targets, "results": results, "load_before": load_before}


def check_same_rows(results: dict[tuple[str, str, int], Measure], targets: list[Target]) -> None:
    """The floor must answer with the same rows as the app, or the comparison means nothing."""
    for target in targets:
        for endpoint in ENDPOINTS:
            app, floor = results.get(("app", endpoint, target.size)), results.get(("floor", endpoint, target.size))
            if not app or not floor or app.body is None or floor.body is None:
                continue
            app_rows, floor_rows = rows_of(app.body), rows_of(floor.body)
            if app_rows is None:
                app_ids, floor_ids = [app.body.get("id")], [floor.body.get("id")]
            else:
                app_ids = [row.get("id") for row in app_rows]
                floor_ids = [row.get("id") for row in floor_rows or []]
            if app_ids != floor_ids:
                floor.note = "different rows from the app!"
                print(f"WARNING: floor rows differ from the app's for {endpoint} at {target.size:,}", file=sys.stderr)


def describe(m: Measure) -> str:
    if m.p50 is None:
        return m.note or f"HTTP {m.status}"
    extra = f", {m.queries} queries" if m.queries is not None else ""
    rows = f", {m.rows} rows" if m.rows is not None else ""
    return f"p50 {m.p50:.1f} ms, p95 {m.p95:.1f} ms{rows}{extra}"


# --- Report -----------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from django import get_version
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    return {
        "load": " / ".join(f"{value:.2f}" for value in os.getloadavg()),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "postgresql": pg,
        "python": platform.python_version(),
        "django": get_version(),
    }


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def table(run_result: dict[str, Any]) -> str:
    targets: list[Target] = run_result["targets"]
    results: dict[tuple[str, str, int], Measure] = run_result["results"]
    lines = [
        "| endpoint | stories | app p50 | app p95 | floor p50 | floor p95 | rows | queries |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for endpoint in ENDPOINTS:
        for target in targets:
            app = results.get(("app", endpoint, target.size), Measure())
            floor = results.get(("floor", endpoint, target.size), Measure())
            app_p50 = fmt(app.p50) if app.p50 is not None else (app.note or "—")
            lines.append(
                f"| {endpoint} | {target.size:,} | {app_p50} | {fmt(app.p95)} | {fmt(floor.p50)} | {fmt(floor.p95)} "
                f"| {'—' if app.rows is None else app.rows} | {'—' if app.queries is None else app.queries} |"
            )
    return "\n".join(lines)


def verdict(run_result: dict[str, Any]) -> list[str]:
    targets: list[Target] = run_result["targets"]
    results: dict[tuple[str, str, int], Measure] = run_result["results"]
    lines = []
    for endpoint, goal in (("story list", GOAL_LIST_P50_MS), ("story detail", GOAL_DETAIL_P50_MS)):
        p50s = [(t.size, results.get(("app", endpoint, t.size), Measure()).p50) for t in targets]
        if any(p is None for _, p in p50s):
            lines.append(f"- {endpoint}: not measured at every size")
            continue
        worst = max(p for _, p in p50s)
        ok = worst <= goal
        text = f"- {endpoint}: p50 ≤ {goal:g} ms at every size: {'yes' if ok else 'NO'} (worst {worst:.1f} ms)"
        if len(p50s) > 1:
            smallest, largest = p50s[0][1], p50s[-1][1]
            growth = (largest - smallest) / smallest
            text += (
                f"; growth {size_label(p50s[0][0])} → {size_label(p50s[-1][0])}: {growth:+.0%} "
                f"({'within' if growth < GOAL_GROWTH else 'ABOVE'} {GOAL_GROWTH:.0%})"
            )
        lines.append(text)
    return lines


def write_results(path: Path, run_result: dict[str, Any], args: argparse.Namespace) -> None:
    info = machine()
    now = datetime.now(UTC)
    text = f"""# API benchmark results

Written by `bench/api.py` on {now:%Y-%m-%d %H:%M} UTC. Times in milliseconds, measured over HTTP on
127.0.0.1 with one keep-alive connection per server, sequential requests: {args.warmup} warm-up then
{args.requests} measured requests per row, the rows taking turns in {args.rounds} rounds (so that a change in
the machine's load weighs on every row alike).

Machine: {info["nproc"]} CPUs ({info["cpu"]}), PostgreSQL {info["postgresql"]}, Python {info["python"]},
Django {info["django"]}. Load average (1 / 5 / 15 min) at the start of the run: {run_result["load_before"]}, at
the end: {info["load"]} (other work on the machine inflates the figures).

Servers: gunicorn, {args.workers} workers, `{args.worker_class}` worker (keep-alive), DEBUG=0,
DB_CONN_MAX_AGE=600, throttling on Redis. The app authenticates with a personal API token; the floor
(bench/floor_app.py) runs one raw SQL query for the same rows and serializes them with `json` (no
authentication, no tenancy, no pagination count). "queries" counts the SQL statements one app request
makes.

{table(run_result)}

Goal: story list p50 ≤ {GOAL_LIST_P50_MS:g} ms and story detail p50 ≤ {GOAL_DETAIL_P50_MS:g} ms at every size,
neither growing by more than {GOAL_GROWTH:.0%} from the smallest to the largest product.

{chr(10).join(verdict(run_result))}
"""
    # The "## Load" section belongs to bench/load.py: kept as it is.
    previous = path.read_text() if path.exists() else ""
    load = previous.find("\n## Load\n")
    path.write_text(text + (previous[load:] if load >= 0 else ""))
    print(f"Wrote {path}")


def server_arguments(parser: argparse.ArgumentParser, *, requests: int, warmup: int) -> argparse.ArgumentParser:
    """The options every HTTP benchmark here shares: sizes, series, the database and gunicorn's settings."""
    parser.add_argument("--sizes", default="1000,10000,100000", help="Stories per product, comma-separated")
    parser.add_argument("--requests", type=int, default=requests, help="Measured requests per series")
    parser.add_argument("--warmup", type=int, default=warmup, help="Requests before measuring")
    parser.add_argument("--rounds", type=int, default=10, help="Turns the series take (load drift is shared)")
    parser.add_argument("--database", default="tpm_bench")
    parser.add_argument("--host", default="127.0.0.1:5432", help="PostgreSQL host:port (user postgres)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread")
    return parser


def main() -> None:
    parser = server_arguments(argparse.ArgumentParser(description=__doc__.split("\n\n")[0]), requests=300, warmup=50)
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="Do not write bench/RESULTS.md")
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    args.sizes = sorted(int(size) for size in args.sizes.split(","))
    # This tree's code, whatever the working directory (Celery puts the working directory on sys.path).
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    result = run(args)
    print()
    print(table(result))
    print()
    print("\n".join(verdict(result)))
    if not args.no_write:
        write_results(Path(args.output), result, args)


if __name__ == "__main__":
    main()
