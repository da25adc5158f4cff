"""Fault drills: PostgreSQL restarted and Redis stopped under a running app server.

The app runs in a real gunicorn process (core/testing/server.py) whose PostgreSQL or Redis connection
goes through a TCP proxy (core/testing/proxy.py): `cut()` is, for the app, the server restarting or
going away. The machine's real PostgreSQL and Redis are never touched, so the tests running beside
these keep theirs. The test process reads and checks the same database directly.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from backlog.models import Story
from core.cache import RedisCache
from core.testing.proxy import TcpProxy
from core.testing.server import AppServer, app_server
from decisions.models import SignOff
from decisions.services import signoff_request
from decisions.tasks import signoff_email_sweep
from decisions.tests.factories import PRDFactory
from jira_sync.models import IssueLink, PushIntent
from jira_sync.services.mappings import mapping_create
from jira_sync.tasks import push_sweep
from jira_sync.testing.stand_in import StandInJira
from jira_sync.tests.conftest import _serve
from jira_sync.tests.sync.conftest import connect
from tpm_workspace.celery import app
from webhooks import services as webhooks
from webhooks.models import OutboxEvent, WebhookDelivery
from webhooks.tasks import dispatch_event, webhooks_sweep
from webhooks.tests.conftest import Receiver, _handler
from workspaces.services import api_token_create

# The drills share the database with the app server they start: their data must be committed.
DRILL = pytest.mark.django_db(transaction=True)

UNAVAILABLE = "The database is unavailable; try again in a moment."


# --- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture
def postgres() -> Iterator[TcpProxy]:
    """A proxy in front of the test database's PostgreSQL."""
    db = connection.settings_dict
    with TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)) as proxy:
        yield proxy


@pytest.fixture
def redis() -> Iterator[TcpProxy]:
    """A proxy in front of the Redis the tests use (cache and broker)."""
    host, port = django_settings.REDIS_URL.removeprefix("redis://").split("/")[0].split(":")
    with TcpProxy(host, int(port)) as proxy:
        yield proxy


def database_url(*, port: int | None = None) -> str:
    """The test database, through the proxy's port when given."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"127.0.0.1:{port}" if port else f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


class Visitor:
    """Someone using the app server: a browser session for pages, a personal token for the API."""

    def __init__(self, server: AppServer, user: Any) -> None:
        browser = Client()
        browser.force_login(user)
        session = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
        _, token = api_token_create(user=user, name="fault drill")
        self.browser = httpx.Client(
            base_url=server.url, timeout=20, cookies={django_settings.SESSION_COOKIE_NAME: session}
        )
        self.integration = httpx.Client(
            base_url=f"{server.url}/api/v1/", timeout=20, headers={"Authorization": f"Bearer {token}"}
        )

    def page(self, path: str) -> httpx.Response:
        return self.browser.get(path)

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.integration.cookies.clear()  # token auth only: no session cookie picked up on the way
        return self.integration.request(method, path, **kwargs)

    def close(self) -> None:
        self.browser.close()
        self.integration.close()


@pytest.fixture
def visitor_for() -> Iterator[Any]:
    visitors: list[Visitor] = []

    def make(server: AppServer, user: Any) -> Visitor:
        visitors.append(Visitor(server, user))
        return visitors[-1]

    yield make
    for visitor in visitors:
        visitor.close()


def timed(call: Any, *args: Any, **kwargs: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


def wait_for(condition: Any, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


# --- PostgreSQL restarted under the app ------------------------------------------------------------


@DRILL
def test_while_postgres_is_away_pages_and_the_api_answer_503_and_then_serve_again(postgres, user, product, visitor_for):
    with app_server(database_url=database_url(port=postgres.port), tasks="eager") as server:
        visitor = visitor_for(server, user)
        backlog = f"/p/{product.pk}/backlog/"
        # given a story saved while all is well
        saved = visitor.api("POST", "stories/", json={"product": product.pk, "title": "Saved before the restart"})
        assert saved.status_code == 201
        assert visitor.page(backlog).status_code == 200

        # when PostgreSQL goes away
        postgres.cut()

        # then a page answers 503 in words, without a traceback
        page = visitor.page(backlog)
        assert page.status_code == 503
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["retry-after"] == "5"
        assert UNAVAILABLE in page.text
        assert "Traceback" not in page.text and "OperationalError" not in page.text
        # and the API answers 503 in its error shape, for reads and writes
        listing = visitor.api("GET", f"stories/?product={product.pk}")
        write = visitor.api("POST", "stories/", json={"product": product.pk, "title": "Written during the outage"})
        for response in (listing, write):
            assert response.status_code == 503
            assert response.headers["retry-after"] == "5"
            assert response.json() == {"error": {"status": 503, "code": "database_unavailable", "message": UNAVAILABLE}}
        # and so does signing in (the sign-in throttle and the password check need the database)
        with httpx.Client(base_url=server.url, timeout=20) as anonymous:
            form = anonymous.get("/login/")
            assert form.status_code == 200
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
            sign_in = anonymous.post(
                "/login/", data={"csrfmiddlewaretoken": csrf, "username": user.username, "password": "secret"}
            )
            assert sign_in.status_code == 503
            assert UNAVAILABLE in sign_in.text

        # when PostgreSQL is back
        postgres.restore()

        # then the same process serves again, and what was saved before is there, alone
        assert visitor.page(backlog).status_code == 200
        listing = visitor.api("GET", f"stories/?product={product.pk}")
        assert listing.status_code == 200
        assert [story["title"] for story in listing.json()["results"]] == ["Saved before the restart"]
        assert server.worker_boots() == 1
    assert list(Story.objects.values_list("title", flat=True)) == ["Saved before the restart"]


@DRILL
def test_a_persistent_connection_that_postgres_dropped_is_replaced_before_use(postgres, user, product, visitor_for):
    with app_server(database_url=database_url(port=postgres.port), tasks="eager") as server:
        visitor = visitor_for(server, user)
        backlog = f"/p/{product.pk}/backlog/"
        # given an app that keeps its database connection between requests
        for _ in range(3):
            assert visitor.page(backlog).status_code == 200
        assert postgres.accepted == 1

        # when PostgreSQL restarts while nobody asks anything
        postgres.cut()
        postgres.restore()

        # then the very next request is served (CONN_HEALTH_CHECKS), on a new connection
        assert visitor.page(backlog).status_code == 200
        assert visitor.api("GET", f"stories/?product={product.pk}").status_code == 200
        assert postgres.accepted == 2
        assert server.worker_boots() == 1


# --- Redis stopped ----------------------------------------------------------------------------------


@pytest.fixture
def cloud() -> Iterator[StandInJira]:
    yield from _serve("cloud")


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 (which production refuses: allowed here)."""
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/tpm"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@contextmanager
def celery_worker() -> Iterator[None]:
    """A real Celery worker on Redis in a thread of this process; meanwhile tasks go through the broker."""
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


@DRILL
@pytest.mark.celery_worker
def test_with_redis_away_the_app_serves_and_the_outboxes_drain_once_it_is_back(
    redis, cloud, receiver, workspace, admin_user, user, product, visitor_for, request
):
    # given a product mapped to Jira and a webhook endpoint for new stories
    jira_connection, _ = connect(workspace, cloud)
    mapping_create(connection=jira_connection, product=product, actor=None, project_key="ABC")
    webhooks.endpoint_create(workspace=workspace, actor=admin_user, url=receiver.url, events=["story.created"])
    app.control.purge()  # nothing left over in this worker's queue from earlier tests

    with app_server(database_url=database_url(), redis_host=f"127.0.0.1:{redis.port}") as server:
        visitor = visitor_for(server, user)
        backlog = f"/p/{product.pk}/backlog/"
        assert visitor.page(backlog).status_code == 200

        # when Redis goes away and someone works
        redis.cut()
        created, created_in = timed(
            visitor.api, "POST", "stories/", json={"product": product.pk, "title": "Saved while Redis was down"}
        )
        assert created.status_code == 201, created.text
        page, page_in = timed(visitor.page, f"/p/{product.pk}/backlog/stories/{created.json()['id']}/")
        listing, listing_in = timed(visitor.api, "GET", f"stories/?product={product.pk}")

        # then pages and the API answer as usual, without waiting on Redis
        assert (page.status_code, listing.status_code) == (200, 200)
        assert "Saved while Redis was down" in page.text
        assert [story["title"] for story in listing.json()["results"]] == ["Saved while Redis was down"]
        timings = {"create": created_in, "page": page_in, "list": listing_in}
        request.node.user_properties.append(("timings_with_redis_down", timings))
        assert max(timings.values()) < 5.0, timings
        # and the work waits in the outboxes
        story = Story.objects.get()
        assert PushIntent.objects.filter(story=story, done_at__isnull=True).count() == 1
        assert OutboxEvent.objects.get().dispatched_at is None
        assert not IssueLink.objects.exists() and receiver.requests == []

        redis.restore()
        assert visitor.page(backlog).status_code == 200
        assert server.worker_boots() == 1

    # when Redis is back and the outbox sweeps run in a real worker
    with celery_worker():
        push_sweep.delay()
        webhooks_sweep.delay()
        # then the Jira issue and the webhook delivery arrive
        assert wait_for(lambda: IssueLink.objects.filter(story=story).exclude(remote_link_id="").exists())
        assert wait_for(lambda: WebhookDelivery.objects.filter(state=WebhookDelivery.State.SUCCEEDED).exists())
    # and sweeping again sends nothing twice
    push_sweep()
    webhooks_sweep()
    (issue,) = cloud.state.issues.values()
    assert issue.summary == "Saved while Redis was down"
    assert not PushIntent.objects.filter(done_at__isnull=True).exists()
    assert [r.json["data"]["story"]["title"] for r in receiver.requests] == ["Saved while Redis was down"]
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.SUCCEEDED


@pytest.fixture
def broker_through(redis: TcpProxy) -> Iterator[None]:
    """This process's Celery app publishes to the broker through the Redis proxy, with the settings' policy."""
    saved = (app.conf.task_always_eager, app.conf.broker_url, app._pool, app.amqp._producer_pool)
    app.conf.task_always_eager = False
    app.conf.broker_url = django_settings.CELERY_BROKER_URL.replace(
        django_settings.REDIS_URL.removeprefix("redis://").split("/")[0], f"127.0.0.1:{redis.port}"
    )
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.task_always_eager, app.conf.broker_url, app._pool, app.amqp._producer_pool = saved


def test_with_redis_away_a_publish_fails_at_once_instead_of_stalling_the_request(redis, broker_through):
    # given a publisher that has talked to Redis, and Redis going away
    dispatch_event.apply_async(args=(0,), retry=False)
    redis.cut()
    # when work is queued, several times (the first finds the pooled connection dead; the next ones
    # connect anew) and both ways the code does it
    for publish in (
        lambda: dispatch_event.apply_async(args=(0,), retry=False),  # the outboxes: the sweep sends it later
        lambda: dispatch_event.apply_async(args=(0,), retry=False),
        lambda: dispatch_event.delay(0),  # with the publish retry policy
    ):
        started = time.monotonic()
        with pytest.raises(KombuOperationalError):
            publish()
        # then it fails within a second (kombu's default reconnecting took ~6 s per call)
        assert time.monotonic() - started < 1.0
    # and once Redis is back, publishing works again
    redis.restore()
    dispatch_event.apply_async(args=(0,), retry=False)
    app.control.purge()


def test_with_redis_away_the_cache_misses_and_drops_writes(redis):
    # given the app's cache backend, through the proxy
    options = django_settings.CACHES["default"]
    location = options["LOCATION"].replace(
        django_settings.REDIS_URL.removeprefix("redis://").split("/")[0], f"127.0.0.1:{redis.port}"
    )
    cache = RedisCache(location, {"OPTIONS": options.get("OPTIONS", {})})
    cache.set("drill", "kept")
    # when Redis goes away
    redis.cut()
    # then reads miss and writes are dropped, without an error
    assert cache.get("drill", "missed") == "missed"
    assert cache.get_many(["drill"]) == {}
    cache.set("drill", "dropped")
    cache.delete("drill")
    assert cache.add("other", 1) is False
    # but a counter cannot pretend
    with pytest.raises(RedisConnectionError):
        cache.incr("drill")
    # and once Redis is back, what it held is there again
    redis.restore()
    assert cache.get("drill") == "kept"
    cache.delete("drill")


@DRILL
def test_with_redis_away_a_signoff_request_is_saved_and_its_email_goes_once_redis_is_back(
    redis, broker_through, product, admin_user, editor, mailoutbox
):
    # given Redis going away
    prd = PRDFactory(product=product, actor=admin_user)
    redis.cut()
    # when a sign-off is asked for (its e-mail is queued after the commit)
    signoff = signoff_request(document=prd, actor=admin_user, approver=editor, role="engineering")
    # then the request is saved, and its e-mail waits
    assert SignOff.objects.get(pk=signoff.pk).emailed_at is None and mailoutbox == []
    # and once Redis is back, the sweep sends it, once
    redis.restore()
    SignOff.objects.filter(pk=signoff.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    app.conf.task_always_eager = True  # run what the sweep queues here (broker_through restores it)
    assert signoff_email_sweep() == 1
    assert signoff_email_sweep() == 0
    assert [m.to for m in mailoutbox] == [[editor.email]]
