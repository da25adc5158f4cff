"""Small helpers the roadmap API tests share."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def list_query_count(client, url: str, params: dict) -> tuple[int, dict]:
    """Queries one GET of a list runs (after a first call, so the token's last-use stamp is not counted)."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200, response.json()
    return len(context.captured_queries), response.json()


def field_errors(response) -> dict:
    assert response.status_code == 400, response.json()
    return response.json()["error"]["fields"]


def writes_to(context: CaptureQueriesContext, table: str) -> list[str]:
    """The INSERT / UPDATE / DELETE statements captured on `table`."""
    return [
        q["sql"]
        for q in context.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and f'"{table}"' in q["sql"]
    ]
