"""One Jira issue → our backlog: the idempotent upsert keyed by (connection, issue id) that pull,
reconcile and webhooks share, and the merge of a linked item in either direction.

Each issue is applied in its own transaction under a lock on the issue, so that a pull, a
webhook and a push working on the same issue at once queue up instead of racing. Changes are
applied through the backlog services with origin="jira", which keeps them from echoing back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from backlog import services as backlog
from core.errors import ApplicationError

from ..fields import (
    KIND_FIELDS,
    SyncContext,
    jira_parent_ref,
    ours_values,
    parse_jira_time,
    service_changes,
    theirs_values,
)
from ..models import Conflict, IssueLink
from ..receivers import ORIGIN_JIRA
from . import intents
from .connections import advisory_lock
from .merge import Decision, merge, record_conflicts

MAX_PARENT_DEPTH = 3


class SyncProblem(Exception):
    """An issue that cannot be applied here, in words for the run's item errors."""


@dataclass
class Outcome:
    counts: Counter[str] = field(default_factory=Counter)
    decisions: list[Decision] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def issue_lock(ctx: SyncContext, jira_id: str) -> Any:
    return advisory_lock(f"jira:issue:{ctx.connection.pk}:{jira_id}")


def directions(ctx: SyncContext, kind: str) -> dict[str, str]:
    return {name: ctx.mapping.direction(name) for name in KIND_FIELDS[kind]}


def issue_kind(ctx: SyncContext, issue: dict[str, Any]) -> str | None:
    type_id = str(((issue.get("fields") or {}).get("issuetype") or {}).get("id", ""))
    return ctx.mapping.kind_of_type(type_id)


def issue_project_id(issue: dict[str, Any]) -> str:
    return str(((issue.get("fields") or {}).get("project") or {}).get("id", ""))


def upsert_issue(ctx: SyncContext, issue: dict[str, Any], *, depth: int = 0) -> Outcome:
    """Create or update our item from the issue as Jira has it now. Harmless to repeat: an issue whose
    `updated` was already applied is skipped, and creation happens once under the issue's lock."""
    outcome = Outcome()
    kind = issue_kind(ctx, issue)
    if kind is None:
        outcome.counts["skipped"] += 1
        return outcome
    jira_id = str(issue["id"])
    updated = parse_jira_time(issue["fields"]["updated"])
    link = IssueLink.objects.filter(connection=ctx.connection, jira_issue_id=jira_id).first()
    if link is not None and (settled := already_settled(link, updated)):
        outcome.counts[settled] += 1
        return outcome
    parent_first(ctx, issue, kind, depth)
    with issue_lock(ctx, jira_id), transaction.atomic():
        link = IssueLink.objects.select_for_update().filter(connection=ctx.connection, jira_issue_id=jira_id).first()
        if link is None:
            _create_here(ctx, kind, issue, updated, outcome)
        else:
            if link.archived_at:  # moved back into the project
                link.archived_at, link.archived_reason = None, ""
            reconcile_link(ctx, link, issue, outcome, push_now=False)
    return outcome


def already_settled(link: IssueLink, updated: Any) -> str | None:
    """Why the issue needs no work, as the count it goes to: "skipped" (deleted here: never brought back)
    or "unchanged" (this `updated` was applied already); None when it must be merged."""
    if link.archived_reason == IssueLink.ArchiveReason.DELETED_HERE:
        return "skipped"
    if not link.archived_at and link.jira_updated and updated <= link.jira_updated:
        return "unchanged"
    return None


def parent_first(ctx: SyncContext, issue: dict[str, Any], kind: str, depth: int) -> None:
    """A child needs its parent here first: fetch and upsert a parent we do not hold yet."""
    ref = jira_parent_ref(issue, ctx, kind)
    if not ref or depth >= MAX_PARENT_DEPTH:
        return
    if ctx.is_linked(ref):
        return
    parent = ctx.client.get_issue(ref, fields=ctx.search_fields())
    if issue_project_id(parent) == ctx.mapping.jira_project_id:
        upsert_issue(ctx, parent, depth=depth + 1)


def _create_here(ctx: SyncContext, kind: str, issue: dict[str, Any], updated: Any, outcome: Outcome) -> None:
    theirs = theirs_values(ctx, kind, issue)
    changes, labels = service_changes(ctx, kind, theirs)
    product = ctx.mapping.product
    common = {
        "actor": None,
        "origin": ORIGIN_JIRA,
        "title": changes.get("title") or issue["key"],
        "description": changes.get("description", ""),
        "status": changes.get("status"),
        "labels": labels or (),
    }
    try:
        with transaction.atomic():
            if kind == "epic":
                item: Any = backlog.epic_create(product=product, **common)
            elif kind == "feature":
                if changes.get("epic") is None:
                    raise SyncProblem(
                        f"{issue['key']} is a feature without an epic in Jira; here a feature sits under an epic."
                    )
                item = backlog.feature_create(epic=changes["epic"], **common)
            else:
                extra = {k: changes[k] for k in ("points", "priority", "assignee", "epic", "feature") if k in changes}
                item = backlog.story_create(product=product, **common, **extra)
    except (ValidationError, ApplicationError) as exc:
        raise SyncProblem(f"{issue['key']} could not be created here: {words(exc)}") from exc
    IssueLink.objects.create(
        connection=ctx.connection,
        mapping=ctx.mapping,
        jira_issue_id=str(issue["id"]),
        jira_key=issue["key"],
        base=theirs,
        jira_updated=updated,
        synced_at=timezone.now(),
        **{kind: item},
    )
    outcome.counts["created"] += 1
    push_back(ctx, item, theirs)


def push_back(ctx: SyncContext, item: Any, theirs: dict[str, Any], *, labels: list[str] | None = None) -> None:
    """After creating `item` from Jira's values: what Jira holds that cannot live here as it is (e.g. 2.5
    points) is pushed back in our form. `labels`: the names just given to the item, if known."""
    ours = ours_values(ctx, item, labels=labels)
    pushes = [name for name, value in ours.items() if name in theirs and theirs[name] != value]
    if pushes:
        queue_push(ctx, item, pushes)


def reconcile_link(
    ctx: SyncContext,
    link: IssueLink,
    issue: dict[str, Any],
    outcome: Outcome,
    *,
    push_now: bool,
) -> list[Decision]:
    """Merge a linked item with the issue (inside the caller's transaction, link locked). Theirs-only
    changes are applied here; ours-only changes are queued for a push (push_now=False) or returned for
    the caller to send (push_now=True: the push task, which then moves the base)."""
    item = link.item
    link.jira_key = issue["key"]
    updated = parse_jira_time(issue["fields"]["updated"])
    if item is None:
        link.jira_updated = updated
        link.save()
        return []
    kind = link.kind or ""
    ours = ours_values(ctx, item)
    theirs = theirs_values(ctx, kind, issue)
    open_conflicts = set(
        Conflict.objects.filter(link=link, status=Conflict.Status.OPEN).values_list("field", flat=True)
    )
    decisions = merge(
        fields=list(KIND_FIELDS[kind]),
        directions=directions(ctx, kind),
        base=link.base,
        ours=ours,
        theirs=theirs,
        policy=ctx.connection.conflict_policy,
        open_conflicts=open_conflicts,
    )
    outcome.decisions = decisions
    outcome.counts["conflicts"] += record_conflicts(link=link, decisions=decisions, ours=ours, theirs=theirs)
    apply = {d.field: d.value for d in decisions if d.action == "apply"}
    base = dict(link.base)
    for decision in decisions:
        if decision.action in {"base", "apply"}:
            base[decision.field] = decision.value
        elif decision.action == "push" and decision.conflict and not push_now:
            # Settled for our side: from now on only ours differs, so the queued push sends it
            # without meeting (and recording) the same conflict again.
            base[decision.field] = theirs[decision.field]
    if apply:
        _apply_here(ctx, kind, item, apply)
        outcome.counts["updated"] += 1
    pushes = [d for d in decisions if d.action == "push"]
    if pushes and not push_now:
        queue_push(ctx, item, [d.field for d in pushes])
    link.base = base
    link.jira_updated = max(updated, link.jira_updated) if link.jira_updated else updated
    link.synced_at = timezone.now()
    link.save()
    return pushes


def _apply_here(ctx: SyncContext, kind: str, item: Any, values: dict[str, Any]) -> None:
    changes, labels = service_changes(ctx, kind, values)
    if not changes and labels is None:
        return
    try:
        with transaction.atomic():
            if kind == "epic":
                backlog.epic_update(epic=item, actor=None, labels=labels, origin=ORIGIN_JIRA, **changes)
            elif kind == "feature":
                backlog.feature_update(feature=item, actor=None, labels=labels, origin=ORIGIN_JIRA, **changes)
            else:
                backlog.story_update(story=item, actor=None, labels=labels, origin=ORIGIN_JIRA, **changes)
    except (ValidationError, ApplicationError) as exc:
        raise SyncProblem(f"{item.key} could not take Jira's change: {words(exc)}") from exc
    item.refresh_from_db()


def queue_push(ctx: SyncContext, item: Any, fields: list[str]) -> None:
    intent = intents.intent_record(connection_id=ctx.connection.pk, item=item, fields=fields)
    transaction.on_commit(lambda: intents.enqueue_push(intent.pk))


def archive_link(ctx: SyncContext, jira_id: str, *, reason: str, new_key: str | None = None) -> bool:
    """Mark the link archived (our item stays; nothing is destroyed). True when it was not archived yet."""
    with issue_lock(ctx, jira_id), transaction.atomic():
        link = IssueLink.objects.select_for_update().filter(connection=ctx.connection, jira_issue_id=jira_id).first()
        if link is None:
            return False
        fresh = link.archived_at is None
        if fresh:
            link.archived_at, link.archived_reason = timezone.now(), reason
        if new_key:
            link.jira_key = new_key
        link.save(update_fields=["archived_at", "archived_reason", "jira_key"])
        return fresh


def words(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "message_dict"):
            return " ".join(f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items())
        return " ".join(exc.messages)
    return str(exc)
