"""Pull: Jira → here, per project mapping, by incremental JQL.

`project = X AND issuetype in (…) AND updated >= "<watermark − overlap>" ORDER BY updated ASC, key ASC`,
the date written in the integration user's time zone at minute granularity (how Jira reads it),
paged with nextPageToken on Cloud and startAt on Data Center. The watermark moves after each page
to the largest `updated` seen, so a run that dies half-way resumes where it stopped; the overlap
re-reads the edge, and issues whose `updated` was already applied are skipped.

The first import (no watermark) brings the whole hierarchy: epics, then features, then stories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ..fields import SyncContext, parse_jira_time
from ..jira import JiraError, JiraRetryLater
from ..jira.prefetch import read_ahead
from ..models import IssueLink, ProjectMapping, SyncRun
from . import runs
from .apply import SyncProblem, already_settled, issue_kind, upsert_issue
from .batch import create_fresh
from .connections import client_for

PAGE_SIZE = 100

Progress = Callable[[int, int | None], None]  # (issues seen so far, estimate)


def overlap() -> timedelta:
    return timedelta(minutes=float(getattr(settings, "JIRA_SYNC_OVERLAP_MINUTES", 5)))


def context_for(mapping: ProjectMapping) -> SyncContext:
    return SyncContext(connection=mapping.connection, mapping=mapping, client=client_for(mapping.connection))


def load_mapping(mapping_id: int) -> ProjectMapping:
    return ProjectMapping.objects.select_related("connection", "product__workspace").get(pk=mapping_id)


def jql_date(moment: datetime, time_zone: str) -> str:
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except ZoneInfoNotFoundError:
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).strftime("%Y/%m/%d %H:%M")


def _types_clause(type_ids: Iterable[str]) -> str:
    return f"issuetype in ({', '.join(dict.fromkeys(type_ids))})"


def queries(mapping: ProjectMapping) -> list[str]:
    project = f'project = "{mapping.jira_project_key}"'
    order = "ORDER BY updated ASC, key ASC"
    if mapping.watermark is None:  # first import: parents before children
        return [
            f"{project} AND issuetype = {type_id} {order}"
            for type_id in dict.fromkeys([mapping.epic_type_id, mapping.feature_type_id, mapping.story_type_id])
            if type_id
        ]
    since = jql_date(mapping.watermark - overlap(), mapping.connection.time_zone)
    return [f'{project} AND {_types_clause(mapping.type_ids())} AND updated >= "{since}" {order}']


def lease() -> timedelta:
    """How long a pull holds its mapping without a sign of life. Every page renews it (`mapping_renew`, from
    runs.run_progress), so a worker killed mid-run blocks the next pull for minutes, not half an hour; it
    outlasts the longest a page can take (the client's 120 s retry budget plus its timeouts)."""
    return timedelta(seconds=float(getattr(settings, "JIRA_SYNC_LEASE_SECONDS", 300)))


def mapping_claim(mapping_id: int) -> bool:
    """One pull per mapping at a time: a lease taken by conditional update (a dead worker's lease expires)."""
    now = timezone.now()
    return bool(
        ProjectMapping.objects.filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now), pk=mapping_id).update(
            lease_until=now + lease()
        )
    )


def mapping_renew(mapping_id: int) -> None:
    """The heartbeat of a held lease (a lease nobody holds is left alone)."""
    ProjectMapping.objects.filter(pk=mapping_id, lease_until__isnull=False).update(lease_until=timezone.now() + lease())


def mapping_release(mapping_id: int) -> None:
    ProjectMapping.objects.filter(pk=mapping_id).update(lease_until=None)


def pull_mapping(*, mapping_id: int, run: SyncRun, progress: Progress | None = None) -> SyncRun:
    """Pull one mapping into `run`. Jira's refusals of one issue are item errors; a failure of the
    search itself (after the client's retries) propagates: JiraRetryLater for the task to re-queue."""
    mapping = load_mapping(mapping_id)
    ctx = context_for(mapping)
    first_import = mapping.watermark is None
    if first_import and run.kind == SyncRun.Kind.PULL:
        SyncRun.objects.filter(pk=run.pk).update(kind=SyncRun.Kind.IMPORT)
    seen = 0
    newest: datetime | None = mapping.watermark
    fields = ctx.search_fields()
    pages = chain.from_iterable(
        ctx.client.search_pages(jql, fields=fields, max_results=PAGE_SIZE) for jql in queries(mapping)
    )
    # The count (for the progress bar; never on incremental pulls) and the next page travel while
    # this one is applied.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="jira-count") as pool:
        counting = pool.submit(_count, ctx) if first_import else None
        estimate: int | None = None
        try:
            for page in read_ahead(pages):
                counts = apply_page(ctx, run, page.issues)
                seen += len(page.issues)
                stamps = [parse_jira_time(i["fields"]["updated"]) for i in page.issues if i.get("fields")]
                if stamps:
                    newest = max([*stamps, *([newest] if newest else [])])
                runs.run_progress(run, counts, pages=1, seen=len(page.issues))
                if not first_import and newest is not None:
                    ProjectMapping.objects.filter(pk=mapping.pk).update(watermark=newest)
                if counting is not None and counting.done():
                    estimate = _record_estimate(ctx, counting.result())
                    counting = None
                if progress:
                    progress(seen, estimate or page.total)
        finally:
            ctx.client.close()
    if first_import:
        # Only a finished import sets the watermark: an import cut short starts again (idempotently).
        ProjectMapping.objects.filter(pk=mapping.pk).update(
            watermark=newest or timezone.now(), imported_at=timezone.now()
        )
    return run


def _count(ctx: SyncContext) -> int | None:
    """How many issues the import will bring, asked in a thread: HTTP only, no database."""
    jql = f'project = "{ctx.mapping.jira_project_key}" AND {_types_clause(ctx.mapping.type_ids())}'
    try:
        return ctx.client.approximate_count(jql)
    except JiraError:
        return None  # only a progress estimate: not worth failing the import for


def _record_estimate(ctx: SyncContext, count: int | None) -> int | None:
    if count is not None:
        SyncRun.objects.filter(mapping=ctx.mapping, status=SyncRun.Status.RUNNING).update(total_estimate=count)
    return count


def apply_page(ctx: SyncContext, run: SyncRun, issues: list[dict[str, Any]]) -> Counter[str]:
    """Apply one page: issues new to us in bulk (`batch.create_fresh`), the others one by one."""
    counts: Counter[str] = Counter()
    fresh, known = triage(ctx, issues, counts)
    if fresh:
        batch = create_fresh(ctx, fresh)
        counts.update(batch.counts)
        for issue, message in batch.problems:
            counts["errors"] += 1
            runs.run_item_error(
                run, message=message, jira_issue_id=str(issue.get("id", "")), jira_key=issue.get("key", "")
            )
        known += batch.retry
    for issue in known:
        try:
            outcome = upsert_issue(ctx, issue)
        except (SyncProblem, JiraError) as exc:
            if isinstance(exc, JiraRetryLater):
                runs.run_progress(run, counts)  # keep what this page did before the long wait
                raise
            counts["errors"] += 1
            runs.run_item_error(
                run, message=str(exc), jira_issue_id=str(issue.get("id", "")), jira_key=issue.get("key", "")
            )
            continue
        counts.update(outcome.counts)
    return counts


def triage(
    ctx: SyncContext, issues: list[dict[str, Any]], counts: Counter[str]
) -> tuple[list[tuple[str, dict[str, Any]]], list[dict[str, Any]]]:
    """Sort a page by its links, read in one query: (kind, issue) pairs new to us, and issues to
    merge one by one. Issues already applied (or of no mapped type) are counted and left out."""
    links = {
        link.jira_issue_id: link
        for link in IssueLink.objects.filter(
            connection=ctx.connection, jira_issue_id__in=[str(issue["id"]) for issue in issues]
        ).only("jira_issue_id", "archived_at", "archived_reason", "jira_updated")
    }
    fresh: list[tuple[str, dict[str, Any]]] = []
    known: list[dict[str, Any]] = []
    for issue in issues:
        kind = issue_kind(ctx, issue)
        link = links.get(str(issue["id"]))
        settled = already_settled(link, parse_jira_time(issue["fields"]["updated"])) if link else None
        if kind is None or settled:
            counts[settled or "skipped"] += 1
        elif link is None:
            fresh.append((kind, issue))
        else:
            known.append(issue)
    return fresh, known
