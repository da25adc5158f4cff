from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class BoundedPage(Page):
    has_more: bool | None = None

    def has_next(self) -> bool:
        return super().has_next() if self.has_more is None else self.has_more


class BoundedCountPaginator(DjangoPaginator):
    """Django's paginator with a COUNT that stops after `count_limit` rows.

    An exact COUNT reads every matching row, on every page: 45,000 index entries (4-8 ms) for one status
    of a 100,000-story product, 10,000 still 1-2 ms; 1,001 take 0.2 ms. Past the limit the count is
    unknown, and a page reads one row more than it shows to know whether another page follows.
    """

    count_limit = 1_000

    @cached_property
    def count(self) -> int:
        # A view that reads its page with values() may name the queryset to count (without values' joins).
        rows = getattr(self.object_list, "count_source", self.object_list)
        if hasattr(rows, "query"):
            return rows.order_by().values("pk")[: self.count_limit + 1].count()
        return len(rows)

    @property
    def count_is_exact(self) -> bool:
        return self.count <= self.count_limit

    def validate_number(self, number: Any) -> int:
        if self.count_is_exact:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger("That page number is not an integer") from exc
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number

    def page(self, number: Any) -> Page:
        if self.count_is_exact:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        page = BoundedPage(rows[: self.per_page], number, self)
        page.has_more = len(rows) > self.per_page
        return page


class StandardPagination(PageNumberPagination):
    """Pages of 50 (up to 100 with ?page_size=); lists always end their ordering on the primary key.

    `count` is exact up to 1,000 matching rows and null above: follow `next`.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = BoundedCountPaginator

    def get_paginated_response(self, data: Any) -> Response:
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count if paginator.count_is_exact else None,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"].update(
            nullable=True, description="Rows matching, up to 1,000; null above (follow `next`)."
        )
        return response
