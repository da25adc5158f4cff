"""Project mappings: read by members, created and changed by admins (checked against the project in
Jira), a sync or a dry run started by editors, and disconnecting a project."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from kombu.exceptions import OperationalError
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.errors import Conflict as ConflictError
from core.api.serializers import ErrorSerializer
from core.errors import ApplicationError
from workspaces.models import Role

from ... import tasks
from ...jira import JiraError
from ...models import JiraConnection, ProjectMapping, SyncRun
from ...services import mappings as mapping_services
from ...services import runs as run_services
from ..serializers import (
    ProjectMappingSerializer,
    ProjectMappingWriteSerializer,
    RunQueuedSerializer,
    SyncRequestSerializer,
)
from ..writes import mapping_create_checked, mapping_update_checked
from .base import TAGS, CreateRetrieveUpdateViewSet, JiraUnavailable, QueueUnavailable, member_workspaces


class MappingFilter(django_filters.FilterSet):
    connection = django_filters.NumberFilter(field_name="connection_id", help_text="Connection id")
    product = django_filters.NumberFilter(field_name="product_id", help_text="Product id")
    jira_project_key = django_filters.CharFilter(lookup_expr="iexact", help_text="Jira project key")

    class Meta:
        model = ProjectMapping
        fields = []


def _queue(run: SyncRun, send: Any) -> None:
    try:
        send()
    except OperationalError as exc:
        run_services.run_finish(run, failed=True, message=f"The task queue was unreachable: {exc}")
        raise QueueUnavailable() from exc


@extend_schema(tags=TAGS)
class ProjectMappingViewSet(mixins.DestroyModelMixin, CreateRetrieveUpdateViewSet):
    """Product ↔ Jira project: which issue types carry our epics, features and stories, the story-points
    field, the direction of every field, and Jira status ↔ ours. Members read; admins write (and
    disconnect with DELETE); editors start a sync or a dry run."""

    serializer_class = ProjectMappingSerializer
    input_serializer_class = ProjectMappingWriteSerializer
    filterset_class = MappingFilter
    search_fields = ["jira_project_key", "product__name", "product__key"]
    ordering_fields = ["created_at", "updated_at", "jira_project_key", "watermark"]
    ordering = ["created_at"]
    workspace_path = "product.workspace_id"
    write_role = Role.ADMIN
    action_roles = {"sync": Role.EDITOR, "dry_run": Role.EDITOR}

    def scoped_queryset(self) -> QuerySet[ProjectMapping]:
        return (
            ProjectMapping.objects.filter(product__workspace_id__in=member_workspaces(self.request.user))
            .select_related("product", "connection")
            .prefetch_related("status_mappings")
        )

    @extend_schema(
        request=ProjectMappingWriteSerializer,
        responses={201: ProjectMappingSerializer, 502: ErrorSerializer},
        description="Map a product to a Jira project. Issue types, the story-points field and statuses default "
        "to what the project offers (by name, hierarchy level and status category); what you send overrides them. "
        "502 when Jira cannot be asked, with Jira's words.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(
        request=ProjectMappingWriteSerializer, responses={200: ProjectMappingSerializer, 502: ErrorSerializer}
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(
        request=ProjectMappingWriteSerializer, responses={200: ProjectMappingSerializer, 502: ErrorSerializer}
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer: ProjectMappingWriteSerializer) -> ProjectMapping:
        data = dict(serializer.validated_data)
        product = data.pop("product")
        self.require_write(product.workspace_id)
        connection = JiraConnection.objects.filter(workspace_id=product.workspace_id).first()
        if connection is None:
            raise ValidationError({"product": ["Connect this product's workspace to Jira first."]})
        try:
            return mapping_create_checked(connection=connection, product=product, actor=self.request.user, data=data)
        except JiraError as exc:
            raise JiraUnavailable(str(exc)) from exc

    def perform_update(self, serializer: ProjectMappingWriteSerializer) -> ProjectMapping:
        try:
            return mapping_update_checked(
                mapping=serializer.instance,
                actor=self.request.user,
                data=dict(serializer.validated_data),
                partial=serializer.partial,
            )
        except JiraError as exc:
            raise JiraUnavailable(str(exc)) from exc

    @extend_schema(
        responses={204: None, 409: ErrorSerializer},
        description="Disconnect the product from its Jira project: syncing stops, the mapping and its status map "
        "are removed. Our epics, features and stories are kept as they are; their links to Jira issues are kept "
        "archived (mapping the same project again reconnects them, without duplicates); pending pushes are "
        "dropped and open conflicts closed. 409 while a sync of this mapping is running.",
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance: ProjectMapping) -> None:
        try:
            mapping_services.mapping_delete(mapping=instance, actor=self.request.user)
        except ApplicationError as exc:
            if exc.extra.get("running"):
                raise ConflictError(exc.message) from exc
            raise

    def _queued(self, run: SyncRun) -> Response:
        return Response({"run": run.pk, "status": run.status, "kind": run.kind}, status=status.HTTP_202_ACCEPTED)

    def _startable(self) -> ProjectMapping:
        mapping = self.get_object()
        if not mapping.connection.is_enabled:
            raise ValidationError({"non_field_errors": ["The Jira connection is disabled: enable it first."]})
        return mapping

    @extend_schema(request=SyncRequestSerializer, responses={202: RunQueuedSerializer, 503: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def sync(self, request: Request, pk: str | None = None) -> Response:
        """Queue a pull of this mapping now (the first one imports the whole project; `full`: a reconcile
        that also archives what left the project). Answers 202 with the run to follow; 409 when a sync of
        this mapping is running already."""
        mapping = self._startable()
        serializer = SyncRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        full = serializer.validated_data["full"]
        try:
            run = run_services.pull_run_start(mapping=mapping, full=full)
        except ApplicationError as exc:
            raise ConflictError(exc.message) from exc
        _queue(
            run,
            lambda: tasks.pull_mapping.apply_async(
                kwargs={"mapping_id": mapping.pk, "full": full, "run_id": run.pk}, retry=False
            ),
        )
        return self._queued(run)

    @extend_schema(request=None, responses={202: RunQueuedSerializer, 503: ErrorSerializer})
    @action(detail=True, methods=["post"], url_path="dry-run")
    def dry_run(self, request: Request, pk: str | None = None) -> Response:
        """Queue a dry run of this mapping: what a sync would create, update, archive and push on each side,
        writing nothing. Answers 202 with the run; its `plan` holds the answer when it has succeeded."""
        mapping = self._startable()
        run = run_services.run_start(connection=mapping.connection, mapping=mapping, kind=SyncRun.Kind.DRY_RUN)
        _queue(run, lambda: tasks.dry_run_mapping.apply_async(args=(mapping.pk, run.pk), retry=False))
        return self._queued(run)
