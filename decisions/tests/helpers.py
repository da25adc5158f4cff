"""Small helpers the decisions tests share."""

from collections.abc import Iterable

from decisions.models import PRD, DecisionRecord, SignOff, SignOffEvent


def edited_sections(prd: PRD, **bodies: str) -> list[dict[str, str]]:
    """The PRD's sections as prd_update takes them, with the bodies of the named kinds replaced."""
    return [
        {"kind": s.kind, "title": s.title, "body": bodies.get(s.kind, s.body)}
        for s in prd.sections.order_by("position", "pk")
    ]


def trail(signoffs: Iterable[SignOff]) -> list[tuple[str, str | None, str, str, str]]:
    """The audit trail of these sign-offs, oldest first: (kind, actor, role, comment, hash)."""
    events = SignOffEvent.objects.filter(signoff__in=list(signoffs)).select_related("actor").order_by("at", "pk")
    return [(e.kind, e.actor.username if e.actor else None, e.role, e.comment, e.content_hash) for e in events]


def signoff_states(document: PRD | DecisionRecord) -> list[tuple[str, str, str]]:
    """(approver, state, hash) of every sign-off on the document, oldest first."""
    field = "prd" if isinstance(document, PRD) else "decision"
    return [
        (s.approver.username, s.state, s.content_hash)
        for s in SignOff.objects.filter(**{field: document}).select_related("approver").order_by("created_at", "pk")
    ]
