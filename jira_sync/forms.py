"""Forms of the Jira pages. Credentials are write-only: the token widget never renders a value."""

from __future__ import annotations

from typing import Any

from django import forms

from backlog.models import WorkflowStatus

from .models import (
    DEFAULT_DIRECTIONS,
    FIELDS,
    Conflict,
    ConflictPolicy,
    Direction,
    JiraConnection,
    ProjectMapping,
    StatusMapping,
)
from .services.mappings import Discovery

FIELD_LABELS = {
    "summary": "Summary (our title)",
    "description": "Description",
    "points": "Story points",
    "priority": "Priority",
    "labels": "Labels",
    "assignee": "Assignee (by e-mail)",
    "parent": "Parent (epic / feature link)",
    "status": "Status",
}
ASSIGNEE_HELP = (
    "Towards Jira the assignee goes by e-mail: to the Jira user showing that address. Someone Jira does not "
    "show (no account, or a hidden address) is reported on the run and left unassigned there."
)


class ConnectionForm(forms.Form):
    site_url = forms.URLField(
        label="Site address",
        max_length=300,
        assume_scheme="https",
        help_text="For example https://your-site.atlassian.net, or the base address of your Data Center.",
    )
    deployment = forms.ChoiceField(
        label="Deployment", choices=JiraConnection._meta.get_field("deployment").choices, widget=forms.RadioSelect
    )
    email = forms.EmailField(
        label="E-mail address", required=False, help_text="Jira Cloud: the e-mail address of the integration account."
    )
    token = forms.CharField(
        label="API token or personal access token",
        required=False,
        max_length=1000,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Cloud: an API token of that account. Data Center: a personal access token. Never shown again.",
    )
    conflict_policy = forms.ChoiceField(
        label="When both sides changed the same field",
        choices=ConflictPolicy.choices,
        widget=forms.RadioSelect,
        initial=ConflictPolicy.ASK,
    )
    is_enabled = forms.BooleanField(label="Sync is on", required=False, initial=True)

    def __init__(self, *args: Any, connection: JiraConnection | None = None, **kwargs: Any) -> None:
        if connection is not None and not args and "data" not in kwargs:
            kwargs["initial"] = {
                "site_url": connection.site_url,
                "deployment": connection.deployment,
                "email": connection.email,
                "conflict_policy": connection.conflict_policy,
                "is_enabled": connection.is_enabled,
            }
        super().__init__(*args, **kwargs)
        self.connection = connection
        if connection is None:
            del self.fields["is_enabled"]
            self.fields["token"].required = True
        else:
            self.fields["token"].label = "Replace token"
            self.fields["token"].help_text = "Leave empty to keep the stored token; it is never shown again."

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in ("site_url", "deployment", "email", "conflict_policy", "is_enabled")}


class ProjectForm(forms.Form):
    project = forms.RegexField(
        label="Jira project key",
        max_length=32,
        regex=r"^[A-Za-z][A-Za-z0-9_]*$",
        error_messages={"invalid": "A project key is letters and digits, starting with a letter (e.g. PAY)."},
        help_text="The key in front of the issue numbers, e.g. PAY for PAY-12.",
    )

    def clean_project(self) -> str:
        return self.cleaned_data["project"].upper()


def _direction_field(name: str, initial: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=FIELD_LABELS[name],
        choices=Direction.choices,
        initial=initial,
        help_text=ASSIGNEE_HELP if name == "assignee" else "",
    )


def _status_field(jira_name: str, category: str, ours: list[WorkflowStatus], initial: int | None) -> forms.ChoiceField:
    return forms.TypedChoiceField(
        label=f"Jira “{jira_name}” ({StatusMapping.Category(category).label.lower()})",
        choices=[(status.pk, status.name) for status in ours],
        coerce=int,
        initial=initial,
    )


class DirectionsMixin:
    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def add_direction_fields(self, current: dict[str, str]) -> None:
        for name in FIELDS:
            self.fields[f"dir_{name}"] = _direction_field(name, current.get(name) or DEFAULT_DIRECTIONS[name])

    def direction_bound_fields(self) -> list[forms.BoundField]:
        return [self[f"dir_{name}"] for name in FIELDS]  # type: ignore[index]

    def directions(self) -> dict[str, str]:
        return {name: self.cleaned_data[f"dir_{name}"] for name in FIELDS}


class TypesMixin:
    """The issue types of our epics, features and stories and the story-points field, offered from what
    `discover` found in the project (a choice Jira no longer offers is an error in words)."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    TYPE_NAMES = ("epic_type_id", "feature_type_id", "story_type_id", "story_points_field_id")

    def add_type_fields(self, discovery: Discovery, initial: dict[str, Any]) -> None:
        types = [(t["id"], f"{t['name']} ({t['id']})") for t in discovery.issue_types]
        key = discovery.project.get("key", "")
        invalid = {"invalid_choice": f"Project {key} has no issue type %(value)s: choose one of the list."}
        self.fields["epic_type_id"] = forms.ChoiceField(
            label="Our epics are Jira", choices=types, initial=initial["epic_type_id"], error_messages=invalid
        )
        self.fields["feature_type_id"] = forms.ChoiceField(
            label="Our features are Jira",
            choices=[("", "— not synced —"), *types],
            initial=initial["feature_type_id"],
            required=False,
            error_messages=invalid,
        )
        self.fields["story_type_id"] = forms.ChoiceField(
            label="Our stories are Jira", choices=types, initial=initial["story_type_id"], error_messages=invalid
        )
        custom = [(f["id"], f"{f['name']} ({f['id']})") for f in discovery.fields if f["custom"]]
        self.fields["story_points_field_id"] = forms.ChoiceField(
            label="Story points field",
            choices=[("", "— not synced —"), *custom],
            initial=initial["story_points_field_id"],
            required=False,
            error_messages={"invalid_choice": "Jira has no custom field %(value)s: choose one of the list."},
            help_text="One of the project's custom fields; the story-points field is chosen when Jira has one.",
        )

    def choices(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.TYPE_NAMES}


class MappingForm(TypesMixin, DirectionsMixin, forms.Form):
    """A new mapping, from what `discover` found in the project."""

    project = forms.CharField(widget=forms.HiddenInput, max_length=32)

    def __init__(
        self,
        *args: Any,
        discovery: Discovery,
        statuses: list[WorkflowStatus],
        default_statuses: dict[str, WorkflowStatus],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.discovery = discovery
        self.add_type_fields(discovery, discovery.defaults)
        for status in discovery.statuses:
            chosen = default_statuses.get(status["id"])
            self.fields[f"status_{status['id']}"] = _status_field(
                status["name"], status["category"], statuses, chosen.pk if chosen else None
            )
        self.add_direction_fields({})

    def status_bound_fields(self) -> list[forms.BoundField]:
        return [self[f"status_{s['id']}"] for s in self.discovery.statuses]

    def status_overrides(self, statuses: list[WorkflowStatus]) -> dict[str, WorkflowStatus]:
        by_pk = {status.pk: status for status in statuses}
        return {s["id"]: by_pk[self.cleaned_data[f"status_{s['id']}"]] for s in self.discovery.statuses}


class MappingEditForm(TypesMixin, forms.Form):
    """A mapping's issue types and story-points field, changed against what the project offers now."""

    def __init__(self, *args: Any, mapping: ProjectMapping, discovery: Discovery, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.discovery = discovery
        self.add_type_fields(discovery, {name: getattr(mapping, name) for name in self.TYPE_NAMES})


class DirectionsForm(DirectionsMixin, forms.Form):
    def __init__(self, *args: Any, current: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_direction_fields(current)


class StatusMapForm(forms.Form):
    """Jira status → ours, for every Jira status the mapping knows."""

    def __init__(self, *args: Any, rows: list[StatusMapping], statuses: list[WorkflowStatus], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"status_{row.jira_status_id}"] = _status_field(
                row.jira_status_name, row.jira_category, statuses, row.workflow_status_id
            )

    def status_bound_fields(self) -> list[forms.BoundField]:
        return [self[f"status_{row.jira_status_id}"] for row in self.rows]

    def changed_rows(self) -> list[tuple[StatusMapping, int]]:
        return [
            (row, self.cleaned_data[f"status_{row.jira_status_id}"])
            for row in self.rows
            if self.cleaned_data[f"status_{row.jira_status_id}"] != row.workflow_status_id
        ]


class ResolveForm(forms.Form):
    side = forms.ChoiceField(choices=Conflict.Side.choices)
