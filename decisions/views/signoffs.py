"""The sign-off panel: one implementation for PRDs and decision records.

`decisions:prd_signoffs` / `decisions:decision_signoffs` answer the panel (`#signoffs`, the partial
`decisions/signoffs/panel.html#panel`) to htmx — the PRD page loads it with `hx-get` on load, the
decision page includes it — and a page of its own otherwise; a POST there asks named members to sign
off. Each asked person approves or rejects their own sign-off (viewers too: the service checks that
the actor is the approver); editors withdraw a waiting one.

Events: the panel refreshes itself on `document-changed` or `prd-saved` (fired by the document's page
after an edit of the signed content), and its own writes fire `signoffs-changed` (the document's status
may have moved). Its answers to htmx replace their target (`HX-Reswap: outerHTML`), so a page's
placeholder `<section id="signoffs" hx-get=… hx-trigger="load">` becomes the panel itself.
A decision record that became accepted reloads the page (`HX-Refresh`): it is frozen now.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRefresh, reswap, trigger_client_event

from core.errors import ApplicationError
from core.ui.decorators import product_view
from core.ui.http import ProductRequest, render_page, wants_partial
from core.ui.navigation import url_or_none
from core.ui.objects import get_in_product_or_404
from workspaces.models import Role

from .. import services
from ..models import PRD, DecisionOption, DecisionRecord, SignOff
from ..record_forms import SignOffAnswerForm, SignOffRequestForm
from ..selectors import signoff_panel

PANEL_TEMPLATE = "decisions/signoffs/panel.html"
SIGNOFFS_CHANGED = "signoffs-changed"
CONFLICT = 409

Document = PRD | DecisionRecord


def post_only(request: ProductRequest) -> HttpResponse | None:
    """`require_POST`, checked after the object lookup: a foreign id answers 404 whatever the method."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def document_url(document: Document) -> str:
    """Where a document lives: its page, or the panel's own page while the PRD page does not exist."""
    if isinstance(document, DecisionRecord):
        return reverse("decisions:decision_detail", args=[document.product_id, document.pk])
    return url_or_none("decisions:prd_detail", document.product_id, document.pk) or reverse(
        "decisions:prd_signoffs", args=[document.product_id, document.pk]
    )


def panel_url(document: Document) -> str:
    name = "decisions:decision_signoffs" if isinstance(document, DecisionRecord) else "decisions:prd_signoffs"
    return reverse(name, args=[document.product_id, document.pk])


def panel_context(
    request: ProductRequest,
    document: Document,
    *,
    request_form: SignOffRequestForm | None = None,
    answer_forms: dict[int, SignOffAnswerForm] | None = None,
    message: str = "",
) -> dict[str, Any]:
    """What `decisions/signoffs/panel.html#panel` reads; names are prefixed (pages merge them into theirs)."""
    panel = signoff_panel(document=document, product=request.product)
    can_manage = request.membership.has_role(Role.EDITOR)  # not can_write: the answer views let viewers write
    frozen = isinstance(document, DecisionRecord) and document.is_frozen
    needs_option = isinstance(document, DecisionRecord) and document.chosen_option_id is None
    answer_forms = answer_forms or {}
    for signoff in panel.signoffs:
        signoff.can_answer = (
            signoff.state == SignOff.State.PENDING and signoff.approver_id == request.user.pk and signoff.is_current
        )
        if signoff.can_answer:
            signoff.answer_form = answer_forms.get(signoff.pk) or SignOffAnswerForm(
                auto_id=f"id_answer_{signoff.pk}_%s"
            )
    return {
        "panel": panel,
        "signoff_document": document,
        "signoff_document_url": document_url(document),
        "signoff_panel_url": panel_url(document),
        "signoff_message": message,
        "can_manage_signoffs": can_manage,
        "can_request_signoffs": can_manage and not frozen and not needs_option,
        "signoff_request_blocked": (
            f"{document.key} is {document.get_status_display().lower()}: its sign-offs are closed."
            if frozen
            else "Choose an option before asking for sign-off."
            if needs_option
            else ""
        ),
        "signoff_request_form": request_form or SignOffRequestForm(members=panel.members),
    }


def _respond(
    request: ProductRequest,
    document: Document,
    *,
    status: int = 200,
    changed: bool = False,
    status_before: str | None = None,
    **kwargs: Any,
) -> HttpResponse:
    """The panel for htmx (with `signoffs-changed` after a write); a redirect back or the panel's page otherwise.

    A decision record that a write just froze (accepted) reloads the whole page instead: its editor must go.
    """
    if changed and not wants_partial(request):
        return HttpResponseRedirect(document_url(document) + "#signoffs")
    if changed and isinstance(document, DecisionRecord) and document.is_frozen and status_before != document.status:
        return HttpResponseClientRefresh()
    context = panel_context(request, document, **kwargs)
    response = render_page(request, PANEL_TEMPLATE, context, partial="panel", status=status)
    if wants_partial(request):
        # The panel replaces whatever asked for it: a page's placeholder too, whatever its hx-swap.
        response = reswap(response, "outerHTML")
    return trigger_client_event(response, SIGNOFFS_CHANGED) if changed else response


def _decision(request: ProductRequest, decision_id: int) -> DecisionRecord:
    # Options prefetched: the content hash is computed from them without a query per option.
    queryset = DecisionRecord.objects.prefetch_related(
        Prefetch("options", DecisionOption.objects.order_by("position", "pk"))
    )
    return get_in_product_or_404(queryset, product=request.product, pk=decision_id)


def _prd(request: ProductRequest, prd_id: int) -> PRD:
    return get_in_product_or_404(PRD.objects.all(), product=request.product, pk=prd_id)


@product_view()
@require_http_methods(["GET", "POST"])
def prd_signoffs(request: ProductRequest, prd_id: int) -> HttpResponse:
    return _panel(request, _prd(request, prd_id))


@product_view()
@require_http_methods(["GET", "POST"])
def decision_signoffs(request: ProductRequest, decision_id: int) -> HttpResponse:
    return _panel(request, _decision(request, decision_id))


def _panel(request: ProductRequest, document: Document) -> HttpResponse:
    """GET: the panel. POST (editors): ask each chosen person, in the chosen role; all or none."""
    if request.method == "GET":
        return _respond(request, document)
    panel = signoff_panel(document=document, product=request.product)
    form = SignOffRequestForm(request.POST, members=panel.members)
    if form.is_valid():
        try:
            with transaction.atomic():
                for approver in form.approver_users():
                    services.signoff_request(
                        document=document, actor=request.user, approver=approver, role=form.cleaned_data["role"]
                    )
        except (ApplicationError, ValidationError) as exc:
            _form_error(form, exc)
        else:
            if not wants_partial(request):
                asked = len(form.cleaned_data["approvers"])
                messages.success(request, f"Sign-off asked of {asked} {'person' if asked == 1 else 'people'}.")
            return _respond(request, document, changed=True)
    if not wants_partial(request):
        return render_page(request, PANEL_TEMPLATE, panel_context(request, document, request_form=form), status=422)
    return _respond(request, document, status=422, request_form=form)


def _form_error(form: SignOffRequestForm, exc: ApplicationError | ValidationError) -> None:
    """The service names the `approver` (one of the people asked): on this form that is `approvers`."""
    if isinstance(exc, ApplicationError):
        field = {"approver": "approvers", "role": "role"}.get(exc.field or "")
        form.add_error(field, exc.message)
    else:
        form.add_error(None, exc)


# --- answering ---------------------------------------------------------------------------------------------


def _signoff(request: ProductRequest, signoff_id: int) -> SignOff:
    """A sign-off of this product (reached through its PRD or its decision record), or 404."""
    signoff = (
        SignOff.objects.filter(Q(prd__product=request.product) | Q(decision__product=request.product), pk=signoff_id)
        .select_related("prd", "decision")
        .first()
    )
    if signoff is None:
        raise Http404("No such sign-off.")
    return signoff


def _document_of(request: ProductRequest, signoff: SignOff) -> Document:
    return _prd(request, signoff.prd_id) if signoff.prd_id else _decision(request, signoff.decision_id)


def _answer(request: ProductRequest, signoff_id: int, *, approve: bool) -> HttpResponse:
    signoff = _signoff(request, signoff_id)
    if refused := post_only(request):
        return refused
    status_before = signoff.document.status
    form = SignOffAnswerForm(request.POST, auto_id=f"id_answer_{signoff.pk}_%s")
    if form.is_valid():
        service = services.signoff_approve if approve else services.signoff_reject
        try:
            service(signoff=signoff, actor=request.user, comment=form.cleaned_data["comment"])
        except ApplicationError as exc:
            if exc.extra.get("forbidden"):
                raise PermissionDenied(exc.message) from exc
            if exc.extra.get("stale"):
                return _refuse(request, signoff, exc.message)
            form.add_error("comment" if exc.field == "comment" else None, exc.message)
        else:
            if not wants_partial(request):
                messages.success(request, "Approved." if approve else "Rejected: the owner has been told why.")
            return _respond(request, _document_of(request, signoff), changed=True, status_before=status_before)
    document = _document_of(request, signoff)
    if not wants_partial(request):
        context = panel_context(request, document, answer_forms={signoff.pk: form})
        return render_page(request, PANEL_TEMPLATE, context, status=422)
    return _respond(request, document, status=422, answer_forms={signoff.pk: form})


def _refuse(request: ProductRequest, signoff: SignOff, message: str) -> HttpResponse:
    """409: the sign-off is about content that is no longer current; the panel shows the current one."""
    document = _document_of(request, signoff)
    if not wants_partial(request):
        return render_page(request, PANEL_TEMPLATE, panel_context(request, document, message=message), status=CONFLICT)
    return _respond(request, document, status=CONFLICT, message=message)


@product_view(write_role=Role.VIEWER)
def signoff_approve(request: ProductRequest, signoff_id: int) -> HttpResponse:
    """The asked person approves (any role: the service refuses anyone else)."""
    return _answer(request, signoff_id, approve=True)


@product_view(write_role=Role.VIEWER)
def signoff_reject(request: ProductRequest, signoff_id: int) -> HttpResponse:
    """The asked person rejects, saying why (the service requires the comment)."""
    return _answer(request, signoff_id, approve=False)


@product_view()
def signoff_withdraw(request: ProductRequest, signoff_id: int) -> HttpResponse:
    """An editor withdraws a sign-off that is still waiting."""
    signoff = _signoff(request, signoff_id)
    if refused := post_only(request):
        return refused
    status_before = signoff.document.status
    try:
        services.signoff_withdraw(signoff=signoff, actor=request.user)
    except (ApplicationError, ValidationError) as exc:
        message = exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages)
        return _refuse(request, signoff, message)
    if not wants_partial(request):
        messages.success(request, "Sign-off withdrawn.")
    return _respond(request, _document_of(request, signoff), changed=True, status_before=status_before)
