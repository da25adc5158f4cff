"""`manage.py export_workspace <slug or id> [--output file.json]`: one workspace to one JSON file."""

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError

from core.errors import ApplicationError
from workspaces.portability.exporter import workspace_export


class Command(BaseCommand):
    help = (
        "Write one workspace to one JSON file: its members and the users its rows name (password hashes "
        "included), products, backlog, roadmaps, PRDs, decisions, sign-offs and their audit trail, comments, "
        "notifications, webhooks and the Jira sync (secrets as stored, encrypted), with every history row. "
        "API tokens are left out. Read back with import_workspace into an empty database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("workspace", help="The workspace's slug, or its id")
        parser.add_argument("--output", "-o", help="File to write (default: standard output)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias to read from")

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"]
        try:
            if output:
                result = self._to_file(Path(output), options)
            else:
                result = workspace_export(ref=options["workspace"], out=self.stdout._out, using=options["database"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        except DatabaseError as exc:
            raise CommandError(
                f"The database refused the export ({str(exc).strip()}). Is it migrated (manage.py migrate)?"
            ) from exc
        # The summary goes to stderr when the export itself goes to standard output.
        report = self.stdout if output else self.stderr
        report.write(
            f"Exported the workspace “{result.name}” (slug {result.slug}, id {result.workspace_id}): "
            f"{result.total:,} rows in {sum(1 for n in result.counts.values() if n)} tables"
            + (f" to {output}." if output else ".")
        )

    def _to_file(self, path: Path, options: dict[str, Any]) -> Any:
        # Written beside the target and renamed at the end: a failed export never leaves a file that
        # looks whole.
        partial = path.with_name(path.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8", newline="\n") as out:
                result = workspace_export(ref=options["workspace"], out=out, using=options["database"])
            os.replace(partial, path)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
        finally:
            if partial.exists():
                partial.unlink()
        return result
