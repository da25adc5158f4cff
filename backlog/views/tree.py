"""The backlog tree: epics → features → stories, opened on demand, ranked by drag and drop, created
inline, filtered into a flat story list, changed in bulk.

State that matters lives in the URL: `?open=e12,f40` (the open nodes), `?page=` (the page of epics),
and the filters (`?status=&assignee=&label=&sprint=&q=`). An htmx request reads that state from the
page it came from (`HX-Current-URL`), so a fragment answered to a click or a drop matches what a reload
of the page would show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import push_url, reswap, retarget

from core.errors import ApplicationError
from core.ui.decorators import allow_methods, product_view
from core.ui.forms import MoveForm, add_service_error
from core.ui.http import ProductRequest, render_form_errors, render_page
from core.ui.objects import get_in_product_or_404
from workspaces.models import Role

from .. import services
from ..forms import BulkStoryForm, StoryCreateForm, StoryFilterForm, TitleForm
from ..models import Epic, Feature, Story
from ..selectors.items import filtered_stories
from ..selectors.tree import Children, annotate_epics, children_of, epic_page, feature_rollup, set_neighbours

TEMPLATE = "backlog/tree.html"
STORIES_PER_PAGE = 50


# --- Methods, after the tenancy check -------------------------------------------------------------------


# --- State in the URL -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeState:
    """The open nodes (`e<epic id>`, `f<feature id>`) and the page of epics, as the URL carries them."""

    path: str
    query: QueryDict

    @property
    def open(self) -> frozenset[str]:
        return frozenset(token for token in self.query.get("open", "").split(",") if token[1:].isdigit())

    def ids(self, prefix: str) -> set[int]:
        return {int(token[1:]) for token in self.open if token[0] == prefix}

    def toggled(self, token: str, opened: bool | None = None) -> str:
        """This URL (path and query) with the node `token` opened or closed (flipped when `opened` is None)."""
        is_open = token in self.open if opened is None else not opened
        tokens = sorted(self.open - {token} if is_open else self.open | {token})
        query = self.query.copy()
        if tokens:
            query["open"] = ",".join(tokens)
        else:
            query.pop("open", None)
        encoded = query.urlencode(safe=",")
        return f"{self.path}?{encoded}" if encoded else self.path


def page_state(request: ProductRequest) -> TreeState:
    """The state of the page the request came from: the calling page's URL for htmx, else the Referer
    (same host only), else the tree's first screen."""
    if request.htmx and request.htmx.current_url_abs_path:
        parts = urlsplit(request.htmx.current_url_abs_path)
        return TreeState(parts.path, QueryDict(parts.query))
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure()):
        parts = urlsplit(referer)
        return TreeState(parts.path, QueryDict(parts.query))
    return TreeState(tree_url(request), QueryDict())


def tree_url(request: ProductRequest) -> str:
    return reverse("backlog:tree", args=[request.product.pk])


def redirect_back(request: ProductRequest, *, open_token: str | None = None) -> HttpResponseRedirect:
    """After a plain (no-JS) POST: back to the page it came from, with `open_token` opened."""
    state = page_state(request)
    if open_token:
        return HttpResponseRedirect(state.toggled(open_token, opened=True))
    encoded = state.query.urlencode(safe=",")
    return HttpResponseRedirect(f"{state.path}?{encoded}" if encoded else state.path)


# --- Decorating nodes for the templates ---------------------------------------------------------------


@dataclass
class Slot:
    """An inline "add" form of the tree: where it posts, which region its answer replaces, its form."""

    form_id: str
    summary: str
    create_url: str
    region_id: str
    form: Any
    open: bool = False
    created: Any = None

    @property
    def created_url(self) -> str:
        if self.created is None:
            return ""
        kind = {Epic: "epic", Feature: "feature", Story: "story"}[type(self.created)]
        return reverse(f"backlog:{kind}_detail", args=[self.created.product_id, self.created.pk])


def epic_slot(request: ProductRequest, form: Any = None, **extra: Any) -> Slot:
    return Slot(
        form_id="epic-form",
        summary="Add an epic",
        create_url=reverse("backlog:epic_create", args=[request.product.pk]),
        region_id="tree",
        form=form or TitleForm(prefix_id="epic-form"),
        **extra,
    )


def feature_slot(request: ProductRequest, epic: Epic, form: Any = None, **extra: Any) -> Slot:
    form_id = f"epic-{epic.pk}-feature-form"
    return Slot(
        form_id=form_id,
        summary="Add a feature",
        create_url=reverse("backlog:feature_create", args=[request.product.pk, epic.pk]),
        region_id=f"epic-{epic.pk}-children",
        form=form or TitleForm(prefix_id=form_id),
        **extra,
    )


def story_slot(request: ProductRequest, parent: Epic | Feature, form: Any = None, **extra: Any) -> Slot:
    is_feature = isinstance(parent, Feature)
    kind = "feature" if is_feature else "epic"
    form_id = f"{kind}-{parent.pk}-story-form"
    return Slot(
        form_id=form_id,
        summary="Add a story" if is_feature else "Add a story directly under this epic",
        create_url=reverse(f"backlog:{kind}_story_create", args=[request.product.pk, parent.pk]),
        region_id=f"{kind}-{parent.pk}-children",
        form=form or StoryCreateForm(prefix_id=form_id),
        **extra,
    )


def decorate_features(
    request: ProductRequest, features: list[Feature], state: TreeState, children: dict[int, Children]
) -> None:
    for feature in features:
        feature.token = f"f{feature.pk}"
        feature.is_open = feature.token in state.open
        feature.toggle_url = state.toggled(feature.token)
        feature.children = children.get(feature.pk)
        if feature.children is not None and request.can_write:
            feature.story_slot = story_slot(request, feature)


def decorate_epics(
    request: ProductRequest,
    epics: list[Epic],
    state: TreeState,
    epic_children: dict[int, Children],
    feature_children: dict[int, Children],
) -> None:
    for epic in epics:
        epic.token = f"e{epic.pk}"
        epic.is_open = epic.token in state.open
        epic.toggle_url = state.toggled(epic.token)
        epic.children = epic_children.get(epic.pk)
        if epic.children is not None:
            decorate_features(request, epic.children.features, state, feature_children)
            if request.can_write:
                epic.feature_slot = feature_slot(request, epic)
                epic.story_slot = story_slot(request, epic)


def open_children(
    request: ProductRequest, state: TreeState, epics: list[Epic]
) -> tuple[dict[int, Children], dict[int, Children]]:
    open_epics = [epic.pk for epic in epics if f"e{epic.pk}" in state.open]
    return children_of(product=request.product, epic_ids=open_epics, feature_ids=state.ids("f"))


def tree_context(request: ProductRequest, state: TreeState) -> dict[str, Any]:
    """The first screen: a page of epics with their roll-ups, and the children of the open ones."""
    page = epic_page(product=request.product, page_number=state.query.get("page"))
    epics = list(page.object_list)
    decorate_epics(request, epics, state, *open_children(request, state, epics))
    return {"page_obj": page, "epics": epics, "epic_slot": epic_slot(request) if request.can_write else None}


def list_context(request: ProductRequest, form: StoryFilterForm, page_number: str | None) -> dict[str, Any]:
    """The flat, filtered list of stories (paginated): two queries (count, page) and the labels."""
    stories = filtered_stories(product=request.product, filters=form.filters()).prefetch_related("labels")
    page = Paginator(stories, STORIES_PER_PAGE).get_page(page_number)
    return {"page_obj": page, "stories": list(page.object_list)}


def body_context(request: ProductRequest, state: TreeState) -> dict[str, Any]:
    """The tree, or the filtered list when a filter is set, with the filter and bulk forms."""
    form = StoryFilterForm(state.query, product=request.product)
    context: dict[str, Any] = {"filter_form": form, "filtering": form.is_filtering, "state": state}
    if form.is_filtering:
        context |= list_context(request, form, state.query.get("page"))
    else:
        context |= tree_context(request, state)
    if request.can_write:
        context["bulk_form"] = BulkStoryForm(product=request.product)
    return context


# --- Pages and fragments ------------------------------------------------------------------------------


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


# --- Drag and drop (and the keyboard's move buttons) ------------------------------------------------


def error_text(exc: ApplicationError | ValidationError) -> str:
    return exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages)


def _move(request: ProductRequest, model: type[Epic | Feature | Story], same_level: Any) -> tuple[Any, str | None]:
    """Validate a move payload and rank the item next to its anchor; (item, refusal or None).

    `same_level(item, anchor)` says whether both sit under the same parent: ranking is product-wide, but
    a drop only ever happens within one list of the tree.
    """
    form = MoveForm(request.POST)
    if not form.is_valid():
        raise ValidationError(" ".join(e for errors in form.errors.values() for e in errors))
    item = get_in_product_or_404(model, product=request.product, pk=form.cleaned_data["item"])
    anchor = form.anchor()
    if anchor is None:
        return item, None
    neighbour = get_in_product_or_404(model, product=request.product, pk=anchor[1])
    if not same_level(item, neighbour):
        return item, f"{neighbour.key} is in another list; drop {item.key} among its own siblings."
    try:
        services.item_move(item=item, **{anchor[0]: neighbour})
    except ApplicationError as exc:
        return item, exc.message
    return item, None


def _moved(request: ProductRequest, refusal: str | None, partial: str, context: dict[str, Any]) -> HttpResponse:
    if not request.htmx:
        if refusal:
            messages.error(request, refusal)
        return redirect_back(request)
    context["move_error"] = refusal
    return render_page(request, TEMPLATE, context, partial=partial, status=409 if refusal else 200)


def _bad_move(request: ProductRequest, exc: ValidationError) -> HttpResponse:
    if not request.htmx:
        messages.error(request, error_text(exc))
        return redirect_back(request)
    return HttpResponse(error_text(exc), status=422, content_type="text/plain")


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def epic_move(request: ProductRequest) -> HttpResponse:
    """Rank an epic among the epics; answers the page's list of epics, read again."""
    try:
        _, refusal = _move(request, Epic, lambda item, anchor: True)
    except ValidationError as exc:
        return _bad_move(request, exc)
    state = page_state(request)
    return _moved(request, refusal, "epic-list", {**tree_context(request, state), "state": state})


def epic_children_context(request: ProductRequest, epic: Epic, state: TreeState, **slot: Any) -> dict[str, Any]:
    """One epic's children region (features, direct stories, the add forms); `slot` extras go to the form
    that was just used (`feature_slot` / `story_slot` = {"open": True, "created": item})."""
    epic_children, feature_children = children_of(
        product=request.product, epic_ids=[epic.pk], feature_ids=state.ids("f")
    )
    decorate_epics(request, [epic], state, epic_children, feature_children)
    for name, extra in slot.items():
        for key, value in extra.items():
            setattr(getattr(epic, name), key, value)
    return {"epic": epic, "state": state}


def feature_children_context(
    request: ProductRequest, feature: Feature, state: TreeState, **extra: Any
) -> dict[str, Any]:
    _, feature_children = children_of(product=request.product, epic_ids=(), feature_ids=[feature.pk])
    decorate_features(request, [feature], state, feature_children)
    for key, value in extra.items():
        setattr(feature.story_slot, key, value)
    return {"feature": feature, "state": state}


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def feature_move(request: ProductRequest) -> HttpResponse:
    """Rank a feature among the features of its epic; answers that epic's list of features."""
    try:
        feature, refusal = _move(request, Feature, lambda item, anchor: item.epic_id == anchor.epic_id)
    except ValidationError as exc:
        return _bad_move(request, exc)
    epic = Epic.objects.get(pk=feature.epic_id)
    return _moved(request, refusal, "feature-list", epic_children_context(request, epic, page_state(request)))


def story_parent(story: Story) -> str:
    return f"f{story.feature_id}" if story.feature_id else f"e{story.epic_id}"


def story_list_context(request: ProductRequest, parent: str, state: TreeState) -> dict[str, Any]:
    """The stories under one parent (`e12` or `f40`), as its list in the tree shows them."""
    pk = int(parent[1:])
    if parent[0] == "e":
        children = children_of(product=request.product, epic_ids=[pk])[0][pk]
    else:
        children = children_of(product=request.product, epic_ids=(), feature_ids=[pk])[1][pk]
    return {"parent_token": parent, "children": children, "state": state}


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def story_move(request: ProductRequest) -> HttpResponse:
    """Rank a story among its siblings (the stories of its feature, or directly under its epic)."""
    try:
        story, refusal = _move(request, Story, lambda item, anchor: story_parent(item) == story_parent(anchor))
    except ValidationError as exc:
        return _bad_move(request, exc)
    return _moved(request, refusal, "story-list", story_list_context(request, story_parent(story), page_state(request)))


# --- Inline creation --------------------------------------------------------------------------------


def _create(request: ProductRequest, form: Any, create: Any) -> Any:
    """Run `create()` when the form is valid; a service's refusal becomes a form error. The item or None."""
    if not form.is_valid():
        return None
    try:
        return create(form.cleaned_data)
    except (ApplicationError, ValidationError) as exc:
        add_service_error(form, exc)
        return None


def _form_errors(request: ProductRequest, slot: Slot) -> HttpResponse:
    response = render_form_errors(request, TEMPLATE, {"slot": slot}, partial="create-form")
    return reswap(retarget(response, f"#{slot.form_id}"), "outerHTML") if request.htmx else response


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def epic_create(request: ProductRequest) -> HttpResponse:
    """A new epic at the end of the backlog; the form stays open for the next one."""
    form = TitleForm(request.POST, prefix_id="epic-form")
    epic = _create(
        request, form, lambda data: services.epic_create(product=request.product, actor=request.user, **data)
    )
    if epic is None:
        return _form_errors(request, epic_slot(request, form, open=True))
    if not request.htmx:
        messages.success(request, f"Added {epic.key} {epic.title}.")
        return redirect_back(request)
    state = page_state(request)
    context = {**tree_context(request, state), "state": state}
    context["epic_slot"] = epic_slot(request, open=True, created=epic)
    return render_page(request, TEMPLATE, context, partial="tree")


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def feature_create(request: ProductRequest, epic_id: int) -> HttpResponse:
    """A new feature under an epic; answers the epic's children with the form open for the next one."""
    epic = get_in_product_or_404(Epic.objects.select_related("product"), product=request.product, pk=epic_id)
    form = TitleForm(request.POST, prefix_id=f"epic-{epic.pk}-feature-form")
    feature = _create(request, form, lambda data: services.feature_create(epic=epic, actor=request.user, **data))
    if feature is None:
        return _form_errors(request, feature_slot(request, epic, form, open=True))
    if not request.htmx:
        messages.success(request, f"Added {feature.key} {feature.title} to {epic.key}.")
        return redirect_back(request, open_token=f"e{epic.pk}")
    context = epic_children_context(request, epic, page_state(request), feature_slot={"open": True, "created": feature})
    return render_page(request, TEMPLATE, context, partial="epic-children")


def _story_create(request: ProductRequest, parent: Epic | Feature) -> HttpResponse:
    is_feature = isinstance(parent, Feature)
    form = StoryCreateForm(request.POST, prefix_id=f"{'feature' if is_feature else 'epic'}-{parent.pk}-story-form")
    under = {"feature": parent} if is_feature else {"epic": parent}
    story = _create(
        request,
        form,
        lambda data: services.story_create(product=request.product, actor=request.user, **under, **data),
    )
    if story is None:
        return _form_errors(request, story_slot(request, parent, form, open=True))
    if not request.htmx:
        messages.success(request, f"Added {story.key} {story.title} to {parent.key}.")
        return redirect_back(request, open_token=f"{'f' if is_feature else 'e'}{parent.pk}")
    state = page_state(request)
    if is_feature:
        context = feature_children_context(request, parent, state, open=True, created=story)
        return render_page(request, TEMPLATE, context, partial="feature-children")
    context = epic_children_context(request, parent, state, story_slot={"open": True, "created": story})
    return render_page(request, TEMPLATE, context, partial="epic-children")


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def epic_story_create(request: ProductRequest, epic_id: int) -> HttpResponse:
    """A new story directly under an epic."""
    epic = get_in_product_or_404(Epic.objects.select_related("product"), product=request.product, pk=epic_id)
    return _story_create(request, epic)


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def feature_story_create(request: ProductRequest, feature_id: int) -> HttpResponse:
    """A new story under a feature."""
    feature = get_in_product_or_404(Feature.objects.select_related("product"), product=request.product, pk=feature_id)
    return _story_create(request, feature)


# --- Bulk changes -------------------------------------------------------------------------------------


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def story_bulk(request: ProductRequest) -> HttpResponse:
    """Set the status or the sprint of the selected stories; each refusal is reported with its story."""
    form = BulkStoryForm(request.POST, product=request.product)
    changed: list[Story] = []
    refused: list[tuple[Story, str]] = []
    if form.is_valid():
        stories = sorted(form.cleaned_data["story"], key=lambda story: story.rank)
        if form.cleaned_data["action"] == "status":
            status = form.cleaned_data["status"]
            for story in stories:
                try:
                    services.story_set_status(story=story, actor=request.user, status=status)
                    changed.append(story)
                except (ApplicationError, ValidationError) as exc:
                    refused.append((story, error_text(exc)))
        else:
            try:
                services.stories_set_sprint(
                    product=request.product,
                    actor=request.user,
                    story_ids=[story.pk for story in stories],
                    sprint=form.cleaned_data["sprint_obj"],
                )
                changed = stories
            except (ApplicationError, ValidationError) as exc:
                add_service_error(form, exc)
    valid = form.is_valid() and not form.errors
    if not request.htmx:
        if not valid:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        else:
            messages.success(request, bulk_summary(changed, refused))
            for story, reason in refused:
                messages.warning(request, f"{story.key} was not changed: {reason}")
        return redirect_back(request)
    state = page_state(request)
    context = body_context(request, state)
    if valid:
        context["bulk_result"] = {"summary": bulk_summary(changed, refused), "refused": refused}
    else:
        context["bulk_form"] = form
    return render_page(request, TEMPLATE, context, partial="body", status=200 if valid else 422)


def bulk_summary(changed: list[Story], refused: list[tuple[Story, str]]) -> str:
    text = f"Changed {len(changed)} stor{'y' if len(changed) == 1 else 'ies'}."
    if refused:
        text += f" {len(refused)} could not be changed."
    return text
