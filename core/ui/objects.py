"""Objects named in a product URL: found within the request's product, or 404."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from workspaces.models import Product

M = TypeVar("M", bound=Model)


def get_in_product_or_404(
    queryset: QuerySet[M] | type[M], *, product: Product, pk: int, product_path: str | None = None
) -> M:
    """The row `pk` of `queryset` if it belongs to `product`, else 404 (a foreign id never answers data).

    `product_path` is how the model reaches its product; by default the queryset's own
    `product_path` (ProductScopedQuerySet) or "product". A row reached through one of two parents
    (a sign-off: its PRD or its decision) is looked up through the parent, found here first.
    """
    qs = queryset if isinstance(queryset, QuerySet) else queryset._default_manager.all()
    path = product_path or getattr(qs, "product_path", "product")
    try:
        return qs.get(**{path: product, "pk": pk})
    except qs.model.DoesNotExist as exc:
        raise Http404(f"No such {qs.model._meta.verbose_name}.") from exc
