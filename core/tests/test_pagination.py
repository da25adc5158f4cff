"""Pagination: an exact count up to the limit; above it a null count, and pages still reachable through `next`."""

import pytest

from backlog.tests.factories import StoryFactory
from core.api.pagination import BoundedCountPaginator

pytestmark = pytest.mark.django_db

URL = "/api/v1/stories/"


@pytest.fixture
def seven_stories(product):
    return [StoryFactory(product=product, title=f"Story {n}") for n in range(7)]


def titles(response):
    return [row["title"] for row in response.json()["results"]]


def test_count_is_exact_up_to_the_limit(token_client, editor, product, seven_stories, monkeypatch):
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 7)
    response = token_client(editor).get(URL, {"product": product.pk, "page_size": 3, "page": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7
    assert body["next"] is None
    assert titles(response) == ["Story 6"]


def test_count_is_null_above_the_limit_and_next_walks_every_page(
    token_client, editor, product, seven_stories, monkeypatch
):
    # given
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 4)
    client = token_client(editor)
    # when: following next from the first page
    seen, url, params = [], URL, {"product": product.pk, "page_size": 3}
    while url:
        response = client.get(url, params)
        assert response.status_code == 200
        assert response.json()["count"] is None
        seen += titles(response)
        url, params = response.json()["next"], None
    # then
    assert seen == [f"Story {n}" for n in range(7)]


def test_a_page_past_the_end_above_the_limit_answers_404(token_client, editor, product, seven_stories, monkeypatch):
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 4)
    response = token_client(editor).get(URL, {"product": product.pk, "page_size": 3, "page": 4})
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_the_count_reads_at_most_limit_plus_one_rows(product, seven_stories, monkeypatch):
    from backlog.models import Story

    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 2)
    paginator = BoundedCountPaginator(Story.objects.filter(product=product).order_by("rank", "pk"), 3)
    assert (paginator.count, paginator.count_is_exact) == (3, False)
