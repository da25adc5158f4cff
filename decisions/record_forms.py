"""Forms of the decision-record pages, the sign-off panel and the review-flag clear button.

They validate input only; the services in decisions/services/ decide (and refuse: see add_service_error).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser

from backlog.models import Epic
from roadmap.models import RoadmapItem
from workspaces.models import Membership, Product

from .models import PRD, DecisionOption, DecisionRecord, Level, StakeholderRole, content_hash

MARKDOWN = forms.Textarea(attrs={"rows": 5, "class": "markdown-editor"})


def record_text_version(record: DecisionRecord) -> str:
    """A token of the record's text as it was read: a save made against another one is refused (409)."""
    return content_hash({name: getattr(record, name) for name in DecisionRecord.CONTENT_FIELDS})


class DecisionCreateForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="The question decided, e.g. “Queue for payment events”.")
    context = forms.CharField(
        required=False, widget=MARKDOWN, label="Context and problem", help_text="Markdown. You can add it later."
    )


class DecisionTextForm(forms.Form):
    """The MADR text of a record; `version` is the text token it was opened on."""

    title = forms.CharField(max_length=200)
    context = forms.CharField(required=False, widget=MARKDOWN, label="Context and problem", help_text="Markdown")
    decision_drivers = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One driver per line"
    )
    outcome = forms.CharField(required=False, widget=MARKDOWN, label="Why the chosen option", help_text="Markdown")
    consequences = forms.CharField(required=False, widget=MARKDOWN, help_text="Good and bad consequences (Markdown)")
    confirmation = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="How we will confirm the decision holds"
    )
    version = forms.CharField(widget=forms.HiddenInput)

    @classmethod
    def for_record(cls, record: DecisionRecord, **kwargs: Any) -> DecisionTextForm:
        initial = {name: getattr(record, name) for name in DecisionRecord.CONTENT_FIELDS}
        initial["version"] = record_text_version(record)
        return cls(initial=initial, **kwargs)

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in DecisionRecord.CONTENT_FIELDS}


class OptionForm(forms.Form):
    """One row of the options table; `version` (when editing) is the row's last save as it was read."""

    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    pros = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One per line")
    cons = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One per line")
    cost = forms.ChoiceField(choices=Level.choices, initial=Level.MEDIUM)
    risk = forms.ChoiceField(choices=Level.choices, initial=Level.MEDIUM)
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    @classmethod
    def for_option(cls, option: DecisionOption, **kwargs: Any) -> OptionForm:
        initial = option.snapshot()
        initial["version"] = option_version(option)
        return cls(initial=initial, auto_id=f"id_option_{option.pk}_%s", **kwargs)

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("title", "description", "pros", "cons", "cost", "risk")}


def option_version(option: DecisionOption) -> str:
    return option.updated_at.isoformat()


class ChooseForm(forms.Form):
    option = forms.IntegerField(min_value=1)


class LinksForm(forms.Form):
    """Which epics, roadmap items and PRDs of the product the record affects."""

    epics = forms.ModelMultipleChoiceField(queryset=Epic.objects.none(), required=False)
    roadmap_items = forms.ModelMultipleChoiceField(
        queryset=RoadmapItem.objects.none(), required=False, label="Roadmap items"
    )
    prds = forms.ModelMultipleChoiceField(queryset=PRD.objects.none(), required=False, label="PRDs")

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["epics"].queryset = (
            Epic.objects.filter(product=product).only("pk", "number", "title").order_by("rank")
        )
        self.fields["epics"].label_from_instance = lambda epic: f"{product.key}-{epic.number} {epic.title}"
        self.fields["roadmap_items"].queryset = (
            RoadmapItem.objects.filter(roadmap__product=product)
            .select_related("roadmap")
            .order_by("roadmap__name", "rank")
        )
        self.fields["roadmap_items"].label_from_instance = lambda item: f"{item.title} ({item.roadmap.name})"
        self.fields["prds"].queryset = PRD.objects.filter(product=product).only("pk", "title").order_by("title")
        for field in self.fields.values():
            field.widget.attrs["size"] = 6


class SupersedeForm(forms.Form):
    title = forms.CharField(max_length=200, required=False, help_text="Leave empty to keep the current title.")


class SignOffRequestForm(forms.Form):
    """Ask named members of the workspace (any role: a viewer signs off when asked) in one stakeholder role."""

    approvers = forms.TypedMultipleChoiceField(
        coerce=int, label="People", widget=forms.CheckboxSelectMultiple, help_text="Members of the workspace"
    )
    role = forms.ChoiceField(choices=[("", "Choose a role…"), *StakeholderRole.choices], label="As")

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_signoff_%s")
        super().__init__(*args, **kwargs)
        self.members = {m.user_id: m for m in members}
        self.fields["approvers"].choices = [
            (m.user_id, f"{display_name(m.user)}{f' · {m.title}' if m.title else ''} ({m.get_role_display().lower()})")
            for m in members
        ]

    def approver_users(self) -> list[AbstractBaseUser]:
        return [self.members[user_id].user for user_id in self.cleaned_data["approvers"]]


class SignOffAnswerForm(forms.Form):
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), help_text="Required to reject"
    )


class FlagClearForm(forms.Form):
    note = forms.CharField(required=False, max_length=255)


def display_name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()
