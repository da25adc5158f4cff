"""Push: here → Jira, one PushIntent (outbox row) at a time.

No link yet → create: first look for the issue by our unique label (a create whose answer was
lost must never become two issues), then POST it with the label, link it, and merge once more
so that the status goes over by transition. Linked → re-read the issue (the truth after any
write), merge, apply what changed there, send what changed here (PUT, then transitions to the
mapped status). Finally the remote link back to our page, upserted by its globalId.

The assignee goes by e-mail: the Jira user whose visible address it is (looked up once per run). When
Jira shows nobody with that address, the rest of the change is still pushed and the item gets an error
in words on a push run; unassigning sends null. On Data Center an epic is created with its Epic Name
(the title), which Jira DC requires.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..fields import (
    LOCAL_PARENT,
    SyncContext,
    jira_fields,
    marker_label,
    member_by_email,
    ours_values,
    theirs_values,
)
from ..jira import (
    JiraBadRequest,
    JiraConflict,
    JiraError,
    JiraForbidden,
    JiraNotFound,
    JiraOutcomeUnknown,
    JiraRetryLater,
)
from ..models import ITEM_MODELS, Direction, IssueLink, ProjectMapping, StatusMapping, SyncRun, item_kind
from . import intents, runs
from .apply import Outcome, SyncProblem, archive_link, issue_lock, issue_project_id, reconcile_link
from .connections import advisory_lock
from .mappings import EPIC_NAME_SCHEMA
from .pull import context_for, load_mapping

logger = logging.getLogger(__name__)

MAX_TRANSITION_STEPS = 6
OUR_TO_JIRA_CATEGORY = {"todo": "new", "in_progress": "indeterminate", "done": "done"}
# Jira refused the change itself: trying again will not help until someone changes something.
TERMINAL = (JiraBadRequest, JiraForbidden, JiraNotFound, SyncProblem)


def uncertain_wait() -> float:
    """After a lost create answer, wait longer than search's index lag before looking the issue up."""
    return float(getattr(settings, "JIRA_SYNC_UNCERTAIN_WAIT", 120))


def push_intent(*, intent_id: int) -> tuple[str, float | None]:
    """(what happened, countdown for a re-queue or None). Never raises Jira's errors: they are
    recorded on the intent, which stays pending (retried by the sweep) unless Jira refused outright."""
    intent = intents.intent_claim(intent_id=intent_id)
    if intent is None:
        return "skipped", None
    kind = intent.kind or ""
    item = ITEM_MODELS[kind].objects.filter(pk=intent.item_id_value).select_related("product").first()
    mapping_id = (
        ProjectMapping.objects.filter(product_id=item.product_id, connection_id=intent.connection_id)
        .values_list("pk", flat=True)
        .first()
        if item is not None
        else None
    )
    if item is None or mapping_id is None or not intent.connection.is_enabled:
        intents.intent_finish(intent=intent)
        return "dropped", None
    try:
        ctx = context_for(load_mapping(mapping_id))
    except ProjectMapping.DoesNotExist:  # disconnected just now
        intents.intent_finish(intent=intent)
        return "dropped", None
    problems: list[str] = []
    try:
        result = push_item(ctx, item, counts=Counter(), problems=problems)
    except JiraOutcomeUnknown as exc:
        intents.intent_fail(intent=intent, message=str(exc), retry_in=uncertain_wait())
        intents.intent_mark_uncertain(intent=intent, retry_in=uncertain_wait())
        return "uncertain", uncertain_wait()
    except JiraRetryLater as exc:
        intents.intent_fail(intent=intent, message=str(exc), retry_in=exc.countdown)
        return "later", exc.countdown
    except TERMINAL as exc:
        intents.intent_fail(intent=intent, message=str(exc), retry_in=None)
        return "failed", None
    except JiraError as exc:  # 5xx, timeouts, 409s past the client's retries: the sweep tries again
        delay = min(3600.0, 30.0 * 2 ** min(intent.attempts, 7))
        intents.intent_fail(intent=intent, message=str(exc), retry_in=delay)
        return "retry", delay
    finally:
        ctx.client.close()
    if problems:
        record_problems(ctx, item, result, problems)
    if not intents.intent_finish(intent=intent, note=" ".join(problems)):
        return "again", 0.0
    return result, None


def record_problems(ctx: SyncContext, item: Any, result: str, problems: list[str]) -> SyncRun:
    """What a push could not carry over (the rest went through), as item errors on a push run of its own:
    where a person looks for what the sync could not do."""
    link = ctx.link_for(item)
    mapping_alive = ProjectMapping.objects.filter(pk=ctx.mapping.pk).exists()
    run = SyncRun.objects.create(
        connection=ctx.connection,
        mapping=ctx.mapping if mapping_alive else None,
        kind=SyncRun.Kind.PUSH,
        pushed=int(result in {"created", "updated"}),
        errors=len(problems),
    )
    for message in problems:
        runs.run_item_error(
            run,
            message=message,
            jira_issue_id=link.jira_issue_id if link else "",
            jira_key=link.jira_key if link else "",
            item=item,
        )
    return runs.run_finish(run)


def push_item(ctx: SyncContext, item: Any, *, counts: Counter[str], problems: list[str] | None = None) -> str:
    link = ctx.link_for(item)
    if link is not None and link.archived_at:
        return "archived"  # deleted or moved out in Jira, or the project disconnected: we no longer write to it
    result = "updated"
    if link is None:
        link = create_in_jira(ctx, item)
        counts["created"] += 1
        result = "created"
        if link.archived_at:
            return result  # the project was disconnected while the issue was being created
    changed = push_link(ctx, link, problems=problems)
    if result == "updated" and not changed:
        result = "unchanged"
    ensure_remote_link(ctx, link, item)
    return result


def create_in_jira(ctx: SyncContext, item: Any, *, depth: int = 0) -> IssueLink:
    kind = item_kind(item)
    marker = marker_label(ctx.connection.pk, kind, item.pk)
    with advisory_lock(f"jira:item:{kind}:{item.pk}"):
        link = ctx.link_for(item)
        if link is not None:
            return link
        found = ctx.client.find_issues_by_label(ctx.mapping.jira_project_key, marker, fields=["id"])
        if found:
            issue_id = str(found[0]["id"])  # adopt the issue a lost answer created
        else:
            values = _creatable(ctx, kind, ours_values(ctx, item))
            if str(values.get("parent") or "").startswith(LOCAL_PARENT) and depth < 2:
                parent_kind, parent_pk = values["parent"][len(LOCAL_PARENT) :].split(":")
                parent = ITEM_MODELS[parent_kind].objects.get(pk=int(parent_pk))
                values["parent"] = create_in_jira(ctx, parent, depth=depth + 1).jira_issue_id
            payload = jira_fields(ctx, kind, values, marker=marker)
            payload |= {
                "project": {"id": ctx.mapping.jira_project_id},
                "issuetype": {"id": ctx.mapping.type_of_kind(kind)},
            }
            epic_name = epic_name_field(ctx) if kind == "epic" else ""
            if epic_name:
                payload[epic_name] = values["summary"][:255]
            issue_id = ctx.client.create_issue(payload).id
        issue = ctx.client.get_issue(issue_id, fields=ctx.search_fields())
        with transaction.atomic():
            # Disconnecting locks the mapping row: a create racing it waits, then records its link archived
            # (mapping the project again reconnects it) rather than pointing at a mapping that is gone.
            alive = ProjectMapping.objects.select_for_update(no_key=True).filter(pk=ctx.mapping.pk).exists()
            # The base is Jira's state as created: whatever differs from ours (status) goes by the merge.
            link, _ = IssueLink.objects.get_or_create(
                connection=ctx.connection,
                jira_issue_id=issue_id,
                defaults={
                    "mapping": ctx.mapping if alive else None,
                    "jira_key": issue["key"],
                    "base": theirs_values(ctx, kind, issue),
                    "archived_at": None if alive else timezone.now(),
                    "archived_reason": "" if alive else IssueLink.ArchiveReason.UNMAPPED,
                    kind: item,
                },
            )
        return link


def epic_name_field(ctx: SyncContext) -> str:
    """Data Center's Epic Name field (required to create an epic), as found when the project was mapped;
    a mapping made before it was recorded finds it now, once."""
    if ctx.cloud:
        return ""
    if not ctx.mapping.epic_name_field_id:
        found = ctx.client.field_by_schema(EPIC_NAME_SCHEMA)
        if found is None:
            return ""
        ProjectMapping.objects.filter(pk=ctx.mapping.pk).update(epic_name_field_id=str(found["id"]))
        ctx.mapping.epic_name_field_id = str(found["id"])
    return ctx.mapping.epic_name_field_id


def _creatable(ctx: SyncContext, kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """What a create carries: every field that may travel to Jira, except status (a transition). Jira
    requires a summary, so it is sent even when it otherwise travels from Jira only."""
    allowed = {Direction.TWO_WAY, Direction.TO_JIRA, Direction.SET_ONCE}
    return {
        name: value
        for name, value in values.items()
        if name == "summary" or (name != "status" and ctx.mapping.direction(name) in allowed)
    }


def push_link(ctx: SyncContext, link: IssueLink, *, problems: list[str] | None = None) -> bool:
    """Merge with the issue as Jira has it now and send our side's changes; True when Jira was written.
    What cannot be sent (an assignee Jira does not know) is left out, said in `problems`, and keeps its
    base, so that the next change of the item tries again."""
    with issue_lock(ctx, link.jira_issue_id):
        try:
            issue = ctx.client.get_issue(link.jira_issue_id, fields=ctx.search_fields())
        except JiraNotFound:
            archive_link(ctx, link.jira_issue_id, reason=IssueLink.ArchiveReason.DELETED_IN_JIRA)
            return False
        if issue_project_id(issue) != ctx.mapping.jira_project_id:
            archive_link(ctx, link.jira_issue_id, reason=IssueLink.ArchiveReason.MOVED_OUT, new_key=issue["key"])
            return False
        with transaction.atomic():
            link = IssueLink.objects.select_for_update().get(pk=link.pk)
            pushes = reconcile_link(ctx, link, issue, Outcome(), push_now=True)
        if not pushes:
            return False
        values = {d.field: d.value for d in pushes}
        if "assignee" in values:
            problem = _drop_unsendable_assignee(ctx, link, values)
            if problem and problems is not None:
                problems.append(problem)
        kind = link.kind or ""
        item = link.item
        if str(values.get("parent") or "").startswith(LOCAL_PARENT):
            parent_kind, parent_pk = values["parent"][len(LOCAL_PARENT) :].split(":")
            parent = ITEM_MODELS[parent_kind].objects.get(pk=int(parent_pk))
            values["parent"] = create_in_jira(ctx, parent).jira_issue_id
        labels = (issue.get("fields") or {}).get("labels") or []
        marker = marker_label(ctx.connection.pk, kind, item.pk) if item is not None else None
        edit = jira_fields(
            ctx, kind, {k: v for k, v in values.items() if k != "status"}, marker=marker if marker in labels else None
        )
        if edit:
            try:
                ctx.client.edit_issue(link.jira_issue_id, fields=edit)
            except JiraConflict:
                ctx.client.edit_issue(link.jira_issue_id, fields=edit)  # 409: Jira asks to re-send
        if "status" in values:
            transition_to(ctx, link.jira_issue_id, issue, values["status"])
        if values:
            with transaction.atomic():
                link = IssueLink.objects.select_for_update().get(pk=link.pk)
                link.base = {**link.base, **values}
                link.save(update_fields=["base"])
        return bool(values)


def _drop_unsendable_assignee(ctx: SyncContext, link: IssueLink, values: dict[str, Any]) -> str | None:
    """Take the assignee out of `values` when it cannot go to Jira; the problem in words, if any.

    - Someone here whom Jira shows under no such e-mail: an item error (assign in Jira, or invite them).
    - Nobody here while Jira's assignee is no member of the workspace: not a change made here (our item
      could never hold that person), so Jira keeps its assignee and nothing is said."""
    email = values["assignee"]
    if email is None:
        before = link.base.get("assignee")
        if before and member_by_email(ctx, before) is None:
            del values["assignee"]
        return None
    lookup = ctx.client.user_by_email(email)
    if lookup.assignee is not None:
        return None
    del values["assignee"]
    if lookup.hidden:
        return (
            f"Assignee not set in Jira: Jira shows no user with the e-mail {email} (it hides some addresses); "
            "assign them in Jira."
        )
    return f"Assignee not set in Jira: no Jira user with the e-mail {email}; assign in Jira or invite them."


def transition_to(ctx: SyncContext, jira_id: str, issue: dict[str, Any], workflow_status_id: int) -> None:
    """Walk Jira's workflow to a status mapped to ours: directly when a transition leads there, else step
    by step through statuses not yet visited, preferring the target's category."""
    rows = list(StatusMapping.objects.filter(mapping=ctx.mapping).select_related("workflow_status"))
    targets = {r.jira_status_id for r in rows if r.workflow_status_id == workflow_status_id}
    ours = next((r.workflow_status for r in rows if r.workflow_status_id == workflow_status_id), None)
    if ours is None:
        from backlog.models import WorkflowStatus

        ours = WorkflowStatus.objects.get(pk=workflow_status_id)
    category = OUR_TO_JIRA_CATEGORY.get(ours.category, "")
    if not targets:
        targets = {r.jira_status_id for r in rows if r.jira_category == category}
    if not targets:
        raise SyncProblem(f"No Jira status is mapped to “{ours.name}”: map one in the project mapping.")
    current = str(((issue.get("fields") or {}).get("status") or {}).get("id", ""))
    visited = {current}
    for _ in range(MAX_TRANSITION_STEPS):
        if current in targets:
            return
        options = ctx.client.transitions(jira_id)
        step = next((t for t in options if t.to_status_id in targets), None)
        if step is None:
            onward = sorted(
                (t for t in options if t.to_status_id not in visited), key=lambda t: t.to_category != category
            )
            if not onward:
                break
            step = onward[0]
        ctx.client.transition_issue(jira_id, step.id)
        current = step.to_status_id
        visited.add(current)
    if current not in targets:
        raise SyncProblem(f"Jira's workflow offers no way from this issue's status to “{ours.name}”.")


def ensure_remote_link(ctx: SyncContext, link: IssueLink, item: Any) -> None:
    """The link back to our page, once (upsert by globalId: safe to repeat). Linking disabled (403) or the
    per-issue limit (413) is not worth failing the push for."""
    link.refresh_from_db(fields=["remote_link_id", "archived_at"])
    if link.remote_link_id or link.archived_at:
        return
    kind = item_kind(item)
    try:
        remote_id, _ = ctx.client.upsert_remote_link(
            link.jira_issue_id,
            global_id=f"tpmws:{kind}:{item.pk}",
            url=ctx.item_url(item),
            title=f"{item.key} {item.title}"[:255],
            application={"type": "com.tpm-workspace", "name": "TPM Workspace"},
            relationship="synced with",
        )
    except JiraForbidden as exc:
        logger.info("jira_sync: remote link on %s refused: %s", link.jira_key, exc)
        return
    IssueLink.objects.filter(pk=link.pk).update(remote_link_id=str(remote_id))
