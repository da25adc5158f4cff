"""The export file: one JSON document, written one row per line so that both ends can stream it.

    {"format": "tpm-workspace-export", "version": 1, "workspace": {...}, ..., "tables": [
    {"model": "backlog.story", "fields": ["id", "created_at", ...], "rows": [
    [1, "2026-11-26T05:58:35.123456+00:00", ...],
    [2, ...]
    ]},
    ...
    ]}

Columns are the model's concrete fields by attname (`product_id`), so a foreign key is the raw id; a
foreign key to a content type is written as its natural key `["backlog", "story"]`, since content type
ids differ between databases. Values are JSON as Django reads them, with datetimes, dates, decimals,
UUIDs, durations and bytes as strings; the restorer turns each back with its field's `to_python`, so
a JSON field holding the string "2026-01-01" stays a string.

A pretty-printed or otherwise re-laid-out file is still read, all at once instead of line by line.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db import models
from django.utils.duration import duration_iso_string

FORMAT = "tpm-workspace-export"
VERSION = 1


class FileError(Exception):
    """The file is not an export this version can read; the message says why, in words."""


def columns(model: type[models.Model]) -> list[models.Field]:
    """The fields written for a model, in file order (a composite primary key is its columns)."""
    return [field for field in model._meta.concrete_fields if field.column]


def ordering(model: type[models.Model]) -> list[str]:
    pk = model._meta.pk
    if isinstance(pk, models.CompositePrimaryKey):
        return [field.attname for field in pk.fields]
    return ["pk"]


def is_content_type_fk(field: models.Field) -> bool:
    related = field.related_model if field.is_relation else None
    return related is not None and related._meta.label_lower == "contenttypes.contenttype"


def _default(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not exportable")


def dumps(value: Any) -> str:
    # One line per value: json.dumps escapes newlines inside strings, so a row never spans two lines.
    return json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"))


# --- Writing ----------------------------------------------------------------------------------------


class Writer:
    """Writes the document piece by piece; nothing is held but the current row."""

    def __init__(self, out: IO[str], header: dict[str, Any]) -> None:
        self.out = out
        self.tables = 0
        head = dumps({"format": FORMAT, "version": VERSION, **header})
        out.write(head[:-1] + ',"tables":[\n')

    def table(self, label: str, fields: list[str], rows: Iterable[list[Any]], *, derived: bool = False) -> int:
        start = {"model": label, "fields": fields, **({"derived": True} if derived else {})}
        self.out.write(("," if self.tables else "") + dumps(start)[:-1] + ',"rows":[\n')
        count = 0
        for row in rows:
            self.out.write(("," if count else "") + dumps(row) + "\n")
            count += 1
        self.out.write("]}\n")
        self.tables += 1
        return count

    def close(self) -> None:
        self.out.write("]}\n")


# --- Reading ----------------------------------------------------------------------------------------


@dataclass
class TableStart:
    label: str
    fields: list[str]
    derived: bool
    line: int


def _check_header(header: Any) -> dict[str, Any]:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise FileError("This is not a TPM Workspace export (no “format”: “tpm-workspace-export” at its start).")
    version = header.get("version")
    if version != VERSION:
        raise FileError(
            f"This export is format version {version!r}; this version of TPM Workspace reads version {VERSION} "
            "only. Import it with the version that wrote it."
        )
    workspace = header.get("workspace")
    if not isinstance(workspace, dict) or not isinstance(workspace.get("id"), int) or not workspace.get("slug"):
        raise FileError("The export names no workspace (its “workspace” entry is missing or incomplete).")
    return header


def _table_start(value: Any, line: int) -> TableStart:
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("model"), str)
        or not isinstance(value.get("fields"), list)
        or not all(isinstance(name, str) for name in value["fields"])
    ):
        raise FileError(f'Line {line}: expected the start of a table ({{"model": …, "fields": […], …}}).')
    return TableStart(value["model"], value["fields"], bool(value.get("derived")), line)


def _loads(text: str, line: int) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileError(f"Line {line} is not valid JSON ({exc.msg}, column {exc.colno}): the file is damaged.") from exc


def read(stream: IO[str]) -> tuple[dict[str, Any], Iterator[TableStart | tuple[int, list[Any]]]]:
    """The header, then the file's events: a TableStart, then (line number, row) for each of its rows."""
    first = stream.readline()
    if first.rstrip("\n").endswith('"tables":['):
        header = _check_header(_loads(first.rstrip("\n") + "]}", 1))
        return header, _read_lines(stream)
    # Not laid out as written: read the whole document (fine for the small files people edit by hand).
    stream.seek(0)
    try:
        document = json.load(stream)
    except json.JSONDecodeError as exc:
        raise FileError(f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from exc
    header = _check_header(document)
    tables = header.get("tables")
    if not isinstance(tables, list):
        raise FileError("The export has no list of tables.")
    return header, _read_document(tables)


def _read_lines(stream: IO[str]) -> Iterator[TableStart | tuple[int, list[Any]]]:
    number = 1
    in_rows = False
    for number, raw in enumerate(stream, start=2):
        text = raw.rstrip("\n")
        if not in_rows:
            if text == "]}":
                if stream.read(1).strip():
                    raise FileError(f"Line {number}: the document ends here, but more follows.")
                return
            if not text.endswith('"rows":['):
                raise FileError(f"Line {number}: expected the start of a table or the end of the document.")
            yield _table_start(_loads(text.removeprefix(",") + "]}", number), number)
            in_rows = True
        elif text == "]}":
            in_rows = False
        else:
            row = _loads(text.removeprefix(","), number)
            if not isinstance(row, list):
                raise FileError(f"Line {number}: expected a row (a JSON array).")
            yield number, row
    raise FileError(f"The file ends early, after line {number}: it was cut off (an export that did not finish?).")


def _read_document(tables: list[Any]) -> Iterator[TableStart | tuple[int, list[Any]]]:
    for index, table in enumerate(tables, start=1):
        start = _table_start(table, index)
        rows = table.get("rows")
        if not isinstance(rows, list):
            raise FileError(f"Table {start.label}: no list of rows.")
        yield start
        for row in rows:
            if not isinstance(row, list):
                raise FileError(f"Table {start.label}: a row is not a JSON array.")
            yield 0, row
