"""Filters take plain ids: they narrow the caller's rows and never reveal whether a foreign id exists."""

import django_filters

from ..models import (
    AcceptanceCriterion,
    Epic,
    Feature,
    Label,
    Priority,
    Sprint,
    StatusCategory,
    Story,
    TechDebtItem,
    WorkflowStatus,
)


def product_filter() -> django_filters.NumberFilter:
    return django_filters.NumberFilter(field_name="product_id", help_text="Product id")


class ItemFilter(django_filters.FilterSet):
    """What every backlog item list filters on."""

    product = product_filter()
    status = django_filters.NumberFilter(field_name="status_id", help_text="Workflow status id")
    status_category = django_filters.ChoiceFilter(
        field_name="status__category", choices=StatusCategory.choices, help_text="Status category"
    )
    owner = django_filters.NumberFilter(field_name="owner_id", help_text="Owner's user id")
    label = django_filters.CharFilter(field_name="labels__name", distinct=True, help_text="Label name (exact)")


class StoryFilter(ItemFilter):
    assignee = django_filters.NumberFilter(field_name="assignee_id", help_text="Assignee's user id")
    sprint = django_filters.NumberFilter(field_name="sprint_id", help_text="Sprint id")
    no_sprint = django_filters.BooleanFilter(
        field_name="sprint", lookup_expr="isnull", help_text="true: only stories in no sprint (the backlog)"
    )
    feature = django_filters.NumberFilter(field_name="feature_id", help_text="Feature id")
    epic = django_filters.NumberFilter(
        method="filter_epic", help_text="Epic id: stories under it directly or through one of its features"
    )
    priority = django_filters.ChoiceFilter(choices=Priority.choices, help_text="Priority (1 highest … 5 lowest)")

    class Meta:
        model = Story
        fields = []

    def filter_epic(self, queryset, name, value):  # noqa: ANN001, ANN201 - django-filter's signature
        return queryset.with_epic_id().filter(epic_ref=value)


class EpicFilter(ItemFilter):
    class Meta:
        model = Epic
        fields = []


class FeatureFilter(ItemFilter):
    epic = django_filters.NumberFilter(field_name="epic_id", help_text="Epic id")

    class Meta:
        model = Feature
        fields = []


class TechDebtItemFilter(ItemFilter):
    kind = django_filters.ChoiceFilter(choices=TechDebtItem.Kind.choices, help_text="Kind of debt")
    impact = django_filters.ChoiceFilter(choices=TechDebtItem.Impact.choices, help_text="Impact")
    epic = django_filters.NumberFilter(field_name="epic_id", help_text="Epic id")
    scheduled = django_filters.BooleanFilter(
        field_name="remediation_story", lookup_expr="isnull", exclude=True, help_text="true: already scheduled"
    )

    class Meta:
        model = TechDebtItem
        fields = []


class SprintFilter(django_filters.FilterSet):
    product = product_filter()
    state = django_filters.ChoiceFilter(choices=Sprint.State.choices, help_text="Planned, active or closed")

    class Meta:
        model = Sprint
        fields = []


class AcceptanceCriterionFilter(django_filters.FilterSet):
    story = django_filters.NumberFilter(field_name="story_id", help_text="Story id")
    product = django_filters.NumberFilter(field_name="story__product_id", help_text="Product id")
    is_met = django_filters.BooleanFilter(help_text="true: met only; false: open only")

    class Meta:
        model = AcceptanceCriterion
        fields = []


class WorkflowStatusFilter(django_filters.FilterSet):
    product = product_filter()
    category = django_filters.ChoiceFilter(choices=StatusCategory.choices, help_text="Status category")

    class Meta:
        model = WorkflowStatus
        fields = []


class LabelFilter(django_filters.FilterSet):
    product = product_filter()

    class Meta:
        model = Label
        fields = []
