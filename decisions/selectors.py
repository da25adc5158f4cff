"""Reads shared by the decisions pages and endpoints: requirement coverage, sign-off queues."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from backlog.models import Epic, Story
from roadmap.models import RoadmapItem
from workspaces.models import Membership, Product

from .models import PRD, DecisionOption, DecisionRecord, PRDVersion, Requirement, SignOff, SignOffEvent


@dataclass
class Coverage:
    unbuilt_requirements: list[Requirement]
    untraced_stories: list[Story]
    requirements_total: int
    stories_total: int

    @property
    def percent_requirements_covered(self) -> int:
        if not self.requirements_total:
            return 100
        return round(100 * (self.requirements_total - len(self.unbuilt_requirements)) / self.requirements_total)


def requirement_coverage(*, product: Product, prd: PRD | None = None) -> Coverage:
    """Requirements nobody builds, and stories no requirement asked for (directly or through their feature).

    Four queries whatever the size of the product.
    """
    requirements = Requirement.objects.filter(product=product)
    if prd is not None:
        requirements = requirements.filter(prd=prd)
    through_features = Requirement.features.through.objects.filter(requirement_id=OuterRef("pk"))
    through_stories = Requirement.stories.through.objects.filter(requirement_id=OuterRef("pk"))
    unbuilt = list(
        requirements.filter(~Exists(through_features), ~Exists(through_stories))
        .select_related("prd")
        .order_by("number")
    )
    stories = Story.objects.filter(product=product)
    story_asked = Requirement.stories.through.objects.filter(story_id=OuterRef("pk"))
    feature_asked = Requirement.features.through.objects.filter(feature_id=OuterRef("feature_id"))
    untraced = list(
        stories.filter(~Exists(story_asked), ~Exists(feature_asked))
        .select_related("status", "product")
        .order_by("rank")
    )
    return Coverage(
        unbuilt_requirements=unbuilt,
        untraced_stories=untraced,
        requirements_total=requirements.count(),
        stories_total=stories.count(),
    )


def signoffs_waiting_for(*, user: AbstractBaseUser) -> QuerySet[SignOff]:
    """Sign-offs asked of this person that are still waiting, oldest first."""
    return (
        SignOff.objects.visible_to(user)
        .filter(approver=user, state=SignOff.State.PENDING)
        .select_related("prd__product", "decision__product", "requested_by")
        .order_by("created_at", "pk")
    )


# --- Decision records and sign-off panels (the browser pages) -------------------------------------

DECISION_STATUS_ORDER: tuple[str, ...] = tuple(DecisionRecord.Status.values)
LIVE_SIGNOFF_STATES = (SignOff.State.PENDING, SignOff.State.APPROVED, SignOff.State.REJECTED)


def decision_list(*, product: Product, status: str | None = None) -> list[DecisionRecord]:
    """The product's records, newest first, each with its owner and live sign-off counts: one query."""
    records = DecisionRecord.objects.filter(product=product)
    if status:
        records = records.filter(status=status)
    counts = {
        f"signoffs_{state}": Count("signoffs", filter=Q(signoffs__state=state))
        for state in (*LIVE_SIGNOFF_STATES, SignOff.State.STALE)
    }
    return list(records.select_related("owner").annotate(**counts).order_by("-number"))


def decision_status_counts(*, product: Product) -> dict[str, int]:
    """How many records the product has in each status (every status present, zero when none): one query."""
    found = dict(
        DecisionRecord.objects.filter(product=product)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    )
    return {status: found.get(status, 0) for status in DECISION_STATUS_ORDER}


def decision_page_queryset() -> QuerySet[DecisionRecord]:
    """A record with all its page shows: neighbours in the chain, options, links (six queries for one record)."""
    return DecisionRecord.objects.select_related(
        "owner", "supersedes", "superseded_by", "amends", "chosen_option"
    ).prefetch_related(
        Prefetch("options", DecisionOption.objects.order_by("position", "pk")),
        Prefetch("amendments", DecisionRecord.objects.only("pk", "number", "title", "status", "amends_id")),
        Prefetch("epics", Epic.objects.only("pk", "number", "title", "product_id").order_by("rank")),
        Prefetch(
            "roadmap_items",
            RoadmapItem.objects.only("pk", "title", "lane", "roadmap_id").order_by("roadmap_id", "rank"),
        ),
        Prefetch("prds", PRD.objects.only("pk", "title", "status", "product_id").order_by("title")),
    )


def supersession_chain(record: DecisionRecord) -> list[DecisionRecord]:
    """The records this one replaced and that replace it, oldest first (the record itself included): one query.

    Only the records of the product that take part in a supersession are read.
    """
    rows = list(
        DecisionRecord.objects.filter(product_id=record.product_id)
        .filter(Q(supersedes__isnull=False) | Q(superseded_by__isnull=False))
        .only("pk", "number", "title", "status", "supersedes_id")
        .distinct()
    )
    by_id = {row.pk: row for row in rows}
    successor = {row.supersedes_id: row for row in rows if row.supersedes_id}
    if record.pk not in by_id:
        return [record]
    chain = [by_id[record.pk]]
    seen = {record.pk}
    while chain[0].supersedes_id in by_id and chain[0].supersedes_id not in seen:
        seen.add(chain[0].supersedes_id)
        chain.insert(0, by_id[chain[0].supersedes_id])
    while chain[-1].pk in successor and successor[chain[-1].pk].pk not in seen:
        seen.add(successor[chain[-1].pk].pk)
        chain.append(successor[chain[-1].pk])
    return chain


@dataclass
class SignOffPanel:
    """What the sign-off panel of a PRD or a decision record shows (docs/ui.md; decisions/views/signoffs.py)."""

    document: PRD | DecisionRecord
    signoffs: list[SignOff]  # every sign-off, newest first, each with `.membership` (title) and `.is_current`
    events: list[SignOffEvent]  # the audit trail, oldest first, each with `.signoff` set from the list
    current_hash: str
    current_version: PRDVersion | None
    stale: list[SignOff]  # the latest stale sign-off of each person not yet answered on the new content
    stale_not_reasked: list[SignOff]  # of those, the people nobody has asked again
    members: list[Membership]

    @property
    def live(self) -> list[SignOff]:
        return [s for s in self.signoffs if s.state in LIVE_SIGNOFF_STATES]

    @property
    def history(self) -> list[SignOff]:
        return [s for s in self.signoffs if s.state not in LIVE_SIGNOFF_STATES]


def signoff_panel(*, document: PRD | DecisionRecord, product: Product) -> SignOffPanel:
    """The sign-offs of one document, their audit trail and the workspace's members: four queries at most.

    A decision record's options should be prefetched (its content hash is computed from them).
    """
    # Read helpers of the services, imported here so that reading this module never loads the services.
    from .services.reviews import current_hash, prd_latest_version

    field = "prd" if isinstance(document, PRD) else "decision"
    if isinstance(document, PRD):
        version = prd_latest_version(document)
        digest = version.content_hash if version else ""
    else:
        version, digest = None, current_hash(document)
    members = list(
        Membership.objects.filter(workspace_id=product.workspace_id)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    by_user = {m.user_id: m for m in members}
    signoffs = list(
        SignOff.objects.filter(**{field: document})
        .select_related("approver", "requested_by", "prd_version")
        .order_by("-created_at", "-pk")
    )
    for signoff in signoffs:
        signoff.membership = by_user.get(signoff.approver_id)
        signoff.is_current = signoff.content_hash == digest
    by_id = {s.pk: s for s in signoffs}
    events = list(
        SignOffEvent.objects.filter(**{f"signoff__{field}": document}).select_related("actor").order_by("at", "pk")
    )
    for event in events:
        event.signoff = by_id[event.signoff_id]
    answered_now = {
        s.approver_id for s in signoffs if s.state in (SignOff.State.APPROVED, SignOff.State.REJECTED) and s.is_current
    }
    asked_now = {s.approver_id for s in signoffs if s.state in LIVE_SIGNOFF_STATES}
    stale: dict[int, SignOff] = {}
    for signoff in signoffs:  # newest first: the first stale one of a person is their latest
        if signoff.state == SignOff.State.STALE and signoff.approver_id not in answered_now:
            stale.setdefault(signoff.approver_id, signoff)
    return SignOffPanel(
        document=document,
        signoffs=signoffs,
        events=events,
        current_hash=digest,
        current_version=version,
        stale=list(stale.values()),
        stale_not_reasked=[s for s in stale.values() if s.approver_id not in asked_now],
        members=members,
    )
