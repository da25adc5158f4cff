"""Decision records (MADR) and their options."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from backlog.models import Epic
from core.api.viewsets import ScopedModelViewSet
from roadmap.models import RoadmapItem
from workspaces.models import Role

from ... import services
from ...models import PRD, DecisionOption, DecisionParticipant, DecisionRecord
from ..filters import DecisionFilter, DecisionOptionFilter
from ..serializers.records import (
    ChooseSerializer,
    DecisionCreateSerializer,
    DecisionSerializer,
    DecisionUpdateSerializer,
    LinksSerializer,
    OptionCreateSerializer,
    OptionInputSerializer,
    OptionSerializer,
    ParticipantsSerializer,
    SuccessorSerializer,
)
from .base import DecisionsViewSetMixin
from .signoffs import RequestSignOffMixin


def ids_only(model: type) -> QuerySet:
    return model.objects.only("pk")


@extend_schema(tags=["decisions"])
class DecisionViewSet(RequestSignOffMixin, DecisionsViewSetMixin, ScopedModelViewSet):
    """Decision records (ADR-n), MADR-shaped, with their options, participants and links. Editors write.

    Proposed → in review (first sign-off request) → accepted (every live sign-off approved) or rejected.
    An accepted record is frozen: editing its text, options or participants answers 400; start a new
    record with /supersede/ or /amend/ instead. Links (epics, roadmap items, PRDs) may change at any
    time. Deleting a record that has sign-offs, or that another record supersedes or amends, answers 400.
    """

    serializer_class = DecisionSerializer
    input_serializer_class = DecisionCreateSerializer
    update_serializer_class = DecisionUpdateSerializer
    filterset_class = DecisionFilter
    search_fields = ["title", "context", "outcome"]
    ordering_fields = ["number", "title", "status", "created_at", "updated_at", "decided_at"]
    ordering = ["product_id", "-number"]
    write_role = Role.EDITOR
    # Set by the records that supersede or amend this one, not by this record.
    etag_exclude = ("superseded_by", "amended_by")

    def scoped_queryset(self) -> QuerySet[DecisionRecord]:
        return (
            DecisionRecord.objects.visible_to(self.request.user)
            .select_related("owner", "superseded_by")
            .prefetch_related(
                Prefetch("options", DecisionOption.objects.order_by("position", "pk")),
                Prefetch("participants", DecisionParticipant.objects.only("pk", "record_id", "user_id", "part")),
                Prefetch("epics", ids_only(Epic)),
                Prefetch("roadmap_items", ids_only(RoadmapItem)),
                Prefetch("prds", ids_only(PRD)),
                Prefetch("amendments", DecisionRecord.objects.only("pk", "amends_id")),
            )
        )

    @extend_schema(request=DecisionCreateSerializer, responses={201: DecisionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(request=DecisionUpdateSerializer, responses={200: DecisionSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=DecisionUpdateSerializer, responses={200: DecisionSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer: DecisionCreateSerializer) -> DecisionRecord:
        data = dict(serializer.validated_data)
        product = data.pop("product")
        self.require_write(product.workspace_id)
        return services.decision_create(product=product, actor=self.request.user, **data)

    def perform_update(self, serializer: DecisionUpdateSerializer) -> DecisionRecord:
        return services.decision_update(
            record=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: DecisionRecord) -> None:
        services.decision_delete(record=instance, actor=self.request.user)

    @extend_schema(request=ParticipantsSerializer, responses={200: DecisionSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def participants(self, request: Request, pk: str | None = None) -> Response:
        """Replace the decision-makers, consulted and/or informed (user ids); a list left out stays."""
        record = self.get_object()
        data = self.validated(ParticipantsSerializer, request.data)
        record = services.decision_set_participants(record=record, actor=request.user, **data)
        return self.respond(record)

    @extend_schema(request=LinksSerializer, responses={200: DecisionSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def links(self, request: Request, pk: str | None = None) -> Response:
        """Replace the linked epics, roadmap items and/or PRDs (ids of the record's product); a list left out stays.

        Links are not signed content: they may change after acceptance.
        """
        record = self.get_object()
        data = self.validated(LinksSerializer, request.data)
        record = services.decision_set_links(
            record=record,
            # A list left out is kept, read afresh rather than from the id-only prefetch (the service checks products).
            epics=data.get("epics", Epic.objects.filter(decisions=record)),
            roadmap_items=data.get(
                "roadmap_items", RoadmapItem.objects.filter(decisions=record).select_related("roadmap")
            ),
            prds=data.get("prds", PRD.objects.filter(decisions=record)),
        )
        return self.respond(record)

    @extend_schema(request=ChooseSerializer, responses={200: DecisionSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def choose(self, request: Request, pk: str | None = None) -> Response:
        """Choose one of the record's options (null: none, refused while in review)."""
        record = self.get_object()
        option_id = self.validated(ChooseSerializer, request.data)["option"]
        option = None
        if option_id is not None:
            option = next((o for o in record.options.all() if o.pk == option_id), None)
            if option is None:
                raise ValidationError({"option": [f"{record.key} has no option with this id."]})
        record = services.decision_choose_option(record=record, actor=request.user, option=option)
        return self.respond(record)

    @extend_schema(request=SuccessorSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def supersede(self, request: Request, pk: str | None = None) -> Response:
        """Start a new record (a copy of this accepted one) that replaces it once accepted itself."""
        record = self.get_object()
        data = self.validated(SuccessorSerializer, request.data)
        successor = services.decision_supersede(record=record, actor=request.user, title=data.get("title"))
        return self.respond(successor, status.HTTP_201_CREATED)

    @extend_schema(request=SuccessorSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def amend(self, request: Request, pk: str | None = None) -> Response:
        """Start a new record that amends this accepted one; both stay in force once it is accepted."""
        record = self.get_object()
        data = self.validated(SuccessorSerializer, request.data)
        successor = services.decision_amend(record=record, actor=request.user, title=data.get("title"))
        return self.respond(successor, status.HTTP_201_CREATED)


@extend_schema(tags=["decisions"])
class DecisionOptionViewSet(DecisionsViewSetMixin, ScopedModelViewSet):
    """The options a decision record weighs (pros, cons, cost, risk). Editors add, change and remove
    them while the record is not accepted; choose one with POST /decisions/{id}/choose/.
    """

    serializer_class = OptionSerializer
    input_serializer_class = OptionCreateSerializer
    update_serializer_class = OptionInputSerializer
    filterset_class = DecisionOptionFilter
    search_fields = ["title", "description"]
    ordering_fields = ["position", "title", "created_at"]
    ordering = ["record_id", "position"]
    workspace_path = "record.product.workspace_id"
    write_role = Role.EDITOR
    # Choosing is a change of the record, not of its options.
    etag_exclude = ("chosen",)

    def scoped_queryset(self) -> QuerySet[DecisionOption]:
        records = DecisionRecord.objects.visible_to(self.request.user).values("pk")
        return DecisionOption.objects.filter(record__in=records).select_related("record__product")

    @extend_schema(request=OptionCreateSerializer, responses={201: OptionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(request=OptionInputSerializer, responses={200: OptionSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=OptionInputSerializer, responses={200: OptionSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer: OptionCreateSerializer) -> DecisionOption:
        data = dict(serializer.validated_data)
        record = data.pop("decision")
        self.require_write(record.product.workspace_id)
        return services.decision_option_add(record=record, actor=self.request.user, **data)

    def perform_update(self, serializer: OptionInputSerializer) -> DecisionOption:
        return services.decision_option_update(
            option=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: DecisionOption) -> None:
        services.decision_option_remove(option=instance, actor=self.request.user)
