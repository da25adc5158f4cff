"""The reads the API and admin share."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def endpoint_deliveries(
    *, endpoint: WebhookEndpoint, state: str | None = None, kind: str | None = None
) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first, each with its event and attempts (three queries for any number)."""
    deliveries = (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related(Prefetch("attempts", WebhookAttempt.objects.order_by("number")))
        .order_by("-created_at", "-pk")
    )
    if state:
        deliveries = deliveries.filter(state=state)
    if kind:
        deliveries = deliveries.filter(event__kind=kind)
    return deliveries
