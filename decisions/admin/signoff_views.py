"""Sign-offs answered from the admin, and the sign-off audit page of a PRD or a decision record.

Answering: the person a sign-off is addressed to approves it, or rejects it with a comment, from the
sign-off's admin page (or approves several at once with an action). Both call the same services as the
UI and the API (decisions.services.signoff_approve / signoff_reject), which refuse anyone else, a
sign-off already answered, and one whose document changed since it was asked (stale); the refusal is
shown in their words. Leadership members use this although they change nothing else in the admin.

Audit: `<document>/signoff-audit/` lists every request, approval, rejection, withdrawal and staleness
event of the document's sign-offs in order, with the content hash each one is bound to, who acted, in
which capacity and when. It is read through the document admin's scoped queryset: another workspace's
document id gives a 404 and shows nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from core.errors import ApplicationError
from workspaces.admin_scoping import refusal_message

from .. import services
from ..models import PRD, DecisionRecord, SignOff
from ..selectors import signoff_panel

DECISIONS = {"approve": "approved", "reject": "rejected"}


class AddressedToMeFilter(admin.SimpleListFilter):
    title = "addressee"
    parameter_name = "mine"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("waiting", "Me, waiting for my answer"), ("all", "Me, in any state")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[SignOff]) -> QuerySet[SignOff]:
        if self.value() == "waiting":
            return queryset.filter(approver=request.user, state=SignOff.State.PENDING)
        if self.value() == "all":
            return queryset.filter(approver=request.user)
        return queryset


def object_route(model_admin: Any, name: str, view: Any) -> URLPattern:
    """An extra page of one object in a model admin: `<id>/<name with dashes>/`, named `<app>_<model>_<name>`."""
    opts = model_admin.opts
    return path(
        f"<path:object_id>/{name.replace('_', '-')}/",
        model_admin.admin_site.admin_view(view),
        name=f"{opts.app_label}_{opts.model_name}_{name}",
    )


class SignOffAnswerMixin:
    """For the sign-off admin: Approve / Reject on the change page, and an approve action."""

    admin_site: admin.AdminSite
    opts: Any

    def get_urls(self) -> list[URLPattern]:
        return [object_route(self, "answer", self.answer_view), *super().get_urls()]  # type: ignore[misc]

    def may_answer(self, request: HttpRequest, signoff: SignOff) -> bool:
        """Whether to offer the buttons: the sign-off is the user's and waits (the service has the last word)."""
        return signoff.approver_id == request.user.pk and signoff.state == SignOff.State.PENDING

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        signoff = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        extra_context = dict(extra_context or {})
        if signoff is not None:
            is_current = signoff.content_hash == services.current_hash(signoff.document)
            extra_context |= {
                "may_answer": self.may_answer(request, signoff),
                "signoff_is_current": is_current,
                "answer_url": reverse(
                    f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_answer",
                    args=[quote(signoff.pk)],
                ),
            }
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    def answer_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        signoff = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if signoff is None:
            raise Http404("No such sign-off.")
        if not self.has_view_permission(request, signoff):  # type: ignore[attr-defined]
            raise PermissionDenied
        decision = request.POST.get("decision", "")
        comment = request.POST.get("comment", "")
        change_url = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change", args=[quote(signoff.pk)]
        )
        if decision not in DECISIONS:
            self.message_user(request, "Choose Approve or Reject.", messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(change_url)
        try:
            if decision == "approve":
                services.signoff_approve(signoff=signoff, actor=request.user, comment=comment)
            else:
                services.signoff_reject(signoff=signoff, actor=request.user, comment=comment)
        except (ApplicationError, ValidationError) as exc:
            self.message_user(request, refusal_message(exc), messages.ERROR)  # type: ignore[attr-defined]
        else:
            self.message_user(  # type: ignore[attr-defined]
                request, f"You {DECISIONS[decision]} {signoff.document}.", messages.SUCCESS
            )
        return HttpResponseRedirect(change_url)

    def has_answer_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)  # type: ignore[attr-defined]

    @admin.action(description="Approve the selected sign-offs addressed to me", permissions=["answer"])
    def approve_mine(self, request: HttpRequest, queryset: QuerySet[SignOff]) -> None:
        approved = 0
        for signoff in queryset.select_related("prd", "decision").order_by("pk"):
            try:
                services.signoff_approve(signoff=signoff, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{signoff.document}: {exc.message}", messages.ERROR)  # type: ignore[attr-defined]
            else:
                approved += 1
        if approved:
            self.message_user(request, f"Approved {approved} sign-off(s).", messages.SUCCESS)  # type: ignore[attr-defined]


class SignOffAuditMixin:
    """For the PRD and decision record admins: the sign-off audit page, linked from the change page."""

    admin_site: admin.AdminSite
    opts: Any

    def get_urls(self) -> list[URLPattern]:
        return [object_route(self, "signoff_audit", self.signoff_audit_view), *super().get_urls()]  # type: ignore[misc]

    def signoff_audit_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        document: PRD | DecisionRecord | None = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if document is None:
            raise Http404("No such document.")
        if not self.has_view_permission(request, document):  # type: ignore[attr-defined]
            raise PermissionDenied
        panel = signoff_panel(document=document, product=document.product)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": document,
            "title": f"Sign-off audit: {document}",
            "subtitle": None,
            "panel": panel,
            "events": panel.events,
            "is_prd": isinstance(document, PRD),
        }
        return TemplateResponse(request, "admin/decisions/signoff_audit.html", context)
