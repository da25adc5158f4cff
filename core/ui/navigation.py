"""The product sub-navigation and the top bar's data. Links appear once their URL name exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.urls import NoReverseMatch, reverse

from workspaces.models import Product

# (label, URL name): every page of a product is reached from here. The URL names are the contract of
# docs/ui.md; a page that does not exist yet is simply not shown.
PRODUCT_NAV: tuple[tuple[str, str], ...] = (
    ("Overview", "product_home"),
    ("Roadmap", "roadmap:board"),
    ("Backlog", "backlog:tree"),
    ("Board", "backlog:board"),
    ("Sprints", "backlog:sprints"),
    ("Tech debt", "backlog:techdebt"),
    ("PRDs", "decisions:prd_list"),
    ("Decisions", "decisions:decision_list"),
    ("Jira", "jira_sync:mapping"),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def url_or_none(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def product_nav(*, product: Product, path: str) -> list[NavLink]:
    """The product's sections whose pages exist; the current one is the longest URL that prefixes `path`."""
    found = [(label, url) for label, name in PRODUCT_NAV if (url := url_or_none(name, product.pk))]
    matching = [url for _, url in found if path == url or (path.startswith(url) and url.endswith("/"))]
    current = max(matching, key=len, default=None)
    return [NavLink(label=label, url=url, current=url == current) for label, url in found]


def products_for_switcher(*, user: AbstractBaseUser) -> list[Product]:
    """The user's products, each with its workspace, in workspace then product order (one query)."""
    return list(Product.objects.visible_to(user).select_related("workspace").order_by("workspace__name", "name", "pk"))
