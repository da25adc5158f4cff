"""Browser forms of the roadmap pages: they validate input; roadmap.services enforce the rules and write."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from backlog.models import Epic
from workspaces.models import Product

from .models import Confidence, Goal, Lane, Milestone, Roadmap, RoadmapItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def item_version(item: RoadmapItem) -> str:
    """What the edit form saw: its last save and its lane (a drag changes the lane without a save)."""
    raw = f"{item.updated_at.isoformat()}|{item.lane}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def milestone_version(milestone: Milestone) -> str:
    return hashlib.sha256(milestone.updated_at.isoformat().encode()).hexdigest()[:16]


def members_of(product: Product) -> QuerySet[Any]:
    return (
        get_user_model()
        ._default_manager.filter(memberships__workspace_id=product.workspace_id)
        .order_by("first_name", "last_name", "username")
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class RoadmapForm(forms.Form):
    name = forms.CharField(max_length=120, label="Name")
    kind = forms.ChoiceField(choices=Roadmap.Kind.choices, initial=Roadmap.Kind.PRODUCT, label="Kind")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Description")


class ItemCreateForm(forms.Form):
    """Inline create in a lane: a title is enough; the rest is edited on the item's page."""

    title = forms.CharField(max_length=200, label="Title")
    lane = forms.ChoiceField(choices=Lane.choices, widget=forms.HiddenInput)


class ItemForm(forms.Form):
    """Every field of a roadmap item a person edits on its page (epics and dependencies have their own forms)."""

    version = forms.CharField(widget=forms.HiddenInput)
    title = forms.CharField(max_length=200, label="Title")
    description = forms.CharField(
        required=False,
        label="Description",
        help_text="Markdown: **bold**, lists, links.",
        widget=forms.Textarea(attrs={"rows": 6, "class": "markdown-editor"}),
    )
    lane = forms.ChoiceField(choices=Lane.choices, label="Lane")
    status = forms.ChoiceField(choices=RoadmapItem.Status.choices, label="Status")
    start_date = forms.DateField(required=False, widget=DATE, label="Start date")
    end_date = forms.DateField(required=False, widget=DATE, label="End date")
    confidence = forms.ChoiceField(
        choices=Confidence.choices, label="Confidence (yours)", help_text="How sure you are it lands as planned."
    )
    owner = MemberChoiceField(queryset=None, required=False, label="Owner", empty_label="No owner")
    milestone = forms.ModelChoiceField(queryset=None, required=False, label="Milestone or release", empty_label="None")
    goals = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label="Goals it serves", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of(product)
        self.fields["milestone"].queryset = Milestone.objects.filter(product=product).order_by("date", "pk")
        self.fields["goals"].queryset = Goal.objects.filter(product=product).order_by("title")

    @classmethod
    def for_item(cls, item: RoadmapItem, goal_ids: list[int], *, product: Product) -> ItemForm:
        initial = {
            "version": item_version(item),
            "title": item.title,
            "description": item.description,
            "lane": item.lane,
            "status": item.status,
            "start_date": item.start_date,
            "end_date": item.end_date,
            "confidence": item.confidence,
            "owner": item.owner_id,
            "milestone": item.milestone_id,
            "goals": goal_ids,
        }
        return cls(initial=initial, product=product)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be on or after the start date.")
        return cleaned

    def changes(self) -> dict[str, Any]:
        """The service's keyword arguments (goals apart)."""
        data = dict(self.cleaned_data)
        data.pop("version")
        data.pop("goals")
        return data


class EpicLinkForm(forms.Form):
    epic = forms.ModelChoiceField(queryset=None, label="Epic", empty_label="Choose an epic")

    def __init__(self, *args: Any, product: Product, exclude: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["epic"].queryset = (
            Epic.objects.filter(product=product)
            .exclude(pk__in=exclude)
            .only("pk", "number", "title")
            .order_by("number")
        )
        self.fields["epic"].label_from_instance = lambda epic: f"{product.key}-{epic.number} {epic.title}"


class DependencyForm(forms.Form):
    blocker = forms.ModelChoiceField(queryset=None, label="Depends on", empty_label="Choose an item")
    note = forms.CharField(max_length=200, required=False, label="Note")

    def __init__(self, *args: Any, product: Product, item: RoadmapItem, exclude: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every item of the product, other roadmaps included; the service refuses a cycle.
        self.fields["blocker"].queryset = (
            RoadmapItem.objects.filter(roadmap__product=product)
            .exclude(pk__in=[item.pk, *exclude])
            .only("pk", "title")
            .order_by("title", "pk")
        )


class MilestoneForm(forms.Form):
    name = forms.CharField(max_length=120, label="Name")
    date = forms.DateField(widget=DATE, label="Date")
    kind = forms.ChoiceField(choices=Milestone.Kind.choices, label="Kind")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Description")
    is_reached = forms.BooleanField(required=False, label="Reached")


class MilestoneEditForm(MilestoneForm):
    version = forms.CharField(widget=forms.HiddenInput)

    @classmethod
    def for_milestone(cls, milestone: Milestone, data: Any = None) -> MilestoneEditForm:
        initial = {
            "version": milestone_version(milestone),
            "name": milestone.name,
            "date": milestone.date,
            "kind": milestone.kind,
            "description": milestone.description,
            "is_reached": milestone.is_reached,
        }
        return cls(data, initial=initial, prefix=f"milestone-{milestone.pk}")

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version")
        return data


class BaselineForm(forms.Form):
    name = forms.CharField(max_length=120, label="Baseline name", help_text="For example “Q3 planning review”.")
