"""Filters take plain ids: they narrow the caller's rows and never reveal whether a foreign id exists."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from ..models import (
    PRD,
    DecisionOption,
    DecisionParticipant,
    DecisionRecord,
    PRDVersion,
    Requirement,
    ReviewFlag,
    SignOff,
    StakeholderRole,
)


class PRDFilter(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="product_id")
    status = django_filters.ChoiceFilter(choices=PRD.Status.choices)
    owner = django_filters.NumberFilter(field_name="owner_id")
    epic = django_filters.NumberFilter(field_name="epics", distinct=True, label="Linked to this epic")
    roadmap_item = django_filters.NumberFilter(
        field_name="roadmap_items", distinct=True, label="Serving this roadmap item"
    )

    class Meta:
        model = PRD
        fields = []


class PRDVersionFilter(django_filters.FilterSet):
    prd = django_filters.NumberFilter(field_name="prd_id")
    product = django_filters.NumberFilter(field_name="prd__product_id")
    number = django_filters.NumberFilter()

    class Meta:
        model = PRDVersion
        fields = []


class RequirementFilter(django_filters.FilterSet):
    prd = django_filters.NumberFilter(field_name="prd_id")
    product = django_filters.NumberFilter(field_name="product_id")
    priority = django_filters.ChoiceFilter(choices=Requirement.Priority.choices)
    feature = django_filters.NumberFilter(field_name="features", distinct=True, label="Delivered by this feature")
    story = django_filters.NumberFilter(field_name="stories", distinct=True, label="Delivered by this story")

    class Meta:
        model = Requirement
        fields = []


class DecisionFilter(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="product_id")
    status = django_filters.ChoiceFilter(choices=DecisionRecord.Status.choices)
    owner = django_filters.NumberFilter(field_name="owner_id")
    epic = django_filters.NumberFilter(field_name="epics", distinct=True, label="Linked to this epic")
    roadmap_item = django_filters.NumberFilter(field_name="roadmap_items", distinct=True)
    prd = django_filters.NumberFilter(field_name="prds", distinct=True, label="Linked to this PRD")
    decider = django_filters.NumberFilter(method="filter_decider", label="This user is a decision-maker")

    class Meta:
        model = DecisionRecord
        fields = []

    def filter_decider(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(
            participants__user_id=value, participants__part=DecisionParticipant.Part.DECIDER
        ).distinct()


class DecisionOptionFilter(django_filters.FilterSet):
    decision = django_filters.NumberFilter(field_name="record_id")
    product = django_filters.NumberFilter(field_name="record__product_id")

    class Meta:
        model = DecisionOption
        fields = []


class SignOffFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=SignOff.State.choices)
    role = django_filters.ChoiceFilter(choices=StakeholderRole.choices)
    approver = django_filters.NumberFilter(field_name="approver_id")
    requested_by = django_filters.NumberFilter(field_name="requested_by_id")
    prd = django_filters.NumberFilter(field_name="prd_id")
    decision = django_filters.NumberFilter(field_name="decision_id")
    product = django_filters.NumberFilter(method="filter_product", label="On a PRD or decision of this product")
    document_type = django_filters.ChoiceFilter(
        method="filter_document_type", choices=[("prd", "PRD"), ("decision", "Decision record")]
    )
    mine = django_filters.BooleanFilter(method="filter_mine", label="true: asked of me; false: asked of others")

    class Meta:
        model = SignOff
        fields = []

    def filter_product(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(Q(prd__product_id=value) | Q(decision__product_id=value))

    def filter_document_type(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(prd__isnull=value != "prd")

    def filter_mine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        user_id = self.request.user.pk
        return queryset.filter(approver_id=user_id) if value else queryset.exclude(approver_id=user_id)


class ReviewFlagFilter(django_filters.FilterSet):
    """Open flags unless ?status= says otherwise."""

    status = django_filters.ChoiceFilter(
        method="filter_status",
        choices=[("open", "Open"), ("cleared", "Cleared"), ("all", "All")],
        label="open (the default), cleared or all",
    )
    product = django_filters.NumberFilter(field_name="product_id")
    target_type = django_filters.ChoiceFilter(
        method="filter_target_type", choices=[(name, name.replace("_", " ")) for name in ReviewFlag.TARGET_FIELDS]
    )
    epic = django_filters.NumberFilter(field_name="epic_id")
    feature = django_filters.NumberFilter(field_name="feature_id")
    story = django_filters.NumberFilter(field_name="story_id")
    roadmap_item = django_filters.NumberFilter(field_name="roadmap_item_id")
    requirement = django_filters.NumberFilter(field_name="requirement_id")
    decision = django_filters.NumberFilter(field_name="decision_id")

    class Meta:
        model = ReviewFlag
        fields = []

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(cleared_at__isnull=True)
        return queryset

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "open":
            return queryset.filter(cleared_at__isnull=True)
        if value == "cleared":
            return queryset.filter(cleared_at__isnull=False)
        return queryset

    def filter_target_type(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{f"{value}__isnull": False})
