"""Typed calls for the ~15 Jira endpoints the sync needs, the same for Cloud and Data Center.

The differences live here and nowhere else: base path and auth (`JiraSite`), search paging
(nextPageToken on Cloud, startAt/total on Data Center), rich text (ADF or wiki markup),
and where the changelog comes from.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from .. import adf, wiki
from .errors import JiraNotFound
from .retry import RetryPolicy
from .site import JiraSite
from .transport import DEFAULT_TIMEOUT, Hooks, Transport


@dataclass(frozen=True)
class ServerInfo:
    deployment_type: str  # "Cloud", "DataCenter" or "Server"
    base_url: str
    version: str
    title: str

    @property
    def is_cloud(self) -> bool:
        return self.deployment_type == "Cloud"


@dataclass(frozen=True)
class SearchPage:
    issues: list[dict[str, Any]]
    is_last: bool
    next_page_token: str | None = None  # Cloud
    start_at: int | None = None  # Data Center
    total: int | None = None  # Data Center only: Cloud's enhanced search gives no total


@dataclass(frozen=True)
class CreatedIssue:
    id: str
    key: str


@dataclass(frozen=True)
class UserLookup:
    """Who in Jira has this e-mail address: `assignee` is the reference an edit sends ({"accountId"} on
    Cloud, {"name"} on Data Center), None when no user shows that address. `hidden`: Jira found
    someone for the address but hides their e-mail, so they are not taken for a match (a search
    matches prefixes: `ann@example.com` also finds `ann@example.com.au`)."""

    email: str
    assignee: dict[str, str] | None
    hidden: bool = False


@dataclass(frozen=True)
class Transition:
    id: str
    name: str
    to_status_id: str
    to_category: str  # new / indeterminate / done


def _segment(value: str) -> str:
    return quote(str(value), safe="")


class JiraClient:
    def __init__(
        self,
        site: JiraSite,
        *,
        policy: RetryPolicy | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        hooks: Hooks | None = None,
    ) -> None:
        self.site = site
        self.transport = Transport(site, policy=policy, timeout=timeout, hooks=hooks)
        self.api = site.api_root
        # A client lives as long as one run (or one push): each e-mail is looked up once in it.
        self._users: dict[str, UserLookup] = {}

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> JiraClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.transport.request(method, self.api + path, **kwargs)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._call(method, path, **kwargs)
        return response.json() if response.content else None

    # --- rich text ------------------------------------------------------------------------------------

    def rich_text(self, markdown: str) -> Any:
        """Markdown as this site wants rich text: ADF on Cloud, wiki markup on Data Center."""
        return adf.markdown_to_adf(markdown) if self.site.is_cloud else wiki.markdown_to_wiki(markdown)

    def markdown(self, value: Any) -> str:
        """Rich text from this site (ADF, wiki string or null) as Markdown."""
        if value is None:
            return ""
        if isinstance(value, str):
            return wiki.wiki_to_markdown(value)
        return adf.adf_to_markdown(value)

    # --- site and metadata ------------------------------------------------------------------------------

    def server_info(self) -> ServerInfo:
        body = self._json("GET", "/serverInfo")
        return ServerInfo(
            deployment_type=str(body.get("deploymentType", "")),
            base_url=str(body.get("baseUrl", "")),
            version=str(body.get("version", "")),
            title=str(body.get("serverTitle", "")),
        )

    def myself(self) -> dict[str, Any]:
        return self._json("GET", "/myself")

    def project(self, key_or_id: str) -> dict[str, Any]:
        return self._json("GET", f"/project/{_segment(key_or_id)}")

    def project_statuses(self, key_or_id: str) -> list[dict[str, Any]]:
        return self._json("GET", f"/project/{_segment(key_or_id)}/statuses")

    def issue_types(self) -> list[dict[str, Any]]:
        return self._json("GET", "/issuetype")

    def issue_types_for_project(self, project_id: str) -> list[dict[str, Any]]:
        if not self.site.is_cloud:  # DC has no such call: the project itself lists its types
            return list(self.project(project_id).get("issueTypes", []))
        return self._json("GET", "/issuetype/project", params={"projectId": project_id})

    def fields(self) -> list[dict[str, Any]]:
        return self._json("GET", "/field")

    def field_by_schema(self, custom_type: str) -> dict[str, Any] | None:
        """Agile field ids differ per site; find them by `schema.custom` (e.g. jsw-story-points)."""
        return next((f for f in self.fields() if (f.get("schema") or {}).get("custom") == custom_type), None)

    def user_by_email(self, email: str) -> UserLookup:
        """The Jira user whose visible e-mail is exactly `email` (case-insensitive), cached per client.
        Cloud: GET /user/search?query=<email> → accountId. Data Center: GET /user/search?username=<email>
        (DC matches user name, display name and e-mail) → name."""
        wanted = email.strip().lower()
        cached = self._users.get(wanted)
        if cached is not None:
            return cached
        params = {"query": wanted} if self.site.is_cloud else {"username": wanted}
        found = self._json("GET", "/user/search", params=params) or []
        match = next((u for u in found if str(u.get("emailAddress") or "").lower() == wanted), None)
        if match is None:
            lookup = UserLookup(wanted, None, hidden=any(not u.get("emailAddress") for u in found))
        elif self.site.is_cloud:
            lookup = UserLookup(wanted, {"accountId": str(match["accountId"])})
        else:
            lookup = UserLookup(wanted, {"name": str(match.get("name") or match.get("key"))})
        self._users[wanted] = lookup
        return lookup

    # --- search ---------------------------------------------------------------------------------------------

    def search_page(
        self,
        jql: str,
        *,
        fields: Sequence[str],
        expand: Sequence[str] = (),
        max_results: int = 100,
        page_token: str | None = None,
        start_at: int = 0,
        reconcile_issues: Sequence[int | str] = (),
    ) -> SearchPage:
        """One page. Cloud: POST search/jql (token paging). Data Center: POST search (startAt)."""
        if self.site.is_cloud:
            body: dict[str, Any] = {"jql": jql, "fields": list(fields), "maxResults": max_results}
            if expand:
                body["expand"] = ",".join(expand)  # a comma string, even in the POST body
            if page_token:
                body["nextPageToken"] = page_token
            if reconcile_issues:
                body["reconcileIssues"] = [int(i) for i in reconcile_issues]
            data = self._json("POST", "/search/jql", json=body, idempotent=True)
            token = data.get("nextPageToken")
            return SearchPage(
                issues=data.get("issues", []),
                next_page_token=token,
                is_last=bool(data.get("isLast")) or not token,
            )
        body = {"jql": jql, "fields": list(fields), "maxResults": max_results, "startAt": start_at}
        if expand:
            body["expand"] = list(expand)  # an array in Data Center's POST body
        data = self._json("POST", "/search", json=body, idempotent=True)
        issues = data.get("issues", [])
        total = int(data.get("total", 0))
        start = int(data.get("startAt", start_at))
        return SearchPage(
            issues=issues, start_at=start, total=total, is_last=not issues or start + len(issues) >= total
        )

    def search_pages(
        self,
        jql: str,
        *,
        fields: Sequence[str],
        expand: Sequence[str] = (),
        max_results: int = 100,
        reconcile_issues: Sequence[int | str] = (),
    ) -> Iterator[SearchPage]:
        """Every page, in order: until `isLast` or no token (Cloud), or until `total` (Data Center)."""
        token: str | None = None
        start_at = 0
        while True:
            page = self.search_page(
                jql,
                fields=fields,
                expand=expand,
                max_results=max_results,
                page_token=token,
                start_at=start_at,
                reconcile_issues=reconcile_issues,
            )
            yield page
            if page.is_last:
                return
            token = page.next_page_token
            start_at = (page.start_at or 0) + len(page.issues)

    def search_issues(self, jql: str, *, fields: Sequence[str], **kwargs: Any) -> Iterator[dict[str, Any]]:
        for page in self.search_pages(jql, fields=fields, **kwargs):
            yield from page.issues

    def approximate_count(self, jql: str) -> int:
        if self.site.is_cloud:
            return int(self._json("POST", "/search/approximate-count", json={"jql": jql}, idempotent=True)["count"])
        return self.search_page(jql, fields=["id"], max_results=0).total or 0

    def find_issues_by_label(self, project_key: str, label: str, *, fields: Sequence[str] = ("id",)) -> list[dict]:
        """The look-up before re-trying a create whose outcome is unknown: our unique label on the issue.
        Search lags behind writes by seconds; a miss right after a timeout is not proof of absence."""
        jql = f'project = "{project_key}" AND labels = "{label}"'
        return list(self.search_issues(jql, fields=fields, max_results=50))

    # --- issues ------------------------------------------------------------------------------------------------

    def get_issue(
        self, id_or_key: str, *, fields: Sequence[str] | None = None, expand: Sequence[str] = ()
    ) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if fields is not None:
            params["fields"] = ",".join(fields)
        if expand:
            params["expand"] = ",".join(expand)
        return self._json("GET", f"/issue/{_segment(id_or_key)}", params=params or None)

    def create_issue(
        self,
        fields: dict[str, Any],
        *,
        update: dict[str, Any] | None = None,
        properties: Sequence[dict[str, Any]] = (),
    ) -> CreatedIssue:
        """Never retried blindly: a timeout or 5xx raises JiraOutcomeUnknown; look the issue up
        (find_issues_by_label / remote_link) before creating again. A 429 is retried (nothing was done)."""
        body: dict[str, Any] = {"fields": fields}
        if update:
            body["update"] = update
        if properties:
            body["properties"] = list(properties)
        data = self._json("POST", "/issue", json=body, idempotent=False)
        return CreatedIssue(id=str(data["id"]), key=str(data["key"]))

    def edit_issue(
        self,
        id_or_key: str,
        *,
        fields: dict[str, Any] | None = None,
        update: dict[str, Any] | None = None,
        notify_users: bool | None = None,
    ) -> None:
        body: dict[str, Any] = {}
        if fields:
            body["fields"] = fields
        if update:
            body["update"] = update
        params = {"notifyUsers": "true" if notify_users else "false"} if notify_users is not None else None
        self._call("PUT", f"/issue/{_segment(id_or_key)}", json=body, params=params)

    def delete_issue(self, id_or_key: str, *, delete_subtasks: bool = False) -> None:
        params = {"deleteSubtasks": "true"} if delete_subtasks else None
        self._call("DELETE", f"/issue/{_segment(id_or_key)}", params=params)

    def transitions(self, id_or_key: str) -> list[Transition]:
        data = self._json("GET", f"/issue/{_segment(id_or_key)}/transitions")
        return [
            Transition(
                id=str(t["id"]),
                name=str(t.get("name", "")),
                to_status_id=str(t["to"]["id"]),
                to_category=str(t["to"].get("statusCategory", {}).get("key", "")),
            )
            for t in data.get("transitions", [])
        ]

    def transition_issue(self, id_or_key: str, transition_id: str, *, fields: dict[str, Any] | None = None) -> None:
        """Not idempotent (a repeat may be refused from the new status): re-read the issue after a failure."""
        body: dict[str, Any] = {"transition": {"id": str(transition_id)}}
        if fields:
            body["fields"] = fields
        self._call("POST", f"/issue/{_segment(id_or_key)}/transitions", json=body, idempotent=False)

    def changelog(self, id_or_key: str) -> Iterator[dict[str, Any]]:
        """Histories, oldest first. Cloud pages /changelog; Data Center has only expand=changelog."""
        if not self.site.is_cloud:
            issue = self.get_issue(id_or_key, fields=["updated"], expand=["changelog"])
            yield from (issue.get("changelog") or {}).get("histories", [])
            return
        start = 0
        while True:
            data = self._json(
                "GET", f"/issue/{_segment(id_or_key)}/changelog", params={"startAt": start, "maxResults": 100}
            )
            values = data.get("values", [])
            yield from values
            start += len(values)
            if data.get("isLast", True) or not values or start >= int(data.get("total", start)):
                return

    def comments(self, id_or_key: str) -> Iterator[dict[str, Any]]:
        start = 0
        while True:
            data = self._json(
                "GET",
                f"/issue/{_segment(id_or_key)}/comment",
                params={"startAt": start, "maxResults": 100, "orderBy": "created"},
            )
            comments = data.get("comments", [])
            yield from comments
            start += len(comments)
            if not comments or start >= int(data.get("total", 0)):
                return

    def add_comment(self, id_or_key: str, body: Any) -> dict[str, Any]:
        """`body` in the site's rich text (see `rich_text`). Not idempotent."""
        return self._json("POST", f"/issue/{_segment(id_or_key)}/comment", json={"body": body}, idempotent=False)

    # --- remote links and properties ---------------------------------------------------------------------------

    def remote_links(self, id_or_key: str) -> list[dict[str, Any]]:
        return self._json("GET", f"/issue/{_segment(id_or_key)}/remotelink")

    def remote_link(self, id_or_key: str, global_id: str) -> dict[str, Any] | None:
        try:
            return self._json("GET", f"/issue/{_segment(id_or_key)}/remotelink", params={"globalId": global_id})
        except JiraNotFound:
            return None

    def upsert_remote_link(
        self,
        id_or_key: str,
        *,
        global_id: str,
        url: str,
        title: str,
        application: dict[str, str] | None = None,
        relationship: str | None = None,
        resolved: bool | None = None,
    ) -> tuple[int, bool]:
        """Create or replace (by globalId) the link back to our page; (link id, created).
        Safe to retry: the globalId makes it an upsert."""
        remote: dict[str, Any] = {"url": url, "title": title}
        if resolved is not None:
            remote["status"] = {"resolved": resolved}
        body: dict[str, Any] = {"globalId": global_id, "object": remote}
        if application:
            body["application"] = application
        if relationship:
            body["relationship"] = relationship
        response = self._call("POST", f"/issue/{_segment(id_or_key)}/remotelink", json=body, idempotent=True)
        return int(response.json()["id"]), response.status_code == 201

    def get_property(self, id_or_key: str, key: str) -> Any | None:
        try:
            data = self._json("GET", f"/issue/{_segment(id_or_key)}/properties/{_segment(key)}")
        except JiraNotFound:
            return None
        return data.get("value")

    def set_property(self, id_or_key: str, key: str, value: Any) -> bool:
        """True when the property was created, False when replaced."""
        response = self._call("PUT", f"/issue/{_segment(id_or_key)}/properties/{_segment(key)}", json=value)
        return response.status_code == 201
