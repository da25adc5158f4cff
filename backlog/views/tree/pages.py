"""The tree page, and one epic's or feature's node opened on demand."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django_htmx.http import push_url

from core.ui.decorators import allow_methods, product_view
from core.ui.http import ProductRequest, render_page
from core.ui.objects import get_in_product_or_404
from workspaces.models import Role

from ...models import Epic, Feature
from ...selectors.tree import annotate_epics, children_of, feature_rollup, set_neighbours
from .nodes import body_context, decorate_epics, decorate_features, open_children
from .state import TEMPLATE, TreeState, page_state, tree_url


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("GET", "HEAD")
def tree(request: ProductRequest) -> HttpResponse:
    """The backlog: epics in rank order (a page at a time) or, with a filter, the matching stories."""
    context = body_context(request, TreeState(request.path, request.GET))
    response = render_page(request, TEMPLATE, context, partial="body")
    if request.htmx and not context["filter_form"].is_valid():
        response.status_code = 422
    return response


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("GET", "HEAD")
def epic_node(request: ProductRequest, epic_id: int) -> HttpResponse:
    """One epic's row, opened (`?expanded=1`: with its children) or closed; the page's URL follows."""
    epic = get_in_product_or_404(Epic.objects.select_related("status", "owner"), product=request.product, pk=epic_id)
    expanded = request.GET.get("expanded") == "1"
    state = page_state(request)
    new_url = state.toggled(f"e{epic.pk}", opened=expanded)
    if not request.htmx:
        return HttpResponseRedirect(new_url)
    state = TreeState(urlsplit(new_url).path, QueryDict(urlsplit(new_url).query))
    annotate_epics([epic])
    set_neighbours(epic, Epic.objects.filter(product=request.product))
    decorate_epics(request, [epic], state, *open_children(request, state, [epic]))
    response = render_page(request, TEMPLATE, {"epic": epic, "state": state}, partial="epic-node")
    return push_url(response, new_url) if state.path == tree_url(request) else response


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("GET", "HEAD")
def feature_node(request: ProductRequest, feature_id: int) -> HttpResponse:
    """One feature's row, opened (`?expanded=1`: with its stories) or closed."""
    feature = get_in_product_or_404(
        Feature.objects.select_related("status", "owner"), product=request.product, pk=feature_id
    )
    expanded = request.GET.get("expanded") == "1"
    state = page_state(request)
    new_url = state.toggled(f"f{feature.pk}", opened=expanded)
    if not request.htmx:
        return HttpResponseRedirect(new_url)
    state = TreeState(urlsplit(new_url).path, QueryDict(urlsplit(new_url).query))
    feature.rollup = feature_rollup(feature)
    set_neighbours(feature, Feature.objects.filter(epic_id=feature.epic_id))
    _, feature_children = children_of(
        product=request.product, epic_ids=(), feature_ids=[feature.pk] if expanded else []
    )
    decorate_features(request, [feature], state, feature_children)
    response = render_page(request, TEMPLATE, {"feature": feature, "state": state}, partial="feature-node")
    return push_url(response, new_url) if state.path == tree_url(request) else response
