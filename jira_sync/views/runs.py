"""Runs of a product's sync: dry run, sync now, full reconcile; the list with live progress (htmx polls
a running row every 2 s, and stops when the answered row is finished) and each run's detail."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.ui.decorators import product_view
from core.ui.http import ProductRequest, render_page
from workspaces.models import Role

from ..models import ProjectMapping, SyncRun
from ..services.dry_run import dry_run
from ..tasks import pull_mapping
from .mapping import _mapping_or_404
from .selectors import run_in_product, runs_of

RUNS_PER_PAGE = 25
ERRORS_SHOWN = 200
# The plan's lists, by side, with what each entry means.
PLAN_SECTIONS = (
    ("workspace", "create_here", "would be created here"),
    ("workspace", "update_here", "would be updated here"),
    ("workspace", "archive_here", "would be archived here (gone from the Jira project)"),
    ("jira", "create_in_jira", "would be created in Jira"),
    ("jira", "update_in_jira", "would be updated in Jira"),
    ("both", "conflicts", "changed on both sides: would become conflicts"),
)


@product_view(minimum_role=Role.VIEWER, write_role=Role.EDITOR)
@require_POST
def run_dry(request: ProductRequest) -> HttpResponse:
    """Plan a sync without writing anything but the run record; answered on the run's page."""
    mapping = _mapping_or_404(request)
    run = dry_run(connection=mapping.connection)
    if run.status == SyncRun.Status.FAILED:
        messages.error(request, f"The dry run failed: {run.message}")
    return HttpResponseRedirect(reverse("jira_sync:run_detail", args=[request.product.pk, run.pk]))


@product_view(minimum_role=Role.VIEWER, write_role=Role.EDITOR)
@require_POST
def run_sync(request: ProductRequest) -> HttpResponse:
    """Queue an incremental pull (or, with `full=1`, a full reconcile) of the product's mapping."""
    mapping = _mapping_or_404(request)
    full = request.POST.get("full") == "1"
    what = "A full reconcile" if full else "A sync"
    if not mapping.connection.is_enabled:
        messages.error(request, "Sync is off for this workspace: a workspace admin turns it on in the Jira connection.")
    else:
        try:
            pull_mapping.delay(mapping.pk, full=full)
        except Exception as exc:  # the broker is down: nothing was queued, say so
            messages.error(
                request, f"{what} could not be queued ({exc}); the scheduled sync still runs when it is back."
            )
        else:
            messages.success(request, f"{what} of {mapping.jira_project_key} is queued; its progress shows below.")
    return HttpResponseRedirect(reverse("jira_sync:runs", args=[request.product.pk]))


@product_view(minimum_role=Role.VIEWER)
@require_GET
def run_list(request: ProductRequest) -> HttpResponse:
    paginator = Paginator(runs_of(request.product).select_related("mapping"), RUNS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "page_obj": page_obj,
        "runs": page_obj.object_list,
        "can_run": request.membership.has_role(Role.EDITOR),
        "mapped": ProjectMapping.objects.filter(product=request.product).exists(),
    }
    return render_page(request, "jira_sync/runs.html", context, partial="runs")


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A plan entry with every key the template reads (entries differ by list)."""
    return {
        "jira_key": entry.get("jira_key", ""),
        "item": entry.get("item", ""),
        "text": entry.get("summary") or entry.get("title", ""),
        "kind": entry.get("kind") or "",
        "fields": entry.get("fields", []),
    }


def plan_for(run: SyncRun, project_key: str | None) -> dict[str, Any] | None:
    """This product's part of a dry run's plan (a dry run covers every mapping of the connection)."""
    for plan in (run.plan or {}).get("mappings", []):
        if plan.get("project") == project_key:
            sections = [
                {
                    "side": side,
                    "key": key,
                    "label": label,
                    "count": plan["counts"].get(key, 0),
                    "entries": [_entry(entry) for entry in plan.get(key, [])],
                }
                for side, key, label in PLAN_SECTIONS
            ]
            return {
                "project": project_key,
                "sections": sections,
                "pending_pushes": plan["counts"].get("pending_pushes", 0),
            }
    return None


@product_view(minimum_role=Role.VIEWER)
def run_detail(request: ProductRequest, run_id: int) -> HttpResponse:
    """The run's counts and per-item errors in Jira's words; `?fragment=row` answers its row of the list."""
    run = run_in_product(request.product, run_id)  # first: a foreign run is a 404 whatever the method
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    context: dict[str, Any] = {"run": run}
    if request.GET.get("fragment") == "row":
        return render_page(request, "jira_sync/runs.html", context, partial="run-row")
    project_key = (
        ProjectMapping.objects.filter(product=request.product).values_list("jira_project_key", flat=True).first()
    )
    context |= {
        "item_errors": list(run.item_errors.all()[:ERRORS_SHOWN]),
        "plan": plan_for(run, project_key) if run.kind == SyncRun.Kind.DRY_RUN else None,
    }
    return render_page(request, "jira_sync/run_detail.html", context, partial="run-status")
