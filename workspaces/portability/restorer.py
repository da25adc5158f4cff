"""`workspace_restore`: an export read back into a database that does not hold that workspace.

One transaction: either every row goes in, with its primary key and every value as exported, or
nothing does. Rows are inserted with plain multi-row INSERTs (no `save()`, no signals, no `auto_now`),
so timestamps, history rows and the sign-off trail come back exactly; the append-only triggers only
refuse UPDATEs, and the backlog roll-up triggers rebuild `backlog_epicstatustotal` from the stories as
they go in — compared afterwards with the totals in the file, and refused if they differ. Foreign keys
are checked before commit, then each table's sequence is moved past the ids it now holds
(`sqlsequencereset`), so that the next row created gets a fresh id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction

from core.errors import ApplicationError

from . import codec
from .codec import FileError, TableStart
from .exporter import schema_state
from .registry import TABLES_BY_LABEL, Table

MAX_BATCH = 1000
# Field types whose JSON value goes to the database as is (half the restore's Python time otherwise).
PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "BooleanField",
        "CharField",
        "TextField",
        "SlugField",
    }
)


def _same(value: Any) -> Any:
    return value


@dataclass
class RestoreResult:
    workspace_id: int
    slug: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def workspace_restore(*, stream: IO[str], using: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    """Refused with an ApplicationError (a FileError for a file that cannot be read) and nothing written."""
    header, events = codec.read(stream)
    workspace = header["workspace"]
    result = RestoreResult(workspace_id=workspace["id"], slug=workspace["slug"])
    loader = _Loader(using, result)
    try:
        with transaction.atomic(using=using):
            _refuse_other_schema(header, using)
            _refuse_if_present(workspace, using)
            for event in events:
                if isinstance(event, TableStart):
                    loader.start(event)
                else:
                    loader.row(*event)
            loader.finish()
    except DatabaseError as exc:
        raise ApplicationError(_refusal(exc, loader.label)) from exc
    return result


def _refuse_other_schema(header: dict[str, Any], using: str) -> None:
    """Refused before any row is read when the file's tables were migrated differently from this database's."""
    exported = header.get("migrations")
    if not isinstance(exported, dict):
        raise FileError("The export does not say which schema (migrations) it was written with.")
    here = schema_state(using)
    differ = [
        f"{app} {exported.get(app) or 'none'} in the file, {here.get(app) or 'none'} here"
        for app in sorted({label.split(".")[0] for label in TABLES_BY_LABEL})
        if exported.get(app) != here.get(app)
    ]
    if differ:
        raise FileError(
            f"The export was written with another schema than this database's ({'; '.join(differ)}). Restore it "
            "into a database migrated by the version of TPM Workspace that wrote it."
        )


def _refuse_if_present(workspace: dict[str, Any], using: str) -> None:
    workspaces = apps.get_model("workspaces.workspace")._base_manager.using(using)
    existing = workspaces.filter(models.Q(slug=workspace["slug"]) | models.Q(pk=workspace["id"])).first()
    if existing is not None:
        raise ApplicationError(
            f"This database already holds the workspace “{existing.name}” (slug “{existing.slug}”, id {existing.pk}), "
            f"so “{workspace['slug']}” (id {workspace['id']}) cannot be restored with its own ids. import_workspace "
            "restores into an empty database (or one without this workspace); nothing was written."
        )


class _Loader:
    def __init__(self, using: str, result: RestoreResult) -> None:
        self.using = using
        self.connection = connections[using]
        self.result = result
        self.table: Table | None = None
        self.label = ""
        self.converters: list[Callable[[Any], Any]] = []
        self.columns: list[str] = []
        self.batch: list[list[Any]] = []
        self.batch_size = MAX_BATCH
        self.derived: dict[str, list[tuple[Any, ...]]] = {}

    def start(self, start: TableStart) -> None:
        self.flush()
        table = TABLES_BY_LABEL.get(start.label)
        if table is None:
            raise FileError(f"Line {start.line}: the export has a table “{start.label}” this version does not know.")
        if start.label in self.result.counts:
            raise FileError(f"Line {start.line}: the table “{start.label}” appears twice.")
        fields = codec.columns(table.model)
        expected = [f.attname for f in fields]
        if start.fields != expected:
            missing = sorted(set(expected) - set(start.fields))
            unknown = sorted(set(start.fields) - set(expected))
            raise FileError(
                f"Line {start.line}: the columns of “{start.label}” differ from this database's "
                f"(missing: {', '.join(missing) or 'none'}; unknown: {', '.join(unknown) or 'none'}; or in another "
                "order): the export was written by another version of the schema."
            )
        self.table, self.label = table, start.label
        self.columns = [f.column for f in fields]
        self.converters = [self._converter(f) for f in fields]
        self.batch_size = max(1, min(MAX_BATCH, 60_000 // len(fields)))
        self.result.counts[start.label] = 0
        if table.derived:
            self.derived[start.label] = []

    def row(self, line: int, values: list[Any]) -> None:
        if self.table is None:
            raise FileError(f"Line {line}: a row before any table.")
        if len(values) != len(self.converters):
            raise FileError(
                f"Line {line}: a row of “{self.label}” has {len(values)} values for {len(self.columns)} columns."
            )
        try:
            converted = [convert(value) for convert, value in zip(self.converters, values, strict=True)]
        except (ValidationError, ValueError, TypeError) as exc:
            detail = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise FileError(f"Line {line}: a value of “{self.label}” cannot be read back ({detail}).") from exc
        self.result.counts[self.label] += 1
        if self.table.derived:
            self.derived[self.label].append(tuple(values))
            return
        self.batch.append(converted)
        if len(self.batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        quote = self.connection.ops.quote_name
        placeholders = "(" + ", ".join(["%s"] * len(self.columns)) + ")"
        sql = (
            f"INSERT INTO {quote(self.table.model._meta.db_table)} ({', '.join(quote(c) for c in self.columns)}) "
            f"VALUES {', '.join([placeholders] * len(self.batch))}"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [value for row in self.batch for value in row])
        self.batch = []

    def finish(self) -> None:
        self.flush()
        self.label = ""
        missing = [label for label in TABLES_BY_LABEL if label not in self.result.counts]
        if missing:
            raise FileError(f"The export lacks the tables {', '.join(missing)}: it is incomplete or of another version")
        # Foreign keys are deferred to commit; check them now, inside the transaction, to refuse in words.
        self.connection.check_constraints()
        for label, expected in self.derived.items():
            self._compare_derived(TABLES_BY_LABEL[label], expected)
        imported = [TABLES_BY_LABEL[label].model for label in self.result.counts if label not in self.derived]
        with self.connection.cursor() as cursor:
            for statement in self.connection.ops.sequence_reset_sql(no_style(), imported):
                cursor.execute(statement)

    def _converter(self, field: models.Field) -> Callable[[Any], Any]:
        if codec.is_content_type_fk(field):
            return self._content_type_id
        target = field.target_field if field.is_relation else field
        if target.get_internal_type() in PLAIN_TYPES:
            # JSON already holds these as the database takes them; a wrong type is refused by PostgreSQL.
            return _same
        connection = self.connection

        def convert(value: Any) -> Any:
            if value is None:
                return None
            return field.get_db_prep_save(field.to_python(value), connection)

        return convert

    def _content_type_id(self, natural_key: Any) -> int | None:
        if natural_key is None:
            return None
        if not (isinstance(natural_key, list) and len(natural_key) == 2):
            raise ValueError(f"a content type is written as [app label, model], not {natural_key!r}")
        try:
            return ContentType.objects.db_manager(self.using).get_by_natural_key(*natural_key).pk
        except ContentType.DoesNotExist:
            raise ValueError(f"this database has no content type {'.'.join(natural_key)}") from None

    def _compare_derived(self, table: Table, expected: list[tuple[Any, ...]]) -> None:
        model = table.model
        fields = codec.columns(model)
        rebuilt = list(
            table.rows(self.result.workspace_id, self.using)
            .order_by(*codec.ordering(model))
            .values_list(*[f.attname for f in fields])
        )
        wanted = sorted(tuple(f.to_python(v) for f, v in zip(fields, row, strict=True)) for row in expected)
        if rebuilt != wanted:
            differing = next((pair for pair in zip(wanted, rebuilt, strict=False) if pair[0] != pair[1]), None)
            raise ApplicationError(
                f"The rebuilt “{table.label}” differs from the export's ({len(wanted)} rows exported, {len(rebuilt)} "
                f"rebuilt; first difference: {differing}); nothing was written."
            )


def _refusal(exc: DatabaseError, label: str) -> str:
    diag = getattr(exc.__cause__, "diag", None)
    detail = (
        " ".join(
            part for part in (getattr(diag, "message_primary", None), getattr(diag, "message_detail", None)) if part
        )
        or str(exc).strip()
    )
    where = f" while writing “{label}”" if label else ""
    sqlstate = getattr(exc.__cause__, "sqlstate", None) or getattr(exc.__cause__, "pgcode", None)
    if sqlstate == "23505":  # unique_violation
        return (
            f"The database already holds a row that the export's would collide with{where}: {detail} "
            "import_workspace restores into an empty database; nothing was written."
        )
    return f"The database refused the export{where}: {detail} Nothing was written."
