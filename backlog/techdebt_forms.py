"""Forms of a tech-debt item's page: one field edited in place, and scheduling it into a sprint.

They validate input and hand backlog.services typed values; the rules stay in the services.
"""

from __future__ import annotations

from typing import Any

from django import forms

from workspaces.models import Product

from .forms import item_version, person_field, sprint_choices, sprint_from_choice
from .models import Epic, TechDebtItem
from .selectors.items import product_statuses

TECH_DEBT_FIELDS: tuple[str, ...] = (
    "title",
    "description",
    "kind",
    "impact",
    "cost_of_delay",
    "remediation_points",
    "status",
    "owner",
    "epic",
    "labels",
)

TECH_DEBT_LABELS = {
    "title": "Title",
    "description": "Description",
    "kind": "Kind",
    "impact": "Impact",
    "cost_of_delay": "Cost of delay",
    "remediation_points": "Remediation points",
    "status": "Status",
    "owner": "Owner",
    "epic": "Epic",
    "labels": "Labels",
}


def _make_field(name: str, product: Product) -> forms.Field:
    if name == "title":
        return forms.CharField(max_length=255)
    if name == "description":
        return forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}), help_text="Markdown")
    if name == "kind":
        return forms.ChoiceField(choices=TechDebtItem.Kind.choices)
    if name == "impact":
        return forms.ChoiceField(choices=TechDebtItem.Impact.choices)
    if name == "cost_of_delay":
        return forms.IntegerField(min_value=0, max_value=100_000, help_text="Engineering hours lost per week")
    if name == "remediation_points":
        return forms.IntegerField(
            min_value=0, max_value=1000, required=False, help_text="What paying it off takes; empty: not estimated"
        )
    if name == "status":
        return forms.ModelChoiceField(queryset=product_statuses(product), empty_label=None)
    if name == "owner":
        return person_field(product, "Owner")
    if name == "epic":
        return forms.ModelChoiceField(
            queryset=Epic.objects.filter(product=product).order_by("rank"), required=False, empty_label="No epic"
        )
    if name == "labels":
        return forms.CharField(
            required=False, max_length=1000, help_text="Separate labels with commas; new ones are created."
        )
    raise KeyError(name)


def initial_value(item: TechDebtItem, name: str) -> Any:
    if name == "labels":
        return ", ".join(label.name for label in item.labels.all())
    if name in ("status", "owner", "epic"):
        return getattr(item, f"{name}_id")
    return getattr(item, name)


class TechDebtFieldForm(forms.Form):
    """Edits one field of a tech-debt item; `version` is the item's `updated_at` when the editor opened,
    so that a save over someone else's change is refused instead of overwriting it."""

    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, name: str, product: Product, item: TechDebtItem, **kwargs: Any) -> None:
        if name not in TECH_DEBT_FIELDS:
            raise KeyError(name)
        kwargs.setdefault("auto_id", f"edit-{name}-%s")
        kwargs.setdefault("initial", {name: initial_value(item, name), "version": item_version(item)})
        super().__init__(*args, **kwargs)
        self.fields[name] = _make_field(name, product)
        self.name = name

    def changes(self) -> tuple[dict[str, Any], list[str] | None]:
        """What to hand `tech_debt_update`: field changes, and the label names apart."""
        value = self.cleaned_data[self.name]
        if self.name == "labels":
            return {}, [label.strip() for label in value.split(",") if label.strip()]
        return {self.name: value}, None


class TechDebtScheduleForm(forms.Form):
    """Which open sprint the story that pays the debt off goes into ("No sprint": the backlog)."""

    sprint = forms.ChoiceField(label="Sprint", help_text="The story goes to the backlog without a sprint.")

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "schedule-%s")
        super().__init__(*args, **kwargs)
        self.product = product
        self.fields["sprint"].choices = sprint_choices(product, any_label=None, include_closed=False)

    def chosen_sprint(self) -> Any:
        return sprint_from_choice(self.product, self.cleaned_data["sprint"])
