"""Helpers shared by the roadmap's views."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.urls import reverse

from core.errors import ApplicationError
from workspaces.models import Product

from ..models import Roadmap

# What a service raises when it refuses: shown on the form, never a 500.
REFUSALS = (ApplicationError, ValidationError)


def post_only() -> HttpResponseNotAllowed:
    """Asked after the objects of the URL were found in the product, so that a foreign id is a 404, not a 405."""
    return HttpResponseNotAllowed(["POST"])


def page_url(name: str, product: Product, roadmap: Roadmap | None = None, **query: str) -> str:
    """A roadmap page's URL with its state (`?roadmap=`, `?scale=`) in the query string."""
    params = {"roadmap": roadmap.pk} if roadmap is not None else {}
    params.update({key: value for key, value in query.items() if value})
    url = reverse(name, args=[product.pk])
    return f"{url}?{urlencode(params)}" if params else url


def refusal_text(error: ApplicationError | ValidationError) -> str:
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)
