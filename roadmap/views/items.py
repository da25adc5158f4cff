"""A roadmap item's page: edit every field, link epics, add and remove dependencies, delete.

Every form of the page posts with htmx and gets the item's section (`#item`) back, so the roll-up,
the computed confidence and the edit form's version always agree; without JS each redirects back.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from backlog.models import Epic
from core.ui.decorators import product_view
from core.ui.forms import add_service_error
from core.ui.http import ProductRequest, render_form_errors, render_page
from core.ui.objects import get_in_product_or_404

from .. import services
from ..board import item_page
from ..forms import DependencyForm, EpicLinkForm, ItemForm, item_version
from ..models import Dependency, RoadmapItem
from .common import REFUSALS, page_url, post_only

TEMPLATE = "roadmap/item_detail.html"
CONFLICT = 409


def comments_available() -> bool:
    """The comments panel (`{% load activity %}{% comments_panel item %}`) once the activity app ships it."""
    if find_spec("activity.templatetags") is None or find_spec("activity.templatetags.activity") is None:
        return False
    library = getattr(import_module("activity.templatetags.activity"), "register", None)
    return library is not None and "comments_panel" in library.tags


def _item(request: ProductRequest, item_id: int) -> RoadmapItem:
    return get_in_product_or_404(
        RoadmapItem.objects.select_related("roadmap", "owner", "milestone"), product=request.product, pk=item_id
    )


def item_context(
    request: ProductRequest,
    item: RoadmapItem,
    *,
    form: ItemForm | None = None,
    epic_form: EpicLinkForm | None = None,
    dependency_form: DependencyForm | None = None,
    conflict: str = "",
) -> dict[str, Any]:
    page = item_page(item)
    product = request.product
    linked = [epic.pk for epic in page.epics]
    blockers = [dep.blocker_id for dep in page.depends_on]
    return {
        "item": item,
        "page": page,
        "form": form or ItemForm.for_item(item, [goal.pk for goal in page.goals], product=product),
        "epic_form": epic_form or EpicLinkForm(product=product, exclude=linked),
        "dependency_form": dependency_form or DependencyForm(product=product, item=item, exclude=blockers),
        "conflict": conflict,
        "board_url": page_url("roadmap:board", product, item.roadmap),
        "comments_enabled": comments_available(),
    }


def _answer(request: ProductRequest, item: RoadmapItem, message: str) -> HttpResponse:
    """After a write: the item's section again for htmx, a redirect back with a message otherwise."""
    if not request.htmx:
        messages.success(request, message)
        return redirect(reverse("roadmap:item_detail", args=[request.product.pk, item.pk]))
    item = _item(request, item.pk)
    context = item_context(request, item)
    context["saved"] = message
    return render_page(request, TEMPLATE, context, partial="item")


@product_view()
def item_detail(request: ProductRequest, item_id: int) -> HttpResponse:
    """GET: the item. POST: save its fields, refused (409) when someone saved it since the form was read."""
    item = _item(request, item_id)
    if request.method not in ("GET", "HEAD", "POST"):
        return post_only()
    if request.method != "POST":
        return render_page(request, TEMPLATE, item_context(request, item), partial="item")
    form = ItemForm(request.POST, product=request.product)
    if form.is_valid() and form.cleaned_data["version"] != item_version(item):
        who = item.history.select_related("history_user").order_by("-history_date").first()
        by = f" by {who.history_user.get_full_name() or who.history_user.username}" if who and who.history_user else ""
        conflict = (
            f"Not saved: this item was changed{by} after you opened it. "
            "Here is what it holds now; make your change again."
        )
        return render_page(
            request, TEMPLATE, item_context(request, item, conflict=conflict), partial="item", status=CONFLICT
        )
    if form.is_valid():
        try:
            item = services.roadmap_item_update(
                item=item, actor=request.user, goals=form.cleaned_data["goals"], **form.changes()
            )
        except REFUSALS as exc:
            add_service_error(form, exc)
    if form.errors:
        return render_form_errors(request, TEMPLATE, item_context(request, item, form=form), partial="item")
    return _answer(request, item, "Saved.")


@product_view()
def item_delete(request: ProductRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    if request.method != "POST":
        return post_only()
    services.roadmap_item_delete(item=item, actor=request.user)
    messages.success(request, f"Deleted {item.title}.")
    url = page_url("roadmap:board", request.product, item.roadmap)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@product_view()
def epic_link(request: ProductRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    if request.method != "POST":
        return post_only()
    linked = list(item.epics.all())
    form = EpicLinkForm(request.POST, product=request.product, exclude=[epic.pk for epic in linked])
    if form.is_valid():
        epic = form.cleaned_data["epic"]
        try:
            services.roadmap_item_update(item=item, actor=request.user, epics=[*linked, epic])
        except REFUSALS as exc:
            add_service_error(form, exc)
    if form.errors:
        return render_form_errors(request, TEMPLATE, item_context(request, item, epic_form=form), partial="item")
    return _answer(request, item, f"Linked {request.product.key}-{epic.number} {epic.title}.")


@product_view()
def epic_unlink(request: ProductRequest, item_id: int, epic_id: int) -> HttpResponse:
    item = _item(request, item_id)
    epic = get_in_product_or_404(Epic.objects.only("pk", "number", "title"), product=request.product, pk=epic_id)
    if request.method != "POST":
        return post_only()
    remaining = [linked for linked in item.epics.all() if linked.pk != epic.pk]
    services.roadmap_item_update(item=item, actor=request.user, epics=remaining)
    return _answer(request, item, f"Unlinked {request.product.key}-{epic.number} {epic.title}.")


@product_view()
def dependency_add(request: ProductRequest, item_id: int) -> HttpResponse:
    """This item depends on the chosen one; a cycle is refused by the service and shown on the form (422)."""
    item = _item(request, item_id)
    if request.method != "POST":
        return post_only()
    blockers = list(Dependency.objects.filter(blocked=item).values_list("blocker_id", flat=True))
    form = DependencyForm(request.POST, product=request.product, item=item, exclude=blockers)
    if form.is_valid():
        try:
            services.dependency_add(blocker=form.cleaned_data["blocker"], blocked=item, note=form.cleaned_data["note"])
        except REFUSALS as exc:
            add_service_error(form, exc)
    if form.errors:
        context = item_context(request, item, dependency_form=form)
        return render_form_errors(request, TEMPLATE, context, partial="item")
    return _answer(request, item, f"{item.title} now depends on {form.cleaned_data['blocker'].title}.")


@product_view()
def dependency_remove(request: ProductRequest, dependency_id: int) -> HttpResponse:
    """Remove a dependency; the page it was removed from (`page_item`: either end) is answered."""
    dependency = get_in_product_or_404(
        Dependency.objects.select_related("blocker", "blocked"), product=request.product, pk=dependency_id
    )
    if request.method != "POST":
        return post_only()
    page_item = (
        dependency.blocker if request.POST.get("page_item") == str(dependency.blocker_id) else dependency.blocked
    )
    services.dependency_remove(blocker=dependency.blocker, blocked=dependency.blocked)
    return _answer(request, page_item, f"{dependency.blocked.title} no longer depends on {dependency.blocker.title}.")
