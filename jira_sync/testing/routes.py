"""The endpoints the sync uses, answered from `JiraState` the way Jira answers them."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from . import jql
from .faults import error_body
from .render import Renderer, timestamp
from .state import (
    EPIC_LINK_FIELD,
    EPIC_NAME_FIELD,
    PARENT_LINK_FIELD,
    PRIORITIES,
    STORY_POINTS_FIELD,
    Issue,
    JiraProblem,
    JiraState,
    User,
)

REMOVED_SEARCH = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)


@dataclass
class Request:
    state: JiraState
    method: str
    version: str
    user: User | None
    query: dict[str, list[str]]
    body: Any
    raw_body: bytes
    args: tuple[str, ...] = ()

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def int_param(self, name: str, default: int) -> int:
        value = self.param(name)
        if value is None:
            return default
        if not re.fullmatch(r"-?\d+", value):
            raise JiraProblem(400, [f"The value '{value}' is invalid for the '{name}' parameter."])
        return int(value)

    def list_param(self, name: str) -> list[str] | None:
        values = self.query.get(name)
        if values is None:
            return None
        return [part.strip() for value in values for part in value.split(",") if part.strip()]

    @property
    def render(self) -> Renderer:
        return Renderer(self.state, self.version)

    def require_user(self) -> User:
        if self.user is None:
            raise JiraProblem(401, ["You are not authenticated. Authentication required to perform this operation."])
        return self.user


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Reply]
ROUTES: list[tuple[str, re.Pattern[str], set[str], Handler]] = []  # method, path, versions, handler


def route(method: str, pattern: str, versions: str = "23") -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^/rest/api/(\\d)/{pattern}$"), set(versions), handler))
        return handler

    return register


def resolve(method: str, path: str) -> tuple[Handler, str, tuple[str, ...]] | None:
    for route_method, pattern, versions, handler in ROUTES:
        match = pattern.match(path)
        if match and route_method == method and match.group(1) in versions:
            return handler, match.group(1), match.groups()[1:]
    return None


# --- site, user, project metadata --------------------------------------------------------------------


@route("GET", "serverInfo")
def server_info(req: Request) -> Reply:
    cloud = req.state.mode == "cloud"
    return Reply(
        200,
        {
            "baseUrl": req.state.base_url,
            "displayUrl": req.state.base_url,
            "version": "1001.0.0-SNAPSHOT" if cloud else "10.3.4",
            "versionNumbers": [1001, 0, 0] if cloud else [10, 3, 4],
            "deploymentType": "Cloud" if cloud else "DataCenter",
            "buildNumber": 100290 if cloud else 10030004,
            "buildDate": "2026-05-01T00:00:00.000+0000",
            "serverTime": timestamp(req.state.now()),
            "scmInfo": "0d1e2f",
            "serverTitle": "Stand-in Jira",
        },
    )


@route("GET", "myself")
def myself(req: Request) -> Reply:
    return Reply(200, req.render.user(req.require_user()))


def visible_project(req: Request, key_or_id: str) -> Any:
    state = req.state
    project = state.projects.get(key_or_id.upper()) or next(
        (p for p in state.projects.values() if p.id == key_or_id), None
    )
    if project is None or not state.project_visible(project, req.user):
        raise JiraProblem(404, [f"No project could be found with key '{key_or_id}'."])
    return project


@route("GET", "user/search")
def user_search(req: Request) -> Reply:
    """Cloud: `query` (or `accountId`); Data Center: `username`. Anonymous callers get an empty list."""
    query, account_id, username = req.param("query"), req.param("accountId"), req.param("username")
    if req.version == "3":
        if query and account_id:
            raise JiraProblem(400, ["Specify either 'query' or 'accountId', not both."])
        if not (query or account_id or req.param("property")):
            raise JiraProblem(400, ["One of 'query', 'accountId' or 'property' must be specified."])
    elif not username:
        raise JiraProblem(400, ["The username query parameter was not provided."])
    if req.user is None:
        return Reply(200, [])
    state = req.state
    if account_id:
        found = [state.users[account_id]] if account_id in state.users else []
    else:
        found = state.search_users(query or username or "")
    start, size = req.int_param("startAt", 0), req.int_param("maxResults", 50)
    return Reply(200, [req.render.user(u) for u in found[start : start + size]])


@route("GET", r"project/([^/]+)")
def project_get(req: Request) -> Reply:
    return Reply(200, req.render.project(visible_project(req, req.args[0]), full=True))


@route("GET", r"project/([^/]+)/statuses")
def project_statuses(req: Request) -> Reply:
    project = visible_project(req, req.args[0])
    render = req.render
    statuses = [render.status(s) for s in req.state.statuses.values()]
    body = [
        {
            "self": f"{render.api}/issuetype/{type_id}",
            "id": type_id,
            "name": req.state.issue_types[type_id].name,
            "subtask": req.state.issue_types[type_id].subtask,
            "statuses": statuses,
        }
        for type_id in project.issue_type_ids
    ]
    return Reply(200, body)


@route("GET", "issuetype")
def issue_types(req: Request) -> Reply:
    if req.user is None:
        return Reply(200, [])
    return Reply(200, [req.render.issue_type(t) for t in req.state.issue_types.values()])


@route("GET", "issuetype/project", versions="3")
def issue_types_for_project(req: Request) -> Reply:
    project_id = req.param("projectId")
    if project_id is None:
        raise JiraProblem(400, ["The projectId parameter is required."])
    project = visible_project(req, project_id)
    return Reply(200, [req.render.issue_type(req.state.issue_types[i]) for i in project.issue_type_ids])


@route("GET", "field")
def fields(req: Request) -> Reply:
    return Reply(200, [req.render.field(f) for f in req.state.fields])


# --- search ------------------------------------------------------------------------------------------


def _order_key(issue: Issue, name: str) -> Any:
    if name in {"key", "issuekey"}:
        project, number = issue.key.rsplit("-", 1)
        return (project, int(number))
    if name == "id":
        return int(issue.id)
    return getattr(issue, name)


def _lookup(state: JiraState) -> jql.Lookup:
    def lookup(issue: Issue, name: str) -> list[str]:
        if name == "project":
            project = state.projects[issue.project_key]
            return [project.key, project.id, project.name]
        if name == "id":
            return [issue.id]
        if name in {"key", "issuekey"}:
            return [issue.key, issue.id, *issue.previous_keys]
        if name in {"parent", "epic link"}:
            parent = state.parent_of(issue)
            return [parent.key, parent.id, *parent.previous_keys] if parent else []
        if name == "labels":
            return list(issue.labels)
        if name == "issuetype":
            issue_type = state.issue_types[issue.issuetype_id]
            return [issue_type.name, issue_type.id]
        if name == "status":
            status = state.statuses[issue.status_id]
            return [status.name, status.id]
        return []

    return lookup


SEARCH_CACHE_SIZE = 8


def run_jql(req: Request, text: str | None, reconcile: set[str]) -> list[Issue]:
    """The issues a query finds, in order. A query without dates (nothing relative to "now") on an index
    with no lag is remembered until the next write, so paging through it costs a page, not a scan."""
    state = req.state
    try:
        query = jql.parse(text or "")
    except jql.JqlError as exc:
        raise JiraProblem(400, [str(exc)]) from exc
    key: tuple[Any, ...] | None = None
    if state.index_lag <= timedelta(0) and not any(c.field in jql.DATE_FIELDS for c in query.clauses):
        user = req.user.account_id if req.user else None
        key = (text, user, frozenset(reconcile), state.generation, len(state.projects))
        if key in state.search_cache:
            return state.search_cache[key]
    found = _search(req, query, reconcile)
    if key is not None:
        if len(state.search_cache) >= SEARCH_CACHE_SIZE:
            state.search_cache.pop(next(iter(state.search_cache)))
        state.search_cache[key] = found
    return found


def _search(req: Request, query: jql.Query, reconcile: set[str]) -> list[Issue]:
    state = req.state
    try:
        tz = ZoneInfo(req.user.time_zone if req.user else state.site_time_zone)
        now = state.now()
        test = jql.compile_query(query, lookup=_lookup(state), tz=tz, now=now)
        visible = {key: state.project_visible(project, req.user) for key, project in state.projects.items()}
        found = []
        for issue in state.issues.values():
            if not visible[issue.project_key]:
                continue
            seen = state.indexed_view(issue, reconcile)
            if seen is not None and test(seen):
                found.append(seen)
    except jql.JqlError as exc:
        raise JiraProblem(400, [str(exc)]) from exc
    # Without ORDER BY Jira sorts by its own default; the stand-in uses key ascending.
    order = query.order or (("key", False),)
    if not any(descending for _, descending in order):  # one pass on the whole key
        found.sort(key=lambda i: tuple(_order_key(i, name) for name, _ in order))
        return found
    for name, descending in reversed(order):
        found.sort(key=lambda i, n=name: _order_key(i, n), reverse=descending)
    return found


def _token(offset: int, text: str) -> str:
    digest = hashlib.sha1(text.encode()).hexdigest()[:8]
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "q": digest}).encode()).decode().rstrip("=")


def _offset_from(token: str | None, text: str) -> int:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if data["q"] == hashlib.sha1(text.encode()).hexdigest()[:8]:
            return int(data["o"])
    except (ValueError, KeyError, TypeError):
        pass
    raise JiraProblem(400, ["The provided next page token is invalid or expired."])


def _search_args(req: Request) -> dict[str, Any]:
    if req.method == "POST":
        body = req.body or {}
        return {
            "jql": body.get("jql"),
            "nextPageToken": body.get("nextPageToken"),
            "maxResults": body.get("maxResults", 50),
            "fields": body.get("fields"),
            "expand": body.get("expand"),
            "reconcileIssues": [str(i) for i in body.get("reconcileIssues") or []],
            "startAt": body.get("startAt", 0),
        }
    return {
        "jql": req.param("jql"),
        "nextPageToken": req.param("nextPageToken"),
        "maxResults": req.int_param("maxResults", 50),
        "fields": req.list_param("fields"),
        "expand": req.param("expand"),
        "reconcileIssues": req.list_param("reconcileIssues") or [],
        "startAt": req.int_param("startAt", 0),
    }


def _expand_set(expand: Any) -> set[str]:
    if isinstance(expand, list):
        return {str(e).strip() for e in expand}
    return {part.strip() for part in (expand or "").split(",") if part.strip()}


@route("GET", "search/jql", versions="3")
@route("POST", "search/jql", versions="3")
def search_jql(req: Request) -> Reply:
    args = _search_args(req)
    text = args["jql"] or ""
    found = run_jql(req, text, set(args["reconcileIssues"]))
    wanted = args["fields"]
    ids_only = wanted is None or set(wanted) <= {"id", "key"}
    cap = req.state.max_id_page_size if ids_only else req.state.max_page_size
    size = max(1, min(int(args["maxResults"]), cap))
    offset = _offset_from(args["nextPageToken"], text)
    page = found[offset : offset + size]
    render = req.render
    expand = _expand_set(args["expand"])
    body: dict[str, Any] = {"issues": [render.issue(i, wanted, expand=expand) for i in page]}
    if offset + size < len(found):
        body["nextPageToken"] = _token(offset + size, text)
        body["isLast"] = False
    else:
        body["isLast"] = True
    return Reply(200, body)


@route("POST", "search/approximate-count", versions="3")
def approximate_count(req: Request) -> Reply:
    return Reply(200, {"count": len(run_jql(req, (req.body or {}).get("jql"), set()))})


@route("GET", "search")
@route("POST", "search")
def search_offset(req: Request) -> Reply:
    """CHANGE-2046: gone on Cloud; Data Center pages with startAt / total."""
    if req.state.mode == "cloud":
        return Reply(410, error_body(REMOVED_SEARCH))
    args = _search_args(req)
    found = run_jql(req, args["jql"], set())
    start = max(0, int(args["startAt"] or 0))
    size = max(0, min(int(args["maxResults"]), req.state.dc_max_results))
    wanted = args["fields"] if args["fields"] is not None else ["*navigable"]
    expand = _expand_set(args["expand"])
    render = req.render
    page = found[start : start + size]
    return Reply(
        200,
        {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": size,
            "total": len(found),
            "issues": [render.issue(i, wanted, expand=expand) for i in page],
        },
    )


# --- issues ------------------------------------------------------------------------------------------


def _issue_ref(state: JiraState, value: Any, field_name: str) -> Issue | None:
    if value in (None, {}, ""):
        return None
    ref = (value.get("id") or value.get("key")) if isinstance(value, dict) else value
    issue = state.find_issue(str(ref)) if ref else None
    if issue is None:
        raise JiraProblem(400, errors={field_name: f"Could not find issue by id or key: {ref}"})
    return issue


def _rich_text(req: Request, value: Any, field_name: str) -> Any:
    if value is None:
        return None
    if req.version == "3":
        if not (isinstance(value, dict) and value.get("type") == "doc"):
            raise JiraProblem(
                400,
                errors={
                    field_name: "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
                },
            )
        return value
    if not isinstance(value, str):
        raise JiraProblem(400, errors={field_name: "Operation value must be a string"})
    return value


def _user_id(req: Request, value: Any, field_name: str) -> str | None:
    if value is None:
        return None
    state = req.state
    if state.mode == "dc":
        user = state.user_by_name(str(value.get("name", ""))) if isinstance(value, dict) else None
    else:
        user = state.users.get(str(value.get("accountId", ""))) if isinstance(value, dict) else None
    if user is None:
        raise JiraProblem(
            400, errors={field_name: "Specified user does not exist or you do not have required permissions"}
        )
    return user.account_id


def field_changes(req: Request, issue: Issue | None, fields: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Request `fields` / `update` in the state's own terms; unknown or mistyped fields are 400s."""
    state = req.state
    both = set(fields) & set(update)
    if both:
        name = sorted(both)[0]
        raise JiraProblem(400, errors={name: f"Field '{name}' cannot be set in both 'fields' and 'update'."})
    changes: dict[str, Any] = {}
    for name, operations in update.items():
        if name == "labels":
            labels = list(issue.labels) if issue else []
            for operation in operations:
                if "set" in operation:
                    labels = list(operation["set"])
                if "add" in operation and operation["add"] not in labels:
                    labels.append(operation["add"])
                if "remove" in operation and operation["remove"] in labels:
                    labels.remove(operation["remove"])
            fields = fields | {"labels": labels}
        elif name == "parent" and operations and operations[-1].get("set", {}).get("none"):
            fields = fields | {"parent": None}
        elif operations and "set" in operations[-1]:
            fields = fields | {name: operations[-1]["set"]}
        else:
            raise JiraProblem(400, errors={name: f"Field '{name}' does not support these update operations."})
    for name, value in fields.items():
        if name in {"project", "status"}:
            continue  # project is read on create; status changes only through transitions
        if name == "summary":
            if not isinstance(value, str) or not value.strip():
                raise JiraProblem(400, errors={"summary": "You must specify a summary of the issue."})
            if len(value) > 255:
                raise JiraProblem(400, errors={"summary": "Summary must be less than 255 characters."})
            changes["summary"] = value
        elif name == "description":
            changes["description"] = _rich_text(req, value, "description")
        elif name == "labels":
            if not isinstance(value, list) or any(not isinstance(v, str) or " " in v for v in value):
                raise JiraProblem(400, errors={"labels": "Labels must be strings without spaces."})
            changes["labels"] = list(value)
        elif name == "priority":
            priority_id = (value or {}).get("id") or next(
                (k for k, v in PRIORITIES.items() if v == (value or {}).get("name")), None
            )
            if priority_id not in PRIORITIES:
                raise JiraProblem(400, errors={"priority": "Specify a valid priority id or name"})
            changes["priority"] = priority_id
        elif name == "assignee":
            changes["assignee"] = _user_id(req, value, "assignee")
        elif name == "issuetype":
            continue  # read on create
        elif name == STORY_POINTS_FIELD:
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise JiraProblem(400, errors={name: "Operation value must be a number"})
            changes[STORY_POINTS_FIELD] = value
        elif name == "parent" and (state.mode == "cloud" or issue is None or state.level(issue) == -1):
            parent = _issue_ref(state, value, "parent")
            changes["parent"] = parent.id if parent else None
        elif name == EPIC_NAME_FIELD and state.mode == "dc" and issue and state.is_epic_type(issue.issuetype_id):
            if value is not None and not isinstance(value, str):
                raise JiraProblem(400, errors={name: "Operation value must be a string"})
            if not (value or "").strip():
                raise JiraProblem(400, errors={name: "Epic Name is required."})
            changes[EPIC_NAME_FIELD] = value
        elif name in {EPIC_LINK_FIELD, PARENT_LINK_FIELD} and state.mode == "dc":
            parent = _issue_ref(state, value, name)
            changes["parent"] = parent.id if parent else None
        else:
            raise JiraProblem(
                400, errors={name: f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."}
            )
    return changes


def _check_parent_change(state: JiraState, issue: Issue, changes: dict[str, Any]) -> None:
    if changes.get("parent"):
        state.check_parent(issue, state.issues[changes["parent"]])


@route("POST", "issue")
def issue_create(req: Request) -> Reply:
    user = req.require_user()
    state = req.state
    body = req.body or {}
    fields = body.get("fields") or {}
    project_ref = fields.get("project") or {}
    project_key = project_ref.get("key") or next(
        (p.key for p in state.projects.values() if p.id == project_ref.get("id")), None
    )
    project = state.projects.get(str(project_key).upper()) if project_key else None
    if project is None or not state.project_visible(project, user):
        raise JiraProblem(400, errors={"project": "valid project is required"})
    type_ref = fields.get("issuetype") or {}
    issue_type = state.issue_types.get(str(type_ref.get("id"))) or next(
        (t for t in state.issue_types.values() if t.name == type_ref.get("name")), None
    )
    if issue_type is None or issue_type.id not in project.issue_type_ids:
        raise JiraProblem(400, errors={"issuetype": "Specify an issue type"})
    if "summary" not in fields:
        raise JiraProblem(400, errors={"summary": "You must specify a summary of the issue."})
    probe = Issue("0", "", project.key, issue_type.id, "", "10000", state.now(), state.now())
    changes = field_changes(req, probe, fields, body.get("update") or {})
    epic_name = changes.pop(EPIC_NAME_FIELD, None)
    if state.mode == "dc" and state.is_epic_type(issue_type.id) and not (epic_name or "").strip():
        raise JiraProblem(400, errors={EPIC_NAME_FIELD: "Epic Name is required."})  # as Jira DC answers
    parent_id = changes.pop("parent", None)
    with state.lock:
        issue = state.create_issue(
            project.key,
            issue_type.id,
            changes.pop("summary"),
            author_id=user.account_id,
            parent=parent_id,
            description=changes.pop("description", None),
            labels=changes.pop("labels", []),
            story_points=changes.pop(STORY_POINTS_FIELD, None),
            assignee_id=changes.pop("assignee", None),
            priority_id=changes.pop("priority", "3"),
            epic_name=epic_name,
        )
        for prop in body.get("properties") or []:
            issue.properties[prop["key"]] = prop["value"]
    return Reply(201, {"id": issue.id, "key": issue.key, "self": f"{req.render.api}/issue/{issue.id}"})


@route("GET", r"issue/([^/]+)")
def issue_get(req: Request) -> Reply:
    issue = req.state.visible_issue(req.args[0], req.user)
    wanted = req.list_param("fields") or ["*all"]
    return Reply(200, req.render.issue(issue, wanted, expand=_expand_set(req.param("expand"))))


@route("PUT", r"issue/([^/]+)")
def issue_edit(req: Request) -> Reply:
    user = req.require_user()
    state = req.state
    issue = state.visible_issue(req.args[0], user)
    body = req.body or {}
    changes = field_changes(req, issue, body.get("fields") or {}, body.get("update") or {})
    _check_parent_change(state, issue, changes)
    state.edit_issue(issue, changes, author_id=user.account_id)
    if req.param("returnIssue") == "true":
        return Reply(200, req.render.issue(issue, ["*all"]))
    return Reply(204)


@route("DELETE", r"issue/([^/]+)")
def issue_delete(req: Request) -> Reply:
    user = req.require_user()
    state = req.state
    issue = state.visible_issue(req.args[0], user)
    children = [i for i in state.issues.values() if i.parent_id == issue.id and state.level(i) == -1]
    if children and req.param("deleteSubtasks") != "true":
        raise JiraProblem(400, ["The issue has subtasks. Set deleteSubtasks=true to delete them with it."])
    for child in children:
        state.delete_issue(child, author_id=user.account_id)
    state.delete_issue(issue, author_id=user.account_id)
    return Reply(204)


@route("GET", r"issue/([^/]+)/transitions")
def transitions_get(req: Request) -> Reply:
    state = req.state
    issue = state.visible_issue(req.args[0], req.user)
    render = req.render
    body = [
        {
            "id": t.id,
            "name": t.name,
            "to": render.status(state.statuses[t.to_status_id]),
            "hasScreen": False,
            "isGlobal": t.from_status_ids is None,
            "isInitial": False,
            "isAvailable": True,
            "isConditional": False,
            "isLooped": False,
        }
        for t in state.available_transitions(issue)
    ]
    return Reply(200, {"expand": "transitions", "transitions": body})


@route("POST", r"issue/([^/]+)/transitions")
def transitions_do(req: Request) -> Reply:
    user = req.require_user()
    state = req.state
    issue = state.visible_issue(req.args[0], user)
    transition_id = str(((req.body or {}).get("transition") or {}).get("id", ""))
    state.transition(issue, transition_id, author_id=user.account_id)
    return Reply(204)


@route("GET", r"issue/([^/]+)/changelog", versions="3")
def changelog(req: Request) -> Reply:
    issue = req.state.visible_issue(req.args[0], req.user)
    start = req.int_param("startAt", 0)
    size = min(req.int_param("maxResults", 100), 100)
    page = issue.histories[start : start + size]
    return Reply(
        200,
        {
            "self": f"{req.render.api}/issue/{issue.id}/changelog?startAt={start}&maxResults={size}",
            "startAt": start,
            "maxResults": size,
            "total": len(issue.histories),
            "isLast": start + size >= len(issue.histories),
            "values": [req.render.history(h) for h in page],
        },
    )


@route("GET", r"issue/([^/]+)/comment")
def comments_get(req: Request) -> Reply:
    issue = req.state.visible_issue(req.args[0], req.user)
    comments = sorted(issue.comments, key=lambda c: c.created, reverse=req.param("orderBy") == "-created")
    return Reply(
        200, req.render.comment_page(comments, req.int_param("startAt", 0), min(req.int_param("maxResults", 100), 100))
    )


@route("POST", r"issue/([^/]+)/comment")
def comment_add(req: Request) -> Reply:
    user = req.require_user()
    issue = req.state.visible_issue(req.args[0], user)
    body = _rich_text(req, (req.body or {}).get("body"), "comment")
    if body is None:
        raise JiraProblem(400, errors={"comment": "Comment body can not be empty!"})
    comment = req.state.add_comment(issue, body, author_id=user.account_id)
    return Reply(201, req.render.comment(comment))


@route("GET", r"issue/([^/]+)/remotelink")
def remote_links_get(req: Request) -> Reply:
    issue = req.state.visible_issue(req.args[0], req.user)
    global_id = req.param("globalId")
    render = req.render
    if global_id is not None:
        link = next((link for link in issue.remote_links if link.global_id == global_id), None)
        if link is None:
            raise JiraProblem(404, ["No remote link with the given globalId was found."])
        return Reply(200, render.remote_link(issue, link))
    return Reply(200, [render.remote_link(issue, link) for link in issue.remote_links])


@route("POST", r"issue/([^/]+)/remotelink")
def remote_link_upsert(req: Request) -> Reply:
    user = req.require_user()
    issue = req.state.visible_issue(req.args[0], user)
    payload = req.body or {}
    remote = payload.get("object") or {}
    missing = {key: f"'{key}' is required." for key in ("url", "title") if not remote.get(key)}
    if missing:
        raise JiraProblem(400, errors={f"object.{k}": v for k, v in missing.items()})
    link, created = req.state.upsert_remote_link(issue, payload)
    body = {"id": link.id, "self": f"{req.render.api}/issue/{issue.id}/remotelink/{link.id}"}
    return Reply(201 if created else 200, body)


@route("GET", r"issue/([^/]+)/properties/([^/]+)")
def property_get(req: Request) -> Reply:
    issue = req.state.visible_issue(req.args[0], req.user)
    key = req.args[1]
    if key not in issue.properties:
        raise JiraProblem(404, [f"The property with key '{key}' does not exist."])
    return Reply(200, {"key": key, "value": issue.properties[key]})


@route("PUT", r"issue/([^/]+)/properties/([^/]+)")
def property_set(req: Request) -> Reply:
    user = req.require_user()
    issue = req.state.visible_issue(req.args[0], user)
    if len(req.raw_body) > 32768:
        raise JiraProblem(400, ["The property value is too long: 32768 bytes at most."])
    if req.body is None:
        raise JiraProblem(400, ["The property value must be valid JSON."])
    created = req.args[1] not in issue.properties
    issue.properties[req.args[1]] = req.body
    return Reply(201 if created else 200)


@route("DELETE", r"issue/([^/]+)/properties/([^/]+)")
def property_delete(req: Request) -> Reply:
    user = req.require_user()
    issue = req.state.visible_issue(req.args[0], user)
    if issue.properties.pop(req.args[1], None) is None:
        raise JiraProblem(404, [f"The property with key '{req.args[1]}' does not exist."])
    return Reply(204)
