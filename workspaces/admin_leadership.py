"""Who may enter the admin site: staff, as Django has it, and members with the leadership role.

Leadership (directors, heads of product and engineering) uses /admin/ to read the portfolio and to answer
the sign-offs addressed to them. Their access follows their membership rather than a flag on the user:
giving someone the leadership role in a workspace lets them in, taking it away (or removing them) shuts the
door at their next request, with nothing else to keep in step. What they then see is decided per model
admin (workspaces/admin_scoping.py): every row of the workspaces they lead, read-only.

Used by the site class, tpm_workspace/admin_site.py (its `has_permission` and `login_form`).
"""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from .admin_scoping import leads
from .models import Membership, Role


def may_enter(request: HttpRequest) -> bool:
    """AdminSite.has_permission: an active staff user, or an active user who leads at least one workspace."""
    user = request.user
    if not user.is_active:
        return False
    return user.is_staff or leads(request)


class LeadershipAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form, which otherwise turns away everyone who is not staff."""

    def confirm_login_allowed(self, user: AbstractBaseUser) -> None:
        if not user.is_staff and user.is_active and leads_somewhere(user):
            AuthenticationForm.confirm_login_allowed(self, user)
            return
        super().confirm_login_allowed(user)


def leads_somewhere(user: AbstractBaseUser) -> bool:
    return Membership.objects.filter(user=user, role=Role.LEADERSHIP).exists()
