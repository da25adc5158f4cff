"""Full reconcile: what incremental search cannot see. Deletes and moves leave no trace in
`updated >= …`, so an ids-only sweep of the project (up to 5000 ids per page on Cloud) is compared
with our links: a linked issue no longer in the project is read by id — gone (404) means deleted in
Jira, found elsewhere means moved (the link keeps its id and takes the new key). Either way the link
is archived and our item stays: nothing here is ever destroyed. Issues of the project we have never
seen are upserted; then the incremental pull runs as usual.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from django.utils import timezone

from ..fields import SyncContext
from ..jira import JiraNotFound
from ..models import IssueLink, ProjectMapping, SyncRun
from . import runs
from .apply import archive_link, issue_project_id
from .pull import Progress, _types_clause, apply_page, context_for, load_mapping, pull_mapping

ID_PAGE = 5000
FETCH_BATCH = 50


def project_ids(ctx: SyncContext) -> Iterator[list[str]]:
    jql = f'project = "{ctx.mapping.jira_project_key}" AND {_types_clause(ctx.mapping.type_ids())} ORDER BY key ASC'
    for page in ctx.client.search_pages(jql, fields=["id"], max_results=ID_PAGE):
        yield [str(issue["id"]) for issue in page.issues]


def missing_links(ctx: SyncContext, present: set[str]) -> list[IssueLink]:
    links = IssueLink.objects.filter(mapping=ctx.mapping, archived_at__isnull=True).only("pk", "jira_issue_id")
    return [link for link in links if link.jira_issue_id not in present]


def reconcile_mapping(*, mapping_id: int, run: SyncRun, progress: Progress | None = None) -> SyncRun:
    mapping = load_mapping(mapping_id)
    if mapping.watermark is None:  # nothing imported yet: the first import is the reconcile
        return pull_mapping(mapping_id=mapping_id, run=run, progress=progress)
    ctx = context_for(mapping)
    counts: Counter[str] = Counter()
    try:
        present: set[str] = set()
        for ids in project_ids(ctx):
            present.update(ids)
            runs.run_progress(run, counts, pages=1)
        for link in missing_links(ctx, present):
            counts["archived"] += archive_gone(ctx, link.jira_issue_id)
        known = set(IssueLink.objects.filter(connection=ctx.connection).values_list("jira_issue_id", flat=True))
        unseen = sorted(present - known, key=int)
        for start in range(0, len(unseen), FETCH_BATCH):
            batch = unseen[start : start + FETCH_BATCH]
            jql = f'project = "{mapping.jira_project_key}" AND id in ({", ".join(batch)}) ORDER BY updated ASC, key ASC'
            issues = list(ctx.client.search_issues(jql, fields=ctx.search_fields(), max_results=FETCH_BATCH))
            counts.update(apply_page(ctx, run, issues))
            runs.run_progress(run, counts, pages=1, seen=len(issues))
    finally:
        ctx.client.close()
        runs.run_progress(run, counts)
    pull_mapping(mapping_id=mapping_id, run=run, progress=progress)
    ProjectMapping.objects.filter(pk=mapping_id).update(last_full_sync_at=timezone.now())
    return run


def archive_gone(ctx: SyncContext, jira_id: str) -> int:
    """1 when the issue turned out deleted or moved and its link was archived now."""
    try:
        issue = ctx.client.get_issue(jira_id, fields=["project", "updated"])
    except JiraNotFound:
        return int(archive_link(ctx, jira_id, reason=IssueLink.ArchiveReason.DELETED_IN_JIRA))
    if issue_project_id(issue) != ctx.mapping.jira_project_id:
        return int(archive_link(ctx, jira_id, reason=IssueLink.ArchiveReason.MOVED_OUT, new_key=issue["key"]))
    return 0  # still there (search lagging, or its type changed): the next sweep looks again
