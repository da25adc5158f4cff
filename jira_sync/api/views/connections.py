"""The workspace's Jira connection: for workspace admins only, reads included."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.permissions import workspace_roles
from core.api.viewsets import etag_for
from workspaces.models import Role

from ...models import JiraConnection
from ...services import connections as connection_services
from ..serializers import (
    ConnectionTestRequestSerializer,
    ConnectionTestSerializer,
    JiraConnectionSerializer,
    JiraConnectionWithSecretSerializer,
    JiraConnectionWriteSerializer,
)
from .base import TAGS, CreateRetrieveUpdateViewSet, admin_workspaces, member_workspaces


class ConnectionFilter(django_filters.FilterSet):
    workspace = django_filters.NumberFilter(field_name="workspace_id", help_text="Workspace id")
    is_enabled = django_filters.BooleanFilter()

    class Meta:
        model = JiraConnection
        fields = []


@extend_schema(tags=TAGS)
class JiraConnectionViewSet(CreateRetrieveUpdateViewSet):
    """The Jira connection of a workspace (one per workspace): workspace admins only.

    The API token (Cloud) or personal access token (Data Center) is write-only and never returned; the
    webhook secret is shown once, on create and on `rotate-secret`.
    """

    serializer_class = JiraConnectionSerializer
    input_serializer_class = JiraConnectionWriteSerializer
    filterset_class = ConnectionFilter
    search_fields = ["site_url", "email"]
    ordering_fields = ["created_at", "updated_at", "site_url"]
    ordering = ["created_at"]
    workspace_path = "workspace_id"
    write_role = Role.ADMIN

    def required_role(self, request: Request) -> str:
        return Role.ADMIN

    def scoped_queryset(self) -> QuerySet[JiraConnection]:
        user = self.request.user
        if getattr(self, "action", None) == "list":
            return JiraConnection.objects.filter(workspace_id__in=admin_workspaces(user))
        return JiraConnection.objects.filter(workspace_id__in=member_workspaces(user))

    @extend_schema(description="The connections of the workspaces you administer.")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not any(Role.at_least(role, Role.ADMIN) for role in workspace_roles(request).values()):
            raise PermissionDenied("Jira settings are managed by workspace admins.")
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=JiraConnectionWriteSerializer,
        responses={201: JiraConnectionWithSecretSerializer},
        description="Connect a workspace to Jira; the answer shows the webhook secret, once.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = dict(self.input(data=request.data).validated_data)
        workspace = data.pop("workspace")
        self.require_write(workspace.pk)
        connection, secret = connection_services.connection_create(workspace=workspace, actor=request.user, **data)
        body = self.output(connection)
        return Response(
            {**body, "webhook_secret": secret}, status=status.HTTP_201_CREATED, headers={"ETag": etag_for(body)}
        )

    @extend_schema(request=JiraConnectionWriteSerializer, responses={200: JiraConnectionSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=JiraConnectionWriteSerializer, responses={200: JiraConnectionSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_update(self, serializer: JiraConnectionWriteSerializer) -> JiraConnection:
        changes = dict(serializer.validated_data)
        token = changes.pop("token", None)
        return connection_services.connection_update(
            connection=serializer.instance, actor=self.request.user, token=token, **changes
        )

    @extend_schema(request=ConnectionTestRequestSerializer, responses={200: ConnectionTestSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        """Ask the site what is wrong, if anything (bad URL, bad credentials, no permission), in words.
        The answer is also kept on the connection (`last_test_*`)."""
        connection = self.get_object()
        serializer = ConnectionTestRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = connection_services.connection_test(
            connection=connection, project_key=serializer.validated_data.get("project_key") or None
        )
        body = {
            "ok": report.ok,
            "message": connection.last_test_message,
            "problems": report.problems,
            "deployment": report.deployment,
            "server_title": report.server_title,
            "version": report.version,
            "account": report.account,
            "project_name": report.project_name,
            "tested_at": connection.last_test_at,
        }
        return Response(ConnectionTestSerializer(body).data)

    @extend_schema(request=None, responses={200: JiraConnectionWithSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        """Replace the webhook secret; the answer shows the new one, once. Update it in Jira's webhook."""
        connection = self.get_object()
        secret = connection_services.connection_rotate_webhook_secret(connection=connection, actor=request.user)
        body = self.output(connection)
        return Response({**body, "webhook_secret": secret}, headers={"ETag": etag_for(body)})
