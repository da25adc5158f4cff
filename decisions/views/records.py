"""Decision records (MADR): the list by status, creation, and the record page with its editor.

The record page is one template (decisions/records/detail.html) whose pieces are partials: `status`,
`content` (read or edit), `options` (the options table, `option-row` for one row), `links`. A change of
the signed content (text, options, chosen option) answers the piece and fires `document-changed`, on
which the status and the sign-off panel refresh themselves. Every form also works without JavaScript
(a redirect back, state such as `?edit=1` in the URL).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from core.errors import ApplicationError
from core.ui.decorators import product_view
from core.ui.forms import add_service_error
from core.ui.http import ProductRequest, render_form_errors, render_page, wants_partial
from core.ui.objects import get_in_product_or_404

from .. import selectors, services
from ..models import DecisionOption, DecisionRecord
from ..record_forms import (
    ChooseForm,
    DecisionCreateForm,
    DecisionTextForm,
    LinksForm,
    OptionForm,
    SupersedeForm,
    option_version,
    record_text_version,
)
from ..selectors import DECISION_STATUS_ORDER, decision_page_queryset, decision_status_counts, supersession_chain
from .signoffs import panel_context, post_only

DETAIL_TEMPLATE = "decisions/records/detail.html"
CONTENT_CHANGED = "document-changed"  # the status piece and the sign-off panel listen for it
CONFLICT = 409
SECTIONS = {"status", "content", "options", "links"}


class StaleEdit(Exception):
    """Someone else saved the same thing since the form was opened."""


# --- list and create ---------------------------------------------------------------------------------


@product_view()
@require_safe
def decision_list(request: ProductRequest) -> HttpResponse:
    """All records grouped by status (`?status=` shows one status); the filter lives in the URL."""
    status = request.GET.get("status", "")
    if status not in DECISION_STATUS_ORDER:
        status = ""
    records = selectors.decision_list(product=request.product, status=status or None)
    counts = decision_status_counts(product=request.product)
    labels = dict(DecisionRecord.Status.choices)
    groups = [
        {"status": value, "label": labels[value], "records": [r for r in records if r.status == value]}
        for value in DECISION_STATUS_ORDER
        if not status or value == status
    ]
    context = {
        "status_groups": groups,
        "status": status,
        "status_empty_title": f"Nothing is {labels[status].lower()}" if status else "",
        "status_tabs": [(value, labels[value], counts[value]) for value in DECISION_STATUS_ORDER],
        "total": sum(counts.values()),
        "shown": len(records),
    }
    return render_page(request, "decisions/records/list.html", context, partial="decision-list")


@product_view()
@require_http_methods(["GET", "POST"])
def decision_create(request: ProductRequest) -> HttpResponse:
    form = DecisionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.decision_create(product=request.product, actor=request.user, **form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            url = reverse("decisions:decision_detail", args=[request.product.pk, record.pk])
            return HttpResponseClientRedirect(url) if wants_partial(request) else redirect(url)
    context = {"form": form}
    if request.method == "POST":
        return render_form_errors(request, "decisions/records/new.html", context, partial="create-form")
    return render_page(request, "decisions/records/new.html", context, partial="create-form")


# --- the record page -----------------------------------------------------------------------------------


def _record(request: ProductRequest, decision_id: int) -> DecisionRecord:
    return get_in_product_or_404(decision_page_queryset(), product=request.product, pk=decision_id)


def _page_context(request: ProductRequest, record: DecisionRecord, **overrides: Any) -> dict[str, Any]:
    """Everything the record page's pieces read; `overrides` replace a form with its bound, failed one."""
    editable = request.can_write and not record.is_frozen
    context: dict[str, Any] = {
        "record": record,
        "options": list(record.options.all()),
        "editable": editable,
        "editing": False,
        "edit_option_id": None,
        "text_form": DecisionTextForm.for_record(record, auto_id="id_record_%s") if editable else None,
        "option_form": OptionForm(auto_id="id_new_option_%s") if editable else None,
        "links_form": None,
        "detail_url": reverse("decisions:decision_detail", args=[request.product.pk, record.pk]),
        "supersede_form": SupersedeForm(auto_id="id_supersede_%s"),
        "amend_form": SupersedeForm(auto_id="id_amend_%s"),
    }
    context.update(overrides)
    if context["edit_option_id"] is not None:
        for option in context["options"]:
            if option.pk == context["edit_option_id"] and not getattr(option, "form", None):
                option.form = OptionForm.for_option(option)
    return context


def _full_context(request: ProductRequest, record: DecisionRecord, **overrides: Any) -> dict[str, Any]:
    """The whole page: the pieces, the supersession chain, the links form and the sign-off panel."""
    context = _page_context(request, record, **overrides)
    context["chain"] = supersession_chain(record)
    if request.can_write and context["links_form"] is None:
        context["links_form"] = _links_form(request, record)
    context.update(panel_context(request, record))
    return context


def _links_form(request: ProductRequest, record: DecisionRecord, data: Any = None) -> LinksForm:
    initial = {
        "epics": [e.pk for e in record.epics.all()],
        "roadmap_items": [i.pk for i in record.roadmap_items.all()],
        "prds": [p.pk for p in record.prds.all()],
    }
    return LinksForm(data, initial=initial, product=request.product, auto_id="id_links_%s")


def _answer(
    request: ProductRequest,
    record: DecisionRecord,
    *,
    partial: str,
    status: int = 200,
    changed: bool = False,
    anchor: str = "",
    **overrides: Any,
) -> HttpResponse:
    """The piece for htmx (firing `document-changed` when the signed content changed); the whole page
    otherwise: redirected after a success, answered in place (422, 409) after a failure."""
    if wants_partial(request):
        context = _page_context(request, record, **overrides)
        if partial == "links":
            context["links_form"] = overrides.get("links_form") or _links_form(request, record)
        response = render_page(request, DETAIL_TEMPLATE, context, partial=partial, status=status)
        return trigger_client_event(response, CONTENT_CHANGED) if changed and status < 300 else response
    if status < 300:
        return HttpResponseRedirect(reverse("decisions:decision_detail", args=[request.product.pk, record.pk]) + anchor)
    return render_page(request, DETAIL_TEMPLATE, _full_context(request, record, **overrides), status=status)


def _fresh(request: ProductRequest, record: DecisionRecord) -> DecisionRecord:
    return _record(request, record.pk)


@product_view()
@require_http_methods(["GET", "POST"])
def decision_detail(request: ProductRequest, decision_id: int) -> HttpResponse:
    """The record: read it, edit its text (POST; a save against text someone else changed is a 409)."""
    record = _record(request, decision_id)
    if request.method == "POST":
        return _save_text(request, record)
    editing = request.GET.get("edit") == "1" and request.can_write and not record.is_frozen
    edit_option = request.GET.get("edit_option", "")
    overrides = {"editing": editing, "edit_option_id": int(edit_option) if edit_option.isdigit() else None}
    section = request.GET.get("section")
    if section in SECTIONS and wants_partial(request):
        context = _page_context(request, record, **overrides)
        if section == "links" and request.can_write:
            context["links_form"] = _links_form(request, record)
        return render_page(request, DETAIL_TEMPLATE, context, partial=section)
    return render_page(request, DETAIL_TEMPLATE, _full_context(request, record, **overrides))


def _save_text(request: ProductRequest, record: DecisionRecord) -> HttpResponse:
    form = DecisionTextForm(request.POST, auto_id="id_record_%s")
    if not form.is_valid():
        return _answer(request, record, partial="content", status=422, editing=True, text_form=form)
    try:
        with transaction.atomic():
            # Lock first, then compare: nobody can save between the check and the write.
            locked = DecisionRecord.objects.select_for_update(of=("self",)).get(pk=record.pk)
            if record_text_version(locked) != form.cleaned_data["version"]:
                raise StaleEdit
            services.decision_update(record=locked, actor=request.user, **form.changes())
    except StaleEdit:
        fresh = _fresh(request, record)
        return _answer(
            request,
            fresh,
            partial="content",
            status=CONFLICT,
            editing=not fresh.is_frozen,
            unsaved=[(form[name].label, form.cleaned_data[name]) for name in DecisionRecord.CONTENT_FIELDS],
            content_message=(
                f"{fresh.key} was changed by someone else since you opened it, so your changes were not saved. "
                "Here is the current text; your text is below to copy from."
            ),
        )
    except ApplicationError as exc:
        fresh = _fresh(request, record)
        if exc.extra.get("frozen"):
            return _answer(request, fresh, partial="content", status=CONFLICT, content_message=exc.message)
        add_service_error(form, exc)
        return _answer(request, fresh, partial="content", status=422, editing=True, text_form=form)
    except ValidationError as exc:
        add_service_error(form, exc)
        return _answer(request, record, partial="content", status=422, editing=True, text_form=form)
    if not wants_partial(request):
        messages.success(request, "Saved.")
    return _answer(request, _fresh(request, record), partial="content", changed=True, title_oob=True)


# --- options ---------------------------------------------------------------------------------------------


def _option(record: DecisionRecord, option_id: int) -> DecisionOption:
    option = next((o for o in record.options.all() if o.pk == option_id), None)
    if option is None:
        raise Http404("No such option.")
    return option


def _refused(request: ProductRequest, record: DecisionRecord, exc: ApplicationError | ValidationError) -> HttpResponse:
    """A service said no to an options change: the table as it is, and why (409)."""
    message = exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages)
    return _answer(request, _fresh(request, record), partial="options", status=CONFLICT, options_message=message)


@product_view()
def decision_option_add(request: ProductRequest, decision_id: int) -> HttpResponse:
    record = _record(request, decision_id)
    if refused := post_only(request):
        return refused
    form = OptionForm(request.POST, auto_id="id_new_option_%s")
    if form.is_valid():
        try:
            services.decision_option_add(record=record, actor=request.user, **form.data_for_service())
        except ApplicationError as exc:
            if exc.extra.get("frozen"):
                return _refused(request, record, exc)
            add_service_error(form, exc)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return _answer(request, _fresh(request, record), partial="options", changed=True, anchor="#options")
    return _answer(request, record, partial="options", status=422, option_form=form)


@product_view()
@require_http_methods(["GET", "POST"])
def decision_option(request: ProductRequest, decision_id: int, option_id: int) -> HttpResponse:
    """GET: the row as a form (htmx), or the page with that row open. POST: save the row."""
    record = _record(request, decision_id)
    option = _option(record, option_id)
    if request.method == "GET":
        if not (request.can_write and not record.is_frozen):  # nothing to edit: the row as it is
            if wants_partial(request):
                return _row_answer(request, record, option)
            return redirect(reverse("decisions:decision_detail", args=[request.product.pk, record.pk]) + "#options")
        if not wants_partial(request):
            url = reverse("decisions:decision_detail", args=[request.product.pk, record.pk])
            return redirect(f"{url}?edit_option={option.pk}#option-{option.pk}")
        option.form = OptionForm.for_option(option)
        return render_page(
            request, DETAIL_TEMPLATE, {**_page_context(request, record), "option": option}, partial="option-row"
        )
    form = OptionForm(request.POST, auto_id=f"id_option_{option.pk}_%s")
    if not form.is_valid():
        option.form = form
        return _row_answer(request, record, option, status=422)
    try:
        with transaction.atomic():
            DecisionRecord.objects.select_for_update(of=("self",)).get(pk=record.pk)
            current = DecisionOption.objects.get(pk=option.pk)
            if option_version(current) != form.cleaned_data["version"]:
                raise StaleEdit
            services.decision_option_update(option=current, actor=request.user, **form.data_for_service())
    except StaleEdit:
        fresh = _fresh(request, record)
        current = _option(fresh, option.pk)
        current.form = OptionForm.for_option(current)
        current.message = "Someone else changed this option since you opened it; here it is as saved now."
        return _row_answer(request, fresh, current, status=CONFLICT)
    except ApplicationError as exc:
        if exc.extra.get("frozen"):
            return _refused(request, record, exc)
        add_service_error(form, exc)
        option.form = form
        return _row_answer(request, record, option, status=422)
    except ValidationError as exc:
        add_service_error(form, exc)
        option.form = form
        return _row_answer(request, record, option, status=422)
    fresh = _fresh(request, record)
    return _row_answer(request, fresh, _option(fresh, option.pk), changed=True)


def _row_answer(
    request: ProductRequest, record: DecisionRecord, option: DecisionOption, *, status: int = 200, changed: bool = False
) -> HttpResponse:
    """One row of the options table for htmx; the page (with the row open when it failed) otherwise."""
    if wants_partial(request):
        context = {**_page_context(request, record), "option": option}
        response = render_page(request, DETAIL_TEMPLATE, context, partial="option-row", status=status)
        return trigger_client_event(response, CONTENT_CHANGED) if changed else response
    if status < 300:
        return redirect(reverse("decisions:decision_detail", args=[request.product.pk, record.pk]) + "#options")
    context = _full_context(request, record, edit_option_id=option.pk)
    for row in context["options"]:
        if row.pk == option.pk:
            row.form, row.message = option.form, getattr(option, "message", "")
    return render_page(request, DETAIL_TEMPLATE, context, status=status)


@product_view()
def decision_option_remove(request: ProductRequest, decision_id: int, option_id: int) -> HttpResponse:
    record = _record(request, decision_id)
    option = _option(record, option_id)
    if refused := post_only(request):
        return refused
    try:
        services.decision_option_remove(option=option, actor=request.user)
    except (ApplicationError, ValidationError) as exc:
        return _refused(request, record, exc)
    return _answer(request, _fresh(request, record), partial="options", changed=True, anchor="#options")


@product_view()
def decision_choose(request: ProductRequest, decision_id: int) -> HttpResponse:
    """Choose one of the record's options (the sign-offs are asked on the chosen option)."""
    record = _record(request, decision_id)
    if refused := post_only(request):
        return refused
    form = ChooseForm(request.POST)
    if not form.is_valid():
        return _answer(request, record, partial="options", status=422, options_message="Pick one of the options.")
    option = _option(record, form.cleaned_data["option"])
    try:
        services.decision_choose_option(record=record, actor=request.user, option=option)
    except (ApplicationError, ValidationError) as exc:
        return _refused(request, record, exc)
    return _answer(request, _fresh(request, record), partial="options", changed=True, anchor="#options")


# --- links, supersession, deletion ---------------------------------------------------------------------


@product_view()
def decision_links(request: ProductRequest, decision_id: int) -> HttpResponse:
    """The epics, roadmap items and PRDs the record affects (not signed content: allowed after acceptance)."""
    record = _record(request, decision_id)
    if refused := post_only(request):
        return refused
    form = _links_form(request, record, request.POST)
    if form.is_valid():
        try:
            services.decision_set_links(record=record, **form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            return _answer(request, _fresh(request, record), partial="links", anchor="#links")
    return _answer(request, record, partial="links", status=422, links_form=form)


def _successor(request: ProductRequest, decision_id: int, *, relation: str) -> HttpResponse:
    record = _record(request, decision_id)
    if refused := post_only(request):
        return refused
    form = SupersedeForm(request.POST, auto_id=f"id_{relation}_%s")
    key = "supersede_form" if relation == "supersede" else "amend_form"
    if not form.is_valid():
        return _answer(request, record, partial="status", status=422, **{key: form})
    start = services.decision_supersede if relation == "supersede" else services.decision_amend
    try:
        successor = start(record=record, actor=request.user, title=form.cleaned_data["title"] or None)
    except (ApplicationError, ValidationError) as exc:
        # The record is not in a state to be superseded or amended (not accepted, already superseded).
        message = exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages)
        return _answer(request, record, partial="status", status=CONFLICT, status_message=message)
    url = reverse("decisions:decision_detail", args=[request.product.pk, successor.pk])
    return HttpResponseClientRedirect(url) if wants_partial(request) else redirect(url)


@product_view()
def decision_supersede(request: ProductRequest, decision_id: int) -> HttpResponse:
    """Start a new record that replaces this accepted one once accepted itself."""
    return _successor(request, decision_id, relation="supersede")


@product_view()
def decision_amend(request: ProductRequest, decision_id: int) -> HttpResponse:
    """Start a new record that amends this accepted one."""
    return _successor(request, decision_id, relation="amend")


@product_view()
def decision_delete(request: ProductRequest, decision_id: int) -> HttpResponse:
    """Delete a record nobody was asked to sign off and nothing rests on (the service refuses otherwise)."""
    record = _record(request, decision_id)
    if refused := post_only(request):
        return refused
    try:
        services.decision_delete(record=record, actor=request.user)
    except (ApplicationError, ValidationError) as exc:
        message = exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages)
        return _answer(request, record, partial="status", status=CONFLICT, status_message=message)
    messages.success(request, f"{record.key} “{record.title}” was deleted.")
    url = reverse("decisions:decision_list", args=[request.product.pk])
    return HttpResponseClientRedirect(url) if wants_partial(request) else redirect(url)
