"""How the stand-in shows its objects on the wire: v3 (Cloud, ADF) and v2 (Data Center, webhooks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .state import (
    CATEGORIES,
    EPIC_LINK_FIELD,
    EPIC_NAME_FIELD,
    PARENT_LINK_FIELD,
    PRIORITIES,
    STORY_POINTS_FIELD,
    Comment,
    FieldDef,
    History,
    Issue,
    IssueType,
    JiraState,
    Project,
    RemoteLink,
    Status,
    User,
)

# `fields=*navigable` and `*all` give these (comment is not navigable, as in Jira).
NAVIGABLE = ["summary", "status", "issuetype", "project", "parent", "description", "labels", "priority", "assignee"]
NAVIGABLE += ["reporter", "created", "updated", STORY_POINTS_FIELD, EPIC_LINK_FIELD, EPIC_NAME_FIELD, PARENT_LINK_FIELD]


def timestamp(moment: datetime) -> str:
    """Jira's form: milliseconds and a `+0000` offset without a colon."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}" + moment.strftime("%z")


class Renderer:
    def __init__(self, state: JiraState, version: str) -> None:
        self.state = state
        self.version = version  # "2" or "3"
        self.api = f"{state.base_url}/rest/api/{version}"

    # --- reference data ---------------------------------------------------------------------------

    def status_category(self, key: str) -> dict[str, Any]:
        number, name, color = CATEGORIES[key]
        return {
            "self": f"{self.api}/statuscategory/{number}",
            "id": number,
            "key": key,
            "colorName": color,
            "name": name,
        }

    def status(self, status: Status) -> dict[str, Any]:
        return {
            "self": f"{self.api}/status/{status.id}",
            "description": "",
            "iconUrl": f"{self.state.base_url}/images/icons/statuses/generic.png",
            "name": status.name,
            "id": status.id,
            "statusCategory": self.status_category(status.category),
        }

    def issue_type(self, issue_type: IssueType) -> dict[str, Any]:
        return {
            "self": f"{self.api}/issuetype/{issue_type.id}",
            "id": issue_type.id,
            "description": "",
            "iconUrl": f"{self.state.base_url}/images/icons/issuetypes/{issue_type.name.lower()}.svg",
            "name": issue_type.name,
            "subtask": issue_type.subtask,
            "avatarId": 10300,
            "hierarchyLevel": issue_type.hierarchy_level,
        }

    def project(self, project: Project, *, full: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "self": f"{self.api}/project/{project.id}",
            "id": project.id,
            "key": project.key,
            "name": project.name,
            "projectTypeKey": "software",
            "simplified": False,
        }
        if full:
            body |= {
                "style": "classic",
                "isPrivate": False,
                "issueTypes": [self.issue_type(self.state.issue_types[i]) for i in project.issue_type_ids],
            }
        return body

    def field(self, field: FieldDef) -> dict[str, Any]:
        clause = field.name if not field.custom else f"cf[{field.schema['customId']}]"
        return {
            "id": field.id,
            "key": field.id,
            "name": field.name,
            "custom": field.custom,
            "orderable": True,
            "navigable": True,
            "searchable": True,
            "clauseNames": [clause] if field.custom else [field.id],
            "schema": field.schema,
        }

    def user(self, user: User) -> dict[str, Any]:
        if self.state.mode == "dc":
            body = {
                "self": f"{self.api}/user?username={user.name}",
                "key": user.name,
                "name": user.name,
                "displayName": user.display_name,
                "active": True,
                "timeZone": user.time_zone,
            }
            if user.email_visible:  # an admin may hide e-mail addresses on Data Center too
                body["emailAddress"] = user.email
            return body
        body: dict[str, Any] = {
            "self": f"{self.api}/user?accountId={user.account_id}",
            "accountId": user.account_id,
            "accountType": "atlassian",
            "displayName": user.display_name,
            "active": True,
            "timeZone": user.time_zone,
        }
        if user.email_visible:
            body["emailAddress"] = user.email
        return body

    def user_ref(self, account_id: str | None) -> dict[str, Any] | None:
        user = self.state.users.get(account_id or "")
        return self.user(user) if user else None

    # --- issues ------------------------------------------------------------------------------------------

    def issue(self, issue: Issue, wanted: list[str] | None, *, expand: set[str] | None = None) -> dict[str, Any]:
        """`wanted` None: id, key and self only (search without `fields`)."""
        body: dict[str, Any] = {"id": issue.id, "key": issue.key, "self": f"{self.api}/issue/{issue.id}"}
        expand = expand or set()
        if wanted is None:
            return {"id": issue.id} if self.version == "3" else body
        all_fields = self.all_fields(issue)
        body["expand"] = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
        body["fields"] = {name: all_fields[name] for name in self.select(wanted) if name in all_fields}
        if "changelog" in expand:
            histories = [self.history(h) for h in issue.histories]
            body["changelog"] = {"startAt": 0, "maxResults": 100, "total": len(histories), "histories": histories[:100]}
        return body

    def select(self, wanted: list[str]) -> list[str]:
        names: list[str] = []
        excluded = {w[1:] for w in wanted if w.startswith("-")}
        for name in wanted:
            if name in {"*all", "*navigable"}:
                names += NAVIGABLE + (["comment"] if name == "*all" else [])
            elif not name.startswith("-"):
                names.append(name)
        return [name for name in dict.fromkeys(names) if name not in excluded]

    def all_fields(self, issue: Issue) -> dict[str, Any]:
        state = self.state
        fields: dict[str, Any] = {
            "summary": issue.summary,
            "status": self.status(state.statuses[issue.status_id]),
            "issuetype": self.issue_type(state.issue_types[issue.issuetype_id]),
            "project": self.project(state.projects[issue.project_key]),
            "description": self.text(issue.description),
            "labels": list(issue.labels),
            "priority": self.priority(issue.priority_id),
            "assignee": self.user_ref(issue.assignee_id),
            "reporter": self.user_ref(issue.reporter_id),
            "created": timestamp(issue.created),
            "updated": timestamp(issue.updated),
            STORY_POINTS_FIELD: issue.story_points,
            "comment": self.comment_page(issue.comments, 0, 5000),
        }
        parent = state.parent_of(issue)
        level = state.level(issue)
        if state.mode == "cloud" or level == -1:
            fields["parent"] = self.parent(parent) if parent else None
        if state.mode == "dc":
            fields[EPIC_LINK_FIELD] = parent.key if parent and level == 0 else None
            fields[PARENT_LINK_FIELD] = parent.key if parent and level >= 1 else None
            fields[EPIC_NAME_FIELD] = issue.epic_name if state.is_epic_type(issue.issuetype_id) else None
        return fields

    def parent(self, parent: Issue) -> dict[str, Any]:
        return {
            "id": parent.id,
            "key": parent.key,
            "self": f"{self.api}/issue/{parent.id}",
            "fields": {
                "summary": parent.summary,
                "status": self.status(self.state.statuses[parent.status_id]),
                "priority": self.priority(parent.priority_id),
                "issuetype": self.issue_type(self.state.issue_types[parent.issuetype_id]),
            },
        }

    def priority(self, priority_id: str | None) -> dict[str, Any] | None:
        if priority_id is None:
            return None
        return {"self": f"{self.api}/priority/{priority_id}", "id": priority_id, "name": PRIORITIES[priority_id]}

    def text(self, value: Any) -> Any:
        """Rich text as stored; the v2 view of an ADF value is its plain text (Jira renders wiki markup)."""
        if value is None or self.version == "3" or isinstance(value, str):
            return value
        return plain_text(value)

    def history(self, history: History) -> dict[str, Any]:
        body: dict[str, Any] = {"id": history.id, "created": timestamp(history.created), "items": history.items}
        author = self.user_ref(history.author_id)
        if author:
            body["author"] = author
        return body

    def comment(self, comment: Comment) -> dict[str, Any]:
        return {
            "self": f"{self.api}/comment/{comment.id}",
            "id": comment.id,
            "author": self.user_ref(comment.author_id),
            "body": self.text(comment.body),
            "updateAuthor": self.user_ref(comment.author_id),
            "created": timestamp(comment.created),
            "updated": timestamp(comment.updated),
            "jsdPublic": True,
        }

    def comment_page(self, comments: list[Comment], start_at: int, max_results: int) -> dict[str, Any]:
        page = comments[start_at : start_at + max_results]
        return {
            "comments": [self.comment(c) for c in page],
            "maxResults": max_results,
            "total": len(comments),
            "startAt": start_at,
        }

    def remote_link(self, issue: Issue, link: RemoteLink) -> dict[str, Any]:
        body = {"id": link.id, "self": f"{self.api}/issue/{issue.id}/remotelink/{link.id}"}
        for key in ("globalId", "application", "relationship", "object"):
            if key in link.payload:
                body[key] = link.payload[key]
        return body


def plain_text(node: Any) -> str:
    if isinstance(node, dict):
        if node.get("type") == "text":
            return str(node.get("text", ""))
        if node.get("type") == "hardBreak":
            return "\n"
        inner = "".join(plain_text(child) for child in node.get("content", []))
        block = node.get("type") in {"paragraph", "heading", "codeBlock", "listItem", "blockquote"}
        return inner + ("\n" if block else "")
    return ""
