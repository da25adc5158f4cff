"""Form helpers shared by the pages: service errors onto forms, and the drag-and-drop move payload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.errors import ApplicationError


def add_service_error(form: forms.BaseForm, error: ApplicationError | ValidationError) -> None:
    """Show a service's refusal on the form: next to its field when the field is on the form, else on top."""
    if isinstance(error, ApplicationError):
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    form.add_error(None, error)


class MoveForm(forms.Form):
    """What a drag-and-drop (or a keyboard "move" button) posts; see docs/ui.md, "Sortable lists".

    `item`: the moved row's id. `after`: the id of the row now just above it (empty when first).
    `before`: the id of the row now just below it (empty when last). `list`: the target list's
    `data-list` (a lane, a status id, a sprint id, …; empty when the page has one list).
    `from_list`: the list it came from.
    """

    item = forms.IntegerField(min_value=1)
    after = forms.IntegerField(min_value=1, required=False)
    before = forms.IntegerField(min_value=1, required=False)
    list = forms.CharField(max_length=64, required=False)
    from_list = forms.CharField(max_length=64, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("item") and cleaned.get("item") in {cleaned.get("after"), cleaned.get("before")}:
            raise ValidationError("An item cannot be placed next to itself.")
        return cleaned

    def anchor(self) -> tuple[str, int] | None:
        """("after", id) or ("before", id): one neighbour to rank against (services take one), or None."""
        if self.cleaned_data.get("after"):
            return ("after", self.cleaned_data["after"])
        if self.cleaned_data.get("before"):
            return ("before", self.cleaned_data["before"])
        return None
