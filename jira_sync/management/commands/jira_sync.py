"""`manage.py jira_sync <connection id> [--full] [--dry-run]`: the beat's work, from the shell, with a progress bar."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jira_sync.models import JiraConnection, PushIntent, SyncRun
from jira_sync.services import runs
from jira_sync.services.dry_run import dry_run
from jira_sync.services.push import push_intent
from jira_sync.tasks import run_mapping


class Command(BaseCommand):
    help = "Pull (or fully reconcile) every mapped project of a Jira connection, then push what is pending."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("connection", help="The connection's id, or its site URL")
        parser.add_argument("--full", action="store_true", help="Full reconcile: also find deleted and moved issues")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change on each side; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = self._connection(options["connection"])
        if not connection.is_enabled:
            raise CommandError(f"The connection to {connection.site_url} is disabled; enable it first.")
        if not connection.mappings.exists():
            raise CommandError(f"The connection to {connection.site_url} maps no project yet; map one first.")
        if options["dry_run"]:
            run = dry_run(connection=connection)
            self.stdout.write(json.dumps(run.plan, indent=2, default=str))
            if run.status == SyncRun.Status.FAILED:
                raise CommandError(run.message)
            return
        failed = False
        for mapping in connection.mappings.select_related("product").order_by("pk"):
            failed |= self._pull(mapping.pk, f"{mapping.jira_project_key} → {mapping.product.key}", options["full"])
        failed |= self._push(connection)
        if failed:
            raise CommandError("The sync finished with failures; see the messages above.")

    def _connection(self, ref: str) -> JiraConnection:
        found = (
            JiraConnection.objects.filter(pk=int(ref)).first()
            if ref.isdigit()
            else JiraConnection.objects.filter(site_url=ref.rstrip("/")).first()
        )
        if found is None:
            raise CommandError(f"No Jira connection “{ref}”: give its id or site URL.")
        return found

    def _pull(self, mapping_id: int, label: str, full: bool) -> bool:
        with tqdm(desc=label, unit="issue", file=self.stderr._out, leave=True) as bar:

            def progress(seen: int, total: int | None) -> None:
                if total:
                    bar.total = total
                bar.update(seen - bar.n)

            run, countdown = run_mapping(mapping_id, full=full, progress=progress)
        if run is None:
            self.stderr.write(f"{label}: skipped (another pull of this project is running).")
            return False
        if countdown is not None:
            message = f"Jira asks to wait {countdown:.0f} s; run the command again later (the pull resumes)."
            runs.run_finish(run, failed=True, message=message)
            self.stderr.write(f"{label}: {message}")
            return True
        counts = ", ".join(f"{name} {value}" for name, value in run.counts().items())
        self.stdout.write(f"{label}: {run.status} — {counts}.")
        if run.status == SyncRun.Status.FAILED:
            self.stderr.write(f"{label}: {run.message}")
            return True
        for error in run.item_errors.all()[:20]:
            self.stderr.write(f"  {error.jira_key or error.item_label}: {error.message}")
        return False

    def _push(self, connection: JiraConnection) -> bool:
        ids = list(PushIntent.objects.filter(connection=connection, done_at__isnull=True).values_list("pk", flat=True))
        if not ids:
            return False
        outcomes: dict[str, int] = {}
        for intent_id in tqdm(ids, desc="push", unit="item", file=self.stderr._out):
            result, _ = push_intent(intent_id=intent_id)
            outcomes[result] = outcomes.get(result, 0) + 1
        self.stdout.write("push: " + ", ".join(f"{name} {count}" for name, count in sorted(outcomes.items())) + ".")
        return bool(outcomes.get("failed"))
