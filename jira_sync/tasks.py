"""Celery entry points for the Jira sync: thin, by id, idempotent; the services own every decision.

- pull_mapping(mapping_id, full=False): incremental pull (or full reconcile) of one mapping, as a SyncRun.
  Jira asking for a long wait (JiraRetryLater) re-queues the task with that countdown and the same run;
  when the retries run out, or Jira fails past the client's retries, the run ends `failed` with Jira's
  words — the worker never sees an exception.
- pull_all() / reconcile_all(): beat (every 5 minutes / nightly) fans out one pull per enabled mapping.
- push_item(intent_id): one outbox row (queued after the commit that wrote it).
- push_sweep(): beat, every minute: pushes whatever the broker or a dead worker left pending, and
  processes webhook events that were stored but never processed.
- process_webhook_event(event_id).
- history_prune(): nightly, deletes done pushes and processed webhook events older than
  settings.OUTBOX_RETENTION (intents.intents_prune keeps an item's latest push error), and finished runs
  older than settings.SYNC_RUN_RETENTION (runs.runs_prune keeps the newest of each kind and outcome).
- dry_run_mapping(mapping_id, run_id): the dry run of one mapping, into a run the API created.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .jira import JiraError, JiraRetryLater
from .models import JiraWebhookEvent, ProjectMapping, PushIntent, SyncRun
from .services import intents, runs
from .services import webhooks as webhook_services
from .services.pull import mapping_claim, mapping_release
from .services.pull import pull_mapping as pull_service
from .services.push import push_intent
from .services.reconcile import reconcile_mapping

logger = logging.getLogger(__name__)

SWEEP_BATCH = 200
MAX_RETRIES = 5


def run_mapping(
    mapping_id: int, *, full: bool, run_id: int | None = None, progress: Any = None
) -> tuple[SyncRun | None, float | None]:
    """(the run, countdown when Jira asks to come back later). Shared by the task and the command."""
    mapping = ProjectMapping.objects.select_related("connection").filter(pk=mapping_id).first()
    if mapping is None or not mapping.connection.is_enabled:
        _skip_queued_run(run_id, "The connection is disabled, or the mapping is gone: nothing was pulled.")
        return None, None
    # A lease that lapsed without being released was held by a worker that died mid-run.
    lapsed = mapping.lease_until is not None and mapping.lease_until < timezone.now()
    if not mapping_claim(mapping_id):
        logger.info("jira_sync: mapping %s is being pulled already", mapping_id)
        _skip_queued_run(run_id, "Another sync of this mapping was running: this one did nothing.")
        return None, None
    kind = SyncRun.Kind.FULL if full else SyncRun.Kind.PULL
    run = runs.run_start(connection=mapping.connection, mapping=mapping, kind=kind, run_id=run_id)
    if lapsed:
        runs.runs_abandoned(mapping_id=mapping_id, successor=run)
    try:
        (reconcile_mapping if full else pull_service)(mapping_id=mapping_id, run=run, progress=progress)
    except JiraRetryLater as exc:
        return run, exc.countdown
    except JiraError as exc:
        return runs.run_finish(run, failed=True, message=str(exc)), None
    except Exception as exc:
        logger.exception("jira_sync: run %s of mapping %s failed", run.pk, mapping_id)
        return runs.run_finish(run, failed=True, message=f"The sync stopped on an internal error: {exc}"), None
    finally:
        mapping_release(mapping_id)
    return runs.run_finish(run), None


def _skip_queued_run(run_id: int | None, message: str) -> None:
    """A run queued ahead (by the API) that will not run must not stay `running` for ever."""
    if run_id is not None:
        SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.RUNNING).update(
            status=SyncRun.Status.FAILED, finished_at=timezone.now(), message=message
        )


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=MAX_RETRIES)
def pull_mapping(self: Any, mapping_id: int, full: bool = False, run_id: int | None = None) -> str:
    run, countdown = run_mapping(mapping_id, full=full, run_id=run_id)
    if run is None:
        return "skipped"
    if countdown is None:
        return run.status
    if self.request.retries >= self.max_retries:
        runs.run_finish(run, failed=True, message=f"Jira kept asking to wait; gave up after {self.max_retries} tries.")
        return SyncRun.Status.FAILED
    raise self.retry(countdown=countdown, kwargs={"mapping_id": mapping_id, "full": full, "run_id": run.pk})


def _enabled_mapping_ids() -> list[int]:
    return list(ProjectMapping.objects.filter(connection__is_enabled=True).values_list("pk", flat=True))


@shared_task(acks_late=True, ignore_result=True)
def dry_run_mapping(mapping_id: int, run_id: int) -> str:
    """The dry run of one mapping into a run queued ahead (by the API): the plan, nothing written."""
    from .services.dry_run import dry_run_mapping as dry_run_service

    return dry_run_service(mapping_id=mapping_id, run_id=run_id).status


@shared_task(acks_late=True, ignore_result=True)
def pull_all() -> int:
    ids = _enabled_mapping_ids()
    for mapping_id in ids:
        pull_mapping.delay(mapping_id)
    return len(ids)


@shared_task(acks_late=True, ignore_result=True)
def reconcile_all() -> int:
    ids = _enabled_mapping_ids()
    for mapping_id in ids:
        pull_mapping.delay(mapping_id, full=True)
    return len(ids)


@shared_task(acks_late=True, ignore_result=True)
def push_item(intent_id: int) -> str:
    result, countdown = push_intent(intent_id=intent_id)
    if countdown is not None and result in {"later", "again", "uncertain", "retry"}:
        intents.enqueue_push(intent_id, countdown=countdown or None)
    return result


@shared_task(acks_late=True, ignore_result=True)
def push_sweep() -> dict[str, int]:
    """Catch up on what the broker lost or a worker dropped; safe to run at any time and more than once."""
    counts: Counter[str] = Counter()
    by_connection: dict[int, Counter[str]] = {}
    due = list(
        PushIntent.objects.filter(pk__in=intents.due_intent_ids(limit=SWEEP_BATCH)).values_list("pk", "connection_id")
    )
    for intent_id, connection_id in due:
        result, _ = push_intent(intent_id=intent_id)
        tally = by_connection.setdefault(connection_id, Counter())
        if result in {"created", "updated"}:
            tally["pushed"] += 1
        elif result in {"failed", "retry", "uncertain", "later"}:
            tally["errors"] += 1
        counts[result] += 1
    for connection_id, tally in by_connection.items():
        if tally:
            run = SyncRun.objects.create(connection_id=connection_id, kind=SyncRun.Kind.PUSH)
            runs.run_progress(run, tally)
            runs.run_finish(run)
    for event_id in webhook_services.pending_event_ids(limit=SWEEP_BATCH):
        process_webhook_event.delay(event_id)
        counts["webhook events"] += 1
    return dict(counts)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=MAX_RETRIES)
def process_webhook_event(self: Any, event_id: int) -> str:
    try:
        return webhook_services.webhook_process(event_id=event_id)
    except JiraRetryLater as exc:
        if self.request.retries >= self.max_retries:
            JiraWebhookEvent.objects.filter(pk=event_id).update(error=str(exc))
            return "later"  # still unprocessed: the sweep takes it up again
        raise self.retry(countdown=exc.countdown) from exc


@shared_task(acks_late=True, ignore_result=True)
def history_prune() -> dict[str, int]:
    before = timezone.now() - settings.OUTBOX_RETENTION
    return {
        "push intents": intents.intents_prune(before=before),
        "webhook events": webhook_services.webhook_events_prune(before=before),
        "runs": runs.runs_prune(before=timezone.now() - settings.SYNC_RUN_RETENTION),
    }
