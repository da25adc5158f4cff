"""The admin index as the leadership dashboard.

`install_dashboard(admin.site)` (from PortfolioConfig.ready) wraps the site's own `index` view: Django's
admin still checks the staff login, builds the app list and renders `admin/index.html`, which
templates/admin/index.html extends with the dashboard above the app list. No custom AdminSite, so every
"admin:…" URL and every registration stays as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse

from workspaces.admin_scoping import workspace_ids

from .selectors import portfolio_dashboard

_INSTALLED_ATTR = "_portfolio_dashboard_installed"


def dashboard_index(index: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The site's index view with the dashboard of the user's workspaces (all of them for a superuser)."""

    def view(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        dashboard = portfolio_dashboard(workspace_ids=workspace_ids(request))
        return index(request, extra_context={"dashboard": dashboard, **(extra_context or {})})

    return view


def install_dashboard(site: AdminSite) -> None:
    if getattr(site, _INSTALLED_ATTR, False):
        return
    site.index = dashboard_index(site.index)  # type: ignore[method-assign]
    setattr(site, _INSTALLED_ATTR, True)
