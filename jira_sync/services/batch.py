"""A page of issues new to us, created in bulk: how a first import keeps to hundreds of issues a second.

`upsert_issue` spends a transaction, a lock and a dozen statements on each issue. For the issues of a
page that have no link yet, this module does the same work per page: their parents are looked up
in one query, the items of each kind are created by `backlog.imports.items_import`, and their links
are inserted in one statement, all in one transaction that holds the issues' locks (the same locks
`upsert_issue` takes, so a webhook about one of them waits for the page). An issue linked meanwhile
by someone else is handed back to the per-issue path.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.utils import timezone

from backlog.imports import items_import
from backlog.models import Epic, Feature, Story

from ..fields import SyncContext, jira_parent_ref, parse_jira_time, service_changes, theirs_values
from ..models import IssueLink
from ..receivers import ORIGIN_JIRA
from .apply import SyncProblem, parent_first, push_back, words

KIND_ORDER = ("epic", "feature", "story")  # parents before children
MODELS = {"epic": Epic, "feature": Feature, "story": Story}


@dataclass
class BatchOutcome:
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[tuple[dict[str, Any], str]] = field(default_factory=list)  # (issue, what went wrong)
    retry: list[dict[str, Any]] = field(default_factory=list)  # linked meanwhile: for the per-issue path


def create_fresh(ctx: SyncContext, fresh: list[tuple[str, dict[str, Any]]]) -> BatchOutcome:
    """Create our items and links for (kind, issue) pairs that had no link when the page was read."""
    outcome = BatchOutcome()
    in_page = {str(issue["id"]) for _, issue in fresh} | {issue["key"] for _, issue in fresh}
    refs = {ref for kind, issue in fresh if (ref := jira_parent_ref(issue, ctx, kind))}
    ctx.load_links(refs - in_page)
    for kind, issue in fresh:  # parents outside the page that we do not hold yet: fetched one by one
        ref = jira_parent_ref(issue, ctx, kind)
        if ref and ref not in in_page and not ctx.is_linked(ref):
            parent_first(ctx, issue, kind, 0)
    for kind in KIND_ORDER:
        group = [issue for issue_kind, issue in fresh if issue_kind == kind]
        if group:
            _create_group(ctx, kind, group, outcome)
    return outcome


def _create_group(ctx: SyncContext, kind: str, issues: list[dict[str, Any]], outcome: BatchOutcome) -> None:
    items, labels, theirs_of = [], [], []
    for issue in issues:
        theirs = theirs_values(ctx, kind, issue)
        try:
            item, item_labels = _new_item(ctx, kind, issue, theirs)
        except SyncProblem as exc:
            outcome.problems.append((issue, str(exc)))
            continue
        items.append((issue, item))
        labels.append(item_labels)
        theirs_of.append(theirs)
    if not items:
        return
    try:
        with transaction.atomic():
            links, problems, retry = _insert(ctx, kind, items, labels, theirs_of)
    except IntegrityError:
        # Something changed under the page (a parent deleted here, a link made by another worker):
        # nothing of the group was written; the per-issue path sorts each issue out on its own.
        outcome.retry += [issue for issue, _ in items]
        return
    outcome.counts["created"] += len(links)
    outcome.problems += problems
    outcome.retry += retry
    for link, item in links:
        ctx.remember(link, item)


def _insert(
    ctx: SyncContext,
    kind: str,
    items: list[tuple[dict[str, Any], Any]],
    labels: list[list[str]],
    theirs_of: list[dict[str, Any]],
) -> tuple[list[tuple[IssueLink, Any]], list[tuple[dict[str, Any], str]], list[dict[str, Any]]]:
    """(links with their items, problems, issues linked meanwhile), written in the caller's transaction."""
    ids = [str(issue["id"]) for issue, _ in items]
    _lock_issues(ctx, ids)
    taken = set(
        IssueLink.objects.filter(connection=ctx.connection, jira_issue_id__in=ids).values_list(
            "jira_issue_id", flat=True
        )
    )
    keep = [n for n, jira_id in enumerate(ids) if jira_id not in taken]
    retry = [issue for issue, _ in items if str(issue["id"]) in taken]
    result = items_import(
        product=ctx.mapping.product,
        items=[items[n][1] for n in keep],
        labels=[labels[n] for n in keep],
        actor=None,
        origin=ORIGIN_JIRA,
    )
    problems = []
    for position, error in result.refused.items():
        issue = items[keep[position]][0]
        problems.append((issue, f"{issue['key']} could not be created here: {words(error)}"))
    created = [n for position, n in enumerate(keep) if position not in result.refused]
    now = timezone.now()
    links = IssueLink.objects.bulk_create(
        IssueLink(
            connection=ctx.connection,
            mapping=ctx.mapping,
            jira_issue_id=ids[n],
            jira_key=items[n][0]["key"],
            base=theirs_of[n],
            jira_updated=parse_jira_time(items[n][0]["fields"]["updated"]),
            synced_at=now,
            **{kind: items[n][1]},
        )
        for n in created
    )
    for n in created:
        push_back(ctx, items[n][1], theirs_of[n], labels=labels[n])
    return [(link, items[n][1]) for n, link in zip(created, links, strict=True)], problems, retry


def _new_item(
    ctx: SyncContext, kind: str, issue: dict[str, Any], theirs: dict[str, Any]
) -> tuple[Epic | Feature | Story, list[str]]:
    changes, labels = service_changes(ctx, kind, theirs)
    common = {
        "title": changes.get("title") or issue["key"],
        "description": changes.get("description", ""),
        "status": changes.get("status"),
    }
    if kind == "epic":
        return Epic(**common), labels or []
    if kind == "feature":
        if changes.get("epic") is None:
            raise SyncProblem(
                f"{issue['key']} is a feature without an epic in Jira; here a feature sits under an epic."
            )
        return Feature(epic=changes["epic"], **common), labels or []
    extra = {k: changes[k] for k in ("points", "priority", "assignee", "epic", "feature") if k in changes}
    return Story(**common, **extra), labels or []


def _lock_issues(ctx: SyncContext, jira_ids: list[str]) -> None:
    """The issues' locks (the names `apply.issue_lock` uses), held until the transaction ends; taken
    in one order so that two holders of overlapping sets cannot deadlock."""
    if db_connection.vendor != "postgresql" or not jira_ids:
        return
    names = sorted(f"jira:issue:{ctx.connection.pk}:{jira_id}" for jira_id in jira_ids)
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_advisory_xact_lock(hashtext(name))) FROM unnest(%s::text[]) AS name", [names])
