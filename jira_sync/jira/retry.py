"""When to try a Jira call again, and how long to wait first (CONTRACT §10)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 2.0  # backoff 2, 4, 8 … seconds before jitter
    max_delay: float = 60.0
    budget: float = 120.0  # seconds of waiting one call may spend in all
    # A wait longer than this is not slept through: the call raises JiraRetryLater so that a
    # Celery task can re-queue itself with that countdown and free the worker.
    max_inline_wait: float = 60.0

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Exponential backoff with full jitter: uniform in [0, min(cap, base·2^(attempt-1))]."""
        return rand() * min(self.max_delay, self.base_delay * 2 ** (attempt - 1))


NO_RETRY = RetryPolicy(max_attempts=1)


def retry_after_seconds(value: str | None, now: Callable[[], datetime] | None = None) -> float | None:
    """`Retry-After` as seconds or as an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = now() if now else datetime.now(UTC)
    return max(0.0, (moment - current).total_seconds())
