"""The admin site of TPM Workspace: the door leadership uses to read the portfolio and answer sign-offs.

One AdminSite subclass, made the default site by tpm_workspace/apps.py (`AdminConfig.default_site`), so
that every app's `admin.site.register(...)` lands here:
- who may enter: active staff, and members with the leadership role in some workspace, who sign in on the
  admin's login page without `is_staff` (workspaces/admin_leadership.py);
- its front page: the portfolio dashboard of the user's workspaces above the usual list of models
  (portfolio/, templates/admin/index.html).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from portfolio.selectors import portfolio_dashboard
from workspaces.admin_leadership import LeadershipAuthenticationForm, may_enter
from workspaces.admin_scoping import workspace_ids


class WorkspaceAdminSite(admin.AdminSite):
    site_header = "TPM Workspace administration"
    site_title = "TPM Workspace admin"
    login_form = LeadershipAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return may_enter(request)

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        dashboard = portfolio_dashboard(workspace_ids=workspace_ids(request))
        return super().index(request, extra_context={"dashboard": dashboard, **(extra_context or {})})
