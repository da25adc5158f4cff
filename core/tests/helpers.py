"""Test helpers every app's tests may use."""

from typing import Any

from django.db.models import Model, QuerySet

from workspaces.tests.factories import PASSWORD


def miss_duplicate_checks(monkeypatch, model: type[Model]) -> None:
    """Make `.exists()` on `model`'s rows answer False, as when another request inserts the same
    name between a service's check and its INSERT: only the database's unique constraint is left."""
    exists = QuerySet.exists

    def exists_unless_model(self: QuerySet) -> bool:
        return False if self.model is model else exists(self)

    monkeypatch.setattr(QuerySet, "exists", exists_unless_model)


def new_page(chromium: Any, base_url: str) -> Any:
    """A page in a browser context of its own (its own cookies: another person); `page.csp_violations`
    collects Content-Security-Policy reports from the console. The caller closes `page.context`."""
    context = chromium.new_context(base_url=base_url)
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda message: page.csp_violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return page


def wait_for_htmx_settled(page: Any) -> None:
    """Wait until htmx has processed what it swapped in. The new elements are on the page (and visible) a
    settle delay before htmx binds their own hx- triggers; it marks them `htmx-added` until then, so typing
    into a just-swapped field before this could go unheard."""
    page.wait_for_function("() => !document.querySelector('.htmx-added')")


def sign_in(page: Any, username: str, password: str = PASSWORD, *, next_url: str = "") -> None:
    """Sign in through the sign-in form, as a person does; returns once the page it leads to has loaded
    (`next_url`, else the list of workspaces)."""
    page.goto(f"/login/?next={next_url}" if next_url else "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
