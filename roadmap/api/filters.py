"""Filters take plain ids: they narrow the caller's rows and never reveal whether a foreign id exists."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from ..models import Baseline, Confidence, Dependency, Goal, Lane, Milestone, Roadmap, RoadmapItem


class RoadmapFilter(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="product_id")
    kind = django_filters.ChoiceFilter(choices=Roadmap.Kind.choices)
    owner = django_filters.NumberFilter(field_name="owner_id")

    class Meta:
        model = Roadmap
        fields = []


class RoadmapItemFilter(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="roadmap__product_id")
    roadmap = django_filters.NumberFilter(field_name="roadmap_id")
    lane = django_filters.ChoiceFilter(choices=Lane.choices)
    status = django_filters.ChoiceFilter(choices=RoadmapItem.Status.choices)
    confidence = django_filters.ChoiceFilter(choices=Confidence.choices, label="Stated confidence")
    milestone = django_filters.NumberFilter(field_name="milestone_id")
    no_milestone = django_filters.BooleanFilter(field_name="milestone", lookup_expr="isnull")
    owner = django_filters.NumberFilter(field_name="owner_id")

    class Meta:
        model = RoadmapItem
        fields = []


class DependencyFilter(django_filters.FilterSet):
    roadmap = django_filters.NumberFilter(method="filter_roadmap", label="Roadmap of either end")
    item = django_filters.NumberFilter(method="filter_item", label="Item at either end (blocker or blocked)")
    blocker = django_filters.NumberFilter(field_name="blocker_id")
    blocked = django_filters.NumberFilter(field_name="blocked_id")
    product = django_filters.NumberFilter(field_name="blocked__roadmap__product_id")

    class Meta:
        model = Dependency
        fields = []

    def filter_roadmap(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(Q(blocker__roadmap_id=value) | Q(blocked__roadmap_id=value))

    def filter_item(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(Q(blocker_id=value) | Q(blocked_id=value))


class MilestoneFilter(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="product_id")
    kind = django_filters.ChoiceFilter(choices=Milestone.Kind.choices)
    is_reached = django_filters.BooleanFilter()

    class Meta:
        model = Milestone
        fields = []


class GoalFilter(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="product_id")

    class Meta:
        model = Goal
        fields = []


class BaselineFilter(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="roadmap__product_id")
    roadmap = django_filters.NumberFilter(field_name="roadmap_id")

    class Meta:
        model = Baseline
        fields = []
