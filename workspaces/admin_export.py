"""CSV export: one admin action, offered on every scoped model admin (WorkspaceScopedAdmin.get_actions).

It exports exactly the rows the action receives, which Django takes from the changelist as the user sees
it: tenancy (the admin's get_queryset), then the filters and the search, then the ticked rows — or, with
"select all N", every row that matches. The columns are the changelist's (list_display), as plain text:
choice labels, yes / no, ISO dates, display methods with their HTML removed. Rows are streamed, so a long
export never sits in memory.

Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula: such text
cells get a leading apostrophe (OWASP's advice on CSV injection); numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime
import html
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeData
from django.utils.text import capfirst

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 500
EXPORT_ACTION = "export_csv"
EXPORT_DESCRIPTION = "Export the selected rows as CSV"


class _Echo:
    """csv.writer writes into this and gets the line back, for a streamed response."""

    def write(self, value: str) -> str:
        return value


def safe_cell(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def plain_text(value: Any, field: models.Field | None = None, *, boolean: bool = False) -> str:
    """One value as a spreadsheet should read it."""
    if field is not None and getattr(field, "flatchoices", None) and value is not None:
        value = dict(field.flatchoices).get(value, value)
    if value is None or value == "":
        return ""
    if boolean or isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return str(value)  # a number, never a formula: no prefix
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return safe_cell(", ".join(str(item) for item in value))
    text = str(value)
    if isinstance(value, SafeData):
        # Display methods built with format_html: keep the words, drop the markup.
        text = html.unescape(strip_tags(text)).strip()
    return safe_cell(text)


def export_columns(model_admin: admin.ModelAdmin, request: HttpRequest) -> list[str]:
    return [name for name in model_admin.get_list_display(request) if name != "action_checkbox"]


def column_label(model_admin: admin.ModelAdmin, name: str) -> str:
    return str(capfirst(label_for_field(name, model_admin.model, model_admin)))


def cell(model_admin: admin.ModelAdmin, obj: models.Model, name: str) -> str:
    try:
        field, attr, value = lookup_field(name, obj, model_admin)
    except (AttributeError, ObjectDoesNotExist):
        return ""
    if field is not None:
        return plain_text(value, field if not field.is_relation else None)
    return plain_text(value, boolean=getattr(attr, "boolean", False))


def csv_rows(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> Iterator[str]:
    names = export_columns(model_admin, request)
    writer = csv.writer(_Echo())
    # A byte-order mark so that spreadsheet programs read the file as UTF-8.
    yield "\ufeff" + writer.writerow([safe_cell(column_label(model_admin, name)) for name in names])
    for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield writer.writerow([cell(model_admin, obj, name) for name in names])


def export_filename(model_admin: admin.ModelAdmin) -> str:
    return f"{model_admin.opts.model_name}-{timezone.localdate():%Y-%m-%d}.csv"


def export_csv(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
    """The action: the rows it was given, the changelist's columns, streamed."""
    response = StreamingHttpResponse(csv_rows(model_admin, request, queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(model_admin)}"'
    return response


export_csv.short_description = EXPORT_DESCRIPTION  # type: ignore[attr-defined]
