"""The wire: which URLs we accept, the one HTTP POST of an attempt, and when to try again.

Pure parts (`retry_delay`, `parse_retry_after`, `is_public_address`) are tested on their own.

Private networks: a webhook URL is chosen by a workspace admin, and the worker POSTs to it
from inside our network. Unless WEBHOOKS_ALLOW_PRIVATE_NETWORKS is on (it defaults to DEBUG),
URLs naming a loopback, private, link-local or otherwise non-public address are refused at
creation when the host is an IP literal or `localhost`, and every attempt refuses to send when
the host resolves to such an address (a terminal error, recorded on the attempt). httpx
resolves the name again when connecting, so a DNS answer that changes in between is not
caught; an egress proxy is the complete answer where that matters.
"""

from __future__ import annotations

import ipaddress
import random
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.utils import timezone

from core.errors import ApplicationError

# Timeouts of one attempt: connecting, then each read/write.
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# How much of the answer is read and kept on the attempt.
RESPONSE_EXCERPT_CHARS = 1000
_RESPONSE_READ_BYTES = 4096
USER_AGENT = "TPM-Workspace-Webhooks/1.0"

# Backoff: 1 min, 2, 4, 8, … up to 6 h, with jitter (each delay lands between half and all of that).
BASE_DELAY_SECONDS = 60.0
MAX_DELAY_SECONDS = 6 * 60 * 60.0
# Answers whose Retry-After header is followed.
RETRY_AFTER_STATUSES = frozenset({429, 503})

URL_MAX_LENGTH = 2000


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: an HTTP answer, or an error before there was one."""

    status_code: int | None = None
    duration_ms: int = 0
    error: str = ""
    response_excerpt: str = ""
    retry_after: float | None = None
    retryable: bool = True

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


# --- When to try again ---------------------------------------------------------------------------


def retry_delay(attempt: int, *, retry_after: float | None = None, rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait after failed attempt number `attempt` (1 for the first).

    Exponential (BASE_DELAY_SECONDS doubling, capped at MAX_DELAY_SECONDS) with "equal
    jitter": a random point in the upper half of the step, so that many deliveries failing
    together do not come back together. A receiver's Retry-After wins (at least a second,
    at most the cap).
    """
    if retry_after is not None:
        return min(max(retry_after, 1.0), MAX_DELAY_SECONDS)
    step = min(BASE_DELAY_SECONDS * 2 ** max(attempt - 1, 0), MAX_DELAY_SECONDS)
    return step / 2 + rand() * step / 2


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max((when - now).total_seconds(), 0.0)


# --- Which URLs ----------------------------------------------------------------------------------


def private_networks_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_NETWORKS", settings.DEBUG))


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def validate_url(url: str) -> str:
    """The URL, trimmed, if we can deliver to it; ApplicationError on field "url" otherwise."""
    url = (url or "").strip()
    if not url:
        raise ApplicationError("Give the URL that receives the events.", field="url")
    if len(url) > URL_MAX_LENGTH:
        raise ApplicationError(f"Keep the URL under {URL_MAX_LENGTH} characters.", field="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ApplicationError(f"This is not a valid URL: {exc}.", field="url") from exc
    if parts.scheme not in ("http", "https"):
        raise ApplicationError("Use an http:// or https:// URL.", field="url")
    host = parts.hostname
    if not host:
        raise ApplicationError("The URL needs a host name.", field="url")
    if parts.username is not None or parts.password is not None:
        raise ApplicationError(
            "Leave credentials out of the URL; check our X-TPM-Signature header instead.", field="url"
        )
    if any(ch.isspace() for ch in url):
        raise ApplicationError("The URL may not contain spaces.", field="url")
    if port == 0:
        raise ApplicationError("The URL's port must be between 1 and 65535.", field="url")
    if not private_networks_allowed():
        if host == "localhost" or host.endswith(".localhost"):
            raise ApplicationError("Webhooks are delivered over the internet; localhost is not allowed.", field="url")
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None and not is_public_address(host):
            raise ApplicationError(f"{host} is not a public address; webhooks go to public hosts.", field="url")
    return url


def _refuse_private_host(url: str) -> Outcome | None:
    """An Outcome refusing the send when the host resolves to a non-public address; None when it may go."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        return Outcome(error=f"Could not resolve {host}: {exc}.", retryable=True)
    for info in infos:
        address = str(info[4][0])
        if not is_public_address(address):
            return Outcome(
                error=f"Not sent: {host} resolves to {address}, which is not a public address.", retryable=False
            )
    return None


# --- The POST ------------------------------------------------------------------------------------


def post(url: str, *, body: bytes, headers: Mapping[str, str]) -> Outcome:
    """POST `body` to `url` once, with timeouts and no redirects; never raises for network trouble."""
    if not private_networks_allowed():
        refused = _refuse_private_host(url)
        if refused is not None:
            return refused
    headers = {**headers, "User-Agent": USER_AGENT, "Content-Type": "application/json"}
    started = time.monotonic()
    try:
        with (
            httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client,
            client.stream("POST", url, content=body, headers=headers) as response,
        ):
            chunks = bytearray()
            for chunk in response.iter_bytes():
                chunks.extend(chunk)
                if len(chunks) >= _RESPONSE_READ_BYTES:
                    break
            status = response.status_code
            retry_after_header = response.headers.get("Retry-After")
    except httpx.TimeoutException as exc:
        return Outcome(duration_ms=_ms_since(started), error=f"Timed out ({type(exc).__name__}).")
    except httpx.HTTPError as exc:
        return Outcome(duration_ms=_ms_since(started), error=f"{type(exc).__name__}: {exc}"[:500])
    retry_after = None
    if status in RETRY_AFTER_STATUSES:
        retry_after = parse_retry_after(retry_after_header, now=timezone.now())
    return Outcome(
        status_code=status,
        duration_ms=_ms_since(started),
        response_excerpt=bytes(chunks).decode("utf-8", errors="replace")[:RESPONSE_EXCERPT_CHARS],
        retry_after=retry_after,
    )


def _ms_since(started: float) -> int:
    return max(int((time.monotonic() - started) * 1000), 0)
