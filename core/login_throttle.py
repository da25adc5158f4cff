"""Sign-in throttling against password guessing (django-axes), for the sign-in page and the admin's.

Axes counts failed sign-ins per (username, client address) in the database and, past the limit, refuses
even the right password until the cool-off has passed (settings.AXES_*). The lockout page says so in words
(templates/registration/locked_out.html, status 429).
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' check, for sign-ins that come with an HTTP request.

    Axes refuses `authenticate()` without a request; a sign-in without one (a shell, the test client's
    `login()`) is not a guess over the network, so it is left to the next backend rather than failing.
    """

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the lockout page, in words, with when to try again (429)."""
    cool_off = get_cool_off(request) or timedelta(0)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60))
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": minutes,
        # Every attempt during the lockout restarts the cool-off (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT).
        "retry_at": timezone.now() + cool_off,
        "is_admin": request.path.startswith("/admin/"),
    }
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
