"""Forms of the board and sprint pages: filters (read from the URL), sprints, closing a sprint."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django import forms

from workspaces.models import Membership

from .models import Label, Sprint

ALL_SPRINTS = "all"
NO_SPRINT = "none"
UNASSIGNED = "none"


def _member_choices(members: Sequence[Membership]) -> list[tuple[str, str]]:
    return [(str(m.user_id), m.user.get_full_name() or m.user.get_username()) for m in members]


class StoryFilterForm(forms.Form):
    """Assignee, label and text: what the board and the planning backlog filter by (all optional)."""

    assignee = forms.ChoiceField(required=False, label="Assignee")
    label = forms.ChoiceField(required=False, label="Label")
    q = forms.CharField(required=False, max_length=100, label="Text", strip=True)

    def __init__(self, data: Any, *, members: Sequence[Membership], labels: Sequence[Label], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["assignee"].choices = [("", "Anyone"), (UNASSIGNED, "Unassigned"), *_member_choices(members)]
        self.fields["label"].choices = [("", "Any label"), *((str(label.pk), label.name) for label in labels)]
        self.fields["q"].widget.attrs.update(type="search", placeholder="Title contains…")

    def values(self) -> dict[str, str]:
        """The valid filters only: a stale or hand-edited value is dropped rather than failing the page."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in self.fields if name not in self.errors}


class BoardFilterForm(StoryFilterForm):
    """The board's filters; the sprint defaults to the active one (the view fills it in)."""

    sprint = forms.ChoiceField(required=False, label="Sprint")
    field_order = ["sprint", "assignee", "label", "q"]

    def __init__(self, data: Any, *, sprints: Sequence[Sprint], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["sprint"].choices = [
            (ALL_SPRINTS, "All stories"),
            (NO_SPRINT, "Not in a sprint"),
            *((str(s.pk), f"{s.name} ({s.get_state_display().lower()})") for s in sprints),
        ]


class SprintForm(forms.ModelForm):
    """Create or edit a sprint. The model's date check (end on or after start) shows on the end date."""

    class Meta:
        model = Sprint
        fields = ["name", "goal", "start_date", "end_date", "capacity_points"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "goal": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"capacity_points": "Capacity (points)"}


class SprintEditForm(SprintForm):
    """Editing also carries the `updated_at` the person started from, so a stale save is refused (409)."""

    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.updated_at.isoformat()

    def is_stale(self, current: Sprint) -> bool:
        try:
            seen = datetime.fromisoformat(self.data.get("version", ""))
        except ValueError:
            return True
        return seen != current.updated_at


class SprintCloseForm(forms.Form):
    """Where the unfinished stories of a sprint go when it closes: another open sprint, or the backlog."""

    carry_over_to = forms.ChoiceField(required=False, label="Unfinished stories go to")

    def __init__(self, *args: Any, sprint: Sprint, open_sprints: Sequence[Sprint], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_%s_{sprint.pk}")
        super().__init__(*args, **kwargs)
        self.targets = {str(s.pk): s for s in open_sprints if s.pk != sprint.pk}
        self.fields["carry_over_to"].choices = [
            ("", "Back to the backlog"),
            *((pk, s.name) for pk, s in self.targets.items()),
        ]

    def clean_carry_over_to(self) -> Sprint | None:
        return self.targets.get(self.cleaned_data["carry_over_to"])
