"""SyncRun records: one per pull, reconcile, push sweep or dry run, with counts updated as pages complete."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from core.db import delete_in_batches
from core.errors import ApplicationError

from ..models import JiraConnection, ProjectMapping, SyncItemError, SyncRun

logger = logging.getLogger(__name__)

COUNTS = ("created", "updated", "archived", "pushed", "conflicts", "errors")
PULL_KINDS = (SyncRun.Kind.PULL, SyncRun.Kind.FULL, SyncRun.Kind.IMPORT)


def run_start(
    *, connection: JiraConnection, kind: str, mapping: ProjectMapping | None = None, run_id: int | None = None
) -> SyncRun:
    """A new run, or the given one again (a task re-queued after a long rate-limit wait keeps its run)."""
    if run_id is not None:
        run = SyncRun.objects.filter(pk=run_id).first()
        if run is not None:
            if run.status != SyncRun.Status.RUNNING:
                SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.RUNNING, finished_at=None)
                run.refresh_from_db()
            return run
    return SyncRun.objects.create(connection=connection, mapping=mapping, kind=kind)


@transaction.atomic
def pull_run_start(*, mapping: ProjectMapping, full: bool) -> SyncRun:
    """A new pull (or, `full`, reconcile) run of the mapping, for a task to take up. Refused in words
    (ApplicationError, extra `running`) while another pull of it runs; one left `running` by a lost worker
    (run_abandoned) is closed first. The mapping row is locked, so two requests cannot both start one."""
    from .pull import lease

    lease_until = (
        ProjectMapping.objects.select_for_update().filter(pk=mapping.pk).values_list("lease_until", flat=True).get()
    )
    running = SyncRun.objects.filter(mapping=mapping, status=SyncRun.Status.RUNNING, kind__in=PULL_KINDS).first()
    if running is not None and run_abandoned(running, lease_until=lease_until, lease=lease()):
        run_finish(running, failed=True, message="This run stopped without finishing (its worker was lost).")
        running = None
    if running is not None:
        raise ApplicationError(
            f"Run {running.pk} of this mapping is running already; follow it instead.", extra={"running": running.pk}
        )
    kind = SyncRun.Kind.FULL if full else SyncRun.Kind.PULL
    return run_start(connection=mapping.connection, mapping=mapping, kind=kind)


def run_progress(run: SyncRun, counts: Counter[str], *, pages: int = 0, seen: int = 0) -> None:
    """Add a page's counts to the run in one UPDATE (F expressions: concurrent writers never lose counts)."""
    updates: dict[str, Any] = {name: F(name) + counts[name] for name in COUNTS if counts.get(name)}
    if pages:
        updates["pages"] = F("pages") + pages
    if seen:
        updates["seen"] = F("seen") + seen
    if updates:
        SyncRun.objects.filter(pk=run.pk).update(**updates)
    if pages and run.mapping_id is not None:
        # A page done is a sign of life: the pull's lease on its mapping is renewed (pull imports this module).
        from .pull import mapping_renew

        mapping_renew(run.mapping_id)
    counts.clear()


def runs_abandoned(*, mapping_id: int, successor: SyncRun) -> int:
    """Pulls of the mapping still `running` whose worker died (killed, lost its machine) without finishing:
    called by the run that took over their lapsed lease, so they do not show as running for ever (nor keep
    the API from starting a sync). Their counts stay: what they did was done."""
    return (
        SyncRun.objects.filter(mapping_id=mapping_id, status=SyncRun.Status.RUNNING, kind__in=PULL_KINDS)
        .exclude(pk=successor.pk)
        .update(
            status=SyncRun.Status.FAILED,
            finished_at=timezone.now(),
            message=f"This run stopped without finishing (its worker was stopped or lost); run {successor.pk} "
            "took over and carried on from where it stopped.",
        )
    )


def run_abandoned(run: SyncRun, *, lease_until: datetime | None, lease: timedelta) -> bool:
    """A pull still `running` that nobody works on: its mapping's lease has lapsed (or was never taken)
    and it started longer ago than a lease lasts — its worker died, or its message never reached one."""
    now = timezone.now()
    return (lease_until is None or lease_until < now) and run.started_at < now - lease


def run_item_error(
    run: SyncRun, *, message: str, jira_issue_id: str = "", jira_key: str = "", item: Any = None
) -> None:
    label = f"{item.key} {item.title}"[:300] if item is not None else ""
    SyncItemError.objects.create(
        run=run, jira_issue_id=jira_issue_id, jira_key=jira_key, item_label=label, message=message
    )
    logger.info("jira_sync run %s: %s %s: %s", run.pk, jira_key or jira_issue_id, label, message)


def run_finish(run: SyncRun, *, failed: bool = False, message: str = "", plan: Any = None) -> SyncRun:
    updates: dict[str, Any] = {
        "status": SyncRun.Status.FAILED if failed else SyncRun.Status.SUCCEEDED,
        "finished_at": timezone.now(),
        "message": message[:4000],
    }
    if plan is not None:
        updates["plan"] = plan
    SyncRun.objects.filter(pk=run.pk).update(**updates)
    run.refresh_from_db()
    return run


def runs_prune(*, before: datetime, batch: int = 1000) -> int:
    """Delete finished runs started before `before`, with their item errors. The newest run of each kind and
    outcome of a mapping (or of the connection, for runs of no mapping) stays whatever its age: the sync's
    health reads the last run and the last success. Running ones stay. How many runs went.

    The newest of each are numbered in one sorted pass (a window), not found by asking every old run whether
    a newer one exists, which grows with the square of the runs kept."""
    newest = (
        SyncRun.objects.annotate(
            n=Window(
                RowNumber(),
                partition_by=[F("connection"), F("mapping"), F("kind"), F("status")],
                order_by=[F("started_at").desc(), F("pk").desc()],
            )
        )
        .filter(n=1)
        .values("pk")
    )
    old = SyncRun.objects.filter(started_at__lt=before).exclude(status=SyncRun.Status.RUNNING)
    return delete_in_batches(old.exclude(pk__in=newest), batch=batch)
