"""PostgreSQL unavailable (restarting, failing over, unreachable): answer 503 in words, never a 500.

A page or an action that needs the database while it is away raises Django's OperationalError or
InterfaceError. `DatabaseUnavailableMiddleware` answers templates/503.html for it, rendered without
the request so that no context processor reads the database, with Retry-After; the API answers the
same in its error shape (core/api/errors.py). Django closes the broken connection when the request
ends and, with CONN_HEALTH_CHECKS, checks a persistent one before reusing it, so the first request
once PostgreSQL is back is served as usual, by the same process.

These errors also cover a deadlock or a cancelled statement: temporary as well, and "try again" is
the right advice for them too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

MESSAGE = "The database is unavailable; try again in a moment."
RETRY_AFTER_SECONDS = 5


def is_database_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def database_unavailable_response() -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        # One line, no traceback: during an outage every request lands here.
        logger.warning("database unavailable, %s %s answered 503: %s", request.method, request.path, exception)
        return database_unavailable_response()
