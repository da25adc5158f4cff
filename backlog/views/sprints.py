"""Sprints: the list with create, start and complete; a sprint's page with its burn-down; edit; planning.

Creating, editing, starting and completing a sprint need the editor role, as in the API (the team's
commitment is the TPM's call); planning stories in and out of a sprint needs a contributor.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from core.errors import ApplicationError
from core.ui.decorators import product_view
from core.ui.forms import MoveForm, add_service_error
from core.ui.http import ProductRequest, render_form_errors, render_page, wants_partial
from core.ui.objects import get_in_product_or_404
from workspaces.models import Role

from .. import services
from ..models import Sprint, Story
from ..planning_forms import SprintCloseForm, SprintEditForm, SprintForm, StoryFilterForm
from ..selectors.board import StoryFilters, filter_choices, product_statuses
from ..selectors.sprints import planning_backlog, sprint_load, sprint_report, sprint_stories, sprints_with_points
from .board import moved_meanwhile, refusal_message

LIST_TEMPLATE = "backlog/sprints/list.html"
DETAIL_TEMPLATE = "backlog/sprints/detail.html"
EDIT_TEMPLATE = "backlog/sprints/edit.html"
PLANNING_TEMPLATE = "backlog/sprints/planning.html"
SPRINT_FIELDS = ("name", "goal", "start_date", "end_date", "capacity_points")

manage_sprints = product_view(minimum_role=Role.VIEWER, write_role=Role.EDITOR)
plan_sprints = product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)

SprintView = Callable[[ProductRequest, Sprint], HttpResponse]


def sprint_view(*methods: str) -> Callable[[SprintView], Callable[..., HttpResponse]]:
    """Find the URL's sprint in the request's product (404) before checking the method (405), so that a
    sprint of another product answers 404 to every method; the view receives the sprint."""

    def decorator(view: SprintView) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: ProductRequest, sprint_id: int) -> HttpResponse:
            sprint = get_in_product_or_404(Sprint, product=request.product, pk=sprint_id)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, sprint)

        return wrapper

    return decorator


# --- The list: create, start, complete ------------------------------------------------------------


def _list_context(request: ProductRequest, *, form: SprintForm | None = None, notice: str = "") -> dict[str, Any]:
    groups = sprints_with_points(request.product)
    open_sprints = groups[Sprint.State.ACTIVE] + groups[Sprint.State.PLANNED]
    for sprint in groups[Sprint.State.ACTIVE]:
        sprint.close_form = SprintCloseForm(sprint=sprint, open_sprints=open_sprints)
    return {
        "groups": groups,
        "active": groups[Sprint.State.ACTIVE],
        "planned": groups[Sprint.State.PLANNED],
        "closed": groups[Sprint.State.CLOSED],
        "form": form or SprintForm(),
        "notice": notice,
    }


@manage_sprints
@require_http_methods(["GET", "HEAD", "POST"])
def sprint_list(request: ProductRequest) -> HttpResponse:
    """Planned, active and closed sprints with their points; POST creates one (editors)."""
    if request.method != "POST":
        return render_page(request, LIST_TEMPLATE, _list_context(request), partial="sprints-body")
    form = SprintForm(request.POST, instance=Sprint(product=request.product))
    if form.is_valid():
        try:
            sprint = services.sprint_create(
                product=request.product, actor=request.user, **{f: form.cleaned_data[f] for f in SPRINT_FIELDS}
            )
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            if not wants_partial(request):
                messages.success(request, f"{sprint.name} is planned. Add stories to it from the backlog.")
                return redirect("backlog:sprints", product_id=request.product.pk)
            context = _list_context(request, notice=f"{sprint.name} is planned.")
            return render_page(request, LIST_TEMPLATE, context, partial="sprints-body")
    return render_form_errors(request, LIST_TEMPLATE, _list_context(request, form=form), partial="sprints-body")


def _after_state_change(request: ProductRequest, sprint: Sprint, done: str, refused: str) -> HttpResponse:
    """Back to where the button was: the sprint's page (`next=detail`) or the list; htmx gets the list's body."""
    if not wants_partial(request):
        if refused:
            messages.error(request, refused)
        else:
            messages.success(request, done)
        if request.POST.get("next") == "detail":
            return redirect("backlog:sprint_detail", product_id=request.product.pk, sprint_id=sprint.pk)
        return redirect("backlog:sprints", product_id=request.product.pk)
    context = _list_context(request, notice=refused or done)
    context["notice_is_error"] = bool(refused)
    return render_page(request, LIST_TEMPLATE, context, partial="sprints-body", status=409 if refused else 200)


@manage_sprints
@sprint_view("POST")
def sprint_start(request: ProductRequest, sprint: Sprint) -> HttpResponse:
    """Start a planned sprint. One sprint per product is active at a time (a database rule): refused, said why."""
    refused = ""
    try:
        with transaction.atomic():
            services.sprint_start(sprint=sprint, actor=request.user)
    except (ApplicationError, ValidationError) as exc:
        refused = f"{sprint.name} was not started: {refusal_message(exc)}"
    except IntegrityError:  # another sprint was started at the same moment
        refused = f"{sprint.name} was not started: another sprint of {request.product.name} is active; close it first."
    return _after_state_change(request, sprint, f"{sprint.name} has started.", refused)


@manage_sprints
@sprint_view("POST")
def sprint_complete(request: ProductRequest, sprint: Sprint) -> HttpResponse:
    """Close the active sprint; its unfinished stories go to another open sprint or back to the backlog."""
    open_sprints = list(
        Sprint.objects.filter(product=request.product, state__in=[Sprint.State.ACTIVE, Sprint.State.PLANNED])
    )
    form = SprintCloseForm(request.POST, sprint=sprint, open_sprints=open_sprints)
    refused = ""
    if not form.is_valid():
        refused = f"{sprint.name} was not completed: choose where its unfinished stories go."
    else:
        try:
            services.sprint_close(sprint=sprint, carry_over_to=form.cleaned_data["carry_over_to"], actor=request.user)
        except (ApplicationError, ValidationError) as exc:
            refused = f"{sprint.name} was not completed: {refusal_message(exc)}"
    target = form.cleaned_data.get("carry_over_to") if not refused else None
    where = f"moved to {target.name}" if target else "back in the backlog"
    return _after_state_change(request, sprint, f"{sprint.name} is complete; unfinished stories are {where}.", refused)


# --- One sprint: its page and its edit form --------------------------------------------------------


@manage_sprints
@sprint_view("GET", "HEAD")
def sprint_detail(request: ProductRequest, sprint: Sprint) -> HttpResponse:
    """Goal, dates, stories by status, committed against done points, and the burn-down (drawn here, as SVG)."""
    statuses = product_statuses(request.product)
    report = sprint_report(sprint=sprint, product=request.product, statuses=statuses, today=timezone.localdate())
    close_form = None
    if sprint.state == Sprint.State.ACTIVE:
        others = list(Sprint.objects.filter(product=request.product, state=Sprint.State.PLANNED))
        close_form = SprintCloseForm(sprint=sprint, open_sprints=others)
    context = {"sprint": sprint, "report": report, "close_form": close_form}
    return render_page(request, DETAIL_TEMPLATE, context, partial="sprint-report")


@manage_sprints
@sprint_view("GET", "HEAD", "POST")
def sprint_edit(request: ProductRequest, sprint: Sprint) -> HttpResponse:
    """Rename, re-date, re-goal or re-size a sprint. A save based on an older copy is refused (409)."""
    if request.method != "POST":
        return render_page(request, EDIT_TEMPLATE, {"sprint": sprint, "form": SprintEditForm(instance=sprint)})
    form = SprintEditForm(request.POST, instance=copy.copy(sprint))
    if form.is_valid():
        try:
            with transaction.atomic():
                current = Sprint.objects.select_for_update().get(pk=sprint.pk)
                if form.is_stale(current):
                    fresh = SprintEditForm(instance=current)
                    context = {
                        "sprint": current,
                        "form": fresh,
                        "conflict": "Someone changed this sprint while you were editing it. "
                        "This is the sprint as it is now; make your change again.",
                    }
                    return render_page(request, EDIT_TEMPLATE, context, partial="sprint-form", status=409)
                services.sprint_update(
                    sprint=current, actor=request.user, **{f: form.cleaned_data[f] for f in SPRINT_FIELDS}
                )
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            url = reverse("backlog:sprint_detail", args=[request.product.pk, sprint.pk])
            messages.success(request, "Sprint saved.")
            return HttpResponseClientRedirect(url) if wants_partial(request) else HttpResponseRedirect(url)
    return render_form_errors(request, EDIT_TEMPLATE, {"sprint": sprint, "form": form}, partial="sprint-form")


# --- Planning: the backlog beside the sprint --------------------------------------------------------


def _planning_context(request: ProductRequest, sprint: Sprint, *, notice: str = "") -> dict[str, Any]:
    product = request.product
    statuses = product_statuses(product)
    members, labels = filter_choices(product)
    form = StoryFilterForm(request.GET, members=members, labels=labels)
    values = form.values()
    filters = StoryFilters(assignee=values.get("assignee", ""), label=values.get("label", ""), q=values.get("q", ""))
    query = request.GET.urlencode()
    move_url = reverse("backlog:sprint_planning_move", args=[product.pk, sprint.pk])
    return {
        "sprint": sprint,
        "filter_form": form,
        "filtered": bool(filters.assignee or filters.label or filters.q),
        "page_obj": planning_backlog(product=product, statuses=statuses, filters=filters, page=request.GET.get("page")),
        "sprint_stories": sprint_stories(sprint=sprint, product=product, statuses=statuses),
        "load": sprint_load(sprint),
        "can_plan": request.can_write and sprint.state != Sprint.State.CLOSED,
        "planning_url": reverse("backlog:sprint_planning", args=[product.pk, sprint.pk]),
        "move_url": move_url + (f"?{query}" if query else ""),
        "notice": notice,
    }


@plan_sprints
@sprint_view("GET", "HEAD")
def sprint_planning(request: ProductRequest, sprint: Sprint) -> HttpResponse:
    """Unscheduled stories (ranked, filtered, a page at a time) beside the sprint, with its capacity bar."""
    return render_page(request, PLANNING_TEMPLATE, _planning_context(request, sprint), partial="lists")


def _sprint_words(story: Story) -> str:
    return f"into {story.sprint.name}" if story.sprint else "back to the backlog"


@plan_sprints
@sprint_view("POST")
def sprint_planning_move(request: ProductRequest, sprint: Sprint) -> HttpResponse:
    """Add a story to the sprint (`list=sprint`), send it back (`list=backlog`), and/or rank it next to another
    (`after` / `before`). htmx gets both lists again and the capacity bar out of band."""
    form = MoveForm(request.POST)
    status, notice = 200, ""
    if not form.is_valid() or form.cleaned_data.get("list") not in ("", "sprint", "backlog"):
        status, notice = 422, " ".join(form.errors.get("__all__", [])) or "That move was not understood."
    else:
        story = get_in_product_or_404(Story, product=request.product, pk=form.cleaned_data["item"])
        anchor = form.anchor()
        neighbour = get_in_product_or_404(Story, product=request.product, pk=anchor[1]) if anchor else None
        target = form.cleaned_data.get("list")
        came_from = {"backlog": None, "sprint": sprint.pk}.get(form.cleaned_data.get("from_list"), "unknown")
        try:
            with transaction.atomic():
                # Planned from what the page showed: a move based on an older page must not take the story out
                # of the sprint someone else planned it into meanwhile (or put back one they took out).
                if came_from != "unknown":
                    notice = moved_meanwhile(story, expected={"sprint_id": came_from}, where=_sprint_words)
                if notice:
                    status = 409
                else:
                    if target == "sprint" and story.sprint_id != sprint.pk:
                        services.stories_set_sprint(
                            product=request.product, actor=request.user, story_ids=[story.pk], sprint=sprint
                        )
                    elif target == "backlog" and story.sprint_id == sprint.pk:
                        services.stories_set_sprint(
                            product=request.product, actor=request.user, story_ids=[story.pk], sprint=None
                        )
                    if anchor and neighbour is not None:
                        services.item_move(item=story, **{anchor[0]: neighbour})
        except (ApplicationError, ValidationError) as exc:
            status, notice = 409, f"{story.key} was not moved: {refusal_message(exc)}"
    if not wants_partial(request):
        if notice:
            messages.error(request, notice)
        query = request.GET.urlencode()
        url = reverse("backlog:sprint_planning", args=[request.product.pk, sprint.pk])
        return HttpResponseRedirect(url + (f"?{query}" if query else ""))
    context = _planning_context(request, sprint, notice=notice)
    lists = render_to_string(f"{PLANNING_TEMPLATE}#lists", context, request=request)
    bar = render_to_string(f"{PLANNING_TEMPLATE}#capacity", {**context, "oob": True}, request=request)
    response = HttpResponse(lists + bar, status=status)
    response["Vary"] = "HX-Request"
    return response
