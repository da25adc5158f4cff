"""The conflicts inbox: fields both sides changed since the last sync, under the "ask" policy. Each
shows base / workspace / Jira side by side; a person picks a side (`conflict_resolve`), and the next
push round carries the chosen value over. Resolved conflicts are listed apart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.errors import ApplicationError
from core.ui.decorators import product_view
from core.ui.http import ProductRequest, render_page
from workspaces.models import Role

from ..forms import FIELD_LABELS, ResolveForm
from ..models import Conflict
from ..services.merge import conflict_resolve
from .selectors import conflict_in_product, open_conflicts, product_statuses, resolved_conflicts

TEMPLATE = "jira_sync/conflicts.html"


@dataclass(frozen=True)
class ConflictRow:
    conflict: Conflict
    field_label: str
    item: Any
    item_kind: str
    jira_url: str
    base: str
    ours: str
    theirs: str
    multiline: bool


def shown(value: Any, statuses: dict[int, str], field: str) -> str:
    """A normalised field value in words (the merge compares these, never Jira's bytes)."""
    if value is None or value == "" or value == []:
        return "(empty)"
    if field == "status" and isinstance(value, int):
        return statuses.get(value, f"status {value}")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def rows(conflicts: list[Conflict], statuses: dict[int, str]) -> list[ConflictRow]:
    result = []
    for conflict in conflicts:
        link = conflict.link
        values = [shown(getattr(conflict, side), statuses, conflict.field) for side in ("base", "ours", "theirs")]
        result.append(
            ConflictRow(
                conflict=conflict,
                field_label=FIELD_LABELS.get(conflict.field, conflict.field),
                item=link.item,
                item_kind=link.kind or "",
                jira_url=f"{link.connection.site_url}/browse/{link.jira_key}",
                base=values[0],
                ours=values[1],
                theirs=values[2],
                multiline=conflict.field == "description" or any("\n" in v for v in values),
            )
        )
    return result


def inbox_context(request: ProductRequest, **extra: Any) -> dict[str, Any]:
    statuses = {status.pk: status.name for status in product_statuses(request.product)}
    return {
        "open_rows": rows(open_conflicts(request.product), statuses),
        "resolved_rows": rows(resolved_conflicts(request.product), statuses),
        **extra,
    }


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@require_GET
def conflict_list(request: ProductRequest) -> HttpResponse:
    return render_page(request, TEMPLATE, inbox_context(request), partial="inbox")


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
def conflict_pick(request: ProductRequest, conflict_id: int) -> HttpResponse:
    """Pick Jira's value or ours; a conflict someone resolved meanwhile answers 409 with the inbox as it is."""
    conflict = conflict_in_product(request.product, conflict_id)  # first: a foreign conflict is a 404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _answer(request, "Pick Jira or the workspace.", status=422, error=True)
    try:
        conflict = conflict_resolve(conflict_id=conflict.pk, side=form.cleaned_data["side"], actor=request.user)
    except ApplicationError as exc:
        return _answer(request, exc.message, status=409, error=True)
    side = "Jira's value" if conflict.resolution == Conflict.Side.JIRA else "the workspace's value"
    return _answer(request, f"Kept {side} for the {FIELD_LABELS.get(conflict.field, conflict.field).lower()}.")


def _answer(request: ProductRequest, message: str, *, status: int = 200, error: bool = False) -> HttpResponse:
    if not request.htmx:
        (messages.error if error else messages.success)(request, message)
        return HttpResponseRedirect(reverse("jira_sync:conflicts", args=[request.product.pk]))
    context = inbox_context(request, notice=message, notice_error=error)
    return render_page(request, TEMPLATE, context, partial="inbox", status=status)
