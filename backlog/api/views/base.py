"""What the backlog item viewsets share: answering with the output shape, and the move / transition verbs."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from ... import services
from ...models import WorkflowStatus
from ..serializers import MoveSerializer, TransitionSerializer


class RespondMixin:
    def respond(self, obj: Model, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        """The output representation of `obj` (re-read), with its ETag."""
        data = self.output(obj)  # type: ignore[attr-defined]
        return Response(data, status=status, headers={"ETag": self.etag(data), **(headers or {})})  # type: ignore[attr-defined]


class MoveActionMixin(RespondMixin):
    """POST {id}/move/ {"before": id} or {"after": id}: one rank written (backlog.services.item_move)."""

    @extend_schema(request=MoveSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Rank the item just before or just after another item of the same kind and product."""
        item = self.get_object()  # type: ignore[attr-defined]
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        field = "before" if "before" in serializer.validated_data else "after"
        model = type(item)
        anchor = (
            model.objects.visible_to(request.user)
            .filter(pk=serializer.validated_data[field], product_id=item.product_id)
            .first()
        )
        if anchor is None:
            raise ValidationError({field: [f"No {model._meta.verbose_name} with this id in the same product."]})
        services.item_move(item=item, **{field: anchor})
        return self.respond(item)


class TransitionActionMixin(RespondMixin):
    """POST {id}/transition/ {"status": id}: the item moves to another status of its product's workflow.

    An If-Match, when sent, is honoured (412 if the item changed since it was read); it is not required: a
    transition names the status wanted, it does not write back a copy of the item.
    """

    if_match_optional_actions: tuple[str, ...] = ("transition",)

    def perform_transition(self, item: Any, status: WorkflowStatus) -> Model:
        raise NotImplementedError

    @extend_schema(request=TransitionSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the item to another status of its product's workflow."""
        item = self.get_object()  # type: ignore[attr-defined]
        serializer = TransitionSerializer(data=request.data, context=self.get_serializer_context())  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            self.check_if_match(item, required=False)  # type: ignore[attr-defined]
            item = self.perform_transition(item, serializer.validated_data["status"])
        return self.respond(item)
