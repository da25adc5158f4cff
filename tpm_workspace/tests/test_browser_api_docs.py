"""The API's documentation renders offline under the Content-Security-Policy."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_lists_the_story_operations(page):
    # Swagger UI draws tag groups lazily; the deep link opens the stories group.
    page.goto("/api/v1/docs/#/stories")
    page.locator("#operations-tag-stories").wait_for(timeout=20000)
    page.get_by_text("/api/v1/stories/", exact=False).first.wait_for(timeout=20000)
    assert page.csp_violations == []


def test_redoc_renders_the_schema(page):
    page.goto("/api/v1/redoc/")
    page.get_by_text("TPM Workspace API", exact=False).first.wait_for(timeout=15000)
    # Redoc's footer links a logo on its CDN; the policy keeps the page offline by refusing it.
    assert [v for v in page.csp_violations if "cdn.redoc.ly/redoc/logo-mini.svg" not in v] == []
