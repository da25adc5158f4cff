"""Tech debt: the list by cost of delay (or rank), created and edited in place."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse

from core.errors import ApplicationError
from core.ui.decorators import allow_methods, product_view
from core.ui.forms import add_service_error
from core.ui.http import ProductRequest, render_page
from core.ui.objects import get_in_product_or_404
from workspaces.models import Role

from .. import services
from ..forms import TechDebtForm, item_version
from ..models import TechDebtItem
from ..selectors.items import last_changed_by, tech_debt_list

TEMPLATE = "backlog/techdebt.html"
ITEMS_PER_PAGE = 50
SORTS = (("cost", "Cost of delay"), ("rank", "Rank"))


def list_context(request: ProductRequest, sort: str, page_number: str | None, **extra: Any) -> dict[str, Any]:
    sort = sort if sort in dict(SORTS) else "cost"
    page = Paginator(tech_debt_list(product=request.product, sort=sort), ITEMS_PER_PAGE).get_page(page_number)
    context: dict[str, Any] = {"page_obj": page, "items": list(page.object_list), "sort": sort, "sorts": SORTS}
    if request.can_write and "form" not in extra:
        context["form"] = TechDebtForm(product=request.product)
    return {**context, **extra}


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("GET", "HEAD", "POST")
def techdebt(request: ProductRequest) -> HttpResponse:
    """GET: the product's tech debt (`?sort=cost|rank`, `?edit=<id>` opens a row's editor without JS).
    POST: a new item (the form stays open for the next one)."""
    sort = request.GET.get("sort", "cost")
    if request.method == "GET":
        editing = request.GET.get("edit")
        extra: dict[str, Any] = {}
        if editing and editing.isdigit() and request.can_write:
            item = TechDebtItem.objects.filter(product=request.product, pk=int(editing)).first()
            if item is not None:
                extra = {"editing": item.pk, "edit_form": TechDebtForm(product=request.product, item=item)}
        return render_page(
            request, TEMPLATE, list_context(request, sort, request.GET.get("page"), **extra), partial="body"
        )
    form = TechDebtForm(request.POST, product=request.product)
    item = None
    if form.is_valid():
        try:
            item = services.tech_debt_create(product=request.product, actor=request.user, **form.values())
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
    if item is None:
        context = list_context(request, sort, None, form=form, create_open=True)
        return render_page(request, TEMPLATE, context, partial="body", status=422)
    if not request.htmx:
        messages.success(request, f"Added {item.key} {item.title}.")
        return HttpResponseRedirect(reverse("backlog:techdebt", args=[request.product.pk]))
    context = list_context(request, sort, None, created=item, create_open=True)
    return render_page(request, TEMPLATE, context, partial="body")


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("GET", "HEAD", "POST")
def techdebt_edit(request: ProductRequest, techdebt_id: int) -> HttpResponse:
    """GET: a row's editor (or the row again with `?cancel=1`). POST: save it, refusing a stale version (409)."""
    item = get_in_product_or_404(
        TechDebtItem.objects.select_related("status", "owner", "epic", "remediation_story", "product"),
        product=request.product,
        pk=techdebt_id,
    )
    list_url = reverse("backlog:techdebt", args=[request.product.pk])
    if request.method == "GET":
        if not request.htmx:
            return HttpResponseRedirect(f"{list_url}?edit={item.pk}#debt-{item.pk}")
        if request.GET.get("cancel") or not request.can_write:
            return render_page(request, TEMPLATE, {"item": item}, partial="row")
        form = TechDebtForm(product=request.product, item=item)
        return render_page(request, TEMPLATE, {"item": item, "edit_form": form, "editing": item.pk}, partial="row")
    form = TechDebtForm(request.POST, product=request.product, item=item)
    if form.is_valid():
        with transaction.atomic():
            current = TechDebtItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
            if form.cleaned_data.get("version") != item_version(current):
                return _conflict(request, item, form)
            try:
                services.tech_debt_update(item=item, actor=request.user, **form.values())
            except (ApplicationError, ValidationError) as exc:
                add_service_error(form, exc)
        if not form.errors:
            if not request.htmx:
                messages.success(request, f"Saved {item.key}.")
                return HttpResponseRedirect(f"{list_url}#debt-{item.pk}")
            item.refresh_from_db()
            return render_page(request, TEMPLATE, {"item": item, "saved": True}, partial="row")
    if request.htmx:
        return render_page(
            request, TEMPLATE, {"item": item, "edit_form": form, "editing": item.pk}, partial="row", status=422
        )
    context = list_context(request, "cost", None, editing=item.pk, edit_form=form)
    return render_page(request, TEMPLATE, context, status=422)


def _conflict(request: ProductRequest, item: TechDebtItem, stale: TechDebtForm) -> HttpResponse:
    item.refresh_from_db()
    who = last_changed_by(item)
    form = TechDebtForm(product=request.product, item=item)
    conflict = {"who": (who.get_full_name() or who.get_username()) if who else "someone else"}
    context = {"item": item, "edit_form": form, "conflict": conflict, "editing": item.pk}
    if request.htmx:
        return render_page(request, TEMPLATE, context, partial="row", status=409)
    full = list_context(request, "cost", None, editing=item.pk, edit_form=form, conflict=conflict)
    return render_page(request, TEMPLATE, full, status=409)
