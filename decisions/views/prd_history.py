"""A PRD's version history: the list of versions, any one version, and the diff between any two."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from core.ui.decorators import allow_methods, product_view
from core.ui.http import ProductRequest, render_form_errors, render_page
from core.ui.objects import get_in_product_or_404

from ..models import PRD, PRDVersion
from ..prd_diff import version_diff
from ..prd_forms import DIFF_MODES, CompareForm
from ..prd_selectors import prd_versions

VERSIONS_PER_PAGE = 25


def _prd(request: ProductRequest, prd_id: int) -> PRD:
    return get_in_product_or_404(PRD.objects.select_related("owner"), product=request.product, pk=prd_id)


def _history_context(request: ProductRequest, prd: PRD, form: CompareForm | None = None) -> dict[str, Any]:
    page = Paginator(prd_versions(prd=prd), VERSIONS_PER_PAGE).get_page(request.GET.get("page"))
    latest = page.object_list[0].number if page.number == 1 and page.object_list else None
    if form is None:
        initial = {"to_number": latest, "from_number": max((latest or 2) - 1, 1), "mode": "side"}
        form = CompareForm(initial=initial)
    return {"prd": prd, "page_obj": page, "versions": page.object_list, "compare_form": form}


@product_view()
@allow_methods("GET")
def prd_history(request: ProductRequest, prd_id: int) -> HttpResponse:
    """Versions newest first (number, who, when, what changed), a page at a time, and a compare form."""
    prd = _prd(request, prd_id)
    return render_page(request, "decisions/prds/history.html", _history_context(request, prd), partial="versions")


@product_view()
@allow_methods("GET")
def prd_compare(request: ProductRequest, prd_id: int) -> HttpResponse:
    """The compare form's target (GET from_number, to_number, mode): redirects to the diff of those versions."""
    prd = _prd(request, prd_id)
    form = CompareForm(request.GET)
    if form.is_valid():
        numbers = (form.cleaned_data["from_number"], form.cleaned_data["to_number"])
        found = dict(PRDVersion.objects.filter(prd=prd, number__in=numbers).values_list("number", "pk"))
        for name, number in zip(("from_number", "to_number"), numbers, strict=True):
            if number not in found:
                form.add_error(name, f"This PRD has no version {number}.")
        if form.is_valid():
            url = reverse("decisions:prd_diff", args=[request.product.pk, prd.pk, found[numbers[0]], found[numbers[1]]])
            return redirect(f"{url}?mode={form.cleaned_data['mode'] or 'side'}")
    return render_form_errors(
        request, "decisions/prds/history.html", _history_context(request, prd, form), partial="compare-form"
    )


@product_view()
@allow_methods("GET")
def prd_version_detail(request: ProductRequest, prd_id: int, version_id: int) -> HttpResponse:
    """One version as it was published: title, sections (Markdown rendered) and requirements."""
    prd = _prd(request, prd_id)
    version = get_in_product_or_404(
        PRDVersion.objects.filter(prd=prd).select_related("created_by"),
        product=request.product,
        pk=version_id,
        product_path="prd__product",
    )
    previous = PRDVersion.objects.filter(prd=prd, number__lt=version.number).order_by("-number").only("pk").first()
    context = {"prd": prd, "version": version, "previous": previous}
    return render_page(request, "decisions/prds/version.html", context)


@product_view()
@allow_methods("GET")
def prd_diff(request: ProductRequest, prd_id: int, from_version_id: int, to_version_id: int) -> HttpResponse:
    """The difference between two versions, `?mode=side` (default) or `?mode=inline`; htmx gets the diff only."""
    prd = _prd(request, prd_id)
    versions = PRDVersion.objects.filter(prd=prd).select_related("created_by")
    older = get_in_product_or_404(versions, product=request.product, pk=from_version_id, product_path="prd__product")
    newer = get_in_product_or_404(versions, product=request.product, pk=to_version_id, product_path="prd__product")
    mode = request.GET.get("mode")
    mode = mode if mode in dict(DIFF_MODES) else "side"
    form = CompareForm(initial={"from_number": older.number, "to_number": newer.number, "mode": mode})
    context = {
        "prd": prd,
        "diff": version_diff(older, newer),
        "mode": mode,
        "modes": DIFF_MODES,
        "compare_form": form,
    }
    return render_page(request, "decisions/prds/diff.html", context, partial="diff")
