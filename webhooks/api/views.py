"""Webhook endpoints of a workspace, their deliveries and attempts: workspace admins only.

Members of other roles get 403 on every route, people outside the workspace 404.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.permissions import workspace_roles
from core.api.viewsets import ScopedModelViewSet, etag_for
from workspaces.models import Role

from .. import selectors, services
from ..models import EventKind, WebhookDelivery, WebhookEndpoint
from .serializers import (
    DeliveryStateFilterSerializer,
    RedeliverSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWithSecretSerializer,
    WebhookEndpointWriteSerializer,
)

RECEIVING = """

**What an endpoint receives.** One `POST` per event, body
`{"id": "<event uuid>", "event": "story.created", "created_at": "…", "workspace": 1, "data": {…}}`,
with headers `X-TPM-Event`, `X-TPM-Delivery` (this delivery's uuid), `X-TPM-Timestamp` (Unix seconds) and
`X-TPM-Signature: sha256=<hex>`, the HMAC-SHA256 of `"<timestamp>.<raw body>"` keyed with the endpoint's secret.
Compare it in constant time and refuse a timestamp more than 5 minutes from your clock: a request
replayed later fails, while every attempt (retries included) is signed when it is sent. Any 2xx answers
success; anything else (or no answer within 10 s) is retried with exponential backoff and jitter —
following `Retry-After` on 429 and 503 — up to 8 attempts. The same event may arrive more than once:
use `id` to ignore repeats."""


class WebhookEndpointFilter(django_filters.FilterSet):
    workspace = django_filters.NumberFilter(field_name="workspace_id")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = WebhookEndpoint
        fields = []


@extend_schema(tags=["webhooks"])
class WebhookEndpointViewSet(ScopedModelViewSet):
    """Outgoing webhooks: URLs of a workspace subscribed to events, signed with a secret shown once."""

    serializer_class = WebhookEndpointSerializer
    input_serializer_class = WebhookEndpointWriteSerializer
    filterset_class = WebhookEndpointFilter
    search_fields = ["url", "description"]
    ordering_fields = ["created_at", "updated_at", "url"]
    ordering = ["created_at"]
    workspace_path = "workspace_id"
    write_role = Role.ADMIN

    def required_role(self, request: Request) -> str:
        # Reads too: URLs, payloads and receivers' answers are for the workspace's admins.
        return Role.ADMIN

    def scoped_queryset(self) -> QuerySet[WebhookEndpoint]:
        endpoints = WebhookEndpoint.objects.select_related("created_by")
        if getattr(self, "action", None) == "list":
            return endpoints.managed_by(self.request.user)
        return endpoints.visible_to(self.request.user)

    @extend_schema(description="Endpoints of the workspaces you administer." + RECEIVING)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not any(Role.at_least(role, Role.ADMIN) for role in workspace_roles(request).values()):
            raise PermissionDenied("Webhooks are managed by workspace admins.")
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=WebhookEndpointWriteSerializer,
        responses={201: WebhookEndpointWithSecretSerializer},
        description="Subscribe a URL to events; the answer shows the signing secret, once." + RECEIVING,
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.input(data=request.data)
        data = dict(serializer.validated_data)
        workspace = data.pop("workspace")
        self.require_write(workspace.pk)
        endpoint, secret = services.endpoint_create(workspace=workspace, actor=request.user, **data)
        body = self.output(endpoint)
        return Response({**body, "secret": secret}, status=status.HTTP_201_CREATED, headers={"ETag": etag_for(body)})

    @extend_schema(request=WebhookEndpointWriteSerializer, responses={200: WebhookEndpointSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=WebhookEndpointWriteSerializer, responses={200: WebhookEndpointSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_update(self, serializer: WebhookEndpointWriteSerializer) -> WebhookEndpoint:
        changes = dict(serializer.validated_data)
        return services.endpoint_update(endpoint=serializer.instance, actor=self.request.user, **changes)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        services.endpoint_delete(endpoint=instance, actor=self.request.user)

    def _delivery_response(self, delivery: WebhookDelivery) -> Response:
        fresh = selectors.endpoint_deliveries(endpoint=delivery.endpoint).get(pk=delivery.pk)
        return Response(WebhookDeliverySerializer(fresh).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=None,
        responses={200: WebhookDeliverySerializer(many=True)},
        parameters=[
            OpenApiParameter("state", str, enum=WebhookDelivery.State.values, description="Only deliveries in it"),
            OpenApiParameter("event", str, enum=EventKind.values, description="Only deliveries of this event kind"),
            OpenApiParameter("page", int, description="A page number within the paginated result set."),
            OpenApiParameter("page_size", int, description="Number of results to return per page."),
        ],
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """The endpoint's deliveries, newest first, each with its event and every attempt."""
        endpoint = self.get_object()
        filters = DeliveryStateFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        deliveries = selectors.endpoint_deliveries(
            endpoint=endpoint, state=filters.validated_data.get("state"), kind=filters.validated_data.get("event")
        )
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def ping(self, request: Request, pk: str | None = None) -> Response:
        """Send a `ping` event to this endpoint now; the answer is the queued delivery."""
        delivery = services.endpoint_ping(endpoint=self.get_object(), actor=request.user)
        return self._delivery_response(delivery)

    @extend_schema(request=RedeliverSerializer, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, pk: str | None = None) -> Response:
        """Send one of this endpoint's finished deliveries again (same event id, new attempts)."""
        endpoint = self.get_object()
        serializer = RedeliverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=serializer.validated_data["delivery"]).first()
        if delivery is None:
            raise ValidationError({"delivery": ["No delivery with this id for this endpoint."]})
        delivery = services.delivery_redeliver(delivery=delivery, actor=request.user)
        return self._delivery_response(delivery)

    @extend_schema(request=None, responses={200: WebhookEndpointWithSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        """Replace the signing secret; the answer shows the new one, once. Later attempts sign with it."""
        endpoint, secret = services.endpoint_rotate_secret(endpoint=self.get_object(), actor=request.user)
        body = self.output(endpoint)
        return Response({**body, "secret": secret}, headers={"ETag": etag_for(body)})
