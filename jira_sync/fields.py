"""The mapped fields: their normalised values on each side, the Jira payload for ours, and Jira's value here.

Values are compared normalised, never as bytes (CONTRACT §6): Markdown after a round trip through
the site's rich text, labels sorted (spaces as dashes: Jira refuses spaces), points as a Decimal
string, priority by name, assignee by e-mail, parent and status as ids. A field that cannot be
read or expressed (an assignee whose e-mail Jira hides, a parent level Jira's hierarchy lacks) is
left out of the values: the merge then leaves it alone on both sides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from backlog.models import Epic, Feature, Priority, Story, WorkflowStatus

from . import adf, wiki
from .jira import JiraClient, JiraNotFound
from .models import IssueLink, JiraConnection, ProjectMapping, StatusMapping, item_kind

MARKER_PREFIX = "tpmws-"
PRIORITY_NAMES = {int(value): str(label) for value, label in Priority.choices}
PRIORITY_VALUES = {name.lower(): value for value, name in PRIORITY_NAMES.items()}
KIND_FIELDS = {
    "epic": ("summary", "description", "labels", "status"),
    "feature": ("summary", "description", "labels", "status", "parent"),
    "story": ("summary", "description", "labels", "status", "parent", "points", "priority", "assignee"),
}
LOCAL_PARENT = "local:"  # a parent we have not pushed yet: never equal to a Jira id


def marker_label(connection_id: int, kind: str, pk: int) -> str:
    """The unique label a created issue carries: how a create whose answer was lost is found again."""
    return f"{MARKER_PREFIX}{connection_id}-{kind}-{pk}"


def parse_jira_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")


def norm_markdown(markdown: str | None, *, cloud: bool) -> str:
    text = (markdown or "").strip()
    if not text:
        return ""
    if cloud:
        return adf.adf_to_markdown(adf.markdown_to_adf(text)).strip()
    return wiki.wiki_to_markdown(wiki.markdown_to_wiki(text)).strip()


def norm_points(value: Any) -> str | None:
    if value is None or value == "":
        return None
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except InvalidOperation:
        return None


def norm_labels(names: Any) -> list[str]:
    cleaned = {str(n).strip().replace(" ", "-") for n in names or [] if str(n).strip()}
    return sorted(n for n in cleaned if not n.startswith(MARKER_PREFIX))


@dataclass
class SyncContext:
    """One mapping at work: its connection, client and lookups, cached for the length of a run.

    The caches hold only what was found (a link, a member, a status): a miss is asked again, so an
    item linked or a person invited during the run is seen.
    """

    connection: JiraConnection
    mapping: ProjectMapping
    client: JiraClient
    _statuses: dict[str, StatusMapping] | None = field(default=None, repr=False)
    _workflow_statuses: dict[int, WorkflowStatus] | None = field(default=None, repr=False)
    _items: dict[str, Epic | Feature | Story] = field(default_factory=dict, repr=False)  # Jira id → our item
    _ids_by_key: dict[str, str] = field(default_factory=dict, repr=False)  # Jira key → Jira id
    _ids_by_item: dict[tuple[str, int], str] = field(default_factory=dict, repr=False)  # (kind, pk) → Jira id
    _members: dict[str, Any] = field(default_factory=dict, repr=False)  # e-mail → workspace member
    _linked: set[str] = field(default_factory=set, repr=False)  # Jira ids and keys with a live link

    @property
    def cloud(self) -> bool:
        return self.connection.is_cloud

    def status_mappings(self) -> dict[str, StatusMapping]:
        if self._statuses is None:
            rows = StatusMapping.objects.filter(mapping=self.mapping).select_related("workflow_status")
            self._statuses = {row.jira_status_id: row for row in rows}
        return self._statuses

    def search_fields(self) -> list[str]:
        names = ["summary", "description", "status", "issuetype", "labels", "priority", "assignee", "updated"]
        names += ["project", "parent"] if self.cloud else ["project"]
        for extra in (
            self.mapping.story_points_field_id,
            self.mapping.epic_link_field_id,
            self.mapping.parent_link_field_id,
        ):
            if extra:
                names.append(extra)
        return names

    def parent_field(self, kind: str) -> str | None:
        """Where Jira keeps this kind's parent: `parent` on Cloud; Epic Link / Parent Link on Data Center."""
        if self.cloud:
            return "parent"
        level = self.mapping.level_of_kind(kind)
        return (self.mapping.epic_link_field_id if level <= 0 else self.mapping.parent_link_field_id) or None

    def workflow_status(self, pk: int) -> WorkflowStatus:
        if self._workflow_statuses is None:
            self._workflow_statuses = {
                s.pk: s for s in WorkflowStatus.objects.filter(product_id=self.mapping.product_id)
            }
        if pk not in self._workflow_statuses:
            self._workflow_statuses[pk] = WorkflowStatus.objects.get(pk=pk)
        return self._workflow_statuses[pk]

    def remember(self, link: IssueLink, item: Any | None = None) -> None:
        """Note a live link to an epic or feature (a parent) for the lookups below. Stories are never
        parents: not keeping them keeps a run's memory flat however many issues it brings."""
        item = item if item is not None else link.item
        if link.story_id or isinstance(item, Story):
            return
        self._ids_by_key[link.jira_key] = link.jira_issue_id
        self._linked |= {link.jira_key, link.jira_issue_id}
        if item is not None:
            self._items[link.jira_issue_id] = item
            self._ids_by_item[(item_kind(item), item.pk)] = link.jira_issue_id

    def load_links(self, refs: Iterable[str]) -> None:
        """Read the live links of these Jira ids or keys (a page's parents) in one query."""
        missing = {ref for ref in refs if ref not in self._linked}
        if not missing:
            return
        rows = IssueLink.objects.filter(connection=self.connection, archived_at__isnull=True).filter(
            Q(jira_issue_id__in=missing) | Q(jira_key__in=missing)
        )
        for link in rows.select_related("epic", "feature", "story"):
            self.remember(link)

    def is_linked(self, ref: str) -> bool:
        self.load_links([ref])
        return ref in self._linked

    def jira_id_for_key(self, key: str) -> str | None:
        """The Jira id of a live link's issue named by its key (Data Center names parents by key)."""
        self.load_links([key])
        return self._ids_by_key.get(key)

    def item_for_ref(self, ref: str) -> Epic | Feature | Story | None:
        """Our item linked to the Jira issue with this id or key, if any."""
        self.load_links([ref])
        return self._items.get(self._ids_by_key.get(ref, ref))

    def jira_id_of(self, item: Any) -> str | None:
        key = (item_kind(item), item.pk)
        if key not in self._ids_by_item:
            link = self.link_for(item)
            if link is None or link.archived_at:
                return link.jira_issue_id if link else None
            self.remember(link, item)
        return self._ids_by_item[key]

    def member(self, email: str) -> Any | None:
        if email not in self._members:
            person = member_by_email(self, email)
            if person is None:
                return None
            self._members[email] = person
        return self._members[email]

    def link_for(self, item: Any) -> IssueLink | None:
        return IssueLink.objects.filter(**{f"{item_kind(item)}_id": item.pk}).first()

    def item_url(self, item: Any) -> str:
        kind = item_kind(item)
        try:
            path = reverse(f"backlog:{kind}_detail", kwargs={"product_id": item.product_id, f"{kind}_id": item.pk})
        except NoReverseMatch:
            path = f"/p/{item.product_id}/backlog/{kind.replace('story', 'storie')}s/{item.pk}/"
        return f"{settings.SITE_URL}{path}"


# --- ours -------------------------------------------------------------------------------------------


def expected_parent(ctx: SyncContext, item: Any) -> Any | None:
    """Our item that Jira's parent of `item` should be, given the levels of the mapped types."""
    kind = item_kind(item)
    level = ctx.mapping.level_of_kind(kind)
    if kind == "feature":
        return item.epic if ctx.mapping.epic_level == level + 1 else None
    if kind == "story":
        if item.feature_id and ctx.mapping.feature_type_id and ctx.mapping.feature_level == level + 1:
            return item.feature
        epic = item.feature.epic if item.feature_id else item.epic
        return epic if epic is not None and ctx.mapping.epic_level == level + 1 else None
    return None


def parent_expressible(ctx: SyncContext, kind: str) -> bool:
    if kind == "epic" or ctx.parent_field(kind) is None:
        return False
    if kind == "feature":
        return ctx.mapping.epic_level == ctx.mapping.feature_level + 1
    return ctx.mapping.story_level + 1 in {ctx.mapping.epic_level, ctx.mapping.feature_level}


def ours_values(ctx: SyncContext, item: Any, *, labels: Iterable[str] | None = None) -> dict[str, Any]:
    """`labels`: the item's label names when the caller has them (an item it just created)."""
    kind = item_kind(item)
    values: dict[str, Any] = {
        "summary": item.title.strip(),
        "description": norm_markdown(item.description, cloud=ctx.cloud),
        "labels": norm_labels(item.labels.values_list("name", flat=True) if labels is None else labels),
        "status": item.status_id,
    }
    if kind == "story":
        values["points"] = norm_points(item.points)
        values["priority"] = PRIORITY_NAMES.get(item.priority)
        values["assignee"] = item.assignee.email.lower() if item.assignee_id and item.assignee.email else None
    if parent_expressible(ctx, kind):
        parent = expected_parent(ctx, item)
        if parent is None:
            values["parent"] = None
        else:
            jira_id = ctx.jira_id_of(parent)
            values["parent"] = jira_id or f"{LOCAL_PARENT}{item_kind(parent)}:{parent.pk}"
    return values


# --- theirs ----------------------------------------------------------------------------------------------


def _jira_parent_id(ctx: SyncContext, kind: str, fields: dict[str, Any]) -> tuple[bool, str | None]:
    """(known, Jira id of the parent). Data Center names the parent by key: resolved through our links."""
    name = ctx.parent_field(kind)
    if name is None or name not in fields:
        return False, None
    value = fields.get(name)
    if not value:
        return True, None
    if isinstance(value, dict):
        return True, str(value.get("id")) if value.get("id") else None
    if (jira_id := ctx.jira_id_for_key(str(value))) is not None:
        return True, jira_id
    link = IssueLink.objects.filter(connection=ctx.connection, jira_key=str(value)).first()  # an archived one
    if link is not None:
        return True, link.jira_issue_id
    try:
        return True, str(ctx.client.get_issue(str(value), fields=["summary"])["id"])
    except JiraNotFound:  # a parent the account cannot see is left alone, not fatal to the issue
        return False, None


def theirs_values(ctx: SyncContext, kind: str, issue: dict[str, Any]) -> dict[str, Any]:
    fields = issue.get("fields") or {}
    values: dict[str, Any] = {
        "summary": str(fields.get("summary") or "").strip(),
        "description": norm_markdown(ctx.client.markdown(fields.get("description")), cloud=ctx.cloud),
        "labels": norm_labels(fields.get("labels")),
    }
    status = ctx.status_mappings().get(str((fields.get("status") or {}).get("id", "")))
    if status is not None:
        values["status"] = status.workflow_status_id
    if kind == "story":
        if ctx.mapping.story_points_field_id and ctx.mapping.story_points_field_id in fields:
            values["points"] = norm_points(fields.get(ctx.mapping.story_points_field_id))
        if "priority" in fields:
            values["priority"] = (fields.get("priority") or {}).get("name")
        assignee = fields.get("assignee")
        if assignee is None and "assignee" in fields:
            values["assignee"] = None
        elif isinstance(assignee, dict) and assignee.get("emailAddress"):
            values["assignee"] = str(assignee["emailAddress"]).lower()
    if parent_expressible(ctx, kind):
        known, parent_id = _jira_parent_id(ctx, kind, fields)
        if known:
            values["parent"] = parent_id
    return values


def jira_parent_ref(issue: dict[str, Any], ctx: SyncContext, kind: str) -> str | None:
    """The parent's id (Cloud) or key (Data Center) as the issue names it, for fetching it first."""
    name = ctx.parent_field(kind)
    value = (issue.get("fields") or {}).get(name) if name else None
    if isinstance(value, dict):
        return str(value.get("id") or value.get("key") or "") or None
    return str(value) if value else None


# --- ours → Jira payload ------------------------------------------------------------------------------------


def jira_fields(ctx: SyncContext, kind: str, values: dict[str, Any], *, marker: str | None) -> dict[str, Any]:
    """The `fields` of a create or edit for these normalised values (status travels by transition);
    `marker`: our label, kept on the issues we created."""
    payload: dict[str, Any] = {}
    for name, value in values.items():
        if name == "summary":
            payload["summary"] = value
        elif name == "description":
            payload["description"] = ctx.client.rich_text(value) if value else None
        elif name == "labels":
            payload["labels"] = [*value, *([marker] if marker else [])]
        elif name == "points" and ctx.mapping.story_points_field_id:
            number = Decimal(value) if value is not None else None
            payload[ctx.mapping.story_points_field_id] = (
                None if number is None else int(number) if number == number.to_integral() else float(number)
            )
        elif name == "priority" and value:
            payload["priority"] = {"name": value}
        elif name == "assignee":
            # By e-mail (looked up once per run); a person Jira does not show is left out (push says why).
            if value is None:
                payload["assignee"] = None
            elif (found := ctx.client.user_by_email(value).assignee) is not None:
                payload["assignee"] = found
        elif name == "parent":
            parent_field = ctx.parent_field(kind)
            if parent_field is None:
                continue
            if value is None:
                payload[parent_field] = None
            elif ctx.cloud:
                payload[parent_field] = {"id": value}
            else:
                link = IssueLink.objects.filter(connection=ctx.connection, jira_issue_id=value).first()
                payload[parent_field] = link.jira_key if link else value
    return payload


# --- theirs → ours ------------------------------------------------------------------------------------------


def member_by_email(ctx: SyncContext, email: str) -> Any | None:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(email__iexact=email, memberships__workspace_id=ctx.connection.workspace_id)
        .first()
    )


def service_changes(ctx: SyncContext, kind: str, changes: dict[str, Any]) -> tuple[dict[str, Any], list[str] | None]:
    """Model changes (and labels) for a backlog service, from normalised Jira values. Values that have
    no home here (an unknown e-mail, a parent we do not hold) are dropped: the field is left alone."""
    model_changes: dict[str, Any] = {}
    labels: list[str] | None = None
    for name, value in changes.items():
        if name == "summary":
            model_changes["title"] = value[:255]
        elif name == "description":
            model_changes["description"] = value
        elif name == "labels":
            labels = list(value)
        elif name == "status":
            model_changes["status"] = ctx.workflow_status(value)
        elif name == "points":
            model_changes["points"] = None if value is None else int(Decimal(value).to_integral_value())
        elif name == "priority" and value and value.lower() in PRIORITY_VALUES:
            model_changes["priority"] = PRIORITY_VALUES[value.lower()]
        elif name == "assignee":
            person = ctx.member(value) if value else None
            if value is None or person is not None:
                model_changes["assignee"] = person
        elif name == "parent":
            model_changes |= _parent_changes(ctx, kind, value)
    return model_changes, labels


def _parent_changes(ctx: SyncContext, kind: str, jira_id: str | None) -> dict[str, Any]:
    parent = ctx.item_for_ref(jira_id) if jira_id else None
    if kind == "feature":
        return {"epic": parent} if isinstance(parent, Epic) else {}
    if kind == "story":
        if jira_id is None:
            return {"epic": None, "feature": None}
        if isinstance(parent, Feature):
            return {"feature": parent, "epic": None}
        if isinstance(parent, Epic):
            return {"epic": parent, "feature": None}
    return {}
