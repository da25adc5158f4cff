"""The workspace's Jira connection, for workspace admins: create / edit (the token is write-only),
test it (the report in words), the webhook URL and its secret, shown once after creation or rotation.

A POST that reveals the webhook secret answers the page itself (200) instead of redirecting: the
secret exists in plain text only in that answer, never in a session or a message store.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ApplicationError
from core.ui.forms import add_service_error
from core.ui.http import render_form_errors, render_page
from workspaces.models import Role

from ..forms import ConnectionForm
from ..jira.diagnose import ConnectionReport
from ..models import JiraConnection
from ..services import connections as services
from .common import WorkspaceRequest, workspace_view
from .selectors import connection_of, mapped_products

TEMPLATE = "jira_sync/connection.html"


def webhook_url(connection: JiraConnection) -> str:
    return f"{settings.SITE_URL}{reverse('jira_webhooks:receive', args=[connection.webhook_key])}"


def page_context(
    request: WorkspaceRequest,
    connection: JiraConnection | None,
    form: ConnectionForm | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "connection": connection,
        "form": form or ConnectionForm(connection=connection),
        "webhook_url": webhook_url(connection) if connection else "",
        "mappings": list(mapped_products(connection)) if connection else [],
        "page_url": reverse("jira_sync:connection", args=[request.workspace.pk]),
        **extra,
    }


def _connection_or_404(request: WorkspaceRequest) -> JiraConnection:
    connection = connection_of(request.workspace)
    if connection is None:
        raise Http404("This workspace has no Jira connection yet.")
    return connection


@workspace_view(minimum_role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def connection_page(request: WorkspaceRequest) -> HttpResponse:
    """GET: the connection (or the form to create it). POST: create it, or save its changes."""
    connection = connection_of(request.workspace)
    if request.method == "GET":
        return render_page(request, TEMPLATE, page_context(request, connection))
    form = ConnectionForm(request.POST, connection=connection)
    secret = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            if connection is None:
                connection, secret = services.connection_create(
                    workspace=request.workspace,
                    actor=request.user,
                    site_url=data["site_url"],
                    deployment=data["deployment"],
                    email=data["email"],
                    token=data["token"],
                    conflict_policy=data["conflict_policy"],
                )
            else:
                connection = services.connection_update(
                    connection=connection, actor=request.user, token=data["token"] or None, **form.changes()
                )
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
    if form.errors:
        context = page_context(request, connection, form)
        return render_form_errors(request, TEMPLATE, context, partial="connection")
    if secret:
        context = page_context(request, connection, new_secret=secret, created=True)
        return render_page(request, TEMPLATE, context, partial="connection")
    if not request.htmx:
        messages.success(request, "Saved the Jira connection.")
        return HttpResponseRedirect(reverse("jira_sync:connection", args=[request.workspace.pk]))
    return render_page(request, TEMPLATE, page_context(request, connection, saved=True), partial="connection")


@workspace_view(minimum_role=Role.ADMIN)
@require_POST
def connection_test(request: WorkspaceRequest) -> HttpResponse:
    """Ask the site what is wrong, if anything; the answer is kept on the connection (shown after a reload)."""
    connection = _connection_or_404(request)
    report: ConnectionReport = services.connection_test(connection=connection)
    if not request.htmx:
        return HttpResponseRedirect(reverse("jira_sync:connection", args=[request.workspace.pk]) + "#connection-test")
    return render_page(request, TEMPLATE, page_context(request, connection, report=report), partial="test-report")


@workspace_view(minimum_role=Role.ADMIN)
@require_POST
def connection_rotate_secret(request: WorkspaceRequest) -> HttpResponse:
    """A new webhook secret, shown once: Jira's old secret stops working at once."""
    connection = _connection_or_404(request)
    secret = services.connection_rotate_webhook_secret(connection=connection, actor=request.user)
    return render_page(request, TEMPLATE, page_context(request, connection, new_secret=secret), partial="webhook")
