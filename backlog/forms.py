"""Browser forms of the backlog: they validate input and hand the services typed values; rules stay in
backlog.services."""

from __future__ import annotations

from typing import Any

from django import forms

from workspaces.models import Product

from .models import Epic, Feature, Priority, Sprint, Story, TechDebtItem
from .selectors.items import (
    open_sprints,
    product_labels,
    product_sprints,
    product_statuses,
    workspace_members,
)

NO_SPRINT = "none"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


def person_field(product: Product, label: str, **kwargs: Any) -> PersonChoiceField:
    return PersonChoiceField(
        queryset=workspace_members(product), required=False, label=label, empty_label="Nobody", **kwargs
    )


def sprint_choices(product: Product, *, any_label: str | None, include_closed: bool) -> list[tuple[str, str]]:
    sprints = product_sprints(product) if include_closed else open_sprints(product)
    choices = [("", any_label)] if any_label else []
    choices.append((NO_SPRINT, "No sprint (backlog)"))
    choices += [(str(sprint.pk), f"{sprint.name} ({sprint.get_state_display().lower()})") for sprint in sprints]
    return choices


def sprint_from_choice(product: Product, value: str) -> Sprint | None:
    """The product's sprint named by a choice value, None for the backlog."""
    if not value or value == NO_SPRINT:
        return None
    return Sprint.objects.filter(product=product, pk=int(value)).first()


# --- Filters --------------------------------------------------------------------------------------


class StoryFilterForm(forms.Form):
    """The tree's filters (GET). Any filter set turns the tree into a flat list of matching stories."""

    q = forms.CharField(required=False, max_length=200, label="Text", help_text=None)
    status = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any status")
    assignee = PersonChoiceField(queryset=None, required=False, empty_label="Anyone")
    label = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any label")
    sprint = forms.ChoiceField(required=False)
    epic = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    feature = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)

    FILTERS = ("q", "status", "assignee", "label", "sprint", "epic", "feature")

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        self.fields["status"].queryset = product_statuses(product)
        self.fields["assignee"].queryset = workspace_members(product)
        self.fields["label"].queryset = product_labels(product)
        self.fields["sprint"].choices = sprint_choices(product, any_label="Any sprint", include_closed=True)
        self.fields["epic"].queryset = Epic.objects.filter(product=product)
        self.fields["feature"].queryset = Feature.objects.filter(product=product)
        self.product = product

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.FILTERS)

    def filters(self) -> dict[str, Any]:
        """The valid filters (an invalid one is dropped and shown as an error next to its field)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        cleaned = dict(getattr(self, "cleaned_data", {}))
        sprint = cleaned.get("sprint")
        if sprint and sprint != NO_SPRINT:
            cleaned["sprint"] = sprint_from_choice(self.product, sprint)
        return cleaned


# --- Inline creation ------------------------------------------------------------------------------


class TitleForm(forms.Form):
    """Inline creation of an epic or a feature: a title is enough, the rest is edited on its page."""

    title = forms.CharField(max_length=255)

    def __init__(self, *args: Any, prefix_id: str = "new", **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{prefix_id}-%s")
        super().__init__(*args, **kwargs)


class StoryCreateForm(TitleForm):
    points = forms.IntegerField(min_value=0, max_value=100, required=False, help_text="Story points, 0–100")


# --- Bulk changes -----------------------------------------------------------------------------------


class BulkStoryForm(forms.Form):
    """Change the status or the sprint of the selected stories."""

    ACTIONS = (("status", "Set status"), ("sprint", "Move to sprint"))

    story = forms.ModelMultipleChoiceField(
        queryset=None, error_messages={"required": "Select at least one story first."}
    )
    action = forms.ChoiceField(choices=ACTIONS, label="Change")
    status = forms.ModelChoiceField(queryset=None, required=False, label="Status", empty_label="Choose a status")
    sprint = forms.ChoiceField(required=False, label="Sprint")

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "bulk-%s")
        super().__init__(*args, **kwargs)
        self.product = product
        self.fields["story"].queryset = Story.objects.filter(product=product).select_related("status", "product")
        self.fields["status"].queryset = product_statuses(product)
        self.fields["sprint"].choices = [
            ("", "Choose a sprint"),
            *sprint_choices(product, any_label=None, include_closed=False),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("action") == "status" and not cleaned.get("status"):
            self.add_error("status", "Choose the status to set.")
        if cleaned.get("action") == "sprint":
            if not cleaned.get("sprint"):
                self.add_error("sprint", "Choose a sprint, or “No sprint” to send them back to the backlog.")
            else:
                cleaned["sprint_obj"] = sprint_from_choice(self.product, cleaned["sprint"])
        return cleaned


# --- One field at a time (the item pages' inline editing) --------------------------------------------


def _parent_choices(product: Product) -> list[tuple[str, list[tuple[str, str]]]]:
    epics = list(Epic.objects.filter(product=product).select_related("product").order_by("rank"))
    features = list(Feature.objects.filter(product=product).select_related("product").order_by("rank"))
    return [
        ("Features", [(f"feature-{f.pk}", f"{f.key} {f.title}") for f in features]),
        ("Directly under an epic", [(f"epic-{e.pk}", f"{e.key} {e.title}") for e in epics]),
    ]


def _labels_field() -> forms.CharField:
    return forms.CharField(
        required=False, max_length=1000, help_text="Separate labels with commas; new ones are created."
    )


def _make_field(kind: str, name: str, product: Product, item: Any) -> forms.Field:
    """The form field that edits `name` on an item of `kind` (story, epic, feature)."""
    if name == "title":
        return forms.CharField(max_length=255)
    if name in ("statement", "description"):
        help_text = "Markdown" if name == "description" else "As a … I want … so that …"
        return forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=help_text)
    if name == "points":
        return forms.IntegerField(min_value=0, max_value=100, required=False, help_text="0–100; empty: not estimated")
    if name == "priority":
        return forms.TypedChoiceField(choices=Priority.choices, coerce=int)
    if name == "status":
        return forms.ModelChoiceField(queryset=product_statuses(product), empty_label=None)
    if name in ("assignee", "owner"):
        return person_field(product, name.capitalize())
    if name == "labels":
        return _labels_field()
    if name == "sprint":
        field = forms.ChoiceField(choices=sprint_choices(product, any_label=None, include_closed=False))
        if item.sprint_id and item.sprint.state == Sprint.State.CLOSED:
            # A finished story stays in its closed sprint: keep the current value selectable.
            field.choices = [*field.choices, (str(item.sprint_id), f"{item.sprint.name} (closed)")]
        return field
    if name == "parent":
        return forms.ChoiceField(choices=_parent_choices(product), label="Parent")
    if name == "target_date":
        return forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    if name == "epic":
        return forms.ModelChoiceField(
            queryset=Epic.objects.filter(product=product).order_by("rank"), empty_label=None, label="Epic"
        )
    raise KeyError(name)


EDITABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "story": (
        "title",
        "statement",
        "description",
        "points",
        "priority",
        "status",
        "assignee",
        "owner",
        "labels",
        "sprint",
        "parent",
    ),
    "epic": ("title", "description", "status", "owner", "target_date", "labels"),
    "feature": ("title", "description", "status", "owner", "epic", "labels"),
}


class ItemFieldForm(forms.Form):
    """Edits one field of a story, epic or feature; `version` is the item's `updated_at` when the editor
    opened, so that a save over someone else's change is refused instead of overwriting it."""

    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, kind: str, name: str, product: Product, item: Any, **kwargs: Any) -> None:
        if name not in EDITABLE_FIELDS[kind]:
            raise KeyError(name)
        kwargs.setdefault("auto_id", f"edit-{name}-%s")
        kwargs.setdefault("initial", {name: initial_value(item, name), "version": item_version(item)})
        super().__init__(*args, **kwargs)
        self.fields[name] = _make_field(kind, name, product, item)
        self.name = name
        self.product = product

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.name == "parent" and cleaned.get("parent"):
            kind, _, pk = cleaned["parent"].partition("-")
            model = Feature if kind == "feature" else Epic
            parent = model.objects.filter(product=self.product, pk=int(pk)).first()
            if parent is None:
                self.add_error("parent", "Choose a feature or an epic of this product.")
            cleaned["parent_obj"] = parent
        return cleaned

    def changes(self) -> tuple[dict[str, Any], list[str] | None]:
        """What to hand the item's update service: field changes, and the label names apart."""
        value = self.cleaned_data[self.name]
        if self.name == "labels":
            return {}, [name.strip() for name in value.split(",") if name.strip()]
        if self.name == "parent":
            parent = self.cleaned_data["parent_obj"]
            if isinstance(parent, Feature):
                return {"feature": parent, "epic": None}, None
            return {"epic": parent, "feature": None}, None
        if self.name == "sprint":
            return {"sprint": sprint_from_choice(self.product, value)}, None
        return {self.name: value}, None


def item_version(item: Any) -> str:
    return item.updated_at.isoformat()


def typed_in_words(form: forms.Form, name: str) -> str:
    """What the person chose or typed in `name`, as the editor showed it: a choice's label, not its id."""
    raw = form.data.get(name, "")
    if not isinstance(raw, str):
        return ""
    choices = getattr(form.fields.get(name), "choices", None)
    if choices is None:
        return raw
    for value, label in choices:
        options = label if isinstance(label, (list, tuple)) else [(value, label)]
        for option_value, option_label in options:
            if str(option_value) == raw:
                return str(option_label)
    return raw


def initial_value(item: Any, name: str) -> Any:
    if name == "labels":
        return ", ".join(label.name for label in item.labels.all())
    if name == "parent":
        return f"feature-{item.feature_id}" if item.feature_id else f"epic-{item.epic_id}" if item.epic_id else ""
    if name == "sprint":
        return str(item.sprint_id) if item.sprint_id else NO_SPRINT
    if name in ("status", "assignee", "owner", "epic"):
        return getattr(item, f"{name}_id")
    return getattr(item, name)


# --- Acceptance criteria ------------------------------------------------------------------------


class CriterionForm(forms.Form):
    text = forms.CharField(max_length=2000, label="Criterion")

    def __init__(self, *args: Any, prefix_id: str = "criterion-new", **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{prefix_id}-%s")
        super().__init__(*args, **kwargs)


class CriterionEditForm(CriterionForm):
    """Rewording a criterion; `version` is its `updated_at` when the editor opened, so that a save over
    someone else's newer wording is refused instead of replacing it."""

    # Not required: a save without it is treated as stale (409 with the current text), not as an error.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, criterion: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"text": criterion.text, "version": item_version(criterion)})
        super().__init__(*args, prefix_id=f"criterion-{criterion.pk}", **kwargs)


# --- Tech debt ------------------------------------------------------------------------------------


class TechDebtForm(forms.Form):
    title = forms.CharField(max_length=255)
    kind = forms.ChoiceField(choices=TechDebtItem.Kind.choices)
    impact = forms.ChoiceField(choices=TechDebtItem.Impact.choices)
    cost_of_delay = forms.IntegerField(
        min_value=0, max_value=100_000, label="Cost of delay", help_text="Engineering hours lost per week"
    )
    remediation_points = forms.IntegerField(
        min_value=0, max_value=1000, required=False, label="Remediation points", help_text="What paying it off takes"
    )
    epic = forms.ModelChoiceField(queryset=None, required=False, empty_label="No epic")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Markdown")
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, product: Product, item: TechDebtItem | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"debt-{item.pk if item else 'new'}-%s")
        if item is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": item.title,
                    "kind": item.kind,
                    "impact": item.impact,
                    "cost_of_delay": item.cost_of_delay,
                    "remediation_points": item.remediation_points,
                    "epic": item.epic_id,
                    "description": item.description,
                    "version": item_version(item),
                },
            )
        else:
            kwargs.setdefault("initial", {"cost_of_delay": 0})
        super().__init__(*args, **kwargs)
        self.fields["epic"].queryset = Epic.objects.filter(product=product).order_by("rank")

    def values(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}
