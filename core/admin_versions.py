"""Admin change forms that refuse a save based on an older copy of the row (no lost update in the admin).

The form carries the row's version as it was when the page was loaded (a hidden `loaded_version`). On
save, `clean()` locks the row and compares: when someone saved in between, the save is refused with a
message on the form saying who changed what, and the form keeps everything this person entered. The
hidden version then moves to the current one, so that saving again is a deliberate "replace theirs".

The lock is held until the admin's transaction (Django wraps the change view in one) commits, so nobody
saves between the comparison and this save. `history_changes` (what changed since a version, in words) also
serves the UI's field editors.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format

VERSION_FIELD = "loaded_version"
UNSHOWN_FIELDS = frozenset({"created_at", "updated_at"})
MAX_VALUE_CHARS = 80


def person(user: AbstractBaseUser | None) -> str:
    if user is None:
        return "Someone else"
    return user.get_full_name() or user.get_username()  # type: ignore[attr-defined]


def shown(value: Any) -> str:
    """A value as the message quotes it: short, on one line."""
    if value is None or value == "":
        return "(empty)"
    text = " ".join(str(value).split())
    return f"“{text[:MAX_VALUE_CHARS]}…”" if len(text) > MAX_VALUE_CHARS else f"“{text}”"


def history_changes(fresh: Model, *, since: datetime | None) -> tuple[AbstractBaseUser | None, list[str]]:
    """Who saved `fresh` last and, when its history still holds the version saved at `since` (its
    `updated_at` then), each field changed since as "Label: “value now”"."""
    history = getattr(fresh, "history", None)
    if history is None:
        return None, []
    latest = history.select_related("history_user").order_by("-history_date").first()
    if latest is None:
        return None, []
    before = history.filter(updated_at=since).order_by("-history_date").first() if since else None
    if before is None or before.pk == latest.pk:
        return latest.history_user, []
    lines = []
    for change in latest.diff_against(before).changes:
        if change.field in UNSHOWN_FIELDS:
            continue
        field = fresh._meta.get_field(change.field)
        value = getattr(fresh, change.field, change.new)
        if hasattr(fresh, f"get_{change.field}_display"):
            value = getattr(fresh, f"get_{change.field}_display")()
        lines.append(f"{str(field.verbose_name).capitalize()}: {shown(value)}")
    return latest.history_user, lines


class VersionCheckedForm(forms.ModelForm):
    """A model form whose save is refused when the row changed since the form was loaded.

    Subclasses may override `edit_version` (what counts as a change; it starts with the row's `updated_at`,
    then `|` and anything else that counts) and `changes_since` (who saved and the lines that say what).
    """

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial[VERSION_FIELD] = self.edit_version(self.instance)

    def edit_version(self, instance: Model) -> str:
        return instance.updated_at.isoformat()  # type: ignore[attr-defined]

    def changes_since(self, fresh: Model, loaded: str) -> tuple[AbstractBaseUser | None, list[str]]:
        """Who saved last and what they changed since the `loaded` version, from the row's history."""
        return history_changes(fresh, since=parse_datetime(loaded.split("|", 1)[0]) if loaded else None)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        fresh = type(self.instance)._default_manager.select_for_update().filter(pk=self.instance.pk).first()
        if fresh is None:
            raise forms.ValidationError("Someone else deleted this while you were editing it; nothing was saved.")
        current = self.edit_version(fresh)
        loaded = self.data.get(self.add_prefix(VERSION_FIELD), "")
        if loaded != current:
            who, lines = self.changes_since(fresh, loaded)
            # Saving again is a deliberate choice to replace their version with what is in the form.
            self.data = self.data.copy()
            self.data[self.add_prefix(VERSION_FIELD)] = current
            raise forms.ValidationError(self.conflict_message(fresh, who, lines))
        return cleaned

    def conflict_message(self, fresh: Model, who: AbstractBaseUser | None, lines: list[str]) -> str:
        when = getattr(fresh, "updated_at", None)
        at = f" at {date_format(timezone.localtime(when), 'DATETIME_FORMAT')}" if when else ""
        noun = fresh._meta.verbose_name
        saved = f" They saved: {'; '.join(lines)}." if lines else ""
        return (
            f"{person(who)} changed this {noun}{at}, after you opened this page, so your changes were not saved "
            f"(they would have overwritten theirs).{saved} What you entered is still in the form: save again "
            f"to replace their version with yours, or reload the page to start from theirs."
        )


class VersionCheckedAdminMixin:
    """Renders the form's hidden `loaded_version` on the change page of a row the user may change."""

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        fields = list(super().get_fields(request, obj))  # type: ignore[misc]
        if obj is not None and self.has_change_permission(request, obj) and VERSION_FIELD not in fields:  # type: ignore[attr-defined]
            fields.append(VERSION_FIELD)
        return fields
