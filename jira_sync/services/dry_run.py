"""Dry run: what a sync would do on each side, computed with the same merge, writing nothing but its
own run record (the plan)."""

from __future__ import annotations

from typing import Any

from backlog.models import Epic, Feature, Story

from ..fields import KIND_FIELDS, SyncContext, ours_values, theirs_values
from ..models import Conflict, IssueLink, JiraConnection, PushIntent, SyncRun
from . import runs
from .apply import directions, issue_kind
from .merge import merge
from .pull import _types_clause, context_for, load_mapping

LIST_LIMIT = 200  # entries kept per list in the plan; the counts are always complete


def plan_mapping(ctx: SyncContext) -> dict[str, Any]:
    mapping = ctx.mapping
    plan: dict[str, list[dict[str, Any]]] = {
        "create_here": [],
        "update_here": [],
        "archive_here": [],
        "create_in_jira": [],
        "update_in_jira": [],
        "conflicts": [],
    }
    links = {
        link.jira_issue_id: link
        for link in IssueLink.objects.filter(connection=ctx.connection).select_related("epic", "feature", "story")
    }
    jql = (
        f'project = "{mapping.jira_project_key}" AND {_types_clause(mapping.type_ids())} ORDER BY updated ASC, key ASC'
    )
    present: set[str] = set()
    for issue in ctx.client.search_issues(jql, fields=ctx.search_fields(), max_results=100):
        present.add(str(issue["id"]))
        kind = issue_kind(ctx, issue)
        link = links.get(str(issue["id"]))
        entry = {"jira_key": issue["key"], "kind": kind, "summary": issue["fields"].get("summary", "")}
        if link is None:
            plan["create_here"].append(entry)
            continue
        if link.item is None or kind is None or link.archived_reason == IssueLink.ArchiveReason.DELETED_HERE:
            continue
        open_conflicts = set(Conflict.objects.filter(link=link, status="open").values_list("field", flat=True))
        decisions = merge(
            fields=list(KIND_FIELDS[kind]),
            directions=directions(ctx, kind),
            base=link.base,
            ours=ours_values(ctx, link.item),
            theirs=theirs_values(ctx, kind, issue),
            policy=ctx.connection.conflict_policy,
            open_conflicts=open_conflicts,
        )
        for action, key in (("apply", "update_here"), ("push", "update_in_jira"), ("conflict", "conflicts")):
            fields = [d.field for d in decisions if d.action == action]
            if fields:
                plan[key].append({**entry, "item": link.item.key, "fields": fields})
    for jira_id, link in links.items():
        if link.mapping_id == mapping.pk and not link.archived_at and jira_id not in present:
            plan["archive_here"].append({"jira_key": link.jira_key, "item": link.item.key if link.item else ""})
    linked = {(link.kind, (link.item.pk if link.item else None)) for link in links.values()}
    for kind, model in (("epic", Epic), ("feature", Feature), ("story", Story)):
        if not mapping.type_of_kind(kind):
            continue
        for item in model.objects.filter(product_id=mapping.product_id).select_related("product"):
            if (kind, item.pk) not in linked:
                plan["create_in_jira"].append({"kind": kind, "item": item.key, "title": item.title})
    pending = PushIntent.objects.filter(connection=ctx.connection, done_at__isnull=True).count()
    counts = {name: len(entries) for name, entries in plan.items()} | {"pending_pushes": pending}
    return {"project": mapping.jira_project_key, "counts": counts} | {k: v[:LIST_LIMIT] for k, v in plan.items()}


def dry_run(*, connection: JiraConnection) -> SyncRun:
    run = runs.run_start(connection=connection, kind=SyncRun.Kind.DRY_RUN)
    plans = []
    try:
        for mapping_id in connection.mappings.values_list("pk", flat=True):
            ctx = context_for(load_mapping(mapping_id))
            try:
                plans.append(plan_mapping(ctx))
            finally:
                ctx.client.close()
    except Exception as exc:
        return runs.run_finish(run, failed=True, message=str(exc), plan={"mappings": plans})
    return runs.run_finish(run, plan={"mappings": plans})


def dry_run_mapping(*, mapping_id: int, run_id: int) -> SyncRun:
    """The plan of one mapping into an existing run (queued ahead by the API, so that it can answer its id)."""
    run = SyncRun.objects.get(pk=run_id)
    try:
        ctx = context_for(load_mapping(mapping_id))
        try:
            plan = plan_mapping(ctx)
        finally:
            ctx.client.close()
    except Exception as exc:
        return runs.run_finish(run, failed=True, message=str(exc) or type(exc).__name__, plan={"mappings": []})
    return runs.run_finish(run, plan={"mappings": [plan]})
