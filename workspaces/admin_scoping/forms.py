"""A form that refuses many-to-many links to another product's rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms


class SameProductLinksForm(forms.ModelForm):
    """Refuses many-to-many links (`same_product_fields`) to rows of another product than the edited row's."""

    same_product_fields: Sequence[str] = ()

    def links_product_id(self) -> int | None:
        product = self.cleaned_data.get("product")
        return product.pk if product is not None else getattr(self.instance, "product_id", None)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        product_id = self.links_product_id()
        if product_id is None:
            return cleaned
        for name in self.same_product_fields:
            foreign = [str(obj) for obj in cleaned.get(name) or () if obj.product_id != product_id]
            if foreign:
                self.add_error(name, f"From another product: {', '.join(foreign)}.")
        return cleaned
