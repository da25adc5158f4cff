from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

if TYPE_CHECKING:
    from rest_framework.views import APIView


class StableOrderingFilter(OrderingFilter):
    """Ordering from ?ordering= (or the view's default), always ending on the primary key so pages never overlap."""

    def get_ordering(self, request: Request, queryset: QuerySet, view: APIView) -> Sequence[str]:
        ordering = list(super().get_ordering(request, queryset, view) or queryset.query.order_by or [])
        if not any(field.lstrip("-") in {"pk", "id"} for field in ordering):
            ordering.append("pk")
        return ordering
