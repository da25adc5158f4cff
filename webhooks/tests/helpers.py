"""Helpers for the webhook tests."""

from django.utils import timezone

from webhooks.models import WebhookDelivery


def make_due(delivery: WebhookDelivery) -> None:
    """The backoff has elapsed: the delivery's next attempt is due now (instead of sleeping for it)."""
    WebhookDelivery.objects.filter(pk=delivery.pk, state=WebhookDelivery.State.PENDING).update(
        next_attempt_at=timezone.now()
    )
