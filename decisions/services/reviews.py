"""What PRDs and decision records share: their current content hash, and the review cycle.

A sign-off is bound to a content hash. When the content changes, every live sign-off on
an older hash turns stale (recorded in the audit trail) and, if the document was in
review or decided, the same people are asked again on the new content.
"""

from __future__ import annotations

from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from activity.models import Notification
from activity.services import notify
from core.queue import enqueue

from ..models import PRD, DecisionRecord, PRDVersion, SignOff, SignOffEvent, content_hash
from ..tasks import notify_signoff_requested

Document = PRD | DecisionRecord


def prd_latest_version(prd: PRD) -> PRDVersion | None:
    return prd.versions.order_by("-number").first()


def decision_content(record: DecisionRecord) -> dict:
    # .all() (sorted here) rather than .order_by(): a list of records with prefetched options
    # hashes each without a query of its own.
    options = sorted(record.options.all(), key=lambda option: (option.position, option.pk))
    chosen = next((option.title for option in options if option.pk == record.chosen_option_id), None)
    content = {name: getattr(record, name) for name in DecisionRecord.CONTENT_FIELDS}
    content["options"] = [option.snapshot() for option in options]
    content["chosen_option"] = chosen
    return content


def current_hash(document: Document) -> str:
    if isinstance(document, PRD):
        version = prd_latest_version(document)
        return version.content_hash if version else ""
    return content_hash(decision_content(document))


def document_filter(document: Document) -> dict:
    return {"prd": document} if isinstance(document, PRD) else {"decision": document}


IN_REVIEW_STATES = {
    PRD: {PRD.Status.IN_REVIEW, PRD.Status.APPROVED, PRD.Status.CHANGES_REQUESTED},
    DecisionRecord: {DecisionRecord.Status.IN_REVIEW, DecisionRecord.Status.REJECTED},
}


@transaction.atomic
def review_restart_after_change(*, document: Document, actor: AbstractBaseUser | None) -> list[SignOff]:
    """Mark sign-offs on older content stale and ask the same people again on the new content."""
    new_hash = current_hash(document)
    version = prd_latest_version(document) if isinstance(document, PRD) else None
    outdated = list(
        SignOff.objects.select_for_update(of=("self",))
        .current()
        .filter(**document_filter(document))
        .exclude(content_hash=new_hash)
        .select_related("approver")
        .order_by("pk")
    )
    if not outdated:
        return []
    renewed = []
    for signoff in outdated:
        signoff.state = SignOff.State.STALE
        signoff.save(update_fields=["state", "updated_at"])
        SignOffEvent.objects.create(
            signoff=signoff,
            kind=SignOffEvent.Kind.STALE,
            actor=actor,
            role=signoff.role,
            content_hash=signoff.content_hash,
            comment="The document changed after this sign-off was requested.",
        )
    if document.status in IN_REVIEW_STATES[type(document)]:
        for signoff in outdated:
            fresh = SignOff.objects.create(
                **document_filter(document),
                prd_version=version,
                approver=signoff.approver,
                role=signoff.role,
                requested_by=actor,
                content_hash=new_hash,
            )
            SignOffEvent.objects.create(
                signoff=fresh,
                kind=SignOffEvent.Kind.REQUESTED,
                actor=actor,
                role=fresh.role,
                content_hash=new_hash,
                comment="Asked again: the document changed.",
            )
            renewed.append(fresh)
        document.status = type(document).Status.IN_REVIEW
        document._history_user = actor
        document.save(update_fields=["status", "updated_at"])
        notify(
            workspace=document.product.workspace,
            recipients=[s.approver for s in renewed],
            kind=Notification.Kind.SIGNOFF_STALE,
            actor=actor,
            target=document,
            message=f"{document} changed after your sign-off was asked; please review it again.",
        )
        # A re-request is a request: the approver is e-mailed as they were the first time.
        for fresh in renewed:
            transaction.on_commit(partial(enqueue, notify_signoff_requested, fresh.pk))
    return renewed
