"""Sync runs, with their item errors."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.viewsets import ScopedReadOnlyViewSet

from ...models import SyncItemError, SyncRun
from ..serializers import SyncItemErrorSerializer, SyncRunDetailSerializer, SyncRunSerializer
from .base import PAGE_PARAMETERS, TAGS, member_workspaces


class RunFilter(django_filters.FilterSet):
    connection = django_filters.NumberFilter(field_name="connection_id", help_text="Connection id")
    mapping = django_filters.NumberFilter(field_name="mapping_id", help_text="Mapping id")
    product = django_filters.NumberFilter(field_name="mapping__product_id", help_text="Product id (of the mapping)")
    kind = django_filters.ChoiceFilter(choices=SyncRun.Kind.choices)
    status = django_filters.ChoiceFilter(choices=SyncRun.Status.choices)

    class Meta:
        model = SyncRun
        fields = []


@extend_schema(tags=TAGS)
class SyncRunViewSet(ScopedReadOnlyViewSet):
    """Every pull, reconcile, push sweep, webhook batch and dry run, with its counts; newest first.
    The detail adds the dry run's plan and the first per-item errors, in Jira's words."""

    serializer_class = SyncRunSerializer
    filterset_class = RunFilter
    search_fields = ["message"]
    ordering_fields = ["started_at", "finished_at", "errors"]
    ordering = ["-started_at"]
    workspace_path = "connection.workspace_id"

    def get_serializer_class(self) -> type:
        return SyncRunDetailSerializer if getattr(self, "action", None) == "retrieve" else SyncRunSerializer

    def scoped_queryset(self) -> QuerySet[SyncRun]:
        runs = SyncRun.objects.filter(connection__workspace_id__in=member_workspaces(self.request.user))
        if getattr(self, "action", None) == "list":
            return runs.defer("plan")
        return runs

    @extend_schema(request=None, responses={200: SyncItemErrorSerializer(many=True)}, parameters=PAGE_PARAMETERS)
    @action(detail=True, methods=["get"], filter_backends=[])
    def errors(self, request: Request, pk: str | None = None) -> Response:
        """Every per-item error of the run, in the order they happened."""
        run = self.get_object()
        page = self.paginate_queryset(SyncItemError.objects.filter(run=run).order_by("at", "pk"))
        return self.get_paginated_response(SyncItemErrorSerializer(page, many=True).data)
