"""State that matters lives in the URL: the open nodes, the page of epics, the filters. An htmx request
reads it from the page it came from (`HX-Current-URL`)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.http import HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from core.ui.http import ProductRequest

TEMPLATE = "backlog/tree.html"
STORIES_PER_PAGE = 50


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
