"""Filters take plain ids: they narrow the caller's rows and never reveal whether a foreign id exists."""

from typing import Any

import django_filters
from django import forms

from ..models import Comment, Notification
from .targets import TARGET_TYPE_CHOICES, content_type_id_of


class CommentFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("target_id") is not None and not cleaned.get("target_type"):
            self.add_error("target_type", "Give target_type with target_id.")
        return cleaned


class CommentFilter(django_filters.FilterSet):
    target_type = django_filters.ChoiceFilter(choices=TARGET_TYPE_CHOICES, method="filter_target_type")
    target_id = django_filters.NumberFilter(field_name="object_id", label="Id of the target (with target_type)")
    workspace = django_filters.NumberFilter(field_name="workspace_id")
    author = django_filters.NumberFilter(field_name="author_id")

    class Meta:
        model = Comment
        fields = []
        form = CommentFilterForm

    def filter_target_type(self, queryset, name, value):  # noqa: ANN001, ANN201 - django-filter's signature
        return queryset.filter(content_type_id=content_type_id_of(value))


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Not read yet")
    kind = django_filters.ChoiceFilter(choices=Notification.Kind.choices)
    workspace = django_filters.NumberFilter(field_name="workspace_id")

    class Meta:
        model = Notification
        fields = []
