"""Shared fixtures: people in a workspace with a product, one member per role, and an outsider."""

import os

import pytest
from hypothesis import settings as hypothesis_settings

from core.tests.helpers import new_page
from workspaces.models import Role
from workspaces.tests.factories import MembershipFactory, ProductFactory, UserFactory, WorkspaceFactory

# Property tests explore new inputs on a developer's machine; CI (HYPOTHESIS_PROFILE=ci, set by .ci/run)
# replays a fixed set, so that a run passes or fails on the code alone. A counterexample found locally
# becomes an @example.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (throttle counters, cached lookups): ids repeat across tests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme")


@pytest.fixture
def product(workspace):
    return ProductFactory(workspace=workspace, name="Payments", key="PAY")


@pytest.fixture
def member_factory(workspace):
    def make(role: str = Role.CONTRIBUTOR, **kwargs):
        return MembershipFactory(workspace=workspace, role=role, **kwargs).user

    return make


@pytest.fixture
def admin_user(member_factory):
    return member_factory(Role.ADMIN, user__username="ada")


@pytest.fixture
def editor(member_factory):
    return member_factory(Role.EDITOR, user__username="eddie")


@pytest.fixture
def contributor(member_factory):
    return member_factory(Role.CONTRIBUTOR, user__username="cora")


@pytest.fixture
def viewer(member_factory):
    return member_factory(Role.VIEWER, user__username="vic")


@pytest.fixture
def user(editor):
    """The person most tests act as: an editor (a TPM) of the workspace."""
    return editor


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Globex")


@pytest.fixture
def other_product(other_workspace):
    return ProductFactory(workspace=other_workspace, name="Globex Payments", key="GPAY")


@pytest.fixture
def outsider(other_workspace):
    """A member of another workspace only."""
    return MembershipFactory(workspace=other_workspace, role=Role.ADMIN, user=UserFactory(username="mallory")).user


# --- API ---------------------------------------------------------------------------------------


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def token_client(db):
    """An API client that authenticates like an integration: with a personal token of `user`."""
    from rest_framework.test import APIClient

    from workspaces.services import api_token_create

    def make(user):
        _, plain = api_token_create(user=user, name="tests")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
        return client

    return make


# --- Real browser (Debian's Chromium driven by Playwright; never a downloaded browser) ---------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    import os

    from playwright.sync_api import expect, sync_playwright

    # `expect` retries for 5 s by default; a loaded CI machine (2 cores, two test workers) can take longer to
    # answer a click, so it waits as long as a locator's own `wait_for` does.
    expect.set_options(timeout=30_000)
    # Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
    # there are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser page; `page.csp_violations` collects Content-Security-Policy reports from the console."""
    page = new_page(chromium, live_server.url)
    yield page
    page.context.close()
