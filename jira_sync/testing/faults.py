"""Faults a test can program into the stand-in: error answers, slow answers, dropped connections."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

FaultKind = Literal["status", "drop", "drop_after", "slow"]  # drop_after: do the work, lose the answer


@dataclass
class Fault:
    kind: FaultKind
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    delay: float = 0.0  # for "slow": seconds before answering normally
    method: str | None = None
    path: re.Pattern[str] | None = None
    times: int | None = 1  # None: for ever
    every: int | None = None  # fail every Nth matching call (1-based), instead of the next `times` calls
    after: int = 0  # let this many matching calls through first
    seen: int = 0
    fired: int = 0

    def applies(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return not (self.path and not self.path.search(path))


class FaultPlan:
    """Faults are tried in the order added; the first that fires answers the call."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pick(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if not fault.applies(method, path):
                    continue
                fault.seen += 1
                if fault.seen <= fault.after:
                    continue
                if fault.every is not None:
                    if fault.seen % fault.every != 0:
                        continue
                elif fault.times is not None and fault.fired >= fault.times:
                    continue
                fault.fired += 1
                return fault
            return None


def error_body(message: str) -> dict[str, Any]:
    return {"errorMessages": [message], "errors": {}}


def rate_limit_fault(
    *, retry_after: int, reason: str, now: datetime | None = None, limit: int = 100, **match: Any
) -> Fault:
    reset = (now or datetime.now(UTC)) + timedelta(seconds=retry_after)
    return Fault(
        kind="status",
        status=429,
        headers={
            "Retry-After": str(retry_after),
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%MZ"),
            "X-RateLimit-NearLimit": "true",
            "RateLimit-Reason": reason,
        },
        body=error_body("Rate limit exceeded."),
        **match,
    )
