"""Jira's webhooks: verify, store first, process later by re-reading the issue.

The signature (`X-Hub-Signature: sha256=<HMAC-SHA256(secret, raw body)>`) is checked on the raw
bytes, in constant time, before anything is parsed or stored. Events are deduplicated by
`X-Atlassian-Webhook-Identifier` (stable across Jira's retries) and by the SHA-256 of the signed body:
that header is not covered by the signature, so a replay — the same body and signature sent again
under any identifier — is answered like a duplicate and stores nothing. Jira's scheme signs no
timestamp, so there is no freshness window to check; a body never received before can only make us
re-read an issue (below), which a replay cannot turn into a change. Processing never trusts the body
(v2 representation, possibly stale, in no guaranteed order): it GETs the issue and applies its
current state with the same upsert as the pull, so duplicates and reordering change nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.db import delete_in_batches
from core.queue import enqueue

from ..jira import JiraError, JiraNotFound, JiraRetryLater
from ..models import IssueLink, JiraConnection, JiraWebhookEvent, ProjectMapping
from .apply import SyncProblem, archive_link, issue_project_id, upsert_issue
from .pull import context_for, load_mapping

EVENTS = {"jira:issue_created", "jira:issue_updated", "jira:issue_deleted"}


@dataclass(frozen=True)
class Received:
    status: int  # 202 stored (or a duplicate), 401 bad signature, 404 unknown connection, 400 unreadable
    event_id: int | None = None


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode())


def webhook_receive(*, connection_key: str, body: bytes, headers: Mapping[str, str]) -> Received:
    connection = JiraConnection.objects.filter(webhook_key=connection_key, is_enabled=True).first()
    if connection is None:
        return Received(404)
    if not signature_ok(connection.webhook_secret(), body, headers.get("X-Hub-Signature")):
        return Received(401)
    try:
        payload = json.loads(body)
    except ValueError:
        return Received(400)
    if not isinstance(payload, dict):
        return Received(400)
    digest = hashlib.sha256(body).hexdigest()
    identifier = headers.get("X-Atlassian-Webhook-Identifier") or digest
    issue = payload.get("issue") or {}
    try:
        with transaction.atomic():
            event = JiraWebhookEvent.objects.create(
                connection=connection,
                identifier=identifier[:128],
                body_sha256=digest,
                event=str(payload.get("webhookEvent", ""))[:64],
                issue_id=str(issue.get("id", ""))[:32],
                user_account_id=str((payload.get("user") or {}).get("accountId", ""))[:128],
                payload=payload,
            )
            transaction.on_commit(lambda: enqueue_process(event.pk))
    except IntegrityError:
        return Received(202)  # a retry (or a replay) of what we already hold
    return Received(202, event.pk)


def enqueue_process(event_id: int) -> bool:
    from .. import tasks

    return enqueue(tasks.process_webhook_event, event_id)  # a broker that is away leaves it to the sweep


def webhook_process(*, event_id: int) -> str:
    """Apply one stored event (idempotent: a processed event is skipped). JiraRetryLater propagates for
    the task to re-queue; other Jira errors are kept on the event for the sweep to try again."""
    claimed = JiraWebhookEvent.objects.filter(pk=event_id, processed_at__isnull=True).select_related("connection")
    event = claimed.first()
    if event is None:
        return "skipped"
    outcome, error = _process(event)
    JiraWebhookEvent.objects.filter(pk=event.pk).update(
        processed_at=None if outcome == "retry" else timezone.now(), outcome=outcome, error=error
    )
    return outcome


def _process(event: JiraWebhookEvent) -> tuple[str, str]:
    connection = event.connection
    if event.event not in EVENTS or not event.issue_id:
        return "ignored", ""
    if event.event != "jira:issue_deleted" and connection.account_id and event.user_account_id == connection.account_id:
        return "own change", ""  # our own push: the pull is the backstop should it be needed
    project_id = str((((event.payload.get("issue") or {}).get("fields") or {}).get("project") or {}).get("id", ""))
    link = IssueLink.objects.filter(connection=connection, jira_issue_id=event.issue_id).first()
    mapping_id = (
        link.mapping_id
        if link is not None and link.mapping_id
        else ProjectMapping.objects.filter(connection=connection, jira_project_id=project_id)
        .values_list("pk", flat=True)
        .first()
    )
    if mapping_id is None:
        return "not mapped", ""
    ctx = context_for(load_mapping(mapping_id))
    try:
        try:
            issue = ctx.client.get_issue(event.issue_id, fields=ctx.search_fields())
        except JiraNotFound:
            archived = archive_link(ctx, event.issue_id, reason=IssueLink.ArchiveReason.DELETED_IN_JIRA)
            return ("archived" if archived else "gone"), ""
        if issue_project_id(issue) != ctx.mapping.jira_project_id:
            archived = archive_link(ctx, event.issue_id, reason=IssueLink.ArchiveReason.MOVED_OUT, new_key=issue["key"])
            return ("archived" if archived else "moved"), ""
        result = upsert_issue(ctx, issue)
        return next((name for name in ("created", "updated") if result.counts.get(name)), "unchanged"), ""
    except JiraRetryLater:
        raise
    except SyncProblem as exc:
        return "failed", str(exc)
    except JiraError as exc:
        return "retry", str(exc)
    finally:
        ctx.client.close()


def pending_event_ids(*, limit: int = 500, older_than: timedelta = timedelta(minutes=1)) -> list[int]:
    """Stored events nobody processed (the broker was down, a worker died, Jira failed): for the sweep."""
    return list(
        JiraWebhookEvent.objects.filter(processed_at__isnull=True, received_at__lt=timezone.now() - older_than)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def webhook_events_prune(*, before: datetime, batch: int = 1000) -> int:
    """Delete events processed before `before`. A replay of one is then stored again, which can only make
    us re-read its issue (see above). Unprocessed events are kept for the sweep. How many went."""
    return delete_in_batches(JiraWebhookEvent.objects.filter(processed_at__lt=before), batch=batch)
