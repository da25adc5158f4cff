"""Celery entry points for decisions: thin, by id, idempotent."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .models import SignOff

logger = logging.getLogger(__name__)


def _document_url(signoff: SignOff) -> str:
    try:
        if signoff.prd_id:
            path = reverse("admin:decisions_prd_change", args=[signoff.prd_id])
        else:
            path = reverse("admin:decisions_decisionrecord_change", args=[signoff.decision_id])
    except NoReverseMatch:
        return settings.SITE_URL
    return f"{settings.SITE_URL}{path}"


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=8,
)
def notify_signoff_requested(self, signoff_id: int) -> str:  # noqa: ANN001 - Celery's bound task
    """E-mail the approver that their sign-off is asked for; sends at most once per request."""
    claimed = SignOff.objects.filter(pk=signoff_id, emailed_at__isnull=True, state=SignOff.State.PENDING).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    signoff = SignOff.objects.select_related("approver", "requested_by", "prd", "decision").get(pk=signoff_id)
    if not signoff.approver.email:
        logger.info("sign-off %s: approver %s has no e-mail address", signoff_id, signoff.approver_id)
        return "no-address"
    document = signoff.document
    try:
        send_mail(
            subject=f"Sign-off requested: {document}",
            message=(
                f"{signoff.requested_by or 'Someone'} asks for your sign-off on “{document}” "
                f"as {signoff.get_role_display()}.\n\n"
                f"Content fingerprint: {signoff.content_hash[:12]}\n"
                f"Open it: {_document_url(signoff)}\n"
            ),
            from_email=None,
            recipient_list=[signoff.approver.email],
        )
    except Exception:
        # Release the claim so that the retry sends it.
        SignOff.objects.filter(pk=signoff_id).update(emailed_at=None)
        raise
    return "sent"


SWEEP_AFTER = timedelta(minutes=2)  # the after-commit message has had its chance by then
SWEEP_BATCH = 200


@shared_task(acks_late=True, ignore_result=True)
def signoff_email_sweep() -> int:
    """E-mail the pending requests whose message never reached the broker (Redis was away at the commit).
    Harmless alongside the normal path: `notify_signoff_requested` claims each e-mail once."""
    from core.queue import enqueue

    cutoff = timezone.now() - SWEEP_AFTER
    waiting = SignOff.objects.filter(state=SignOff.State.PENDING, emailed_at__isnull=True, created_at__lt=cutoff)
    ids = list(waiting.order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    for signoff_id in ids:
        enqueue(notify_signoff_requested, signoff_id)
    return len(ids)
