"""Sign-offs: request, approve, reject, withdraw; each bound to a content hash and written to the audit trail."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from activity.models import Notification
from activity.services import notify
from core.errors import ApplicationError
from core.queue import enqueue
from webhooks.events import EventKind, record_event

from ..models import PRD, DecisionRecord, SignOff, SignOffEvent, StakeholderRole
from ..tasks import notify_signoff_requested
from .impact import decision_impacted_items, flags_raise
from .reviews import Document, current_hash, document_filter, prd_latest_version


def _lock_document(model: type[Document], pk: int) -> Document:
    return model.objects.select_for_update(of=("self",)).select_related("product__workspace").get(pk=pk)


def _lock(document: Document) -> Document:
    return _lock_document(type(document), document.pk)


def _lock_signoff(signoff: SignOff) -> tuple[SignOff, Document]:
    """Lock the document, then the sign-off: the order every edit of the document takes too."""
    prd_id, decision_id = SignOff.objects.values_list("prd_id", "decision_id").get(pk=signoff.pk)
    document = _lock_document(PRD, prd_id) if prd_id else _lock_document(DecisionRecord, decision_id)
    return SignOff.objects.select_for_update().get(pk=signoff.pk), document


@transaction.atomic
def signoff_request(*, document: Document, actor: AbstractBaseUser, approver: AbstractBaseUser, role: str) -> SignOff:
    """Ask a named stakeholder to sign off the document's current content."""
    document = _lock(document)
    if role not in StakeholderRole.values:
        raise ApplicationError(f"Unknown role “{role}”; use one of {', '.join(StakeholderRole.values)}.", field="role")
    if not document.product.workspace.memberships.filter(user=approver).exists():
        raise ApplicationError("Sign-off can only be asked of members of this workspace.", field="approver")
    if isinstance(document, DecisionRecord):
        if document.is_frozen:
            raise ApplicationError(f"{document.key} is already {document.get_status_display().lower()}.")
        if document.chosen_option_id is None:
            raise ApplicationError("Choose an option before asking for sign-off.", field="chosen_option")
    version = prd_latest_version(document) if isinstance(document, PRD) else None
    digest = current_hash(document)
    if SignOff.objects.current().filter(**document_filter(document), approver=approver).exists():
        raise ApplicationError(f"{approver} has already been asked to sign off {document}.", field="approver")
    signoff = SignOff.objects.create(
        **document_filter(document),
        prd_version=version,
        approver=approver,
        role=role,
        requested_by=actor,
        content_hash=digest,
    )
    SignOffEvent.objects.create(
        signoff=signoff, kind=SignOffEvent.Kind.REQUESTED, actor=actor, role=role, content_hash=digest
    )
    if document.status != type(document).Status.IN_REVIEW:
        document.status = type(document).Status.IN_REVIEW
        document._history_user = actor
        document.save(update_fields=["status", "updated_at"])
    notify(
        workspace=document.product.workspace,
        recipients=[approver],
        kind=Notification.Kind.SIGNOFF_REQUESTED,
        actor=actor,
        target=document,
        message=f"{actor} asks for your sign-off on {document} as {StakeholderRole(role).label}.",
    )
    signoff_id = signoff.pk
    transaction.on_commit(partial(enqueue, notify_signoff_requested, signoff_id))  # swept if Redis is away
    _record_signoff_event(signoff=signoff, document=document, kind=EventKind.SIGNOFF_REQUESTED)
    return signoff


def document_event_data(document: Document) -> dict:
    """A PRD or decision record as webhook receivers see it."""
    data = {
        "type": "prd" if isinstance(document, PRD) else "decision",
        "id": document.pk,
        "product": document.product_id,
        "title": document.title,
        "status": document.status,
    }
    if isinstance(document, DecisionRecord):
        data.update(key=document.key, chosen_option=document.chosen_option_id, decided_at=document.decided_at)
    return data


def _record_signoff_event(*, signoff: SignOff, document: Document, kind: str) -> None:
    signoff_data = {
        "id": signoff.pk,
        "state": signoff.state,
        "role": signoff.role,
        "approver": signoff.approver_id,
        "requested_by": signoff.requested_by_id,
        "comment": signoff.comment,
        "content_hash": signoff.content_hash,
        "prd_version": signoff.prd_version_id,
        "decided_at": signoff.decided_at,
    }
    record_event(
        workspace_id=document.product.workspace_id,
        kind=kind,
        payload={"signoff": signoff_data, "document": document_event_data(document)},
    )


def _decide(*, signoff: SignOff, actor: AbstractBaseUser, state: str, comment: str) -> SignOff:
    signoff, document = _lock_signoff(signoff)
    if signoff.approver_id != actor.pk:
        raise ApplicationError("Only the person asked can sign off.", field="approver", extra={"forbidden": True})
    if signoff.state == SignOff.State.STALE or signoff.content_hash != current_hash(document):
        raise ApplicationError(
            "The document changed since this sign-off was asked for; review the new version.",
            extra={"stale": True},
        )
    if signoff.state != SignOff.State.PENDING:
        raise ApplicationError(f"This sign-off is already {signoff.get_state_display().lower()}.", field="state")
    signoff.state = state
    signoff.comment = comment
    signoff.decided_at = timezone.now()
    signoff.save(update_fields=["state", "comment", "decided_at", "updated_at"])
    SignOffEvent.objects.create(
        signoff=signoff,
        kind=state,
        actor=actor,
        role=signoff.role,
        comment=comment,
        content_hash=signoff.content_hash,
    )
    verb = "approved" if state == SignOff.State.APPROVED else "rejected"
    notify(
        workspace=document.product.workspace,
        recipients=[document.owner, signoff.requested_by],
        kind=Notification.Kind.SIGNOFF_DECIDED,
        actor=actor,
        target=document,
        message=f"{actor} {verb} {document}" + (f": {comment[:150]}" if comment else "."),
    )
    _record_signoff_event(
        signoff=signoff,
        document=document,
        kind=EventKind.SIGNOFF_APPROVED if state == SignOff.State.APPROVED else EventKind.SIGNOFF_REJECTED,
    )
    _settle(document=document, actor=actor)
    return signoff


@transaction.atomic
def signoff_approve(*, signoff: SignOff, actor: AbstractBaseUser, comment: str = "") -> SignOff:
    return _decide(signoff=signoff, actor=actor, state=SignOff.State.APPROVED, comment=comment.strip())


@transaction.atomic
def signoff_reject(*, signoff: SignOff, actor: AbstractBaseUser, comment: str) -> SignOff:
    if not comment.strip():
        raise ApplicationError("Say why you reject, so the owner knows what to change.", field="comment")
    return _decide(signoff=signoff, actor=actor, state=SignOff.State.REJECTED, comment=comment.strip())


@transaction.atomic
def signoff_withdraw(*, signoff: SignOff, actor: AbstractBaseUser) -> SignOff:
    signoff, document = _lock_signoff(signoff)
    if signoff.state != SignOff.State.PENDING:
        raise ApplicationError("Only a sign-off that is still waiting can be withdrawn.", field="state")
    signoff.state = SignOff.State.WITHDRAWN
    signoff.save(update_fields=["state", "updated_at"])
    SignOffEvent.objects.create(
        signoff=signoff,
        kind=SignOffEvent.Kind.WITHDRAWN,
        actor=actor,
        role=signoff.role,
        content_hash=signoff.content_hash,
    )
    _settle(document=document, actor=actor)
    return signoff


def _settle(*, document: Document, actor: AbstractBaseUser) -> None:
    """Move the document once its live sign-offs agree: all approved, or any rejected."""
    states = set(SignOff.objects.current().filter(**document_filter(document)).values_list("state", flat=True))
    if not states or SignOff.State.PENDING in states:
        return
    if SignOff.State.REJECTED in states:
        status = PRD.Status.CHANGES_REQUESTED if isinstance(document, PRD) else DecisionRecord.Status.REJECTED
    else:
        status = PRD.Status.APPROVED if isinstance(document, PRD) else DecisionRecord.Status.ACCEPTED
    if document.status == status:
        return
    document.status = status
    document._history_user = actor
    fields = ["status", "updated_at"]
    if isinstance(document, DecisionRecord):
        document.decided_at = timezone.now()
        fields.append("decided_at")
    document.save(update_fields=fields)
    if isinstance(document, DecisionRecord) and status == DecisionRecord.Status.ACCEPTED:
        _apply_accepted_successor(record=document, actor=actor)
        record_event(
            workspace_id=document.product.workspace_id,
            kind=EventKind.DECISION_ACCEPTED,
            payload={
                "decision": {
                    **document_event_data(document),
                    "supersedes": document.supersedes_id,
                    "amends": document.amends_id,
                }
            },
        )


def _apply_accepted_successor(*, record: DecisionRecord, actor: AbstractBaseUser) -> None:
    """An accepted record that supersedes or amends another changes what rested on the older one."""
    for older, verb in ((record.supersedes, "superseded"), (record.amends, "amended")):
        if older is None:
            continue
        if verb == "superseded":
            older.status = DecisionRecord.Status.SUPERSEDED
            older._history_user = actor
            older.save(update_fields=["status", "updated_at"])
        flags_raise(
            items=decision_impacted_items(older),
            decision=older,
            actor=actor,
            reason=f"{older.key} “{older.title}” was {verb} by {record.key}.",
        )
        notify(
            workspace=record.product.workspace,
            recipients=[older.owner, *(p.user for p in older.participants.select_related("user"))],
            kind=Notification.Kind.DECISION_CHANGED,
            actor=actor,
            target=older,
            message=f"{older.key} was {verb} by {record.key} “{record.title}”.",
        )
