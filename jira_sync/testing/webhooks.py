"""Jira-shaped webhook deliveries from the stand-in's events, with duplicates and disorder on demand."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from .render import Renderer
from .state import JiraState, WebhookEvent

# Jira retries a delivery that got one of these, or no answer (CONTRACT §9.3).
RETRY_STATUSES = {408, 409, 425, 429} | set(range(500, 600))


def signature(secret: str, body: bytes) -> str:
    """`X-Hub-Signature` of an admin webhook with a secret (WebSub, method=signature)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_body(state: JiraState, event: WebhookEvent) -> dict[str, Any]:
    """The v2 representation Jira posts: `self` under /rest/api/2 and text as strings."""
    render = Renderer(state, "2")
    body: dict[str, Any] = {
        "timestamp": int(event.timestamp.timestamp() * 1000),
        "webhookEvent": event.event,
        "issue_event_type_name": event.event_type_name,
        "issue": render.issue(event.issue_snapshot, ["*navigable"]),
    }
    user = render.user_ref(event.user_id)
    if user:
        body["user"] = user
    if event.changelog and event.event == "jira:issue_updated":
        body["changelog"] = event.changelog
    return body


@dataclass
class Delivery:
    event: WebhookEvent
    body: bytes
    attempt: int  # 0: the first try (no Retry header)
    status: int | None  # None: no answer (connection failed)


class WebhookEmitter:
    """Posts events to `url` as Jira would; `secret` None sends no signature."""

    def __init__(self, state: JiraState, url: str, *, secret: str | None = None, max_retries: int = 3) -> None:
        self.state = state
        self.url = url
        self.secret = secret
        self.max_retries = max_retries
        self.sent: list[Delivery] = []
        self._cursor = 0
        self._http = httpx.Client(timeout=httpx.Timeout(20.0, connect=5.0))

    def close(self) -> None:
        self._http.close()

    def pending(self) -> list[WebhookEvent]:
        """Events fired since the last `flush`."""
        return self.state.events[self._cursor :]

    def flush(
        self,
        *,
        duplicate: Iterable[int] = (),
        order: str = "as-fired",
        seed: int = 0,
        bad_signature: bool = False,
    ) -> list[Delivery]:
        """Deliver pending events. `duplicate` names positions sent twice; `order` is as-fired, reversed
        or shuffled (seeded). Retryable answers are retried up to `max_retries`, as Jira does."""
        events = self.pending()
        self._cursor = len(self.state.events)
        if order == "reversed":
            events = events[::-1]
        elif order == "shuffled":
            events = events[:]
            random.Random(seed).shuffle(events)
        duplicates = set(duplicate)
        outcome: list[Delivery] = []
        for position, event in enumerate(events):
            for _ in range(2 if position in duplicates else 1):
                outcome += self.deliver(event, bad_signature=bad_signature)
        return outcome

    def deliver(self, event: WebhookEvent, *, bad_signature: bool = False, flow: str = "Primary") -> list[Delivery]:
        body = json.dumps(event_body(self.state, event)).encode()
        attempts: list[Delivery] = []
        for attempt in range(self.max_retries + 1):
            status = self._post(event, body, attempt, flow, bad_signature)
            attempts.append(Delivery(event, body, attempt, status))
            if status is not None and status not in RETRY_STATUSES:
                break
        self.sent += attempts
        return attempts

    def _post(self, event: WebhookEvent, body: bytes, attempt: int, flow: str, bad_signature: bool) -> int | None:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Atlassian Webhook HTTP Client",
            "X-Atlassian-Webhook-Identifier": event.identifier,
            "X-Atlassian-Webhook-Flow": flow,
        }
        if attempt:
            headers["X-Atlassian-Webhook-Retry"] = str(attempt)
        if self.secret is not None:
            headers["X-Hub-Signature"] = signature("not-the-secret" if bad_signature else self.secret, body)
        try:
            return self._http.post(self.url, content=body, headers=headers).status_code
        except httpx.TransportError:
            return None
