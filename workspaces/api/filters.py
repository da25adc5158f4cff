"""Filters take plain ids: they narrow the caller's rows and never reveal whether a foreign id exists."""

import django_filters

from ..models import ApiToken, Membership, Product, Role, Workspace


class WorkspaceFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(field_name="caller_role", choices=Role.choices, label="Your role")

    class Meta:
        model = Workspace
        fields = []


class MembershipFilter(django_filters.FilterSet):
    workspace = django_filters.NumberFilter(field_name="workspace_id")
    user = django_filters.NumberFilter(field_name="user_id")
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = Membership
        fields = []


class ProductFilter(django_filters.FilterSet):
    workspace = django_filters.NumberFilter(field_name="workspace_id")

    class Meta:
        model = Product
        fields = []


class ApiTokenFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", label="Not revoked")

    class Meta:
        model = ApiToken
        fields = []
