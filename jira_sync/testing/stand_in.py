"""The stand-in Jira: start it, shape its data, program its faults, read its request log.

    with StandInJira(mode="cloud") as jira:
        epic = jira.state.create_issue("ABC", "Epic", "Checkout")
        client = JiraClient(JiraSite.cloud(jira.url, jira.email, jira.api_token))

Every request it receives and every answer it sends under /rest/api/ is checked against
Atlassian's OpenAPI spec; `assert_contract_clean()` raises with the list of violations
(the pytest fixture calls it at teardown, so the test that caused one fails).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from .contract import ContractChecker, Violation, load_spec
from .faults import Fault, FaultPlan, error_body, rate_limit_fault
from .server import RecordedRequest, StandInServer, serve_in_thread
from .state import JiraState, Mode
from .webhooks import WebhookEmitter


class ContractViolationError(AssertionError):
    pass


class StandInJira:
    def __init__(self, mode: Mode = "cloud", *, hierarchy: str = "standard") -> None:
        self.state = JiraState(mode, hierarchy=hierarchy)
        self.checker = ContractChecker(load_spec())
        self.faults = FaultPlan()
        self.latency = 0.0  # seconds added to every answer
        self.requests: list[RecordedRequest] = []
        self._log_lock = threading.Lock()
        self._tampers: list[Callable[[Any], Any]] = []
        self._server: StandInServer | None = None
        self._emitters: list[WebhookEmitter] = []

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> StandInJira:
        self._server = StandInServer(self)
        serve_in_thread(self._server)
        self.state.base_url = self.url
        return self

    def stop(self) -> None:
        for emitter in self._emitters:
            emitter.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> StandInJira:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- who calls ------------------------------------------------------------------------------------

    @property
    def email(self) -> str:
        return self.state.users["557058:bot"].email

    @property
    def api_token(self) -> str:
        return self.state.users["557058:bot"].api_token

    @property
    def pat(self) -> str:
        return self.state.users["557058:bot"].pat

    # --- time ------------------------------------------------------------------------------------------

    def freeze_time(self, moment: datetime) -> None:
        self.state.clock = lambda: moment

    def advance_time(self, delta: timedelta) -> None:
        current = self.state.now() + delta
        self.state.clock = lambda: current

    # --- request log -------------------------------------------------------------------------------------

    def record(self, request: RecordedRequest) -> None:
        with self._log_lock:
            self.requests.append(request)

    def calls(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """Requests so far, filtered by method and a regular expression searched in the path."""
        return [
            r
            for r in list(self.requests)
            if (method is None or r.method == method) and (path is None or re.search(path, r.path))
        ]

    # --- faults ------------------------------------------------------------------------------------------

    def rate_limit(
        self, *, retry_after: int = 5, reason: str = "jira-burst-based", times: int | None = 1, **match: Any
    ) -> Fault:
        return self.faults.add(rate_limit_fault(retry_after=retry_after, reason=reason, times=times, **_match(**match)))

    def unavailable(self, *, retry_after: int | None = 3, times: int | None = 1, **match: Any) -> Fault:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        body = error_body("Service unavailable.")
        return self.faults.add(Fault("status", 503, headers, body, times=times, **_match(**match)))

    def fail(
        self, status: int = 500, *, times: int | None = 1, every: int | None = None, after: int = 0, **match: Any
    ) -> Fault:
        """`every=3`: every third matching call fails, for ever; `after=2`: the first two calls pass."""
        body = error_body("Internal server error." if status >= 500 else f"Stand-in refusal {status}.")
        return self.faults.add(
            Fault("status", status, {}, body, times=times, every=every, after=after, **_match(**match))
        )

    def drop_connection(self, *, times: int | None = 1, every: int | None = None, **match: Any) -> Fault:
        return self.faults.add(Fault("drop", times=times, every=every, **_match(**match)))

    def lose_answer(self, *, times: int | None = 1, **match: Any) -> Fault:
        """Carry out the request, then close the connection without answering (a timeout after the write)."""
        return self.faults.add(Fault("drop_after", times=times, **_match(**match)))

    def slow(self, delay: float, *, times: int | None = 1, **match: Any) -> Fault:
        return self.faults.add(Fault("slow", delay=delay, times=times, **_match(**match)))

    def tamper_next_response(self, change: Callable[[Any], Any]) -> None:
        """Rewrite the next JSON answer: to prove the contract check catches a wrong one."""
        self._tampers.append(change)

    def take_tamper(self) -> Callable[[Any], Any] | None:
        with self._log_lock:
            return self._tampers.pop(0) if self._tampers else None

    # --- webhooks -------------------------------------------------------------------------------------------

    def webhooks(self, url: str, *, secret: str | None = None, max_retries: int = 3) -> WebhookEmitter:
        emitter = WebhookEmitter(self.state, url, secret=secret, max_retries=max_retries)
        self._emitters.append(emitter)
        return emitter

    # --- the contract ----------------------------------------------------------------------------------------

    @property
    def violations(self) -> list[Violation]:
        return self.checker.violations

    def assert_contract_clean(self) -> None:
        if self.checker.violations:
            listing = "\n  ".join(str(v) for v in self.checker.violations)
            raise ContractViolationError(f"the stand-in Jira saw traffic outside the OpenAPI contract:\n  {listing}")


def _match(*, method: str | None = None, path: str | None = None) -> dict[str, Any]:
    return {"method": method, "path": re.compile(path) if path else None}
