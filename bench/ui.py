"""UI latency benchmark: the browser pages under gunicorn against PostgreSQL, signed in with a session cookie.

    .venv/bin/python bench/ui.py                        # 1k, 10k and 100k stories, 200 requests per page
    .venv/bin/python bench/ui.py --sizes 100000 --requests 60 --no-write

What it does, reusing bench/api.py's pieces (database, seeded products, gunicorn settings):
1. creates the database (default `tpm_bench`) if missing, migrates it, and collects the static files (the
   pages run with DEBUG=0, whose manifest storage needs them, as in production);
2. reuses or seeds one product per size with `manage.py seed_scale` (keys B1K, B10K, B100K in "Scale Co");
3. makes sure a bench user (`scale.bench`, an editor of Scale Co, as a TPM is) exists and gives it a fresh
   random password, made unusable again at the end (which also ends its sessions);
4. starts the app under gunicorn exactly as bench/api.py does (2 workers, gthread, keep-alive, DEBUG=0,
   DB_CONN_MAX_AGE=600, Redis cache), then signs in as a browser does: GET /login/ for the CSRF cookie and
   token, POST the form, keep the session cookie;
5. per page and size: a warm-up, then sequential GETs on one keep-alive connection, the series taking
   turns in rounds (so that the machine's load, which other work changes, weighs on all of them alike);
   p50 / p95, the size of the HTML, and (in this process, through Django's test client, same code) the
   SQL queries one request makes;
6. prints a table and writes bench/RESULTS-ui.md with the machine and the date.

Pages: the product home (`product_home`), the backlog tree's first screen (`backlog:tree`), the kanban
board (`backlog:board`) and the roadmap timeline (`roadmap:timeline`), each at `/p/<product_id>/…`. A URL
name that does not resolve yet is reported "missing". Goal (issue 4): tree, board and timeline each
p50 ≤ 60 ms at 100,000 stories.

BENCH_SHOW_QUERIES=1 prints every query of the counted request, with repeated statements marked.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import api  # noqa: E402  (this tree's bench helpers, whatever the working directory)

GOAL_P50_MS = 60.0
GOAL_SIZE = 100_000
BENCH_USERNAME = "scale.bench"
# (label, URL name, held to the goal)
PAGES = (
    ("product home", "product_home", False),
    ("backlog tree", "backlog:tree", True),
    ("kanban board", "backlog:board", True),
    ("roadmap timeline", "roadmap:timeline", True),
)


@dataclass
class PageResult:
    status: int = 0
    p50: float | None = None
    p95: float | None = None
    mean: float | None = None
    queries: int | None = None
    repeated: int | None = None  # queries whose SQL text appeared before in the same request
    kbytes: float | None = None
    note: str = ""


# --- People, URLs, static files ---------------------------------------------------------------------


def bench_user() -> tuple[Any, str]:
    """The bench user, an editor of the scale workspace, with a fresh random password."""
    from django.contrib.auth import get_user_model

    from demo.scale import WORKSPACE_SLUG
    from workspaces import services as workspace_services
    from workspaces.models import Membership, Role, Workspace

    users = get_user_model().objects
    user = users.filter(username=BENCH_USERNAME).first()
    if user is None:
        user = users.create_user(username=BENCH_USERNAME, first_name="Bench", last_name="Reader")
    workspace = Workspace.objects.get(slug=WORKSPACE_SLUG)
    if not Membership.objects.filter(workspace=workspace, user=user).exists():
        workspace_services.member_add(workspace=workspace, user=user, role=Role.EDITOR)
    password = secrets.token_urlsafe(18)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user, password


def retire_user(user: Any) -> None:
    """No password to sign in with until the next run; its sessions stop verifying."""
    user.set_unusable_password()
    user.save(update_fields=["password"])


def page_path(url_name: str, product_id: int) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(url_name, kwargs={"product_id": product_id})
    except NoReverseMatch:
        return None


def collect_static() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


# --- HTTP ---------------------------------------------------------------------------------------------


def cookies_of(response: http.client.HTTPResponse) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def sign_in(port: int, username: str, password: str) -> str:
    """Sign in through /login/ as a browser does; the Cookie header for the session."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/login/")
        response = conn.getresponse()
        html = response.read().decode()
        if response.status != 200:
            raise RuntimeError(f"GET /login/ answered {response.status}")
        cookies = cookies_of(response)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if match is None or "csrftoken" not in cookies:
            raise RuntimeError("The sign-in page has no CSRF token")
        body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": match.group(1)})
        origin = f"http://127.0.0.1:{port}"
        conn.request(
            "POST",
            "/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookies['csrftoken']}",
                "Origin": origin,
                "Referer": f"{origin}/login/",
            },
        )
        response = conn.getresponse()
        response.read()
        cookies.update(cookies_of(response))
        if response.status != 302 or "sessionid" not in cookies:
            raise RuntimeError(f"Signing in failed: POST /login/ answered {response.status}")
        return "; ".join(f"{name}={value}" for name, value in cookies.items())
    finally:
        conn.close()


def get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def measure(
    jobs: dict[tuple[str, int], str], port: int, headers: dict[str, str], *, requests: int, warmup: int, rounds: int
) -> dict[tuple[str, int], PageResult]:
    """p50 / p95 of every (page, size) path, sequential GETs on one keep-alive connection, in rounds."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    results: dict[tuple[str, int], PageResult] = {}
    timings: dict[tuple[str, int], list[float]] = {}
    try:
        for key, path in jobs.items():
            status, body = get(conn, path, headers)
            results[key] = PageResult(status=status, kbytes=len(body) / 1024)
            if status != 200:
                results[key].note = f"HTTP {status}"
                continue
            for _ in range(warmup):
                get(conn, path, headers)
            timings[key] = []
        per_round = max(1, requests // rounds)
        for _ in range(rounds):
            for key, values in timings.items():
                for _ in range(per_round):
                    started = time.perf_counter_ns()
                    status, _ = get(conn, jobs[key], headers)
                    values.append((time.perf_counter_ns() - started) / 1e6)
                    if status != 200:
                        raise RuntimeError(f"{jobs[key]} answered {status} during the run")
        for key, values in timings.items():
            values.sort()
            result = results[key]
            result.p50, result.p95 = api.percentile(values, 0.50), api.percentile(values, 0.95)
            result.mean = sum(values) / len(values)
        return results
    finally:
        conn.close()


def count_queries(path: str, user: Any) -> tuple[int | None, int | None]:
    """SQL queries of one signed-in request in this process (Django's test client: no HTTP, same code),
    and how many of them repeat an earlier statement of the same request (an N+1 shows up there)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    client.get(path)  # warm caches the way a running server has them
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    statements = [q["sql"] for q in captured.captured_queries]
    seen = Counter(statements)
    if os.environ.get("BENCH_SHOW_QUERIES"):
        print(f"  {path}:")
        for sql in statements:
            print(f"    {'*' if seen[sql] > 1 else ' '} {sql[:200]}")
    if response.status_code != 200:
        return None, None
    return len(statements), sum(count - 1 for count in seen.values())


# --- Run ----------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    env = api.bench_environment(args.database, args.host)
    os.environ.update(env)
    api.ensure_database(args.database, args.host)

    import django

    django.setup()
    from django.core.management import call_command

    load_before = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    call_command("migrate", verbosity=0, interactive=False)
    collect_static()
    targets = api.ensure_data(args.sizes)
    user, password = bench_user()
    results: dict[tuple[str, int], PageResult] = {}
    try:
        jobs: dict[tuple[str, int], str] = {}
        for target in targets:
            for label, url_name, _ in PAGES:
                path = page_path(url_name, target.product_id)
                if path is None:
                    results[(label, target.size)] = PageResult(note="missing")
                else:
                    jobs[(label, target.size)] = path
        if jobs:
            with api.Server(
                "tpm_workspace.wsgi:application", env, workers=args.workers, worker_class=args.worker_class
            ) as server:
                cookie = sign_in(server.port, BENCH_USERNAME, password)
                headers = {"Cookie": cookie, "Accept": "text/html"}
                per_round = args.requests // args.rounds
                print(f"Signed in; measuring {len(jobs)} series, {args.rounds} rounds of {per_round}")
                results.update(
                    measure(jobs, server.port, headers, requests=args.requests, warmup=args.warmup, rounds=args.rounds)
                )
        for key, path in jobs.items():
            result = results[key]
            if result.status == 200:
                result.queries, result.repeated = count_queries(path, user)
            print(f"  {key[0]:17} {key[1]:>7,}: {describe(result)}", flush=True)
    finally:
        retire_user(user)
    return {"targets": targets, "results": results, "load_before": load_before, "paths": jobs}


def describe(result: PageResult) -> str:
    if result.p50 is None:
        return result.note or f"HTTP {result.status}"
    queries = f", {result.queries} queries ({result.repeated} repeated)" if result.queries is not None else ""
    return f"p50 {result.p50:.1f} ms, p95 {result.p95:.1f} ms, {result.kbytes:.0f} KB{queries}"


# --- Report -------------------------------------------------------------------------------------------


def table(run_result: dict[str, Any]) -> str:
    targets = run_result["targets"]
    results: dict[tuple[str, int], PageResult] = run_result["results"]
    lines = [
        "| page | URL name | stories | p50 | p95 | queries | repeated | HTML KB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, url_name, _ in PAGES:
        for target in targets:
            r = results.get((label, target.size), PageResult(note="not run"))
            p50 = api.fmt(r.p50) if r.p50 is not None else (r.note or "—")
            lines.append(
                f"| {label} | `{url_name}` | {target.size:,} | {p50} | {api.fmt(r.p95)} "
                f"| {'—' if r.queries is None else r.queries} | {'—' if r.repeated is None else r.repeated} "
                f"| {'—' if r.kbytes is None or r.p50 is None else f'{r.kbytes:.0f}'} |"
            )
    return "\n".join(lines)


def verdict(run_result: dict[str, Any]) -> list[str]:
    results: dict[tuple[str, int], PageResult] = run_result["results"]
    sizes = [t.size for t in run_result["targets"]]
    lines = []
    for label, url_name, held in PAGES:
        if not held:
            continue
        if GOAL_SIZE not in sizes:
            lines.append(f"- {label}: not measured at {GOAL_SIZE:,} stories")
            continue
        r = results.get((label, GOAL_SIZE), PageResult())
        if r.p50 is None:
            lines.append(f"- {label} (`{url_name}`): {r.note or 'not measured'}")
            continue
        ok = r.p50 <= GOAL_P50_MS
        lines.append(
            f"- {label} (`{url_name}`): p50 ≤ {GOAL_P50_MS:g} ms at {GOAL_SIZE:,} stories: "
            f"{'yes' if ok else 'NO'} ({r.p50:.1f} ms, {r.queries} queries)"
        )
        bounded = [results.get((label, s), PageResult()).queries for s in sizes]
        if all(q is not None for q in bounded) and len(set(bounded)) > 1:
            lines.append(f"  - query count changes with the size: {' / '.join(str(q) for q in bounded)}")
    return lines


def write_results(path: Path, run_result: dict[str, Any], args: argparse.Namespace) -> None:
    info = api.machine()
    now = datetime.now(UTC)
    text = f"""# UI benchmark results

Written by `bench/ui.py` on {now:%Y-%m-%d %H:%M} UTC. Times in milliseconds, measured over HTTP on
127.0.0.1 with one keep-alive connection, signed in with a session cookie (through /login/ with its CSRF
token, as a browser), sequential GETs of the full HTML page: {args.warmup} warm-up then {args.requests}
measured requests per row, the rows taking turns in {args.rounds} rounds (so that a change in the machine's
load weighs on every row alike).

Machine: {info["nproc"]} CPUs ({info["cpu"]}), PostgreSQL {info["postgresql"]}, Python {info["python"]},
Django {info["django"]}. Load average (1 / 5 / 15 min) at the start of the run: {run_result["load_before"]},
at the end: {info["load"]} (other work on the machine inflates the figures).

Server: gunicorn, {args.workers} workers, `{args.worker_class}` worker (keep-alive), DEBUG=0,
DB_CONN_MAX_AGE=600, Redis cache, as bench/api.py. Products made by `manage.py seed_scale` (50 stories per
feature, 500 per epic). The user is an editor of the workspace. "queries" counts the SQL statements one
request makes, "repeated" those whose SQL text already ran in the same request (an N+1 shows there).

{table(run_result)}

Goal (issue 4): the backlog tree's first screen, the board and the roadmap timeline each p50 ≤ {GOAL_P50_MS:g} ms
at {GOAL_SIZE:,} stories, with a number of queries that does not grow with the product.

{chr(10).join(verdict(run_result))}
"""
    path.write_text(text)
    print(f"Wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    api.server_arguments(parser, requests=200, warmup=20)
    parser.add_argument("--no-write", action="store_true", help="Do not write the results file")
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS-ui.md"))
    args = parser.parse_args()
    args.sizes = sorted(int(size) for size in args.sizes.split(","))
    os.chdir(ROOT)
    result = run(args)
    print()
    print(table(result))
    print()
    print("\n".join(verdict(result)))
    if not args.no_write:
        write_results(Path(args.output), result, args)


if __name__ == "__main__":
    main()
