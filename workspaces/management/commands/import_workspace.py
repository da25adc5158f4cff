"""`manage.py import_workspace file.json`: restore an exported workspace into an empty database."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from core.errors import ApplicationError
from workspaces.portability.codec import FileError
from workspaces.portability.restorer import workspace_restore


class Command(BaseCommand):
    help = (
        "Restore a workspace written by export_workspace, with the same ids, values, history and sign-off "
        "trail, in one transaction. Refused, with nothing written, when the database already holds that "
        "workspace or any row whose id the export uses (restore into an empty, migrated database), or when "
        "the file is damaged or of another format version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The JSON file export_workspace wrote")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias to restore into")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            with path.open(encoding="utf-8") as stream:
                result = workspace_restore(stream=stream, using=options["database"])
        except FileNotFoundError as exc:
            raise CommandError(f"There is no file {path}.") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}.") from exc
        except FileError as exc:
            raise CommandError(f"{path} cannot be imported: {exc}") from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Restored the workspace “{result.slug}” (id {result.workspace_id}): {result.total:,} rows "
            f"in {sum(1 for n in result.counts.values() if n)} tables."
        )
