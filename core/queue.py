"""Queueing a task after a commit without ever failing the request that asked for it.

Work that must happen is recorded in the database first (an outbox row, a sign-off waiting for its
e-mail); the task message only says "now". When the broker is unreachable the message is dropped with a
warning and a periodic sweep sends what is still waiting, so a Redis outage never turns a saved change
into a 500 (Celery's publish retries are kept short in settings, so the attempt itself costs little).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue(task: Task, *args: Any, countdown: float | None = None) -> bool:
    """Send `task(*args)` once, without publish retries: False (logged) when the broker is unreachable."""
    try:
        task.apply_async(args=args, countdown=countdown, retry=False)
    except OperationalError as exc:
        shown = ", ".join(map(repr, args))
        logger.warning("broker unreachable, %s(%s) left for its sweep: %s", task.name, shown, exc)
        return False
    return True
