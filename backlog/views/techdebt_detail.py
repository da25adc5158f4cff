"""The page of one tech-debt item: every field edited in place, scheduling it into a sprint, deleting it.

As on the story page (backlog.views.items), a field's editor carries the item's `updated_at` as it was
when the editor opened; a save over a newer version is refused with 409 and the current value.
"Schedule" makes the story that pays the debt off (`services.tech_debt_schedule`, once) and links to it.
Contributors write, as for every backlog item; deleting takes an editor.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from core.errors import ApplicationError
from core.ui.decorators import allow_methods, product_view
from core.ui.forms import add_service_error
from core.ui.http import ProductRequest, render_form_errors, render_page, wants_partial
from workspaces.models import Role

from .. import services
from ..forms import item_version
from ..models import TechDebtItem
from ..selectors.items import last_changed_by
from ..selectors.techdebt import tech_debt_for_page
from ..techdebt_forms import TECH_DEBT_FIELDS, TECH_DEBT_LABELS, TechDebtFieldForm, TechDebtScheduleForm

TEMPLATE = "backlog/techdebt_detail.html"
CONFLICT = 409
DELETE_ROLE = Role.EDITOR


def _item(request: ProductRequest, techdebt_id: int) -> TechDebtItem:
    try:
        return tech_debt_for_page(product=request.product, techdebt_id=techdebt_id)
    except TechDebtItem.DoesNotExist as exc:
        raise Http404("No such tech-debt item.") from exc


def _page_url(request: ProductRequest, item: TechDebtItem) -> str:
    return reverse("backlog:techdebt_detail", args=[request.product.pk, item.pk])


def field_context(
    request: ProductRequest, item: TechDebtItem, name: str, form: TechDebtFieldForm | None = None, **extra: Any
) -> dict[str, Any]:
    """One field as `backlog/item_field.html` reads it (`f`): its value, or its editor when `form` is given."""
    return {
        "item": item,
        "f": {
            "kind": "tech-debt item",
            "item": item,
            "name": name,
            "label": TECH_DEBT_LABELS[name],
            "edit_url": reverse("backlog:techdebt_field", args=[request.product.pk, item.pk]),
            "page_url": _page_url(request, item),
            "form": form,
            **extra,
        },
    }


def page_context(
    request: ProductRequest,
    item: TechDebtItem,
    *,
    editing: str | None = None,
    form: TechDebtFieldForm | None = None,
    schedule_form: TechDebtScheduleForm | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The whole page; `editing` opens one field's editor (the no-JS path of "Edit")."""
    fields = {}
    for name in TECH_DEBT_FIELDS:
        field_form = None
        if name == editing and request.can_write:
            field_form = form or TechDebtFieldForm(name=name, product=request.product, item=item)
        fields[name] = field_context(request, item, name, field_form, **(extra if name == editing else {}))["f"]
    return {
        "item": item,
        "fields": fields,
        **schedule_context(request, item, form=schedule_form),
        "can_delete": Role.at_least(request.membership.role, DELETE_ROLE),
    }


def schedule_context(request: ProductRequest, item: TechDebtItem, **extra: Any) -> dict[str, Any]:
    """The "Schedule into a sprint" card: a form until the item is scheduled, then its story."""
    form = extra.pop("form", None)
    if form is None and request.can_write and not item.remediation_story_id:
        form = TechDebtScheduleForm(product=request.product)
    return {"item": item, "schedule_form": form, **extra}


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("GET", "HEAD")
def techdebt_detail(request: ProductRequest, techdebt_id: int) -> HttpResponse:
    """A tech-debt item: every field, scheduling, open review flags, comments (`?edit=<field>` opens an editor)."""
    item = _item(request, techdebt_id)
    editing = request.GET.get("edit") if request.can_write else None
    return render_page(request, TEMPLATE, page_context(request, item, editing=editing))


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("GET", "HEAD", "POST")
def techdebt_field(request: ProductRequest, techdebt_id: int) -> HttpResponse:
    """GET: one field's editor (`?field=`), or its value again (`&cancel=1`). POST: save that field."""
    item = _item(request, techdebt_id)
    name = request.GET.get("field") or request.POST.get("field", "")
    if name not in TECH_DEBT_FIELDS:
        raise Http404("No such field.")
    page_url = _page_url(request, item)
    if request.method in ("GET", "HEAD"):
        if not wants_partial(request):
            suffix = "" if request.GET.get("cancel") else f"?edit={name}"
            return HttpResponseRedirect(f"{page_url}{suffix}#field-{name}")
        if request.GET.get("cancel") or not request.can_write:
            return render_page(request, TEMPLATE, field_context(request, item, name), partial="field")
        form = TechDebtFieldForm(name=name, product=request.product, item=item)
        return render_page(request, TEMPLATE, field_context(request, item, name, form, focus=True), partial="field")

    form = TechDebtFieldForm(request.POST, name=name, product=request.product, item=item)
    if form.is_valid():
        with transaction.atomic():
            current = TechDebtItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
            if form.cleaned_data["version"] != item_version(current):
                return _conflict(request, techdebt_id, name, form)
            changes, labels = form.changes()
            try:
                services.tech_debt_update(item=item, actor=request.user, labels=labels, **changes)
            except (ApplicationError, ValidationError) as exc:
                add_service_error(form, exc)
        if not form.errors:
            if not wants_partial(request):
                messages.success(request, f"Saved the {TECH_DEBT_LABELS[name].lower()}.")
                return HttpResponseRedirect(f"{page_url}#field-{name}")
            item = _item(request, techdebt_id)
            return render_page(request, TEMPLATE, field_context(request, item, name, saved=True), partial="field")
    if wants_partial(request):
        context = field_context(request, item, name, form, focus=True)
        return render_form_errors(request, TEMPLATE, context, partial="field")
    return render_form_errors(request, TEMPLATE, page_context(request, item, editing=name, form=form))


def _conflict(request: ProductRequest, techdebt_id: int, name: str, stale: TechDebtFieldForm) -> HttpResponse:
    """409: someone saved the item after this editor opened. A fresh editor with the current value, who
    changed it, and what this person typed (nothing they wrote is lost)."""
    item = _item(request, techdebt_id)
    who = last_changed_by(item)
    form = TechDebtFieldForm(name=name, product=request.product, item=item)
    mine = stale.data.get(name, "")
    conflict = {
        "who": (who.get_full_name() or who.get_username()) if who else "someone else",
        "mine": mine if isinstance(mine, str) else "",
    }
    if wants_partial(request):
        context = field_context(request, item, name, form, conflict=conflict, focus=True)
        return render_page(request, TEMPLATE, context, partial="field", status=CONFLICT)
    context = page_context(request, item, editing=name, form=form, conflict=conflict)
    return render_page(request, TEMPLATE, context, status=CONFLICT)


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def techdebt_schedule(request: ProductRequest, techdebt_id: int) -> HttpResponse:
    """Make the story that pays the debt off, in an open sprint or the backlog; once only (else 409)."""
    item = _item(request, techdebt_id)
    form = TechDebtScheduleForm(request.POST, product=request.product)
    status, story, refusal = 200, None, ""
    if item.remediation_story_id:  # scheduled already (another tab, another person): show the story
        status, refusal = CONFLICT, f"{item.key} is already scheduled as {item.remediation_story.key}."
    elif not form.is_valid():
        status = 422
    else:
        try:
            story = services.tech_debt_schedule(item=item, actor=request.user, sprint=form.chosen_sprint())
        except (ApplicationError, ValidationError) as exc:
            if TechDebtItem.objects.filter(pk=item.pk, remediation_story__isnull=False).exists():
                status, refusal = CONFLICT, getattr(exc, "message", "This item was scheduled meanwhile.")
            else:
                add_service_error(form, exc)
                status = 422
    if status == 200 and not wants_partial(request):
        messages.success(request, f"Scheduled as {story.key} {story.title}.")
        return HttpResponseRedirect(f"{_page_url(request, item)}#schedule")
    item = _item(request, techdebt_id)
    extra: dict[str, Any] = {"form": form if status == 422 else None, "refusal": refusal, "scheduled": story}
    if wants_partial(request):
        return render_page(
            request, TEMPLATE, schedule_context(request, item, **extra), partial="schedule", status=status
        )
    context = {**page_context(request, item, schedule_form=extra.pop("form")), **extra}
    return render_page(request, TEMPLATE, context, status=status)


@product_view(minimum_role=Role.VIEWER, write_role=DELETE_ROLE)
@allow_methods("POST")
def techdebt_delete(request: ProductRequest, techdebt_id: int) -> HttpResponse:
    """Delete the item (a story already scheduled to pay it off stays) and go back to the list."""
    item = _item(request, techdebt_id)
    key, title = item.key, item.title
    services.tech_debt_delete(item=item, actor=request.user)
    messages.success(request, f"Deleted {key} {title}.")
    url = reverse("backlog:techdebt", args=[request.product.pk])
    if wants_partial(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)
