"""Clearing a review flag: the form of templates/ui/review_flags.html posts here (field `note`).

htmx gets the item's open flags again (`ui/review_flags.html`, empty once none is left); a plain form
is redirected back to the page it came from. Contributors and above clear, as in the API
(`ReviewFlagViewSet.action_roles`): the people who work the backlog items deal with their flags.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from core.ui.decorators import product_view
from core.ui.http import FORM_ERROR_STATUS, ProductRequest, wants_partial
from core.ui.navigation import url_or_none
from core.ui.objects import get_in_product_or_404
from workspaces.models import Role

from .. import services
from ..models import ReviewFlag
from ..record_forms import FlagClearForm
from .signoffs import post_only

CONFLICT = 409
TARGET_PAGES = {
    "epic": "backlog:epic_detail",
    "feature": "backlog:feature_detail",
    "story": "backlog:story_detail",
    "roadmap_item": "roadmap:item_detail",
}


@product_view(write_role=Role.CONTRIBUTOR)
def flag_clear(request: ProductRequest, flag_id: int) -> HttpResponse:
    flag = get_in_product_or_404(ReviewFlag.objects.all(), product=request.product, pk=flag_id)
    if refused := post_only(request):  # after the lookup: a foreign id is a 404 whatever the method
        return refused
    form = FlagClearForm(request.POST)
    status, message = 200, ""
    if not form.is_valid():
        status, message = FORM_ERROR_STATUS, " ".join(form.errors.get("note", ["The note is not valid."]))
    else:
        try:
            services.review_flag_clear(flag=flag, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:  # cleared meanwhile by someone else
            status, message = CONFLICT, " ".join(exc.messages)
    if wants_partial(request):
        return _open_flags(request, flag, status=status)
    if message:
        messages.error(request, message)
    else:
        messages.success(request, "Flag cleared.")
    return HttpResponseRedirect(_back(request, flag))


def _target_field(flag: ReviewFlag) -> str:
    return next(name for name in ReviewFlag.TARGET_FIELDS if getattr(flag, f"{name}_id"))


def _open_flags(request: ProductRequest, flag: ReviewFlag, *, status: int) -> HttpResponse:
    """The flags still open on the same item, as the item's page shows them."""
    field = _target_field(flag)
    flags = list(
        ReviewFlag.objects.open()
        .filter(**{f"{field}_id": getattr(flag, f"{field}_id")})
        .select_related("raised_by")
        .order_by("-created_at", "-pk")
    )
    response = render(request, "ui/review_flags.html", {"flags": flags}, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _back(request: ProductRequest, flag: ReviewFlag) -> str:
    """The page the form was on (same site only), else the flagged item's page, else the product home."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    field = _target_field(flag)
    return url_or_none(TARGET_PAGES[field], request.product.pk, getattr(flag, f"{field}_id")) or url_or_none(
        "product_home", request.product.pk
    )
