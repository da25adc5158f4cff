"""PRDs, their immutable versions, requirements and coverage."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from backlog.models import Epic, Feature, Story
from core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from roadmap.models import RoadmapItem
from workspaces.models import Product, Role

from ... import services
from ...models import PRD, PRDSection, PRDVersion, Requirement
from ...selectors import Coverage, requirement_coverage
from ..filters import PRDFilter, PRDVersionFilter, RequirementFilter
from ..serializers.prds import (
    CoverageQuerySerializer,
    CoverageSerializer,
    PRDCreateSerializer,
    PRDPublishedSerializer,
    PRDPublishSerializer,
    PRDSerializer,
    PRDUpdateSerializer,
    PRDVersionSerializer,
    PRDVersionSummarySerializer,
    RequirementCreateSerializer,
    RequirementLinkSerializer,
    RequirementSerializer,
    RequirementUpdateSerializer,
    VersionDiffQuerySerializer,
    VersionDiffSerializer,
)
from .base import DecisionsViewSetMixin
from .signoffs import RequestSignOffMixin


def ids_only(model: type) -> QuerySet:
    return model.objects.only("pk")


def coverage_body(coverage: Coverage, *, product: Product, prd: PRD | None) -> dict[str, Any]:
    return CoverageSerializer(
        {
            "product": product.pk,
            "prd": prd.pk if prd else None,
            "requirements_total": coverage.requirements_total,
            "stories_total": coverage.stories_total,
            "percent_requirements_covered": coverage.percent_requirements_covered,
            "unbuilt_requirements": coverage.unbuilt_requirements,
            "untraced_stories": coverage.untraced_stories,
        }
    ).data


@extend_schema(tags=["PRDs"])
class PRDViewSet(RequestSignOffMixin, DecisionsViewSetMixin, ScopedModelViewSet):
    """Product requirement documents. Editors write; every change of content publishes an immutable version.

    A PATCH renames the PRD; its sections change through POST /prds/{id}/publish/. Deleting a PRD
    that was ever asked for sign-off answers 400: its audit trail is kept.
    """

    serializer_class = PRDSerializer
    input_serializer_class = PRDCreateSerializer
    update_serializer_class = PRDUpdateSerializer
    filterset_class = PRDFilter
    search_fields = ["title"]
    ordering_fields = ["title", "status", "created_at", "updated_at"]
    ordering = ["title"]
    write_role = Role.EDITOR
    # PUT/PATCH and publish must say which version they change (428 without If-Match, 412 when stale).
    if_match_required = True
    if_match_actions = ("publish",)

    # Reads about the PRD that never show it: they load the row and its product, nothing more.
    bare_actions = ("versions", "versions_diff", "coverage")

    def scoped_queryset(self) -> QuerySet[PRD]:
        prds = PRD.objects.visible_to(self.request.user)
        if self.action in self.bare_actions:
            return prds.select_related("product")
        latest = PRDVersion.objects.filter(prd=OuterRef("pk")).order_by("-number")
        return (
            prds.select_related("owner")
            .prefetch_related(
                Prefetch("sections", PRDSection.objects.order_by("position", "pk")),
                Prefetch("epics", ids_only(Epic)),
                Prefetch("roadmap_items", ids_only(RoadmapItem)),
            )
            .annotate(
                current_version=Subquery(latest.values("number")[:1]),
                current_hash=Subquery(latest.values("content_hash")[:1]),
            )
        )

    @extend_schema(request=PRDCreateSerializer, responses={201: PRDSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(request=PRDUpdateSerializer, responses={200: PRDSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=PRDUpdateSerializer, responses={200: PRDSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer: PRDCreateSerializer) -> PRD:
        data = dict(serializer.validated_data)
        product = data.pop("product")
        self.require_write(product.workspace_id)
        return services.prd_create(product=product, actor=self.request.user, **data)

    def perform_update(self, serializer: PRDUpdateSerializer) -> PRD:
        prd = serializer.instance
        services.prd_update(prd=prd, actor=self.request.user, **serializer.validated_data)
        return prd

    def perform_destroy(self, instance: PRD) -> None:
        services.prd_delete(prd=instance, actor=self.request.user)

    @extend_schema(
        request=PRDPublishSerializer,
        responses={201: PRDPublishedSerializer, 200: PRDPublishedSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Save a new title and/or sections (the whole list) and publish them as the next version.

        Answers 201 with the PRD and its new version number; when the content equals the latest
        version's, nothing is published and the answer is 200 with `published: false`. Sign-offs on
        the previous content turn stale and their approvers are asked again. Send the PRD's ETag in
        If-Match: when someone published meanwhile the answer is 412 and nothing is saved; without it, 428.
        """
        prd = self.get_object()
        with transaction.atomic():
            self.check_if_match(prd)
            data = self.validated(PRDPublishSerializer, request.data)
            version = services.prd_update(prd=prd, actor=request.user, **data)
        body = self.output(prd)
        etag = self.etag(body)
        body["published"] = version is not None
        return Response(
            body, status=status.HTTP_201_CREATED if version is not None else status.HTTP_200_OK, headers={"ETag": etag}
        )

    @extend_schema(request=None, responses={200: PRDVersionSummarySerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """The PRD's versions, newest first (their content at /prd-versions/{id}/)."""
        prd = self.get_object()
        versions = PRDVersion.objects.filter(prd=prd).select_related("created_by").order_by("-number")
        page = self.paginate_queryset(versions)
        serializer = PRDVersionSummarySerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter("from", OpenApiTypes.INT, required=True, description="The older version's number"),
            OpenApiParameter("to", OpenApiTypes.INT, required=True, description="The newer version's number"),
        ],
        responses={200: VersionDiffSerializer},
    )
    @action(detail=True, methods=["get"], url_path="versions/diff", filter_backends=[], pagination_class=None)
    def versions_diff(self, request: Request, pk: str | None = None) -> Response:
        """What changed between two versions: the title, sections (by title) and requirements (by key)."""
        prd = self.get_object()
        query = VersionDiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        numbers = {name: query.validated_data[name] for name in ("from", "to")}
        found = {v.number: v for v in PRDVersion.objects.filter(prd=prd, number__in=numbers.values())}
        missing = {name: [f"This PRD has no version {n}."] for name, n in numbers.items() if n not in found}
        if missing:
            raise ValidationError(missing)
        diff = services.prd_version_diff(found[numbers["from"]], found[numbers["to"]])
        return Response(VersionDiffSerializer({"prd": prd.pk, **numbers, **diff}).data)

    @extend_schema(request=None, responses={200: CoverageSerializer})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def coverage(self, request: Request, pk: str | None = None) -> Response:
        """This PRD's requirements that nothing delivers, the product's stories no requirement asked for."""
        prd = self.get_object()
        coverage = requirement_coverage(product=prd.product, prd=prd)
        return Response(coverage_body(coverage, product=prd.product, prd=prd))


@extend_schema(tags=["PRDs"])
class PRDVersionViewSet(ScopedReadOnlyViewSet):
    """Published PRD versions: immutable, each with its whole content and its SHA-256.

    Filter with ?prd=; /prds/{id}/versions/ lists one PRD's and /prds/{id}/versions/diff/ compares two.
    """

    serializer_class = PRDVersionSerializer
    filterset_class = PRDVersionFilter
    search_fields = ["change_note"]
    ordering_fields = ["number", "created_at"]
    ordering = ["prd_id", "-number"]
    workspace_path = "prd.product.workspace_id"

    def scoped_queryset(self) -> QuerySet[PRDVersion]:
        prds = PRD.objects.visible_to(self.request.user).values("pk")
        return PRDVersion.objects.filter(prd__in=prds).select_related("prd__product", "created_by")

    def get_serializer_class(self) -> type:
        return PRDVersionSummarySerializer if self.action == "list" else PRDVersionSerializer


@extend_schema(tags=["requirements"])
class RequirementViewSet(DecisionsViewSetMixin, ScopedModelViewSet):
    """Requirements of PRDs, keyed REQ-n per product (never reused), traced to the features and stories
    that deliver them. Editors write; each change publishes a new version of the PRD, and changing or
    removing a requirement flags what delivers it for re-review.
    """

    serializer_class = RequirementSerializer
    input_serializer_class = RequirementCreateSerializer
    update_serializer_class = RequirementUpdateSerializer
    filterset_class = RequirementFilter
    search_fields = ["title", "description"]
    ordering_fields = ["number", "position", "priority", "created_at", "updated_at"]
    ordering = ["prd_id", "position", "number"]
    write_role = Role.EDITOR
    if_match_required = True

    def scoped_queryset(self) -> QuerySet[Requirement]:
        return Requirement.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("features", ids_only(Feature)), Prefetch("stories", ids_only(Story))
        )

    @extend_schema(request=RequirementCreateSerializer, responses={201: RequirementSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(request=RequirementUpdateSerializer, responses={200: RequirementSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=RequirementUpdateSerializer, responses={200: RequirementSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer: RequirementCreateSerializer) -> Requirement:
        data = dict(serializer.validated_data)
        prd = data.pop("prd")
        self.require_write(prd.product.workspace_id)
        return services.requirement_create(prd=prd, actor=self.request.user, **data)

    def perform_update(self, serializer: RequirementUpdateSerializer) -> Requirement:
        return services.requirement_update(
            requirement=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: Requirement) -> None:
        services.requirement_delete(requirement=instance, actor=self.request.user)

    @extend_schema(request=RequirementLinkSerializer, responses={200: RequirementSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def link(self, request: Request, pk: str | None = None) -> Response:
        """Trace the requirement to more features and/or stories of its product."""
        requirement = self.get_object()
        data = self.validated(RequirementLinkSerializer, request.data)
        services.requirement_link(requirement=requirement, **data)
        return self.respond(requirement)

    @extend_schema(request=RequirementLinkSerializer, responses={200: RequirementSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def unlink(self, request: Request, pk: str | None = None) -> Response:
        """Remove features and/or stories from the requirement's trace (ones not traced are ignored)."""
        requirement = self.get_object()
        data = self.validated(RequirementLinkSerializer, request.data)
        services.requirement_unlink(requirement=requirement, **data)
        return self.respond(requirement)

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter("product", OpenApiTypes.INT, required=True, description="The product"),
            OpenApiParameter("prd", OpenApiTypes.INT, description="Only this PRD's requirements"),
        ],
        responses={200: CoverageSerializer},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def coverage(self, request: Request) -> Response:
        """Traceability of a product: requirements nothing delivers, stories no requirement asked for.

        A product the caller cannot see answers 404; a PRD that is not the product's answers 400.
        """
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        product = get_object_or_404(Product.objects.visible_to(request.user), pk=query.validated_data["product"])
        prd = None
        if "prd" in query.validated_data:
            prd = PRD.objects.filter(product=product, pk=query.validated_data["prd"]).first()
            if prd is None:
                raise ValidationError({"prd": ["No PRD with this id in the product."]})
        coverage = requirement_coverage(product=product, prd=prd)
        return Response(coverage_body(coverage, product=product, prd=prd))
