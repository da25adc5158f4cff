"""One pooled HTTP connection to a Jira site, with the retry rules of CONTRACT §10."""

from __future__ import annotations

import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

import certifi
import httpx

from .errors import (
    JiraError,
    JiraOutcomeUnknown,
    JiraRetryLater,
    JiraUnreachable,
    error_from_response,
)
from .retry import RetryPolicy, retry_after_seconds
from .site import JiraSite

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


@cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process: building one (loading the CA bundle) costs ~20 ms, more than
    an incremental pull's own work, and every run opens a client."""
    return ssl.create_default_context(cafile=certifi.where())


@dataclass
class Hooks:
    """What tests (and the worker) swap in: time, randomness, and an observer of each retry."""

    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    random: Callable[[], float] = random.random
    on_retry: Callable[[JiraError, float], None] | None = None


def _unreachable(exc: httpx.TransportError, method: str, url: str) -> JiraUnreachable:
    if isinstance(exc, httpx.TimeoutException):
        what = "did not answer in time"
    elif isinstance(exc, httpx.RemoteProtocolError):
        what = "closed the connection without answering"
    elif isinstance(exc, httpx.ConnectError) and ("Name or service not known" in str(exc) or "nodename" in str(exc)):
        what = "could not be found (DNS)"
    elif isinstance(exc, httpx.ConnectError):
        what = "refused the connection"
    else:
        what = f"could not be reached ({type(exc).__name__})"
    host = httpx.URL(url).host
    return JiraUnreachable(f"Jira at {host} {what}.", method=method, path=httpx.URL(url).path)


class Transport:
    def __init__(
        self,
        site: JiraSite,
        *,
        policy: RetryPolicy | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        hooks: Hooks | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self.site = site
        self.policy = policy or RetryPolicy()
        self.hooks = hooks or Hooks()
        self.http = http or httpx.Client(
            base_url=site.base_url,
            timeout=timeout,
            verify=tls_context(),
            headers={"Accept": "application/json", **site.auth_headers()},
            limits=httpx.Limits(max_connections=10, max_keepalive_connections=10),
        )

    def close(self) -> None:
        self.http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        policy: RetryPolicy | None = None,
    ) -> httpx.Response:
        """Send with retries: 429 (and 503 with Retry-After) wait as Jira asks; 5xx, timeouts and
        dropped connections back off with jitter, but only when the call is idempotent."""
        policy = policy or self.policy
        idempotent = method in {"GET", "PUT", "DELETE"} if idempotent is None else idempotent
        waited = 0.0
        history: list[str] = []
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(method, path, params, json, idempotent, attempt, policy)
            if isinstance(outcome, httpx.Response):
                return outcome
            error, delay, retryable = outcome
            history.append(f"attempt {attempt}: {error.message}")
            error.attempts, error.history = attempt, history
            if not retryable or attempt >= policy.max_attempts:
                if not retryable and not idempotent and isinstance(error, JiraUnreachable | JiraOutcomeUnknown):
                    raise self._outcome_unknown(error, method, path, attempt, history)
                raise error
            if delay > policy.max_inline_wait:
                raise JiraRetryLater(
                    f"{error.message} Jira asks to wait {delay:.0f} s: try again later.",
                    countdown=delay,
                    cause=error,
                    method=method,
                    path=path,
                )
            if waited + delay > policy.budget:
                error.history.append(f"retry budget of {policy.budget:.0f} s spent")
                raise error
            if self.hooks.on_retry:
                self.hooks.on_retry(error, delay)
            self.hooks.sleep(delay)
            waited += delay

    def _attempt(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        json: Any,
        idempotent: bool,
        attempt: int,
        policy: RetryPolicy,
    ) -> httpx.Response | tuple[JiraError, float, bool]:
        """The response, or (error, how long to wait, whether to try again)."""
        try:
            response = self.http.request(method, path, params=params, json=json)
        except httpx.TransportError as exc:
            return (
                _unreachable(exc, method, self.site.base_url + path),
                policy.backoff(attempt, self.hooks.random),
                idempotent,
            )
        if response.status_code < 400:
            return response
        retry_after = retry_after_seconds(response.headers.get("Retry-After"), self.hooks.now)
        error = error_from_response(response, retry_after=retry_after)
        status = response.status_code
        if status == 429 or (status == 503 and retry_after is not None and idempotent):
            # A 429 was refused before any work, so even a POST may be sent again.
            delay = retry_after if retry_after is not None else policy.backoff(attempt, self.hooks.random)
            return error, delay, True
        if status >= 500:
            if not idempotent:
                return JiraOutcomeUnknown(error.message, status=status, method=method, path=path), 0.0, False
            return error, policy.backoff(attempt, self.hooks.random), True
        return error, 0.0, False

    @staticmethod
    def _outcome_unknown(error: JiraError, method: str, path: str, attempts: int, history: list[str]) -> JiraError:
        unknown = JiraOutcomeUnknown(
            f"{error.message} It is unknown whether Jira carried out {method} {path}; "
            "look the result up before trying again.",
            status=error.status,
            method=method,
            path=path,
        )
        unknown.attempts, unknown.history = attempts, history
        return unknown
