"""Jira's refusals as exceptions that say, in words, what Jira said."""

from __future__ import annotations

from typing import Any

import httpx

GENERIC = {
    400: "Jira refused the request as invalid",
    401: "Jira rejected the credentials",
    403: "the Jira account is not allowed to do this",
    404: "Jira found nothing there (it may not exist, or the account cannot see it)",
    409: "Jira reported a conflicting update",
    410: "Jira has removed this API",
    413: "Jira's per-issue limit was reached",
    422: "Jira's configuration does not allow this",
    429: "Jira is rate limiting these requests",
}


class JiraError(Exception):
    """`error_messages` and `errors` are Jira's ErrorCollection; `str()` is a sentence for a person."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_messages: list[str] | None = None,
        errors: dict[str, str] | None = None,
        method: str = "",
        path: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_messages = error_messages or []
        self.errors = errors or {}
        self.method = method
        self.path = path
        self.attempts = 1
        self.history: list[str] = []  # one line per failed attempt, for the run record

    def __str__(self) -> str:
        return self.message


class JiraBadRequest(JiraError):
    pass


class JiraAuthenticationError(JiraError):
    pass


class JiraForbidden(JiraError):
    pass


class JiraNotFound(JiraError):
    pass


class JiraConflict(JiraError):
    pass


class JiraGone(JiraError):
    pass


class JiraServerError(JiraError):
    pass


class JiraRateLimited(JiraError):
    def __init__(self, message: str, *, retry_after: float | None = None, reason: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.reason = reason


class JiraUnreachable(JiraError):
    """No HTTP answer: DNS, refused or dropped connection, timeout."""


class JiraOutcomeUnknown(JiraError):
    """A non-idempotent call (e.g. POST /issue) failed without a clear answer: it may or may not
    have happened. Look the result up (by the unique label or remote-link globalId) before trying again."""


class JiraRetryLater(JiraError):
    """The wait Jira asks for is too long to sleep through: re-queue the task with `countdown`."""

    def __init__(self, message: str, *, countdown: float, cause: JiraError, **kwargs: Any) -> None:
        super().__init__(message, status=cause.status, **kwargs)
        self.countdown = countdown
        self.cause = cause


_BY_STATUS: dict[int, type[JiraError]] = {
    400: JiraBadRequest,
    401: JiraAuthenticationError,
    403: JiraForbidden,
    404: JiraNotFound,
    409: JiraConflict,
    410: JiraGone,
}


def _collection(response: httpx.Response) -> tuple[list[str], dict[str, str]]:
    try:
        body = response.json()
    except ValueError:
        return [], {}
    if not isinstance(body, dict):
        return [], {}
    messages = [str(m) for m in body.get("errorMessages") or [] if m]
    errors = {str(k): str(v) for k, v in (body.get("errors") or {}).items()}
    if not messages and not errors and isinstance(body.get("message"), str):
        messages = [body["message"]]  # some gateways answer {"message": …}
    return messages, errors


def describe(status: int, messages: list[str], errors: dict[str, str]) -> str:
    said = [*messages, *(f"{field}: {text}" for field, text in errors.items())]
    if said:
        return f"Jira said: {' '.join(m if m.endswith(('.', '!', '?')) else m + '.' for m in said)} (HTTP {status})"
    generic = GENERIC.get(status, "Jira had an internal error" if status >= 500 else "Jira refused the request")
    return f"{generic[0].upper()}{generic[1:]} (HTTP {status})."


def error_from_response(response: httpx.Response, *, retry_after: float | None = None) -> JiraError:
    status = response.status_code
    messages, errors = _collection(response)
    text = describe(status, messages, errors)
    context = {
        "status": status,
        "error_messages": messages,
        "errors": errors,
        "method": response.request.method,
        "path": response.request.url.path,
    }
    if status == 429:
        return JiraRateLimited(
            text, retry_after=retry_after, reason=response.headers.get("RateLimit-Reason", ""), **context
        )
    if status >= 500:
        return JiraServerError(text, **context)
    return _BY_STATUS.get(status, JiraError)(text, **context)
