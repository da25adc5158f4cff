"""`workspace_export`: one workspace, every table of it, streamed to a text file in one snapshot.

Rows are read as tuples (`values_list`) through a server-side cursor, CHUNK rows at a time, and written
as they come: memory stays flat whatever the size of the workspace (a 100,000-story product included).
On PostgreSQL the whole export reads one REPEATABLE READ snapshot, so a workspace that people keep
editing meanwhile still comes out consistent (no story without its feature, no event without its
sign-off).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from core.errors import ApplicationError

from . import codec
from .registry import EXCLUDED, TABLES, USERS

CHUNK = 2000


@dataclass
class ExportResult:
    workspace_id: int
    slug: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def workspace_find(*, ref: str, using: str = DEFAULT_DB_ALIAS) -> Any:
    """The workspace named by slug, or by id when `ref` is a number; refused in words when there is none."""
    workspace_model = apps.get_model("workspaces.workspace")
    workspaces = workspace_model._base_manager.using(using)
    found = workspaces.filter(slug=ref).first()
    if found is None and ref.isdigit():
        found = workspaces.filter(pk=int(ref)).first()
    if found is None:
        raise ApplicationError(f"There is no workspace with the slug or id “{ref}”.")
    return found


def workspace_export(*, ref: str, out: IO[str], using: str = DEFAULT_DB_ALIAS) -> ExportResult:
    connection = connections[using]
    # SET TRANSACTION must open the transaction; inside an outer one (a test) its snapshot is used as is.
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(using=using):
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        workspace = workspace_find(ref=ref, using=using)
        result = ExportResult(workspace_id=workspace.pk, slug=workspace.slug, name=workspace.name)
        writer = codec.Writer(out, _header(workspace, using))
        user_ids = _user_ids(workspace.pk, using)
        for table in TABLES:
            model = table.model
            if table.label == USERS:
                rows = get_user_model()._base_manager.using(using).filter(pk__in=user_ids)
            else:
                rows = table.rows(workspace.pk, using)
            fields = codec.columns(model)
            result.counts[table.label] = writer.table(
                table.label, [f.attname for f in fields], _rows(rows, model, fields), derived=table.derived
            )
        writer.close()
    return result


def schema_state(using: str) -> dict[str, str]:
    """The last migration applied, per app: the schema an export was written with."""
    applied: dict[str, str] = {}
    for app_label, name in MigrationRecorder(connections[using]).applied_migrations():
        applied[app_label] = max(applied.get(app_label, ""), name)
    return dict(sorted(applied.items()))


def _header(workspace: Any, using: str) -> dict[str, Any]:
    return {
        "exported_at": timezone.now(),
        "workspace": {"id": workspace.pk, "slug": workspace.slug, "name": workspace.name},
        "migrations": schema_state(using),
        "secrets": (
            "Jira tokens and webhook signing secrets are written as stored: Fernet tokens that only the "
            "FIELD_ENCRYPTION_KEY / SECRET_KEY of the exporting site decrypts. Passwords are written as "
            "their hashes. API tokens are left out."
        ),
        "excluded": EXCLUDED,
    }


def _user_ids(workspace_id: int, using: str) -> set[int]:
    """Every user a row of the workspace points at, members first among them."""
    user_model = get_user_model()
    ids: set[int] = set()
    for table in TABLES:
        if table.label == USERS:
            continue
        for fk in codec.columns(table.model):
            if fk.is_relation and fk.related_model is user_model:
                rows = table.rows(workspace_id, using).exclude(**{f"{fk.attname}__isnull": True})
                ids.update(rows.order_by().values_list(fk.attname, flat=True).distinct())
    return ids


def _rows(queryset: models.QuerySet, model: type[models.Model], fields: list[models.Field]) -> Iterator[list[Any]]:
    content_type_columns = [index for index, f in enumerate(fields) if codec.is_content_type_fk(f)]
    natural_keys: dict[int, list[str]] = {}
    rows = queryset.order_by(*codec.ordering(model)).values_list(*[f.attname for f in fields])
    for values in rows.iterator(chunk_size=CHUNK):
        row = list(values)
        for index in content_type_columns:
            if row[index] is not None:
                if row[index] not in natural_keys:
                    content_type = ContentType.objects.db_manager(queryset.db).get_for_id(row[index])
                    natural_keys[row[index]] = list(content_type.natural_key())
                row[index] = natural_keys[row[index]]
        yield row
