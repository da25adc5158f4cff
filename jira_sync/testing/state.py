"""What the stand-in Jira holds: projects, issue types, workflow, fields, users and issues.

Writes go through `JiraState` methods, which keep Jira's bookkeeping: `updated` stamps,
changelog histories, the search index lag and the webhook events a change would fire.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

Mode = Literal["cloud", "dc"]

# statusCategory ids are integers on the wire; keys and ids per CONTRACT §4.
CATEGORIES: dict[str, tuple[int, str, str]] = {
    "new": (2, "To Do", "blue-gray"),
    "indeterminate": (4, "In Progress", "yellow"),
    "done": (3, "Done", "green"),
}
PRIORITIES = {"1": "Highest", "2": "High", "3": "Medium", "4": "Low", "5": "Lowest"}
STORY_POINTS_FIELD = "customfield_10016"
SPRINT_FIELD = "customfield_10020"
EPIC_LINK_FIELD = "customfield_10100"  # Data Center: epic → story
EPIC_NAME_FIELD = "customfield_10101"  # Data Center: required to create an epic
PARENT_LINK_FIELD = "customfield_10200"  # Data Center (Advanced Roadmaps): levels above epic


class JiraProblem(Exception):
    """A refusal Jira answers with an ErrorCollection."""

    def __init__(self, status: int, messages: Iterable[str] = (), errors: dict[str, str] | None = None) -> None:
        super().__init__(status, list(messages), errors or {})
        self.status = status
        self.messages = list(messages)
        self.errors = errors or {}


@dataclass
class Status:
    id: str
    name: str
    category: str


@dataclass
class IssueType:
    id: str
    name: str
    hierarchy_level: int
    subtask: bool = False


@dataclass
class Transition:
    id: str
    name: str
    to_status_id: str
    from_status_ids: tuple[str, ...] | None = None  # None: a global transition, valid from any status


@dataclass
class FieldDef:
    id: str
    name: str
    custom: bool
    schema: dict[str, Any]


@dataclass
class User:
    account_id: str
    display_name: str
    email: str
    email_visible: bool = True
    name: str = ""  # Data Center user name
    time_zone: str = "UTC"
    api_token: str = ""  # Cloud Basic
    pat: str = ""  # Data Center Bearer


@dataclass
class Project:
    id: str
    key: str
    name: str
    issue_type_ids: list[str]
    visible_to: set[str] | None = None  # account ids; None: everyone signed in
    next_number: int = 1


@dataclass
class Comment:
    id: str
    author_id: str
    body: Any
    created: datetime
    updated: datetime


@dataclass
class History:
    id: str
    author_id: str | None
    created: datetime
    items: list[dict[str, Any]]


@dataclass
class RemoteLink:
    id: int
    global_id: str | None
    payload: dict[str, Any]


@dataclass
class Issue:
    id: str
    key: str
    project_key: str
    issuetype_id: str
    summary: str
    status_id: str
    created: datetime
    updated: datetime
    reporter_id: str | None = None
    description: Any = None  # ADF dict on Cloud, wiki string on Data Center
    labels: list[str] = field(default_factory=list)
    priority_id: str | None = "3"
    assignee_id: str | None = None
    parent_id: str | None = None
    story_points: float | None = None
    epic_name: str | None = None  # Data Center epics only
    histories: list[History] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    remote_links: list[RemoteLink] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    previous_keys: list[str] = field(default_factory=list)
    # Search index: until `index_due`, search sees `index_snapshot` (None: not indexed yet).
    index_snapshot: Issue | None = None
    index_due: datetime | None = None


@dataclass
class WebhookEvent:
    identifier: str
    event: str
    issue_id: str
    timestamp: datetime
    user_id: str | None
    changelog: dict[str, Any] | None
    issue_snapshot: Issue
    event_type_name: str


def _utcnow() -> datetime:
    return datetime.now(UTC)


HIERARCHIES: dict[str, list[tuple[str, int, bool]]] = {
    # Standard Cloud: Feature is a custom type on the story level; only Epic sits above.
    "standard": [
        ("Epic", 1, False),
        ("Feature", 0, False),
        ("Story", 0, False),
        ("Task", 0, False),
        ("Sub-task", -1, True),
    ],
    # Premium: a custom level above, so that epic → feature → story is parent → parent.
    "feature-between": [
        ("Epic", 2, False),
        ("Feature", 1, False),
        ("Story", 0, False),
        ("Task", 0, False),
        ("Sub-task", -1, True),
    ],
}


class JiraState:
    """All of one stand-in site. Guarded by one lock: the HTTP server is threaded."""

    def __init__(self, mode: Mode = "cloud", *, hierarchy: str = "standard") -> None:
        self.mode: Mode = mode
        self.lock = threading.RLock()
        self.base_url = ""
        self.clock: Callable[[], datetime] = _utcnow
        self.index_lag = timedelta(0)
        # Bumped by every write to an issue: a search's result is kept for its next pages until then
        # (routes.run_jql), as Jira's index answers page after page without re-reading every issue.
        self.generation = 0
        self.search_cache: dict[tuple[Any, ...], list[Issue]] = {}
        self.max_page_size = 100  # full issues per search page
        self.max_id_page_size = 5000  # when only id/key are asked for
        self.dc_max_results = 1000  # DC silently clamps maxResults to an admin maximum
        self.site_time_zone = "UTC"
        self.statuses: dict[str, Status] = {}
        self.issue_types: dict[str, IssueType] = {}
        self.transitions: list[Transition] = []
        self.fields: list[FieldDef] = []
        self.users: dict[str, User] = {}
        self.projects: dict[str, Project] = {}
        self.issues: dict[str, Issue] = {}
        self.events: list[WebhookEvent] = []
        self._ids = itertools.count(10001)
        self._history_ids = itertools.count(20001)
        self._comment_ids = itertools.count(30001)
        self._link_ids = itertools.count(40001)
        self._event_ids = itertools.count(1)
        self._seed(hierarchy)

    # --- setup -------------------------------------------------------------------------------------

    def _seed(self, hierarchy: str) -> None:
        for status in (
            Status("10000", "To Do", "new"),
            Status("3", "In Progress", "indeterminate"),
            Status("10001", "In Review", "indeterminate"),
            Status("10002", "Done", "done"),
        ):
            self.statuses[status.id] = status
        # A workflow: transitions are valid only from the listed statuses.
        self.transitions = [
            Transition("11", "Start", "3", ("10000",)),
            Transition("21", "Review", "10001", ("3",)),
            Transition("31", "Done", "10002", ("3", "10001")),
            Transition("41", "Reopen", "10000", ("10002", "3", "10001")),
        ]
        for index, (name, level, subtask) in enumerate(HIERARCHIES[hierarchy]):
            type_id = str(10100 + index)
            self.issue_types[type_id] = IssueType(type_id, name, level, subtask)
        self.fields = [
            FieldDef("summary", "Summary", False, {"type": "string", "system": "summary"}),
            FieldDef("description", "Description", False, {"type": "string", "system": "description"}),
            FieldDef("status", "Status", False, {"type": "status", "system": "status"}),
            FieldDef("issuetype", "Issue Type", False, {"type": "issuetype", "system": "issuetype"}),
            FieldDef("project", "Project", False, {"type": "project", "system": "project"}),
            FieldDef("labels", "Labels", False, {"type": "array", "items": "string", "system": "labels"}),
            FieldDef("priority", "Priority", False, {"type": "priority", "system": "priority"}),
            FieldDef("assignee", "Assignee", False, {"type": "user", "system": "assignee"}),
            FieldDef("reporter", "Reporter", False, {"type": "user", "system": "reporter"}),
            FieldDef("created", "Created", False, {"type": "datetime", "system": "created"}),
            FieldDef("updated", "Updated", False, {"type": "datetime", "system": "updated"}),
            FieldDef(
                STORY_POINTS_FIELD,
                "Story point estimate",
                True,
                {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points", "customId": 10016},
            ),
            FieldDef(
                SPRINT_FIELD,
                "Sprint",
                True,
                {"type": "array", "items": "json", "custom": "com.pyxis.greenhopper.jira:gh-sprint", "customId": 10020},
            ),
        ]
        if self.mode == "cloud":
            self.fields.append(FieldDef("parent", "Parent", False, {"type": "issuelink", "system": "parent"}))
        else:
            self.fields += [
                FieldDef(
                    EPIC_LINK_FIELD,
                    "Epic Link",
                    True,
                    {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-epic-link", "customId": 10100},
                ),
                FieldDef(
                    EPIC_NAME_FIELD,
                    "Epic Name",
                    True,
                    {"type": "string", "custom": "com.pyxis.greenhopper.jira:gh-epic-label", "customId": 10101},
                ),
                FieldDef(
                    PARENT_LINK_FIELD,
                    "Parent Link",
                    True,
                    {"type": "any", "custom": "com.atlassian.jpo:jpo-custom-field-parent", "customId": 10200},
                ),
            ]
        self.add_user("557058:bot", "Sync Bot", "bot@example.com", api_token="bot-token", pat="bot-pat", name="syncbot")
        self.add_project("ABC", "Alphabet")

    def add_user(
        self,
        account_id: str,
        display_name: str,
        email: str,
        *,
        api_token: str = "",
        pat: str = "",
        name: str = "",
        email_visible: bool = True,
        time_zone: str = "UTC",
    ) -> User:
        user = User(account_id, display_name, email, email_visible, name or account_id, time_zone, api_token, pat)
        self.users[account_id] = user
        return user

    def add_project(self, key: str, name: str, *, visible_to: set[str] | None = None) -> Project:
        project = Project(str(10000 + len(self.projects)), key, name, list(self.issue_types), visible_to)
        self.projects[key] = project
        return project

    # --- lookups -------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock()

    def type_named(self, name: str) -> IssueType:
        return next(t for t in self.issue_types.values() if t.name.lower() == name.lower())

    def status_named(self, name: str) -> Status:
        return next(s for s in self.statuses.values() if s.name.lower() == name.lower())

    def user_by_email(self, email: str) -> User | None:
        return next((u for u in self.users.values() if u.email.lower() == email.lower()), None)

    def user_by_name(self, name: str) -> User | None:
        return next((u for u in self.users.values() if u.name == name), None)

    def search_users(self, text: str) -> list[User]:
        """Jira's user search: a prefix of the display name or the e-mail address (and, on Data Center,
        the user name). An account that hides its e-mail is still found by it, but shown without it."""
        wanted = text.strip().lower()
        if not wanted:
            return []
        found = []
        for user in self.users.values():
            names = [user.display_name.lower(), user.email.lower()]
            if self.mode == "dc":
                names.append(user.name.lower())
            if any(name.startswith(wanted) for name in names):
                found.append(user)
        return sorted(found, key=lambda u: (u.display_name, u.account_id))

    def is_epic_type(self, issuetype_id: str) -> bool:
        """The type Data Center's Epic Name belongs to (Jira Software's own "Epic")."""
        return self.issue_types[issuetype_id].name == "Epic"

    def project_visible(self, project: Project, user: User | None) -> bool:
        if user is None:
            return False
        return project.visible_to is None or user.account_id in project.visible_to

    def find_issue(self, id_or_key: str) -> Issue | None:
        """By id, by key (case-insensitive) and by a key the issue had before it moved."""
        if id_or_key in self.issues:
            return self.issues[id_or_key]
        wanted = id_or_key.upper()
        for issue in self.issues.values():
            if issue.key == wanted or wanted in issue.previous_keys:
                return issue
        return None

    def visible_issue(self, id_or_key: str, user: User | None) -> Issue:
        issue = self.find_issue(id_or_key)
        if issue is None or not self.project_visible(self.projects[issue.project_key], user):
            raise JiraProblem(404, ["Issue does not exist or you do not have permission to see it."])
        return issue

    def parent_of(self, issue: Issue) -> Issue | None:
        return self.issues.get(issue.parent_id) if issue.parent_id else None

    def level(self, issue: Issue) -> int:
        return self.issue_types[issue.issuetype_id].hierarchy_level

    def available_transitions(self, issue: Issue) -> list[Transition]:
        return [
            t
            for t in self.transitions
            if t.to_status_id != issue.status_id and (t.from_status_ids is None or issue.status_id in t.from_status_ids)
        ]

    # --- writes ---------------------------------------------------------------------------------------

    def create_issue(
        self,
        project_key: str,
        issuetype: str,
        summary: str,
        *,
        author_id: str | None = "557058:bot",
        status: str | None = None,
        parent: Issue | str | None = None,
        description: Any = None,
        labels: Iterable[str] = (),
        story_points: float | None = None,
        assignee_id: str | None = None,
        priority_id: str | None = "3",
        epic_name: str | None = None,
        at: datetime | None = None,
    ) -> Issue:
        with self.lock:
            project = self.projects[project_key]
            issue_type = self.issue_types[issuetype] if issuetype in self.issue_types else self.type_named(issuetype)
            moment = at or self.now()
            issue = Issue(
                id=str(next(self._ids)),
                key=f"{project.key}-{project.next_number}",
                project_key=project.key,
                issuetype_id=issue_type.id,
                summary=summary,
                status_id=(self.status_named(status).id if status else "10000"),
                created=moment,
                updated=moment,
                reporter_id=author_id,
                description=description,
                labels=list(labels),
                priority_id=priority_id,
                assignee_id=assignee_id,
                story_points=story_points,
            )
            if self.mode == "dc" and self.is_epic_type(issue_type.id):
                issue.epic_name = epic_name or summary  # Jira DC never holds an epic without one
            if parent is not None:
                parent_issue = parent if isinstance(parent, Issue) else self.find_issue(parent)
                if parent_issue is None:
                    raise JiraProblem(400, errors={"parent": f"Could not find issue by id or key: {parent}"})
                self.check_parent(issue, parent_issue)
                issue.parent_id = parent_issue.id
            project.next_number += 1
            self.issues[issue.id] = issue
            self._index_after_write(issue, previous=None)
            self._fire("jira:issue_created", issue, author_id, None)
            return issue

    def check_parent(self, child: Issue, parent: Issue) -> None:
        child_level, parent_level = self.level(child), self.level(parent)
        if parent_level != child_level + 1:
            child_type = self.issue_types[child.issuetype_id].name
            raise JiraProblem(
                400,
                errors={"parent": f"Issue type '{child_type}' can't have an issue of level {parent_level} as parent."},
            )
        if child_level == -1 and parent.project_key != child.project_key:
            raise JiraProblem(400, errors={"parent": "A sub-task must be in its parent's project."})

    def edit_issue(self, issue: Issue, changes: dict[str, Any], *, author_id: str | None = None) -> None:
        """`changes` maps a field id to its new value in the state's own terms (ids for references)."""
        with self.lock:
            previous = copy.copy(issue)
            items = []
            for field_id, value in changes.items():
                before = getattr(issue, _ATTRIBUTE[field_id])
                if before == value:
                    continue
                setattr(issue, _ATTRIBUTE[field_id], value)
                items.append(self._change_item(field_id, before, value))
            if not items:
                return
            self._stamp(issue, previous, items, author_id)

    def transition(self, issue: Issue, transition_id: str, *, author_id: str | None = None) -> None:
        with self.lock:
            transition = next((t for t in self.available_transitions(issue) if t.id == transition_id), None)
            if transition is None:
                raise JiraProblem(
                    400,
                    [f"Transition id '{transition_id}' is not valid for this issue."],
                )
            previous = copy.copy(issue)
            before = issue.status_id
            issue.status_id = transition.to_status_id
            self._stamp(issue, previous, [self._change_item("status", before, issue.status_id)], author_id)

    def set_status(self, issue: Issue, status_name: str, *, author_id: str | None = None) -> None:
        """Test helper: jump to a status without walking the workflow."""
        self.edit_issue(issue, {"status": self.status_named(status_name).id}, author_id=author_id)

    def delete_issue(self, issue: Issue, *, author_id: str | None = None) -> None:
        with self.lock:
            self.issues.pop(issue.id, None)
            self.generation += 1
            self._fire("jira:issue_deleted", issue, author_id, None)

    def move_issue(self, issue: Issue, project_key: str, *, author_id: str | None = None) -> None:
        """A move keeps the id and gives a new key; the old key still finds the issue."""
        with self.lock:
            previous = copy.copy(issue)
            target = self.projects[project_key]
            old_key = issue.key
            issue.previous_keys.append(old_key)
            issue.key = f"{target.key}-{target.next_number}"
            target.next_number += 1
            issue.project_key = target.key
            items = [
                {"field": "Key", "fieldtype": "jira", "fromString": old_key, "toString": issue.key},
                {
                    "field": "project",
                    "fieldtype": "jira",
                    "fieldId": "project",
                    "from": self.projects[previous.project_key].id,
                    "fromString": self.projects[previous.project_key].name,
                    "to": target.id,
                    "toString": target.name,
                },
            ]
            self._stamp(issue, previous, items, author_id)

    def add_comment(self, issue: Issue, body: Any, *, author_id: str) -> Comment:
        with self.lock:
            moment = self.now()
            comment = Comment(str(next(self._comment_ids)), author_id, body, moment, moment)
            issue.comments.append(comment)
            previous = copy.copy(issue)
            issue.updated = moment
            self._index_after_write(issue, previous)
            self._fire("jira:issue_updated", issue, author_id, None, event_type="issue_commented")
            return comment

    def upsert_remote_link(self, issue: Issue, payload: dict[str, Any]) -> tuple[RemoteLink, bool]:
        with self.lock:
            global_id = payload.get("globalId")
            existing = next((link for link in issue.remote_links if global_id and link.global_id == global_id), None)
            if existing is not None:
                existing.payload = payload  # omitted fields are nulled: the new payload replaces the old
                return existing, False
            link = RemoteLink(next(self._link_ids), global_id, payload)
            issue.remote_links.append(link)
            return link, True

    # --- bookkeeping ------------------------------------------------------------------------------------

    def _stamp(self, issue: Issue, previous: Issue, items: list[dict[str, Any]], author_id: str | None) -> None:
        moment = self.now()
        issue.updated = max(moment, issue.updated)
        history = History(str(next(self._history_ids)), author_id, issue.updated, items)
        issue.histories.append(history)
        self._index_after_write(issue, previous)
        self._fire("jira:issue_updated", issue, author_id, {"id": history.id, "items": items})

    def _index_after_write(self, issue: Issue, previous: Issue | None) -> None:
        self.generation += 1
        if self.index_lag <= timedelta(0):
            issue.index_snapshot, issue.index_due = None, None
            return
        if issue.index_due is None or issue.index_due <= self.now():
            issue.index_snapshot = previous
        issue.index_due = self.now() + self.index_lag

    def indexed_view(self, issue: Issue, reconcile: set[str]) -> Issue | None:
        """What search sees of an issue: the last indexed version unless the caller reconciles it."""
        if issue.id in reconcile or issue.index_due is None or issue.index_due <= self.now():
            return issue
        return issue.index_snapshot

    def _change_item(self, field_id: str, before: Any, after: Any) -> dict[str, Any]:
        def shown(value: Any) -> str | None:
            if value is None:
                return None
            if field_id == "status":
                return self.statuses[value].name
            if field_id == "issuetype":
                return self.issue_types[value].name
            if field_id == "priority":
                return PRIORITIES[value]
            if field_id in {"assignee", "reporter"}:
                return self.users[value].display_name if value in self.users else value
            if field_id == "parent":
                parent = self.issues.get(value)
                return parent.key if parent else value
            if field_id == "labels":
                return " ".join(value)
            if field_id == "description":
                return None  # Jira shows rich text in the UI, not in the changelog strings
            return str(value)

        raw = field_id in {"status", "issuetype", "priority", "assignee", "reporter", "parent"}
        item = {
            "field": _CHANGELOG_NAMES.get(field_id, field_id),
            "fieldtype": "custom" if field_id.startswith("customfield_") else "jira",
            "fieldId": field_id,
            "from": before if raw else None,
            "fromString": shown(before),
            "to": after if raw else None,
            "toString": shown(after),
        }
        # Live Jira sends nulls here; the spec types these as strings, so the stand-in leaves them out.
        return {key: value for key, value in item.items() if value is not None}

    def _fire(
        self,
        event: str,
        issue: Issue,
        author_id: str | None,
        changelog: dict[str, Any] | None,
        *,
        event_type: str | None = None,
    ) -> None:
        number = next(self._event_ids)
        self.events.append(
            WebhookEvent(
                identifier=f"{number:08d}-wh",
                event=event,
                issue_id=issue.id,
                timestamp=self.now(),
                user_id=author_id,
                changelog=changelog,
                issue_snapshot=copy.deepcopy(issue),
                event_type_name=event_type or _EVENT_TYPE_NAMES[event],
            )
        )


_ATTRIBUTE = {
    "summary": "summary",
    "description": "description",
    "labels": "labels",
    "priority": "priority_id",
    "assignee": "assignee_id",
    "parent": "parent_id",
    "status": "status_id",
    "issuetype": "issuetype_id",
    STORY_POINTS_FIELD: "story_points",
    EPIC_NAME_FIELD: "epic_name",
}
_EVENT_TYPE_NAMES = {
    "jira:issue_created": "issue_created",
    "jira:issue_updated": "issue_generic",
    "jira:issue_deleted": "issue_deleted",
}
_CHANGELOG_NAMES = {"status": "status", "assignee": "assignee", STORY_POINTS_FIELD: "Story point estimate"}
