"""A product's Jira mapping: the project, the issue types, the story points field, statuses both ways
and field directions (workspace admins change them, and disconnect the project); dry run, sync now and
full reconcile (editors).

Creating a mapping asks Jira what the project offers (`discover`): the project key lives in the URL
(`?project=PAY`), so the form with the discovered choices survives a reload. Changing the issue types
asks again, on its own page; disconnecting has a page that says what happens before it is confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from backlog.models import WorkflowStatus
from core.errors import ApplicationError
from core.ui.decorators import product_view
from core.ui.forms import add_service_error
from core.ui.http import ProductRequest, render_form_errors, render_page
from workspaces.models import Role

from ..forms import FIELD_LABELS, DirectionsForm, MappingEditForm, MappingForm, ProjectForm, StatusMapForm
from ..jira import JiraError
from ..models import IssueLink, JiraConnection, ProjectMapping, StatusMapping
from ..services import mappings as services
from .selectors import connection_of, mapping_of, open_conflict_count, product_statuses, runs_of, status_rows

TEMPLATE = "jira_sync/mapping.html"
EDIT_TEMPLATE = "jira_sync/mapping_edit.html"
DISCONNECT_TEMPLATE = "jira_sync/mapping_disconnect.html"
RECENT_RUNS = 5


@dataclass(frozen=True)
class OurStatus:
    """One of our statuses, both ways: the Jira statuses pulled into it, and where a push sends it."""

    status: WorkflowStatus
    pulled_from: list[str]
    pushed_to: str
    by_category: bool


def statuses_both_ways(rows: list[StatusMapping], ours: list[WorkflowStatus]) -> list[OurStatus]:
    """Mirrors push.transition_to: a Jira status mapped to ours, else one of the same category."""
    category_of_jira = {"new": "todo", "indeterminate": "in_progress", "done": "done"}
    result = []
    for status in ours:
        pulled = [row.jira_status_name for row in rows if row.workflow_status_id == status.pk]
        same_category = [
            row.jira_status_name for row in rows if category_of_jira.get(row.jira_category) == status.category
        ]
        pushed = pulled[0] if pulled else (same_category[0] if same_category else "")
        result.append(OurStatus(status, pulled, pushed, by_category=not pulled and bool(pushed)))
    return result


def _can_run(request: ProductRequest) -> bool:
    return request.membership.has_role(Role.EDITOR)


def mapped_context(
    request: ProductRequest,
    mapping: ProjectMapping,
    *,
    status_form: StatusMapForm | None = None,
    directions_form: DirectionsForm | None = None,
    **extra: Any,
) -> dict[str, Any]:
    ours = product_statuses(request.product)
    rows = status_rows(mapping)
    connection = mapping.connection
    return {
        "connection": connection,
        "mapping": mapping,
        "jira_project_url": f"{connection.site_url}/browse/{mapping.jira_project_key}",
        "status_form": status_form or StatusMapForm(rows=rows, statuses=ours),
        "directions_form": directions_form or DirectionsForm(current=mapping.directions or {}),
        "ours_both_ways": statuses_both_ways(rows, ours),
        "recent_runs": list(runs_of(request.product).select_related("mapping")[:RECENT_RUNS]),
        "open_conflicts": open_conflict_count(request.product),
        "can_run": _can_run(request),
        "field_labels": FIELD_LABELS,
        **extra,
    }


def _discover(connection: JiraConnection, project_form: ProjectForm) -> services.Discovery | None:
    """What the project offers, or None with the reason on the project field."""
    key = project_form.cleaned_data["project"]
    try:
        return services.discover(connection=connection, project_key=key)
    except ValidationError as exc:
        project_form.add_error("project", exc.message_dict.get("jira_project_key") or exc.messages)
    except JiraError as exc:
        project_form.add_error("project", f"Jira could not tell what project {key} offers: {exc}")
    return None


def unmapped_context(
    request: ProductRequest, connection: JiraConnection | None, data: Any = None
) -> tuple[dict[str, Any], bool]:
    """(context, valid) for a product without a mapping; with `data` (GET or POST), discover the project."""
    context: dict[str, Any] = {"connection": connection, "mapping": None, "can_run": _can_run(request)}
    if connection is None or not request.can_write:
        return context, True
    project_form = ProjectForm(data if data and data.get("project") else None)
    context["project_form"] = project_form
    if not project_form.is_bound:
        return context, True
    if not project_form.is_valid():
        return context, False
    discovery = _discover(connection, project_form)
    if discovery is None:
        return context, False
    ours = product_statuses(request.product)
    defaults = services.default_status_mapping(request.product, discovery.statuses)
    is_post = request.method == "POST"
    form = MappingForm(
        data if is_post else None,
        initial={"project": project_form.cleaned_data["project"]},
        discovery=discovery,
        statuses=ours,
        default_statuses=defaults,
    )
    context.update(discovery=discovery, mapping_form=form, statuses=ours)
    return context, True


@product_view(minimum_role=Role.VIEWER, write_role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def mapping_page(request: ProductRequest) -> HttpResponse:
    """GET: the mapping, or (admins) the form to create it. POST: create the mapping."""
    mapping = mapping_of(request.product)
    if mapping is not None:
        if request.method == "POST":
            return HttpResponse("This product is already mapped; change its statuses or directions.", status=409)
        return render_page(request, TEMPLATE, mapped_context(request, mapping), partial="mapping")
    connection = connection_of(request.workspace)
    context, valid = unmapped_context(request, connection, request.POST if request.method == "POST" else request.GET)
    if request.method == "GET" or connection is None:
        if not valid:
            return render_form_errors(request, TEMPLATE, context, partial="mapping")
        return render_page(request, TEMPLATE, context, partial="mapping")
    form: MappingForm | None = context.get("mapping_form")
    if form is None or not valid:
        return render_form_errors(request, TEMPLATE, context, partial="mapping")
    if form.is_valid():
        try:
            mapping = services.mapping_create(
                connection=connection,
                product=request.product,
                actor=request.user,
                project_key=form.cleaned_data["project"],
                discovery=form.discovery,
                directions=form.directions(),
                status_overrides=form.status_overrides(context["statuses"]),
                **form.choices(),
            )
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
    if form.errors:
        return render_form_errors(request, TEMPLATE, context, partial="mapping")
    messages.success(request, f"{request.product.name} is mapped to Jira project {mapping.jira_project_key}.")
    url = reverse("jira_sync:mapping", args=[request.product.pk])
    if request.htmx:
        return render_page(request, TEMPLATE, mapped_context(request, mapping_of(request.product)), partial="mapping")
    return HttpResponseRedirect(url)


def _mapping_or_404(request: ProductRequest) -> ProjectMapping:
    mapping = mapping_of(request.product)
    if mapping is None:
        raise Http404("This product is not mapped to a Jira project.")
    return mapping


@product_view(minimum_role=Role.VIEWER, write_role=Role.ADMIN)
@require_POST
def mapping_statuses(request: ProductRequest) -> HttpResponse:
    """Save the Jira → ours status map (and with it where a push sends each of our statuses)."""
    mapping = _mapping_or_404(request)
    ours = product_statuses(request.product)
    form = StatusMapForm(request.POST, rows=status_rows(mapping), statuses=ours)
    if form.is_valid():
        by_pk = {status.pk: status for status in ours}
        try:
            with transaction.atomic():
                for row, status_id in form.changed_rows():
                    services.status_mapping_set(
                        mapping=mapping, jira_status_id=row.jira_status_id, workflow_status=by_pk[status_id]
                    )
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
    if form.errors:
        return render_form_errors(
            request, TEMPLATE, mapped_context(request, mapping, status_form=form), partial="mapping"
        )
    return _saved(request, mapping, "Saved the status mapping.", "statuses")


@product_view(minimum_role=Role.VIEWER, write_role=Role.ADMIN)
@require_POST
def mapping_directions(request: ProductRequest) -> HttpResponse:
    """Save which way each field travels."""
    mapping = _mapping_or_404(request)
    form = DirectionsForm(request.POST, current=mapping.directions or {})
    if form.is_valid():
        try:
            mapping = services.mapping_set_directions(mapping=mapping, actor=request.user, directions=form.directions())
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
    if form.errors:
        context = mapped_context(request, mapping, directions_form=form)
        return render_form_errors(request, TEMPLATE, context, partial="mapping")
    return _saved(request, mapping, "Saved the field directions.", "directions")


def _saved(request: ProductRequest, mapping: ProjectMapping, message: str, section: str) -> HttpResponse:
    if not request.htmx:
        messages.success(request, message)
        return HttpResponseRedirect(reverse("jira_sync:mapping", args=[request.product.pk]) + f"#{section}")
    mapping = _mapping_or_404(request)
    return render_page(
        request, TEMPLATE, mapped_context(request, mapping, saved=section, saved_message=message), partial="mapping"
    )


@product_view(minimum_role=Role.ADMIN, write_role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def mapping_edit(request: ProductRequest) -> HttpResponse:
    """GET: the issue types and story-points field, offered from what the project has now. POST: change
    them (mapping_update checks them against the project again)."""
    mapping = _mapping_or_404(request)
    context: dict[str, Any] = {"mapping": mapping, "connection": mapping.connection}
    try:
        discovery = services.discover(connection=mapping.connection, project_key=mapping.jira_project_id)
    except (ValidationError, JiraError) as exc:
        words = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        context["jira_problem"] = f"Jira could not tell what project {mapping.jira_project_key} offers: {words}"
        return render_page(request, EDIT_TEMPLATE, context, partial="edit", status=200)
    form = MappingEditForm(request.POST or None, mapping=mapping, discovery=discovery)
    context.update(form=form, discovery=discovery)
    if request.method == "GET":
        return render_page(request, EDIT_TEMPLATE, context, partial="edit")
    if form.is_valid():
        try:
            services.mapping_update(mapping=mapping, actor=request.user, discovery=discovery, **form.choices())
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
    if form.errors:
        return render_form_errors(request, EDIT_TEMPLATE, context, partial="edit")
    messages.success(request, f"Saved the issue types of {mapping.jira_project_key}.")
    url = reverse("jira_sync:mapping", args=[request.product.pk])
    return HttpResponseClientRedirect(url) if request.htmx else HttpResponseRedirect(url)


@product_view(minimum_role=Role.ADMIN, write_role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def mapping_disconnect(request: ProductRequest) -> HttpResponse:
    """GET: what disconnecting does, and the button. POST: disconnect (mapping_delete), back to the page."""
    mapping = _mapping_or_404(request)
    context: dict[str, Any] = {"mapping": mapping, "connection": mapping.connection}
    if request.method == "POST":
        try:
            done = services.mapping_delete(mapping=mapping, actor=request.user)
        except (ApplicationError, ValidationError) as exc:
            context["refusal"] = exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages)
            return render_page(request, DISCONNECT_TEMPLATE, context, status=409)
        messages.success(
            request,
            f"{request.product.name} is no longer synced with Jira project {done.project_key}. Its items stay as "
            "they are; map the same project again to reconnect them.",
        )
        return HttpResponseRedirect(reverse("jira_sync:mapping", args=[request.product.pk]))
    context["linked"] = IssueLink.objects.filter(mapping=mapping, archived_at__isnull=True).count()
    return render_page(request, DISCONNECT_TEMPLATE, context)
