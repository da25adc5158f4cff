"""The page of one PRD requirement: its text, priority, derived status, what delivers it, the flags it
raised, and its comments. Editing and tracing stay on the requirements table (linked from here)."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from core.ui.decorators import allow_methods, product_view
from core.ui.http import ProductRequest, render_page
from workspaces.models import Role

from ..requirement_selectors import requirement_for_page


@product_view()
@allow_methods("GET")
def requirement_detail(request: ProductRequest, prd_id: int, requirement_id: int) -> HttpResponse:
    """Every member reads it; htmx gets the requirement's body (`#requirement`) without the page around it."""
    requirement = requirement_for_page(product=request.product, prd_id=prd_id, requirement_id=requirement_id)
    if requirement is None:
        raise Http404("No such requirement.")
    context = {
        "requirement": requirement,
        "prd": requirement.prd,
        # As decisions:flag_clear (and the API): contributors and above clear flags.
        "can_clear_flags": Role.at_least(request.membership.role, Role.CONTRIBUTOR),
    }
    return render_page(request, "decisions/prds/requirement_detail.html", context, partial="requirement")
