"""Search by an item's key (PAY-12): that one row; any other term goes to the admin's own search fields."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.http import HttpRequest


class KeySearchMixin:
    """Searching "PAY-12" (or "ADR-3", "REQ-7" with a fixed `key_prefix`) finds that one row by its key."""

    key_prefix: str | None = None  # None: the prefix is the product key
    product_key_lookup = "product__key__iexact"

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        match = re.fullmatch(r"\s*([A-Za-z][A-Za-z0-9]{0,9})-(\d{1,9})\s*", search_term or "")
        if match:
            prefix, number = match.group(1), int(match.group(2))
            if self.key_prefix is None:
                return queryset.filter(**{self.product_key_lookup: prefix, "number": number}), False
            if prefix.upper() == self.key_prefix:
                return queryset.filter(number=number), False
        return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]
