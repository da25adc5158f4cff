"""The project's URLs plus small views that exercise core.ui (for core/tests/test_ui.py)."""

from typing import Any

from django import forms
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.urls import path

from backlog.models import Story
from backlog.services import item_move
from core.ui.decorators import product_view
from core.ui.forms import MoveForm
from core.ui.http import ProductRequest, render_form_errors
from core.ui.objects import get_in_product_or_404
from tpm_workspace.urls import urlpatterns as project_urlpatterns
from workspaces.models import Role


class TitleForm(forms.Form):
    title = forms.CharField(max_length=10, help_text="Short and clear.")


@product_view(write_role=Role.CONTRIBUTOR)
def contributors_write(request: ProductRequest) -> HttpResponse:
    if request.method == "POST":
        form = TitleForm(request.POST)
        if not form.is_valid():
            return render_form_errors(request, "ui/field.html", {"field": form["title"]})
    return HttpResponse(f"{request.product.key} {request.workspace.name} {request.membership.role} {request.can_write}")


@product_view(minimum_role=Role.EDITOR)
def editors_only(request: ProductRequest) -> HttpResponse:
    return HttpResponse("ok")


# A ranked list wired the way docs/ui.md says, for the browser test of app.js's sortable contract.
STORY_LIST = """{% load ui %}<ul class="sortable-list" id="stories" data-sortable data-list="backlog"
 data-move-url="{% url 'test_move' product.pk %}" data-handle=".drag-handle">
{% for story in stories %}<li class="sortable-item" data-id="{{ story.pk }}">
 <span class="drag-handle" aria-hidden="true"></span><span class="sortable-item__body">{{ story.title }}</span>
 {% include "ui/move_controls.html" with move_url=move_url item_id=story.pk prev_id=story.prev_id \
   next_id=story.next_id label=story.title %}
</li>{% endfor %}</ul>"""
SORTABLE_PAGE = Template(
    '{% extends "product_base.html" %}{% block content %}<h1>Ranked</h1>' + STORY_LIST + "{% endblock %}"
)
LIST_ONLY = Template(STORY_LIST)
MOVES: list[dict[str, Any]] = []  # what the server received, for the test to read


def _story_list(request: ProductRequest, template: Template) -> HttpResponse:
    stories = list(Story.objects.filter(product=request.product).order_by("rank"))
    for i, story in enumerate(stories):
        story.prev_id = stories[i - 1].pk if i else None
        story.next_id = stories[i + 1].pk if i + 1 < len(stories) else None
    move_url = f"/p/{request.product.pk}/test-move/"
    return HttpResponse(template.render(RequestContext(request, {"stories": stories, "move_url": move_url})))


@product_view()
def sortable_page(request: ProductRequest) -> HttpResponse:
    return _story_list(request, SORTABLE_PAGE)


@product_view(write_role=Role.CONTRIBUTOR)
def move(request: ProductRequest) -> HttpResponse:
    MOVES.append({key: request.POST.get(key) for key in ("item", "after", "before", "list", "from_list")})
    form = MoveForm(request.POST)
    if form.is_valid() and (anchor := form.anchor()):
        story = get_in_product_or_404(Story, product=request.product, pk=form.cleaned_data["item"])
        neighbour = get_in_product_or_404(Story, product=request.product, pk=anchor[1])
        item_move(item=story, **{anchor[0]: neighbour})
    if not request.htmx:
        return HttpResponse(status=303, headers={"Location": f"/p/{request.product.pk}/test-sortable/"})
    return _story_list(request, LIST_ONLY)


urlpatterns = [
    path("p/<int:product_id>/test-sortable/", sortable_page, name="test_sortable"),
    path("p/<int:product_id>/test-move/", move, name="test_move"),
    path("p/<int:product_id>/test-write/", contributors_write, name="test_write"),
    path("p/<int:product_id>/test-editors/", editors_only, name="test_editors"),
    *project_urlpatterns,
]
