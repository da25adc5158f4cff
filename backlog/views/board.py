"""The kanban board (backlog:board) and its drag-and-drop / keyboard moves (backlog:board_move)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from core.errors import ApplicationError
from core.ui.decorators import product_view
from core.ui.forms import MoveForm
from core.ui.http import ProductRequest, render_page, wants_partial
from core.ui.objects import get_in_product_or_404
from workspaces.models import Role

from .. import services
from ..models import Sprint, Story, WorkflowStatus
from ..planning_forms import ALL_SPRINTS, BoardFilterForm
from ..selectors.board import StoryFilters, board_read, filter_choices, product_sprints, product_statuses
from ..selectors.items import last_changed_by

TEMPLATE = "backlog/board.html"


def refusal_message(exc: ApplicationError | ValidationError) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    return " ".join(exc.messages)


def moved_meanwhile(story: Story, *, expected: dict[str, Any], where: Callable[[Story], str]) -> str:
    """Lock the story and check it is still where the page showed it (`expected` field values). If someone
    moved it since, the refusal in words (`where(current)`: "to Done"); else "". Call inside the move's
    transaction, so that nobody moves it between this check and the move."""
    current = Story.objects.select_for_update(of=("self",)).select_related("status", "sprint").get(pk=story.pk)
    if all(getattr(current, name) == value for name, value in expected.items()):
        return ""
    who = last_changed_by(current)
    name = (who.get_full_name() or who.get_username()) if who else "Someone else"
    return (
        f"{story.key} was not moved: {name} moved it {where(current)} after this page was loaded, and it is "
        "shown there now. Move it again if you still mean to."
    )


def _board_context(request: ProductRequest, query: QueryDict, *, notice: str = "") -> dict[str, Any]:
    """Everything the board shows, for the filters in `query` (the page's query string)."""
    product = request.product
    statuses = product_statuses(product)
    sprints = product_sprints(product)
    members, labels = filter_choices(product)
    active = next((s for s in sprints if s.state == Sprint.State.ACTIVE), None)
    data = query.copy()
    if "sprint" not in data:  # no choice made: the active sprint, else every story
        data["sprint"] = str(active.pk) if active else ALL_SPRINTS
    form = BoardFilterForm(data, sprints=sprints, members=members, labels=labels)
    values = form.values()
    filters = StoryFilters(**{key: values.get(key, "") for key in ("sprint", "assignee", "label", "q")})
    column_id = _int(query.get("column"))
    limits = {column_id: _int(query.get("limit")) or 0} if column_id else {}
    board = board_read(product=product, filters=filters, statuses=statuses, limits=limits)
    sprint = next((s for s in sprints if str(s.pk) == filters.sprint), None)
    base = reverse("backlog:board", args=[product.pk])
    encoded = query.urlencode()
    return {
        "board": board,
        "filter_form": form,
        "sprint": sprint,
        "active_sprint": active,
        "filtered": bool(filters.assignee or filters.label or filters.q),
        "board_url": base,
        "move_url": reverse("backlog:board_move", args=[product.pk]) + (f"?{encoded}" if encoded else ""),
        "notice": notice,
    }


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@require_safe
def board(request: ProductRequest) -> HttpResponse:
    """Columns by workflow status. htmx gets the board (filters), or one column when it aims at #column-<id>
    (`?column=<id>&limit=<n>`: "show more")."""
    context = _board_context(request, request.GET)
    column_id = _int(request.GET.get("column"))
    column = context["board"].column(column_id) if column_id else None
    if column is not None and request.htmx.target == f"column-{column_id}":
        return render_page(request, TEMPLATE, {**context, "column": column}, partial="column")
    return render_page(request, TEMPLATE, context, partial="board")


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@require_POST
def board_move(request: ProductRequest) -> HttpResponse:
    """A card dropped (or moved with the keyboard controls): into another status (`list`), and/or next to a
    card (`after` / `before`). The transition and the rank are one change: refused together, with a message
    (409) and the board as it is, so the card goes back where it was."""
    form = MoveForm(request.POST)
    status = 200
    notice = ""
    if not form.is_valid():
        status, notice = 422, " ".join(form.errors.get("__all__", [])) or "That move was not understood."
    else:
        story = get_in_product_or_404(
            Story.objects.select_related("status"), product=request.product, pk=form.cleaned_data["item"]
        )
        target = _int(form.cleaned_data.get("list"))
        new_status = get_in_product_or_404(WorkflowStatus, product=request.product, pk=target) if target else None
        anchor = form.anchor()
        neighbour = get_in_product_or_404(Story, product=request.product, pk=anchor[1]) if anchor else None
        came_from = _int(form.cleaned_data.get("from_list"))
        try:
            with transaction.atomic():
                # The card is moved from the column the mover saw: a drop based on an older board must not
                # undo someone else's transition meanwhile.
                if came_from:
                    notice = moved_meanwhile(
                        story, expected={"status_id": came_from}, where=lambda now: f"to {now.status.name}"
                    )
                if notice:
                    status = 409
                else:
                    if new_status is not None and new_status.pk != story.status_id:
                        story = services.story_set_status(story=story, actor=request.user, status=new_status)
                    if anchor and neighbour is not None:
                        services.item_move(item=story, **{anchor[0]: neighbour})
        except (ApplicationError, ValidationError) as exc:
            status, notice = 409, f"{story.key} was not moved: {refusal_message(exc)}"
    if not wants_partial(request):
        if notice:
            messages.error(request, notice)
        query = request.GET.urlencode()
        return HttpResponseRedirect(
            reverse("backlog:board", args=[request.product.pk]) + (f"?{query}" if query else "")
        )
    context = _board_context(request, request.GET, notice=notice)
    return render_page(request, TEMPLATE, context, partial="board", status=status)
