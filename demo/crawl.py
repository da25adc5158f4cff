"""Every page the demo user can reach by following links, fetched once: which of them fail (5xx, 404).

The pages are many and each has its own reads; a template or a query that breaks on one database
(SQLite in `make run`, PostgreSQL everywhere else) or on one shape of data shows up here as a 5xx.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

LINK = re.compile(r'href="(/[^"#]*)"')
# Not pages of the app (static files, the API's own walk, the admin's), or pages that act (sign out).
SKIPPED_PREFIXES = ("/static/", "/api/", "/admin/", "/logout/")


@dataclass
class CrawlReport:
    visited: int = 0
    failures: list[tuple[str, int]] = field(default_factory=list)


def _shape(url: str) -> tuple[str, tuple[str, ...]]:
    """A page is its path and which query parameters it takes: `?page=2` and `?page=3` are one page, the
    same filter with another value too; the crawl reaches every view in every mode, not every value."""
    parts = urlsplit(url)
    return parts.path, tuple(sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}))


@contextmanager
def _quiet_request_log() -> Iterator[None]:
    """A crawl expects to meet failures and reports them itself: no traceback per failure on stderr."""
    logger = logging.getLogger("django.request")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


def crawl(*, user: AbstractBaseUser, start: list[str], limit: int = 2000) -> CrawlReport:
    """GET every same-site link reachable from `start` as `user` (signed in), breadth first, up to `limit`."""
    hosts = [host for host in settings.ALLOWED_HOSTS if host and not host.startswith((".", "*"))]
    client = Client(raise_request_exception=False, HTTP_HOST=hosts[0] if hosts else "localhost")
    client.force_login(user)
    report = CrawlReport()
    seen: set[tuple[str, tuple[str, ...]]] = set()
    queue = deque(start)
    with _quiet_request_log():
        while queue and report.visited < limit:
            url = queue.popleft()
            if _shape(url) in seen:
                continue
            seen.add(_shape(url))
            response = client.get(url)
            report.visited += 1
            # A server error, or a link the app itself drew to a page that does not exist.
            if response.status_code >= 500 or response.status_code == 404:
                report.failures.append((url, response.status_code))
            if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                for href in LINK.findall(response.content.decode()):
                    href = unescape(href)
                    if not href.startswith(SKIPPED_PREFIXES) and _shape(href) not in seen:
                        queue.append(href)
    return report
