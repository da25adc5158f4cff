"""PRD pages: the list, creating a PRD, and the PRD page with its section editor and Markdown preview.

Every save goes through `services.prd_update`, which publishes an immutable version and makes sign-offs
on the older content stale. A save made from an out-of-date copy of a section is refused (409).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django_htmx.http import trigger_client_event

from core.errors import ApplicationError
from core.ui.decorators import allow_methods, product_view
from core.ui.forms import add_service_error
from core.ui.http import ProductRequest, render_form_errors, render_page, wants_partial
from core.ui.objects import get_in_product_or_404

from .. import services
from ..models import PRD, PRDSection, PRDVersion
from ..prd_forms import PRDCreateForm, PreviewForm, SectionAddForm, SectionEditForm
from ..prd_selectors import prd_for_page, prd_list_for_product, prd_open_flags, requirements_for_table

CONFLICT_STATUS = 409
PRD_SAVED_EVENT = "prd-saved"  # the sign-off panel reloads on it: a save may have made sign-offs stale


@product_view()
@allow_methods("GET")
def prd_list(request: ProductRequest) -> HttpResponse:
    """The product's PRDs: status, owner, version, requirements, coverage and sign-offs."""
    context = {"prds": prd_list_for_product(product=request.product)}
    return render_page(request, "decisions/prds/list.html", context, partial="prd-table")


@product_view()
@allow_methods("GET", "POST")
def prd_create(request: ProductRequest) -> HttpResponse:
    """A new PRD with the standard sections, published as version 1."""
    form = PRDCreateForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST":
        if form.is_valid():
            try:
                prd = services.prd_create(
                    product=request.product,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    owner=form.cleaned_data["owner"],
                )
            except (ValidationError, ApplicationError) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"Created “{prd.title}”. Fill in its sections.")
                url = reverse("decisions:prd_detail", args=[request.product.pk, prd.pk])
                return _redirect_or_hx(request, url)
        return render_form_errors(request, "decisions/prds/create.html", {"form": form}, partial="prd-form")
    return render_page(request, "decisions/prds/create.html", {"form": form}, partial="prd-form")


def _redirect_or_hx(request: ProductRequest, url: str) -> HttpResponse:
    """A redirect after a POST: an HX-Redirect for htmx (a 302 would be followed and swapped in)."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _prd_or_404(request: ProductRequest, prd_id: int) -> PRD:
    prd = prd_for_page(product=request.product, prd_id=prd_id)
    if prd is None:
        raise Http404("No such PRD.")
    return prd


def _position(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _section_at(prd: PRD, position: int | None) -> PRDSection | None:
    return next((s for s in prd.sections.all() if s.position == position), None)


def _with_preview(form: SectionEditForm, prd: PRD, section: PRDSection) -> SectionEditForm:
    """The body posts itself (only itself) to the preview endpoint as the person types."""
    url = reverse("decisions:prd_preview", args=[prd.product_id, prd.pk])
    form.fields["body"].widget.attrs.update(
        {
            "hx-post": f"{url}?prefix={form.prefix}",
            "hx-trigger": "input changed delay:400ms",
            "hx-target": f"#section-{section.position}-preview",
            "hx-swap": "innerHTML",
            "hx-params": form.add_prefix("body"),
            "hx-sync": "this:replace",
        }
    )
    return form


def _editor_form(section: PRDSection, prd: PRD) -> SectionEditForm:
    form = SectionEditForm(
        initial={
            "original_title": section.title,
            "base_version": prd.current_version,
            "title": section.title,
            "body": section.body,
        },
        prefix=f"s{section.position}",
    )
    return _with_preview(form, prd, section)


def _page_context(request: ProductRequest, prd: PRD, **extra: Any) -> dict[str, Any]:
    return {
        "prd": prd,
        "sections": list(prd.sections.all()),
        "flags": prd_open_flags(prd=prd),
        "requirements": requirements_for_table(prd=prd),
        "add_form": SectionAddForm(),
        **extra,
    }


@product_view()
@allow_methods("GET")
def prd_detail(request: ProductRequest, prd_id: int) -> HttpResponse:
    """The PRD page. `?edit=<position>` opens that section's editor (state in the URL: a reload keeps it).

    htmx: `?edit=<n>` answers the editor of section n, `?section=<n>` that section as read.
    """
    prd = _prd_or_404(request, prd_id)
    editing = _position(request.GET.get("edit")) if request.can_write else None
    wanted = editing if editing is not None else _position(request.GET.get("section"))
    if wants_partial(request) and wanted is not None:
        section = _section_at(prd, wanted)
        if section is None:
            raise Http404("This PRD has no such section.")
        context = {"prd": prd, "section": section}
        if editing is not None:
            context["form"] = _editor_form(section, prd)
            return render_page(request, "decisions/prds/detail.html", context, partial="section-editor")
        return render_page(request, "decisions/prds/detail.html", context, partial="section")
    context = _page_context(request, prd, editing=editing)
    section = _section_at(prd, editing)
    if section is not None:
        context["edit_form"] = _editor_form(section, prd)
    return render_page(request, "decisions/prds/detail.html", context)


class StaleSection(Exception):
    """The section changed since the version the editor started from."""

    def __init__(self, current: PRDSection | None, latest: PRDVersion | None) -> None:
        super().__init__("stale section")
        self.current = current
        self.latest = latest


def _check_not_stale(prd: PRD, data: dict[str, Any]) -> None:
    """Refuse a save whose section changed (or went) since the version the editor loaded.

    Edits of *other* sections in between are no conflict: the save replaces this section only.
    The caller holds the PRD's row lock, so nobody saves between this check and the write.
    """
    latest = prd.versions.order_by("-number").select_related("created_by").first()
    current = prd.sections.filter(title=data["original_title"]).first()
    if latest is not None and latest.number == data["base_version"] and current is not None:
        return
    base = prd.versions.filter(number=data["base_version"]).first()
    before = next(
        (s for s in (base.content.get("sections", []) if base else []) if s.get("title") == data["original_title"]),
        None,
    )
    if current is None or before is None or before.get("body", "") != current.body:
        raise StaleSection(current, latest)


def _replaced_sections(prd: PRD, original_title: str, title: str, body: str) -> list[dict[str, str]]:
    return [
        {"kind": s.kind, "title": title, "body": body}
        if s.title == original_title
        else {"kind": s.kind, "title": s.title, "body": s.body}
        for s in prd.sections.order_by("position", "pk")
    ]


def _render_editor(
    request: ProductRequest, prd: PRD, section: PRDSection, form: SectionEditForm, *, status: int, **extra: Any
) -> HttpResponse:
    """The section editor (htmx) or the whole page with the editor open (no JS), with `status`."""
    form = _with_preview(form, prd, section)
    if wants_partial(request):
        context = {"prd": prd, "section": section, "form": form, **extra}
        response = render(request, "decisions/prds/detail.html#section-editor", context, status=status)
    else:
        context = _page_context(request, prd, editing=section.position, edit_form=form, **extra)
        response = render(request, "decisions/prds/detail.html", context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@product_view()
@allow_methods("POST")
def prd_section_save(request: ProductRequest, prd_id: int) -> HttpResponse:
    """Save one section (POST `position`, the prefixed editor fields). `preview` re-renders without saving."""
    prd = _prd_or_404(request, prd_id)
    section = _section_at(prd, _position(request.POST.get("position")))
    if section is None:
        raise Http404("This PRD has no such section.")
    form = SectionEditForm(request.POST, prefix=f"s{section.position}")
    if not form.is_valid():
        return _render_editor(request, prd, section, form, status=422)
    data = form.cleaned_data
    if "preview" in request.POST:  # the no-JS preview: show the rendered text under the editor
        return _render_editor(request, prd, section, form, status=200, preview_body=data["body"])
    try:
        with transaction.atomic():
            locked = PRD.objects.select_for_update(of=("self",)).get(pk=prd.pk)
            _check_not_stale(locked, data)
            sections = _replaced_sections(locked, data["original_title"], data["title"], data["body"])
            version = services.prd_update(
                prd=locked, actor=request.user, sections=sections, change_note=data["change_note"]
            )
    except StaleSection as stale:
        return _conflict(request, prd, section, form, stale)
    except (ValidationError, ApplicationError) as exc:
        add_service_error(form, exc)
        return _render_editor(request, prd, section, form, status=422)
    return _after_save(request, prd, version, anchor=f"section-{section.position}")


def _conflict(
    request: ProductRequest, prd: PRD, section: PRDSection, form: SectionEditForm, stale: StaleSection
) -> HttpResponse:
    """409: the saved text now, who saved it, and the editor keeping what this person typed.

    The editor's base moves to the latest version: saving again is a deliberate "keep mine".
    """
    data = dict(form.data.items())
    prefix = f"s{section.position}"
    if stale.latest is not None:
        data[f"{prefix}-base_version"] = str(stale.latest.number)
    if stale.current is not None:
        data[f"{prefix}-original_title"] = stale.current.title
    fresh = SectionEditForm(data, prefix=prefix)
    fresh.is_valid()
    return _render_editor(
        request,
        prd,
        section,
        fresh,
        status=CONFLICT_STATUS,
        conflict=True,
        current_section=stale.current,
        latest_version=stale.latest,
    )


def _after_save(request: ProductRequest, prd: PRD, version: PRDVersion | None, *, anchor: str) -> HttpResponse:
    note = "Nothing changed: no new version." if version is None else f"Saved as version {version.number}."
    url = reverse("decisions:prd_detail", args=[request.product.pk, prd.pk])
    if not wants_partial(request):
        messages.success(request, note)
        return redirect(f"{url}#{anchor}")
    fresh = _prd_or_404(request, prd.pk)
    position = int(anchor.rsplit("-", 1)[1]) if anchor.startswith("section-") else None
    section = _section_at(fresh, position)
    context = {"prd": fresh, "section": section, "saved_note": note}
    response = render(request, "decisions/prds/detail.html#section-saved", context)
    patch_vary_headers(response, ("HX-Request",))
    return trigger_client_event(response, PRD_SAVED_EVENT) if version is not None else response


@product_view()
@allow_methods("POST")
def prd_section_add(request: ProductRequest, prd_id: int) -> HttpResponse:
    """Append a section (published as a new version); then its editor opens."""
    prd = _prd_or_404(request, prd_id)
    form = SectionAddForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                # The sections are read under the PRD's lock: a section saved by someone else a moment ago is
                # part of the list written back, never replaced by the copy this page loaded.
                locked = PRD.objects.select_for_update(of=("self",)).get(pk=prd.pk)
                sections = [
                    {"kind": s.kind, "title": s.title, "body": s.body}
                    for s in locked.sections.order_by("position", "pk")
                ]
                sections.append({"kind": form.cleaned_data["kind"], "title": form.cleaned_data["title"], "body": ""})
                services.prd_update(
                    prd=locked,
                    actor=request.user,
                    sections=sections,
                    change_note=f"Added the section “{form.cleaned_data['title']}”",
                )
        except (ValidationError, ApplicationError) as exc:
            if hasattr(exc, "error_dict") and "sections" in exc.error_dict:
                form.add_error("title", exc.error_dict["sections"])
            else:
                add_service_error(form, exc)
        else:
            url = reverse("decisions:prd_detail", args=[request.product.pk, prd.pk])
            return _redirect_or_hx(request, f"{url}?edit={len(sections) - 1}#section-{len(sections) - 1}")
    context = _page_context(request, prd, add_form=form)
    return render_form_errors(request, "decisions/prds/detail.html", context, partial="section-add")


@product_view()
@allow_methods("POST")
def prd_preview(request: ProductRequest, prd_id: int) -> HttpResponse:
    """The editor's live preview: the posted Markdown rendered and sanitized (nothing is saved)."""
    get_in_product_or_404(PRD, product=request.product, pk=prd_id)
    # The editor's fields are prefixed per section (`s2-body`); the query string names the prefix.
    prefix = request.GET.get("prefix", "")
    form = PreviewForm(request.POST, prefix=prefix if re.fullmatch(r"s\d{1,4}", prefix) else None)
    if not form.is_valid():
        return render(request, "decisions/prds/preview.html", {"error": form.errors.as_text()}, status=422)
    return render(request, "decisions/prds/preview.html", {"text": form.cleaned_data["body"]})
