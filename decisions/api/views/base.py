"""What the decisions viewsets share: an input shape per write, and answers that carry their ETag."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Model
from rest_framework import status
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer


class DecisionsViewSetMixin:
    """`input_serializer_class` validates creates; `update_serializer_class` (when set) validates PUT/PATCH."""

    update_serializer_class: ClassVar[type[BaseSerializer] | None] = None

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.update_serializer_class and getattr(self, "action", None) in ("update", "partial_update"):
            return self.update_serializer_class
        return super().get_serializer_class()  # type: ignore[misc]

    def input(self, *args: Any, **kwargs: Any) -> BaseSerializer:
        serializer = self.get_serializer_class()(*args, context=self.get_serializer_context(), **kwargs)  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        return serializer

    def validated(self, serializer_class: type[BaseSerializer], data: Any) -> dict[str, Any]:
        """An action's body, validated with the request in context (scoped ids resolve)."""
        serializer = serializer_class(data=data, context=self.get_serializer_context())  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def respond(self, obj: Model, status_code: int = status.HTTP_200_OK) -> Response:
        data = self.output(obj)  # type: ignore[attr-defined]
        return Response(data, status=status_code, headers={"ETag": self.etag(data)})  # type: ignore[attr-defined]
