"""The floor for bench/api.py: a bare WSGI app, one raw SQL query per request, rows serialized with json.

No Django, no authentication, no tenancy, no pagination count: what answering with the same rows
costs at the least on this stack (gunicorn, psycopg2, PostgreSQL). Same routes as the API:

    /api/v1/stories/?product=<id>&status=<id>&page_size=100
    /api/v1/stories/<id>/
    /api/v1/roadmap-items/?roadmap=<id>          (items with points / stories done and total)

Run: gunicorn bench.floor_app:application (DATABASE_URL names the database).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import psycopg2

STORY_COLUMNS = """
    s.id, p.key || '-' || s.number AS key, s.product_id, s.title, s.statement, s.description, s.points, s.priority,
    json_build_object('id', st.id, 'name', st.name, 'category', st.category) AS status,
    CASE WHEN a.id IS NULL THEN NULL ELSE json_build_object(
        'id', a.id, 'username', a.username,
        'name', COALESCE(NULLIF(TRIM(a.first_name || ' ' || a.last_name), ''), a.username)
    ) END AS assignee,
    CASE WHEN o.id IS NULL THEN NULL ELSE json_build_object(
        'id', o.id, 'username', o.username,
        'name', COALESCE(NULLIF(TRIM(o.first_name || ' ' || o.last_name), ''), o.username)
    ) END AS owner,
    s.sprint_id AS sprint, s.feature_id AS feature, COALESCE(f.epic_id, s.epic_id) AS epic,
    ARRAY(
        SELECT l.name FROM backlog_story_labels sl JOIN backlog_label l ON l.id = sl.label_id
        WHERE sl.story_id = s.id ORDER BY l.name
    ) AS labels,
    COALESCE((
        SELECT json_agg(json_build_object('id', c.id, 'text', c.text, 'is_met', c.is_met, 'position', c.position)
                        ORDER BY c.position, c.id)
        FROM backlog_acceptancecriterion c WHERE c.story_id = s.id
    ), '[]'::json) AS acceptance_criteria,
    s.rank, s.completed_at, s.created_at, s.updated_at
"""
STORY_FROM = """
    FROM backlog_story s
    JOIN workspaces_product p ON p.id = s.product_id
    JOIN backlog_workflowstatus st ON st.id = s.status_id
    LEFT JOIN auth_user a ON a.id = s.assignee_id
    LEFT JOIN auth_user o ON o.id = s.owner_id
    LEFT JOIN backlog_feature f ON f.id = s.feature_id
"""
STORY_LIST = f"""
    SELECT {STORY_COLUMNS} {STORY_FROM}
    WHERE s.product_id = %s AND s.status_id = %s
    ORDER BY s.rank, s.id
    LIMIT %s
"""
STORY_DETAIL = f"SELECT {STORY_COLUMNS} {STORY_FROM} WHERE s.id = %s"
# Items of a roadmap in rank order, each with the roll-up of the stories of its linked epics
# (under the epic's features or directly under the epic).
ROADMAP_ITEMS = """
    SELECT i.id, i.title, i.lane, i.status, i.start_date, i.end_date, i.confidence, i.owner_id AS owner,
           i.milestone_id AS milestone, i.rank,
           ARRAY(SELECT ie.epic_id FROM roadmap_roadmapitem_epics ie WHERE ie.roadmapitem_id = i.id ORDER BY 1)
               AS epics,
           json_build_object(
               'points_done', COALESCE(SUM(x.points) FILTER (WHERE x.done), 0),
               'points_total', COALESCE(SUM(x.points), 0),
               'stories_done', COUNT(x.id) FILTER (WHERE x.done),
               'stories_total', COUNT(x.id)
           ) AS progress
    FROM roadmap_roadmapitem i
    LEFT JOIN LATERAL (
        SELECT s.id, s.points, st.category = 'done' AS done
        FROM roadmap_roadmapitem_epics ie
        JOIN backlog_story s ON s.epic_id = ie.epic_id
        JOIN backlog_workflowstatus st ON st.id = s.status_id
        WHERE ie.roadmapitem_id = i.id
        UNION ALL
        SELECT s.id, s.points, st.category = 'done'
        FROM roadmap_roadmapitem_epics ie
        JOIN backlog_feature f ON f.epic_id = ie.epic_id
        JOIN backlog_story s ON s.feature_id = f.id
        JOIN backlog_workflowstatus st ON st.id = s.status_id
        WHERE ie.roadmapitem_id = i.id
    ) x ON TRUE
    WHERE i.roadmap_id = %s
    GROUP BY i.id
    ORDER BY i.rank, i.id
    LIMIT %s
"""

_connection: Any = None


def cursor() -> Any:
    """One connection per worker process, kept open (like CONN_MAX_AGE), in autocommit."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg2.connect(os.environ["DATABASE_URL"])
        _connection.autocommit = True
    return _connection.cursor()


def rows_as_dicts(sql: str, params: Iterable[Any]) -> list[dict[str, Any]]:
    with cursor() as cur:
        cur.execute(sql, tuple(params))
        names = [column.name for column in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def number(query: dict[str, list[str]], name: str, default: int | None = None) -> int:
    values = query.get(name)
    if not values:
        if default is None:
            raise ValueError(name)
        return default
    return int(values[0])


DETAIL = re.compile(r"^/api/v1/stories/(\d+)/$")


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    path = environ.get("PATH_INFO", "")
    query = parse_qs(environ.get("QUERY_STRING", ""))
    try:
        if path == "/api/v1/stories/":
            size = min(number(query, "page_size", 50), 100)
            rows = rows_as_dicts(STORY_LIST, (number(query, "product"), number(query, "status"), size))
            body: Any = {"results": rows}
        elif match := DETAIL.match(path):
            rows = rows_as_dicts(STORY_DETAIL, (int(match.group(1)),))
            if not rows:
                return respond(start_response, "404 Not Found", {"error": "not found"})
            body = rows[0]
        elif path == "/api/v1/roadmap-items/":
            size = min(number(query, "page_size", 50), 100)
            body = {"results": rows_as_dicts(ROADMAP_ITEMS, (number(query, "roadmap"), size))}
        else:
            return respond(start_response, "404 Not Found", {"error": "not found"})
    except ValueError as exc:
        return respond(start_response, "400 Bad Request", {"error": f"bad parameter {exc}"})
    return respond(start_response, "200 OK", body)


def respond(start_response: Callable[..., Any], status: str, body: Any) -> list[bytes]:
    payload = json.dumps(body, default=str).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]
