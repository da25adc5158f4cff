"""Sign-offs (asked on PRDs and decision records, given by the named approver) and review flags."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.permissions import WorkspaceRolePermission, require_role
from core.api.viewsets import ScopedReadOnlyViewSet, etag_for
from workspaces.models import Role

from ... import services
from ...models import ReviewFlag, SignOff, SignOffEvent
from ..filters import ReviewFlagFilter, SignOffFilter
from ..serializers.signoffs import (
    ApproveSerializer,
    RejectSerializer,
    ReviewFlagClearSerializer,
    ReviewFlagSerializer,
    SignOffRequestSerializer,
    SignOffSerializer,
)
from .base import DecisionsViewSetMixin


def signoff_queryset(user: AbstractBaseUser) -> QuerySet[SignOff]:
    """The caller's sign-offs with what their output needs: three queries for any number of rows."""
    return (
        SignOff.objects.visible_to(user)
        .select_related("prd", "decision", "prd_version", "approver", "requested_by")
        .prefetch_related(Prefetch("events", SignOffEvent.objects.select_related("actor").order_by("at", "pk")))
    )


class RequestSignOffMixin:
    """POST …/{id}/request-signoff/ on a document viewset (PRDs, decision records)."""

    @extend_schema(request=SignOffRequestSerializer, responses={201: SignOffSerializer})
    @action(detail=True, methods=["post"], url_path="request-signoff", filter_backends=[])
    def request_signoff(self, request: Request, pk: str | None = None) -> Response:
        """Ask a member (of any role) to sign off the current content, in a stakeholder role.

        The sign-off binds the content hash (and for a PRD its latest version); the document goes to review.
        """
        document = self.get_object()  # type: ignore[attr-defined]
        data = self.validated(SignOffRequestSerializer, request.data)  # type: ignore[attr-defined]
        signoff = services.signoff_request(
            document=document, actor=request.user, approver=data["approver"], role=data["role"]
        )
        fresh = signoff_queryset(request.user).get(pk=signoff.pk)
        body = SignOffSerializer(fresh, context=self.get_serializer_context()).data  # type: ignore[attr-defined]
        return Response(body, status=status.HTTP_201_CREATED, headers={"ETag": etag_for(body)})


class SignOffPermission(WorkspaceRolePermission):
    """A sign-off reaches its workspace through its document, a PRD or a decision record."""

    def has_object_permission(self, request: Request, view: Any, obj: SignOff) -> bool:
        require_role(request, obj.document.product.workspace_id, view.required_role(request))
        return True


@extend_schema(tags=["sign-offs"])
class SignOffViewSet(DecisionsViewSetMixin, ScopedReadOnlyViewSet):
    """Sign-offs on the caller's PRDs and decision records, each with its audit trail.

    Ask for one with POST /prds/{id}/request-signoff/ or /decisions/{id}/request-signoff/. Only the
    named approver approves or rejects, whatever their role (a viewer signs off when asked); anyone
    else answers 403. A sign-off whose document changed since it was asked for answers 409: the
    same person has been asked again on the new content. Editors withdraw a waiting sign-off.
    """

    serializer_class = SignOffSerializer
    permission_classes = (SignOffPermission,)
    filterset_class = SignOffFilter
    search_fields = ["prd__title", "decision__title", "comment"]
    ordering_fields = ["created_at", "decided_at", "state"]
    ordering = ["-created_at"]
    # For the tenancy walk (an ORM path to a demo sign-off); the permission reads the workspace
    # through the document, which is a PRD or a decision record.
    workspace_path = "prd.product.workspace_id"
    write_role = Role.EDITOR
    action_roles = {"approve": Role.VIEWER, "reject": Role.VIEWER}

    def scoped_queryset(self) -> QuerySet[SignOff]:
        return signoff_queryset(self.request.user)

    @extend_schema(request=ApproveSerializer, responses={200: SignOffSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve, as the named approver, the content the sign-off was asked on."""
        signoff = self.get_object()
        data = self.validated(ApproveSerializer, request.data)
        signoff = services.signoff_approve(signoff=signoff, actor=request.user, comment=data["comment"])
        return self.respond(signoff)

    @extend_schema(request=RejectSerializer, responses={200: SignOffSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject, as the named approver, saying why."""
        signoff = self.get_object()
        data = self.validated(RejectSerializer, request.data)
        signoff = services.signoff_reject(signoff=signoff, actor=request.user, comment=data["comment"])
        return self.respond(signoff)

    @extend_schema(request=None, responses={200: SignOffSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw a sign-off that is still waiting (editors)."""
        signoff = services.signoff_withdraw(signoff=self.get_object(), actor=request.user)
        return self.respond(signoff)


@extend_schema(tags=["review flags"])
class ReviewFlagViewSet(DecisionsViewSetMixin, ScopedReadOnlyViewSet):
    """Items to look at again because a requirement or decision they rest on changed.

    The list shows open flags unless ?status=cleared or ?status=all. Contributors and above clear a flag.
    """

    serializer_class = ReviewFlagSerializer
    filterset_class = ReviewFlagFilter
    search_fields = ["reason"]
    ordering_fields = ["created_at", "cleared_at"]
    ordering = ["-created_at"]
    workspace_path = "product.workspace_id"
    action_roles = {"clear": Role.CONTRIBUTOR}

    def scoped_queryset(self) -> QuerySet[ReviewFlag]:
        return ReviewFlag.objects.visible_to(self.request.user).select_related(
            "product", "epic", "feature", "story", "roadmap_item", "raised_by", "cleared_by"
        )

    @extend_schema(request=ReviewFlagClearSerializer, responses={200: ReviewFlagSerializer})
    @action(detail=True, methods=["post"])
    def clear(self, request: Request, pk: str | None = None) -> Response:
        """Mark the flag as dealt with, with an optional note. A cleared flag answers 400."""
        flag = self.get_object()
        data = self.validated(ReviewFlagClearSerializer, request.data)
        flag = services.review_flag_clear(flag=flag, actor=request.user, note=data["note"])
        return self.respond(flag)
