"""Forms of the activity pages: a comment, and the search box."""

from __future__ import annotations

from django import forms

BODY_MAX = 10_000


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=BODY_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown. Type @username to notify a teammate.",
        error_messages={"required": "Write something before posting."},
    )


class CommentEditForm(CommentForm):
    # The comment's updated_at when the form was shown: a save over a newer edit (another tab) is refused.
    version = forms.CharField(widget=forms.HiddenInput, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", max_length=200, required=False, strip=True)
    scope = forms.ChoiceField(
        label="Where",
        choices=[("product", "This product"), ("workspace", "All products of this workspace")],
        required=False,
    )

    def clean_scope(self) -> str:
        return self.cleaned_data.get("scope") or "product"
