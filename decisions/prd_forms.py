"""Forms of the PRD pages: they validate input; the services in decisions.services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from workspaces.models import Workspace

from .models import Requirement, SectionKind

SECTION_BODY_MAX = 100_000  # characters of Markdown in one section: far above any real PRD, below abuse
DIFF_MODES = (("side", "Side by side"), ("inline", "Inline"))


class PRDCreateForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="Unique within the product, e.g. “Checkout v2”.")
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Me",
        help_text="Who keeps the PRD up to date.",
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(memberships__workspace=workspace).order_by("username")
        )

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Give the PRD a title.")
        return title


class SectionEditForm(forms.Form):
    """One section's new text, and what the editor started from (to refuse a stale save)."""

    original_title = forms.CharField(max_length=200, widget=forms.HiddenInput)
    base_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    title = forms.CharField(max_length=200, label="Section title")
    body = forms.CharField(
        required=False,
        max_length=SECTION_BODY_MAX,
        strip=False,
        label="Text (Markdown)",
        widget=forms.Textarea(attrs={"class": "markdown-editor", "rows": 14}),
        help_text=(
            "Markdown: **bold**, *italic*, lists, tables, [links](https://…). "
            "The preview beside it updates as you type."
        ),
    )
    change_note = forms.CharField(
        required=False,
        max_length=255,
        label="What changed",
        help_text="Optional; shown in the version history.",
    )

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Give the section a title.")
        return title


class SectionAddForm(forms.Form):
    title = forms.CharField(max_length=200, label="New section title")
    kind = forms.ChoiceField(choices=SectionKind.choices, initial=SectionKind.OTHER, label="Kind")

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Give the section a title.")
        return title


class PreviewForm(forms.Form):
    body = forms.CharField(required=False, max_length=SECTION_BODY_MAX, strip=False)


class CompareForm(forms.Form):
    """Two version numbers to compare, and how to show the difference."""

    from_number = forms.IntegerField(min_value=1, label="From version")
    to_number = forms.IntegerField(min_value=1, label="To version")
    mode = forms.ChoiceField(choices=DIFF_MODES, required=False, initial="side", label="View")


class RequirementForm(forms.ModelForm):
    class Meta:
        model = Requirement
        fields = ["title", "description", "priority"]
        labels = {"title": "Requirement", "description": "Details (Markdown)"}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Say what is required.")
        return title


class RequirementEditForm(RequirementForm):
    """The same fields, and when the editor read the requirement (to refuse a stale save)."""

    base_updated_at = forms.CharField(widget=forms.HiddenInput)

    class Meta(RequirementForm.Meta):
        pass


class RequirementLinkForm(forms.Form):
    key = forms.CharField(
        max_length=40,
        label="Story or feature key",
        help_text="The key of a story or feature of this product, e.g. PAY-12.",
    )


class RequirementUnlinkForm(forms.Form):
    feature = forms.IntegerField(min_value=1, required=False)
    story = forms.IntegerField(min_value=1, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if bool(cleaned.get("feature")) == bool(cleaned.get("story")):
            raise forms.ValidationError("Name one feature or one story to unlink.")
        return cleaned
