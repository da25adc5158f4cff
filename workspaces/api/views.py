"""Tenant endpoints: workspaces, members, products, and the caller's own API tokens. Thin over workspaces.services."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from backlog import services as backlog_services
from core.api.permissions import WorkspaceRolePermission
from core.api.viewsets import (
    CreateMixin,
    RetrieveWithETagMixin,
    ScopedModelViewSet,
    ScopedViewSetMixin,
    UpdateWithIfMatchMixin,
    etag_for,
)

from .. import services
from ..models import ApiToken, Membership, Product, Role, Workspace
from .filters import ApiTokenFilter, MembershipFilter, ProductFilter, WorkspaceFilter
from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    MembershipCreateSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    ProductSerializer,
    ProductWriteSerializer,
    WorkspaceSerializer,
    WorkspaceWriteSerializer,
)


def caller_role(user: Any) -> Subquery:
    return Subquery(Membership.objects.filter(workspace=OuterRef("pk"), user=user).values("role")[:1])


@extend_schema(tags=["workspaces"])
class WorkspaceViewSet(
    RetrieveWithETagMixin,
    CreateMixin,
    UpdateWithIfMatchMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's workspaces, each with the caller's role. Anyone signed in creates one (and is its admin);
    admins rename it. The address (slug) never changes. Workspaces are not deleted through the API."""

    serializer_class = WorkspaceSerializer
    input_serializer_class = WorkspaceWriteSerializer
    filterset_class = WorkspaceFilter
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]
    workspace_path = "pk"
    write_role = Role.ADMIN

    def scoped_queryset(self) -> QuerySet[Workspace]:
        user = self.request.user
        if not user.is_authenticated:
            return Workspace.objects.none()
        return Workspace.objects.visible_to(user).annotate(caller_role=caller_role(user))

    @extend_schema(request=WorkspaceWriteSerializer, responses={201: WorkspaceSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(request=WorkspaceWriteSerializer, responses={200: WorkspaceSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=WorkspaceWriteSerializer, responses={200: WorkspaceSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer: WorkspaceWriteSerializer) -> Workspace:
        # No workspace yet, so no role to check: whoever creates one becomes its admin.
        return services.workspace_create(creator=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: WorkspaceWriteSerializer) -> Workspace:
        workspace = serializer.instance
        name = serializer.validated_data.get("name", workspace.name)
        return services.workspace_rename(workspace=workspace, actor=self.request.user, name=name)


class MembershipPermission(WorkspaceRolePermission):
    """Admins manage members; any member may leave (DELETE their own membership)."""

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if view.action == "destroy" and obj.user_id == request.user.pk:
            return True
        return super().has_object_permission(request, view, obj)


@extend_schema(tags=["members"])
class MembershipViewSet(ScopedModelViewSet):
    """Who belongs to the caller's workspaces, with their role and title (filter with ?workspace=).

    Any member reads. Admins add an existing user (by id, username or e-mail), change roles and
    titles, and remove members; anyone may leave. A workspace keeps at least one admin: demoting or
    removing the last one answers 400.
    """

    serializer_class = MembershipSerializer
    input_serializer_class = MembershipCreateSerializer
    permission_classes = (MembershipPermission,)
    filterset_class = MembershipFilter
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email", "title"]
    ordering_fields = ["user__username", "user__last_name", "created_at"]
    ordering = ["workspace_id", "user__username"]
    workspace_path = "workspace_id"
    write_role = Role.ADMIN

    def scoped_queryset(self) -> QuerySet[Membership]:
        workspaces = Workspace.objects.visible_to(self.request.user).values("pk")
        return Membership.objects.filter(workspace__in=workspaces).select_related("user")

    def get_serializer_class(self) -> type:
        if getattr(self, "action", None) in ("update", "partial_update"):
            return MembershipUpdateSerializer
        return super().get_serializer_class()

    def input(self, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, "action", None) in ("update", "partial_update"):
            serializer = MembershipUpdateSerializer(*args, context=self.get_serializer_context(), **kwargs)
            serializer.is_valid(raise_exception=True)
            return serializer
        return super().input(*args, **kwargs)

    @extend_schema(request=MembershipCreateSerializer, responses={201: MembershipSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(request=MembershipUpdateSerializer, responses={200: MembershipSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=MembershipUpdateSerializer, responses={200: MembershipSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer: MembershipCreateSerializer) -> Membership:
        data = dict(serializer.validated_data)
        workspace = data.pop("workspace")
        self.require_write(workspace.pk)
        return services.member_add(workspace=workspace, **data)

    def perform_update(self, serializer: MembershipUpdateSerializer) -> Membership:
        return services.member_update(
            membership=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: Membership) -> None:
        services.member_remove(membership=instance, actor=self.request.user)


@extend_schema(tags=["products"])
class ProductViewSet(ScopedModelViewSet):
    """Products of the caller's workspaces. Admins create and delete them, editors edit them.

    A product's key is fixed once created (it prefixes every item key). Only an empty product can
    be deleted: one that still holds work (items, sprints, roadmaps, PRDs, decisions) answers 400
    naming what it holds, so a delete never cascades through a team's work.
    """

    serializer_class = ProductSerializer
    input_serializer_class = ProductWriteSerializer
    filterset_class = ProductFilter
    search_fields = ["name", "key", "description"]
    ordering_fields = ["name", "key", "created_at"]
    ordering = ["workspace_id", "name"]
    workspace_path = "workspace_id"
    write_role = Role.EDITOR
    action_roles = {"create": Role.ADMIN, "destroy": Role.ADMIN}

    def scoped_queryset(self) -> QuerySet[Product]:
        return Product.objects.visible_to(self.request.user)

    @extend_schema(request=ProductWriteSerializer, responses={201: ProductSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(request=ProductWriteSerializer, responses={200: ProductSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=ProductWriteSerializer, responses={200: ProductSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer: ProductWriteSerializer) -> Product:
        data = dict(serializer.validated_data)
        workspace = data.pop("workspace")
        self.require_write(workspace.pk)
        # The backlog's product_create: the product comes with its workflow statuses.
        return backlog_services.product_create(workspace=workspace, **data)

    def perform_update(self, serializer: ProductWriteSerializer) -> Product:
        return services.product_update(
            product=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: Product) -> None:
        services.product_delete(product=instance, actor=self.request.user)


@extend_schema(tags=["tokens"])
class ApiTokenViewSet(
    RetrieveWithETagMixin, CreateMixin, ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """The caller's own personal API tokens. The token text is shown once, in the answer to its creation;
    only its SHA-256 is stored. Another person's token id answers 404, whatever the caller's role."""

    serializer_class = ApiTokenSerializer
    input_serializer_class = ApiTokenCreateSerializer
    permission_classes = (IsAuthenticated,)
    filterset_class = ApiTokenFilter
    search_fields = ["name"]
    ordering_fields = ["created_at", "last_used_at", "name"]
    ordering = ["-created_at"]
    # Tokens belong to a person, not a workspace: rows are the caller's own and no role applies.
    # This path (ORM-style, from a token to the workspaces of its user) is for the tenancy walk only.
    workspace_path = "user.memberships.workspace_id"

    def scoped_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user_id=self.request.user.pk)

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.input(data=request.data)
        token, plain = services.api_token_create(user=request.user, **serializer.validated_data)
        token.token = plain
        data = ApiTokenCreatedSerializer(token, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})

    @extend_schema(request=None, responses={200: ApiTokenSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """Revoke the token: it answers 401 from now on. Revoking a revoked token changes nothing."""
        token = services.api_token_revoke(token=self.get_object(), actor=request.user)
        data = self.output(token)
        return Response(data, headers={"ETag": etag_for(data)})
