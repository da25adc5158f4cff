"""Browser pages of the activity app: comments on any item or document, global search, notifications.

Who may comment: every member of the workspace, viewers included (leadership asks questions where
the work is). Who may edit: the author only; delete: the author or a workspace admin (the services'
rules, activity.services). Notifications are the signed-in user's own, in workspaces they still
belong to.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import ApplicationError
from core.ui.decorators import product_view
from core.ui.forms import add_service_error
from core.ui.http import ProductRequest, render_form_errors, render_page, wants_partial
from core.ui.objects import get_in_product_or_404
from workspaces.models import Role

from . import services
from .forms import CommentEditForm, CommentForm, SearchForm
from .kinds import KIND_BY_MODEL, KIND_BY_NAME, Kind, page_url
from .models import Comment, Notification
from .search import search_product
from .selectors import NOTIFICATIONS_PAGE_SIZE, decorate_comment, notifications_for, unread_count, with_targets
from .templatetags.activity import panel_context

COMMENTS_TEMPLATE = "activity/comments.html"


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go back after a plain POST: the posted `next` if it is a path of this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def load_target(request: ProductRequest, kind: Kind, pk: int) -> Model:
    """The commentable row `pk` of this kind in the request's product, or 404."""
    queryset = kind.model._default_manager.all()
    if kind.name == "roadmap_item":
        queryset = queryset.select_related("roadmap")
    return get_in_product_or_404(queryset, product=request.product, pk=pk, product_path=kind.product_path)


def comments_page_context(request: ProductRequest, target: Model, **extra: Any) -> dict[str, Any]:
    target_url = page_url(target, product_id=request.product.pk)
    comments_url = reverse(KIND_BY_MODEL[type(target)].comments_url_name, args=[request.product.pk, target.pk])
    context = panel_context(request=request, target=target, next_url=safe_next(request, target_url or comments_url))
    context.update(target_url=target_url, **extra)
    return context


# --- Comments ---------------------------------------------------------------------------------------


def comments(request: ProductRequest, kind_name: str, pk: int) -> HttpResponse:
    """GET: the thread (the panel for htmx, a page otherwise). POST: add a comment."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    kind = KIND_BY_NAME[kind_name]
    target = load_target(request, kind, pk)
    if request.method != "POST":
        return render_page(request, COMMENTS_TEMPLATE, comments_page_context(request, target), partial="panel-body")

    form = CommentForm(request.POST, auto_id=f"id_comment_{kind.name}_{target.pk}_%s")
    if form.is_valid():
        try:
            services.comment_create(
                workspace=request.workspace, target=target, author=request.user, body=form.cleaned_data["body"]
            )
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
    context = comments_page_context(request, target)
    if form.errors:
        context["form"] = form
        return render_form_errors(request, COMMENTS_TEMPLATE, context, partial="panel-body")
    if wants_partial(request):
        return render_page(request, COMMENTS_TEMPLATE, context, partial="panel-body")
    return HttpResponseRedirect(f"{context['next_url']}#{context['panel_id']}")


def comments_view_for(kind_name: str) -> Any:
    """The comments view of one kind, taking the URL's `<kind>_id` (docs/ui.md naming)."""
    kwarg = KIND_BY_NAME[kind_name].kwarg

    @product_view(minimum_role=Role.VIEWER, write_role=Role.VIEWER)
    def view(request: ProductRequest, **kwargs: int) -> HttpResponse:
        return comments(request, kind_name, kwargs[kwarg])

    view.__name__ = view.__qualname__ = f"comments_{kind_name}"
    return view


def load_comment(request: ProductRequest, comment_id: int) -> tuple[Comment, Model]:
    """A comment of this workspace whose row is in this product (else 404), and that row."""
    comment = (
        Comment.objects.filter(pk=comment_id, workspace=request.workspace)
        .select_related("author", "content_type")
        .prefetch_related("mentions")
        .first()
    )
    kind = KIND_BY_MODEL.get(comment.content_type.model_class()) if comment is not None else None
    if comment is None or kind is None:
        raise Http404("No such comment.")
    return comment, load_target(request, kind, comment.object_id)


@product_view(minimum_role=Role.VIEWER, write_role=Role.VIEWER)
def comment_edit(request: ProductRequest, comment_id: int) -> HttpResponse:
    """GET: the edit form in place of the comment (`?show=1`: the comment again, to cancel). POST: save."""
    comment, target = load_comment(request, comment_id)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    context = comments_page_context(request, target, comment=decorate_comment(comment), editing=True)
    version = comment.updated_at.isoformat()
    if request.method != "POST":
        if comment.author_id != request.user.pk:
            forbid()
        if request.GET.get("show"):
            return render_page(request, COMMENTS_TEMPLATE, context, partial="comment-body")
        context["form"] = CommentEditForm(initial={"body": comment.body, "version": version})
        context["cancel_url"] = f"{request.path}?show=1"
        return render_page(request, COMMENTS_TEMPLATE, context, partial="comment-edit")

    form = CommentEditForm(request.POST)
    context.update(form=form, cancel_url=f"{request.path}?show=1")
    status = None
    if form.is_valid():
        if form.cleaned_data["version"] and form.cleaned_data["version"] != version:
            # Saved meanwhile (another tab): show what is saved now, and keep the text they typed.
            form.add_error("body", "This comment was changed since you opened it. Check the text and save again.")
            form.data = form.data.copy()
            form.data["version"] = version
            status = 409
        else:
            try:
                services.comment_update(comment=comment, actor=request.user, body=form.cleaned_data["body"])
            except ApplicationError as exc:
                if exc.extra.get("forbidden"):
                    forbid()
                add_service_error(form, exc)
    if form.errors:
        response = render_form_errors(request, COMMENTS_TEMPLATE, context, partial="comment-edit")
        if status:
            response.status_code = status
        return response
    if wants_partial(request):
        comment.refresh_from_db()
        context["comment"] = decorate_comment(comment)
        return render_page(request, COMMENTS_TEMPLATE, context, partial="comment-body")
    return HttpResponseRedirect(f"{context['next_url']}#comment-{comment.pk}")


@product_view(minimum_role=Role.VIEWER, write_role=Role.VIEWER)
def comment_delete(request: ProductRequest, comment_id: int) -> HttpResponse:
    """POST: delete (author or workspace admin); answers the panel for htmx, a redirect back otherwise."""
    comment, target = load_comment(request, comment_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.comment_delete(comment=comment, actor=request.user)
    except ApplicationError:
        forbid()
    context = comments_page_context(request, target)
    if wants_partial(request):
        return render_page(request, COMMENTS_TEMPLATE, context, partial="panel-body")
    return HttpResponseRedirect(f"{context['next_url']}#{context['panel_id']}")


def forbid() -> NoReturn:
    raise PermissionDenied("Only the author can edit a comment; the author or a workspace admin can delete it.")


# --- Search -----------------------------------------------------------------------------------------


@product_view(minimum_role=Role.VIEWER)
def search(request: ProductRequest) -> HttpResponse:
    """Search this product (or every product of this workspace) by words or by key (PAY-12, REQ-3, ADR-2)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    form = SearchForm(request.GET)
    results = None
    query = ""
    scope = "product"
    if form.is_valid():
        query = form.cleaned_data["q"]
        scope = form.cleaned_data["scope"]
        if query:
            results = search_product(
                product=request.product, query=query, whole_workspace=scope == "workspace", user=request.user
            )
    context = {"form": form, "query": query, "scope": scope, "results": results}
    return render_page(request, "activity/search.html", context, partial="results")


# --- Notifications ----------------------------------------------------------------------------------


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications across their workspaces, unread first."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return render_page(request, "activity/notifications.html", notifications_context(request), partial="list")


def notifications_context(request: HttpRequest) -> dict[str, Any]:
    paginator = Paginator(notifications_for(user=request.user), NOTIFICATIONS_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    # Evaluate the page once, with each row's target and link; the template reads this list.
    page_obj.object_list = with_targets(list(page_obj.object_list))
    return {"page_obj": page_obj, "unread": unread_count(user=request.user)}


@login_required
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """POST: mark one of your notifications read; htmx gets the list again (the count updates)."""
    notification = Notification.objects.filter(
        pk=notification_id, recipient=request.user, workspace__memberships__user=request.user
    ).first()
    if notification is None:
        raise Http404("No such notification.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.notifications_mark_read(recipient=request.user, notification_ids=[notification.pk])
    return _after_marking(request)


@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    """POST: mark all your notifications read (in the workspaces you still belong to)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    ids = list(notifications_for(user=request.user).filter(read_at__isnull=True).values_list("pk", flat=True))
    services.notifications_mark_read(recipient=request.user, notification_ids=ids)
    return _after_marking(request)


def _after_marking(request: HttpRequest) -> HttpResponse:
    if wants_partial(request):
        response = render_page(request, "activity/notifications.html", notifications_context(request), partial="list")
        # The top bar's count is outside the swapped list: tell it (static/js/app.js? no — out-of-band swap).
        return response
    return redirect(safe_next(request, reverse("activity:notifications")))
