"""A PRD's requirements table (add, edit, remove, trace to stories and features) and the coverage view."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from backlog.models import Feature, Story
from core.errors import ApplicationError
from core.ui.decorators import allow_methods, product_view
from core.ui.forms import add_service_error
from core.ui.http import ProductRequest, render_form_errors, render_page, wants_partial
from core.ui.objects import get_in_product_or_404

from .. import services
from ..models import PRD, Requirement
from ..prd_forms import RequirementEditForm, RequirementForm, RequirementLinkForm, RequirementUnlinkForm
from ..prd_selectors import (
    backlog_item_by_key,
    coverage_for_page,
    prd_for_page,
    requirements_for_table,
)

TEMPLATE = "decisions/prds/requirements.html"
CONFLICT_STATUS = 409
UNTRACED_PER_PAGE = 50


def _prd(request: ProductRequest, prd_id: int) -> PRD:
    prd = prd_for_page(product=request.product, prd_id=prd_id)
    if prd is None:
        raise Http404("No such PRD.")
    return prd


def _requirement(request: ProductRequest, prd: PRD, requirement_id: int) -> Requirement:
    return get_in_product_or_404(Requirement.objects.filter(prd=prd), product=request.product, pk=requirement_id)


def _table_context(prd: PRD, **extra: Any) -> dict[str, Any]:
    return {"prd": prd, "requirements": requirements_for_table(prd=prd), "form": RequirementForm(), **extra}


def _row_context(
    requirement: Requirement,
    prd: PRD,
    *,
    link_form: RequirementLinkForm | None = None,
    unlink_error: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """One requirement, loaded as the table loads it (its delivering items and their statuses).

    A failed link or unlink shows its error on the row (`requirement.link_form`, `.unlink_error`).
    """
    row = next(r for r in requirements_for_table(prd=prd) if r.pk == requirement.pk)
    row.link_form, row.unlink_error = link_form, unlink_error
    return {"prd": prd, "requirement": row, **extra}


def _row_errors(request: ProductRequest, prd: PRD, requirement: Requirement, **errors: Any) -> HttpResponse:
    """422 with the errors on the row: the row for htmx, the whole table (that row marked) without JS."""
    if wants_partial(request):
        return render_form_errors(
            request, TEMPLATE, _row_context(requirement, prd, **errors), partial="requirement-row"
        )
    context = _table_context(prd)
    for row in context["requirements"]:
        if row.pk == requirement.pk:
            row.link_form, row.unlink_error = errors.get("link_form"), errors.get("unlink_error", "")
    return render_form_errors(request, TEMPLATE, context)


def _back(request: ProductRequest, prd: PRD, anchor: str = "") -> HttpResponse:
    url = reverse("decisions:prd_requirements", args=[request.product.pk, prd.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@product_view()
@allow_methods("GET", "POST")
def prd_requirements(request: ProductRequest, prd_id: int) -> HttpResponse:
    """The table (GET; htmx `?row=<id>`: that row); POST adds a requirement with the next REQ key."""
    prd = _prd(request, prd_id)
    if request.method == "GET":
        row = request.GET.get("row", "")
        if wants_partial(request) and row.isdigit():  # one row again (the editor's Cancel)
            requirement = _requirement(request, prd, int(row))
            return render_page(request, TEMPLATE, _row_context(requirement, prd), partial="requirement-row")
        return render_page(request, TEMPLATE, _table_context(prd), partial="requirements-table")
    form = RequirementForm(request.POST)
    if form.is_valid():
        try:
            requirement = services.requirement_create(prd=prd, actor=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            add_service_error(form, exc)
        else:
            if not wants_partial(request):
                messages.success(request, f"Added {requirement.key}.")
                return _back(request, prd, f"req-{requirement.pk}")
            context = _table_context(_prd(request, prd_id), added=requirement)
            return render_page(request, TEMPLATE, context, partial="requirements-table")
    return render_form_errors(request, TEMPLATE, _table_context(prd, form=form), partial="requirements-table")


@product_view()
@allow_methods("GET", "POST")
def requirement_edit(request: ProductRequest, prd_id: int, requirement_id: int) -> HttpResponse:
    """Edit a requirement's text and priority (GET: the row as a form). A stale save answers 409.

    What delivers a changed requirement is flagged for re-review by the service.
    """
    prd = _prd(request, prd_id)
    requirement = _requirement(request, prd, requirement_id)
    prefix = f"r{requirement.pk}"
    if request.method == "GET":
        if not request.can_write:
            return _back(request, prd, f"req-{requirement.pk}")
        form = RequirementEditForm(
            initial={
                "title": requirement.title,
                "description": requirement.description,
                "priority": requirement.priority,
                "base_updated_at": requirement.updated_at.isoformat(),
            },
            prefix=prefix,
        )
        context = _row_context(requirement, prd, edit_form=form)
        return render_page(request, "decisions/prds/requirement_edit.html", context, partial="requirement-editor")
    form = RequirementEditForm(request.POST, prefix=prefix)
    status = 422
    if form.is_valid():
        data = dict(form.cleaned_data)
        base = data.pop("base_updated_at")
        try:
            with transaction.atomic():
                # The PRD's lock first, as every requirement service takes it: then nobody writes meanwhile.
                PRD.objects.select_for_update(of=("self",)).get(pk=prd.pk)
                current = Requirement.objects.get(pk=requirement.pk)
                if current.updated_at.isoformat() != base:
                    raise _Stale(current)
                services.requirement_update(requirement=current, actor=request.user, **data)
        except _Stale as stale:
            form = _conflict_form(form, stale.requirement, prefix)
            status = CONFLICT_STATUS
            requirement = stale.requirement
        except (ValidationError, ApplicationError) as exc:
            add_service_error(form, exc)
        else:
            if not wants_partial(request):
                messages.success(request, f"Saved {requirement.key}.")
                return _back(request, prd, f"req-{requirement.pk}")
            return render_page(request, TEMPLATE, _row_context(requirement, prd), partial="requirement-row")
    conflict = None
    if status == CONFLICT_STATUS:
        last = requirement.history.select_related("history_user").order_by("-history_date").first()
        who = last.history_user if last else None
        conflict = {"who": (who.get_full_name() or who.get_username()) if who else "Someone else"}
    context = _row_context(requirement, prd, edit_form=form, conflict=conflict)
    return render_page(
        request, "decisions/prds/requirement_edit.html", context, partial="requirement-editor", status=status
    )


class _Stale(Exception):
    def __init__(self, requirement: Requirement) -> None:
        super().__init__("stale requirement")
        self.requirement = requirement


def _conflict_form(form: RequirementEditForm, current: Requirement, prefix: str) -> RequirementEditForm:
    """The editor keeps what was typed, now based on the current row: saving again is a deliberate choice."""
    data = form.data.copy()
    data[f"{prefix}-base_updated_at"] = current.updated_at.isoformat()
    fresh = RequirementEditForm(data, prefix=prefix)
    fresh.is_valid()
    return fresh


@product_view()
@allow_methods("POST")
def requirement_delete(request: ProductRequest, prd_id: int, requirement_id: int) -> HttpResponse:
    """Remove a requirement (its key is never reused; what delivered it is flagged for re-review)."""
    prd = _prd(request, prd_id)
    requirement = _requirement(request, prd, requirement_id)
    key = requirement.key
    services.requirement_delete(requirement=requirement, actor=request.user)
    if wants_partial(request):
        return render_page(request, TEMPLATE, _table_context(_prd(request, prd_id)), partial="requirements-table")
    messages.success(request, f"Removed {key}.")
    return _back(request, prd)


@product_view()
@allow_methods("POST")
def requirement_link(request: ProductRequest, prd_id: int, requirement_id: int) -> HttpResponse:
    """Trace the requirement to a story or feature named by its key (PAY-12)."""
    prd = _prd(request, prd_id)
    requirement = _requirement(request, prd, requirement_id)
    form = RequirementLinkForm(request.POST, prefix=f"r{requirement.pk}")
    if form.is_valid():
        item = backlog_item_by_key(product=request.product, key=form.cleaned_data["key"])
        if item is None:
            form.add_error(
                "key",
                f"No story or feature of {request.product.name} has the key “{form.data.get(form.add_prefix('key'))}”.",
            )
        else:
            kind = "features" if isinstance(item, Feature) else "stories"
            try:
                services.requirement_link(requirement=requirement, **{kind: [item]})
            except (ValidationError, ApplicationError) as exc:
                add_service_error(form, exc)
            else:
                if not wants_partial(request):
                    messages.success(
                        request, f"{requirement.key} is now delivered by {request.product.key}-{item.number}."
                    )
                    return _back(request, prd, f"req-{requirement.pk}")
                return render_page(request, TEMPLATE, _row_context(requirement, prd), partial="requirement-row")
    return _row_errors(request, prd, requirement, link_form=form)


@product_view()
@allow_methods("POST")
def requirement_unlink(request: ProductRequest, prd_id: int, requirement_id: int) -> HttpResponse:
    """Stop tracing the requirement to one feature or story (POST `feature` or `story`: its id)."""
    prd = _prd(request, prd_id)
    requirement = _requirement(request, prd, requirement_id)
    form = RequirementUnlinkForm(request.POST)
    if not form.is_valid():
        return _row_errors(request, prd, requirement, unlink_error=" ".join(form.non_field_errors()))
    if form.cleaned_data["feature"]:
        feature = get_in_product_or_404(Feature, product=request.product, pk=form.cleaned_data["feature"])
        services.requirement_unlink(requirement=requirement, features=[feature])
    else:
        story = get_in_product_or_404(Story, product=request.product, pk=form.cleaned_data["story"])
        services.requirement_unlink(requirement=requirement, stories=[story])
    if not wants_partial(request):
        return _back(request, prd, f"req-{requirement.pk}")
    return render_page(request, TEMPLATE, _row_context(requirement, prd), partial="requirement-row")


COVERAGE_KINDS = {"stories": "Stories", "features": "Features"}


@product_view()
@allow_methods("GET")
def prd_coverage(request: ProductRequest) -> HttpResponse:
    """Requirements nothing delivers, and work no requirement asked for (paginated: it can be large).

    `?prd=<id>` narrows the requirements to one PRD; `?kind=stories|features` picks the second list.
    """
    prd = None
    if request.GET.get("prd"):
        if not request.GET["prd"].isdigit():
            raise Http404("No such PRD.")
        prd = get_in_product_or_404(PRD, product=request.product, pk=int(request.GET["prd"]))
    kind = request.GET.get("kind") if request.GET.get("kind") in COVERAGE_KINDS else "stories"
    coverage = coverage_for_page(product=request.product, prd=prd)
    untraced = coverage.untraced_stories if kind == "stories" else coverage.untraced_features
    page = Paginator(untraced, UNTRACED_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "coverage": coverage,
        "coverage_prd": prd,
        "kind": kind,
        "kinds": COVERAGE_KINDS,
        "page_obj": page,
        "prds": PRD.objects.filter(product=request.product).only("pk", "title").order_by("title"),
    }
    return render_page(request, "decisions/prds/coverage.html", context, partial="untraced")
