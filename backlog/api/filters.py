"""Filters take plain ids: they narrow the caller's rows and never reveal whether a foreign id exists."""

import django_filters

from ..models import Priority, StatusCategory, Story


class StoryFilter(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="product_id")
    status = django_filters.NumberFilter(field_name="status_id")
    status_category = django_filters.ChoiceFilter(field_name="status__category", choices=StatusCategory.choices)
    assignee = django_filters.NumberFilter(field_name="assignee_id")
    sprint = django_filters.NumberFilter(field_name="sprint_id")
    no_sprint = django_filters.BooleanFilter(field_name="sprint", lookup_expr="isnull")
    feature = django_filters.NumberFilter(field_name="feature_id")
    epic = django_filters.NumberFilter(method="filter_epic", label="Epic (directly or through the feature)")
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    label = django_filters.CharFilter(field_name="labels__name", distinct=True)

    class Meta:
        model = Story
        fields = []

    def filter_epic(self, queryset, name, value):  # noqa: ANN001, ANN201 - django-filter's signature
        return queryset.with_epic_id().filter(epic_ref=value)
