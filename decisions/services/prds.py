"""PRDs: creation, edits that publish immutable versions, requirements with stable keys and traceability."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from backlog.models import Epic, Feature, Story
from core.db import save_or_field_error
from core.errors import ApplicationError
from roadmap.models import RoadmapItem
from webhooks.events import EventKind, record_event
from workspaces.models import Product
from workspaces.services import product_next_numbers

from ..models import PRD, PRDSection, PRDVersion, Requirement, SectionKind, content_hash
from .impact import flags_raise, requirement_impacted_items
from .reviews import prd_latest_version, review_restart_after_change

DEFAULT_SECTIONS = (
    (SectionKind.PROBLEM, "Problem"),
    (SectionKind.GOALS, "Goals"),
    (SectionKind.NON_GOALS, "Non-goals"),
    (SectionKind.REQUIREMENTS, "Requirements"),
    (SectionKind.SUCCESS_METRICS, "Success metrics"),
    (SectionKind.UX, "UX and design links"),
    (SectionKind.OPEN_QUESTIONS, "Open questions"),
)


def prd_content(prd: PRD) -> dict[str, Any]:
    """The PRD as one canonical document: what a version freezes and a sign-off approves."""
    return {
        "title": prd.title,
        "sections": [
            {"kind": s.kind, "title": s.title, "body": s.body} for s in prd.sections.order_by("position", "pk")
        ],
        "requirements": [r.snapshot() for r in prd.requirements.order_by("position", "number")],
    }


def _lock_prd(prd_id: int) -> PRD:
    """The PRD, fresh and locked: every write that may publish a version takes this lock first.

    It serialises version numbers (two edits of one PRD never both publish number n + 1),
    makes the published content the current one rather than a caller's stale copy, and
    keeps one lock order (PRD, then its requirements, then its sign-offs) across services.
    """
    return PRD.objects.select_for_update(of=("self",)).select_related("product__workspace").get(pk=prd_id)


def _publish_if_changed(*, prd: PRD, actor: AbstractBaseUser | None, change_note: str = "") -> PRDVersion | None:
    """Freeze the current content as a new version when it differs from the last one; then restart review.

    The caller holds the PRD's lock (`_lock_prd`).
    """
    content = prd_content(prd)
    digest = content_hash(content)
    latest = prd_latest_version(prd)
    if latest is not None and latest.content_hash == digest:
        return None
    version = PRDVersion.objects.create(
        prd=prd,
        number=(latest.number + 1) if latest else 1,
        content=content,
        content_hash=digest,
        change_note=change_note[:255],
        created_by=actor,
    )
    review_restart_after_change(document=prd, actor=actor)
    record_event(
        workspace_id=prd.product.workspace_id,
        kind=EventKind.PRD_VERSION_PUBLISHED,
        payload={
            "prd": {"id": prd.pk, "product": prd.product_id, "title": prd.title, "status": prd.status},
            "version": {
                "id": version.pk,
                "number": version.number,
                "content_hash": version.content_hash,
                "change_note": version.change_note,
                "created_by": version.created_by_id,
            },
        },
    )
    return version


def _check_links(product: Product, field: str, objects: Iterable[Any]) -> list[Any]:
    objects = list(objects)
    for obj in objects:
        if obj.product_id != product.pk:
            raise ValidationError({field: f"{obj} belongs to another product."})
    return objects


@transaction.atomic
def prd_create(
    *,
    product: Product,
    actor: AbstractBaseUser | None,
    title: str,
    owner: AbstractBaseUser | None = None,
    sections: Sequence[dict[str, str]] | None = None,
    epics: Iterable[Epic] = (),
    roadmap_items: Iterable[RoadmapItem] = (),
) -> PRD:
    """A PRD with the standard sections (or the given ones), published as version 1."""
    owner = owner or actor
    if owner is not None and not product.workspace.memberships.filter(user=owner).exists():
        raise ValidationError({"owner": "The owner must be a member of this workspace."})
    prd = PRD(product=product, title=title.strip(), owner=owner)
    prd.full_clean(validate_constraints=False)
    duplicate = f"{product.name} already has a PRD called {prd.title}."
    if PRD.objects.filter(product=product, title=prd.title).exists():
        raise ValidationError({"title": duplicate})
    prd._history_user = actor
    save_or_field_error(prd, constraint="prd_unique_title_per_product", field="title", message=duplicate)
    if sections is None:
        sections = [{"kind": kind, "title": str(label), "body": ""} for kind, label in DEFAULT_SECTIONS]
    _write_sections(prd, sections)
    prd.epics.set(_check_links(product, "epics", epics))
    items = list(roadmap_items)
    for item in items:
        if item.roadmap.product_id != product.pk:
            raise ValidationError({"roadmap_items": f"{item} belongs to another product."})
    prd.roadmap_items.set(items)
    _publish_if_changed(prd=prd, actor=actor, change_note="Created")
    return prd


def _write_sections(prd: PRD, sections: Sequence[dict[str, str]]) -> None:
    seen: set[str] = set()
    for position, data in enumerate(sections):
        title = (data.get("title") or "").strip()
        if not title:
            raise ValidationError({"sections": f"Section {position + 1} needs a title."})
        if title in seen:
            raise ValidationError({"sections": f"Two sections are called “{title}”; give each its own title."})
        seen.add(title)
        kind = data.get("kind") or SectionKind.OTHER
        if kind not in SectionKind.values:
            raise ValidationError({"sections": f"Unknown section kind “{kind}”."})
    prd.sections.all().delete()
    PRDSection.objects.bulk_create(
        PRDSection(
            prd=prd,
            kind=data.get("kind") or SectionKind.OTHER,
            title=data["title"].strip(),
            body=data.get("body", ""),
            position=position,
        )
        for position, data in enumerate(sections)
    )


@transaction.atomic
def prd_update(
    *,
    prd: PRD,
    actor: AbstractBaseUser | None,
    title: str | None = None,
    sections: Sequence[dict[str, str]] | None = None,
    change_note: str = "",
) -> PRDVersion | None:
    """Save edits to a PRD. Returns the new version, or None when nothing changed.

    Editing a PRD that is in review or approved makes the sign-offs already given
    stale and sends it back to review.
    """
    prd = _lock_prd(prd.pk)
    if title is not None and title.strip() != prd.title:
        prd.title = title.strip()
        prd.full_clean(validate_constraints=False)
        if PRD.objects.filter(product_id=prd.product_id, title=prd.title).exclude(pk=prd.pk).exists():
            raise ValidationError({"title": f"Another PRD is already called {prd.title}."})
        prd._history_user = actor
        prd.save(update_fields=["title", "updated_at"])
    if sections is not None:
        _write_sections(prd, sections)
    return _publish_if_changed(prd=prd, actor=actor, change_note=change_note)


@transaction.atomic
def prd_delete(*, prd: PRD, actor: AbstractBaseUser | None) -> None:
    """Delete a PRD that nobody was ever asked to sign off, with its versions and requirements.

    Once a sign-off was requested (whatever became of it), the PRD carries an audit trail that
    leadership relies on: deleting it is refused. Requirement keys are not reused.
    """
    prd = _lock_prd(prd.pk)
    if prd.signoffs.exists():
        raise ApplicationError(
            f"“{prd.title}” has sign-offs, and their audit trail is kept: it cannot be deleted.",
        )
    prd._history_user = actor
    prd.delete()


def prd_version_diff(older: PRDVersion, newer: PRDVersion) -> dict[str, Any]:
    """Which sections and requirements were added, removed or changed between two versions."""
    if older.prd_id != newer.prd_id:
        raise ApplicationError("Compare two versions of the same PRD.", field="version")

    def keyed(content: dict[str, Any], part: str, key: str) -> dict[str, dict[str, Any]]:
        return {row[key]: row for row in content.get(part, [])}

    result: dict[str, Any] = {"title": None}
    if older.content.get("title") != newer.content.get("title"):
        result["title"] = {"before": older.content.get("title"), "after": newer.content.get("title")}
    for part, key in (("sections", "title"), ("requirements", "key")):
        before, after = keyed(older.content, part, key), keyed(newer.content, part, key)
        result[part] = {
            "added": [after[k] for k in after if k not in before],
            "removed": [before[k] for k in before if k not in after],
            "changed": [
                {"before": before[k], "after": after[k]} for k in after if k in before and before[k] != after[k]
            ],
        }
    return result


# --- Requirements ---------------------------------------------------------------------------------


@transaction.atomic
def requirement_create(
    *,
    prd: PRD,
    actor: AbstractBaseUser | None,
    title: str,
    description: str = "",
    priority: str = Requirement.Priority.MUST,
    features: Iterable[Feature] = (),
    stories: Iterable[Story] = (),
) -> Requirement:
    """A requirement with the next REQ key of the product; keys are never reused."""
    prd = _lock_prd(prd.pk)
    requirement = Requirement(
        prd=prd, product_id=prd.product_id, title=title.strip(), description=description, priority=priority
    )
    requirement.full_clean(exclude=["number"], validate_constraints=False)
    features = _check_links(prd.product, "features", features)
    stories = _check_links(prd.product, "stories", stories)
    (requirement.number,) = product_next_numbers(product_id=prd.product_id, field="last_requirement_number")
    last = prd.requirements.aggregate(last=Max("position"))["last"]
    requirement.position = 0 if last is None else last + 1
    requirement._history_user = actor
    requirement.save()
    requirement.features.set(features)
    requirement.stories.set(stories)
    _publish_if_changed(prd=prd, actor=actor, change_note=f"Added {requirement.key}")
    return requirement


REQUIREMENT_TEXT_FIELDS = ("title", "description", "priority")


@transaction.atomic
def requirement_update(*, requirement: Requirement, actor: AbstractBaseUser | None, **changes: Any) -> Requirement:
    """Change a requirement's text; what delivers it is flagged for re-review and its owners told."""
    unknown = set(changes) - set(REQUIREMENT_TEXT_FIELDS)
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    prd = _lock_prd(requirement.prd_id)
    requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
    requirement.prd = prd
    before = requirement.snapshot()
    for field, value in changes.items():
        setattr(requirement, field, value.strip() if isinstance(value, str) and field == "title" else value)
    requirement.full_clean(exclude=["number"], validate_constraints=False)
    if requirement.snapshot() == before:
        return requirement
    requirement._history_user = actor
    requirement.save()
    flags_raise(
        items=requirement_impacted_items(requirement),
        requirement=requirement,
        actor=actor,
        reason=f"{requirement.key} “{requirement.title}” changed.",
    )
    _publish_if_changed(prd=prd, actor=actor, change_note=f"Changed {requirement.key}")
    return requirement


@transaction.atomic
def requirement_delete(*, requirement: Requirement, actor: AbstractBaseUser | None) -> None:
    """Drop a requirement; its key is not reused, and what delivered it is flagged."""
    prd = _lock_prd(requirement.prd_id)
    requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
    requirement.prd = prd
    flags_raise(
        items=requirement_impacted_items(requirement),
        requirement=requirement,
        actor=actor,
        reason=f"{requirement.key} “{requirement.title}” was removed from the PRD.",
    )
    key = requirement.key
    requirement._history_user = actor
    requirement.delete()
    _publish_if_changed(prd=prd, actor=actor, change_note=f"Removed {key}")


@transaction.atomic
def requirement_link(
    *, requirement: Requirement, features: Iterable[Feature] = (), stories: Iterable[Story] = ()
) -> Requirement:
    """Trace a requirement to more features or stories that deliver it."""
    product = requirement.prd.product
    requirement.features.add(*_check_links(product, "features", features))
    requirement.stories.add(*_check_links(product, "stories", stories))
    return requirement


@transaction.atomic
def requirement_unlink(
    *, requirement: Requirement, features: Iterable[Feature] = (), stories: Iterable[Story] = ()
) -> Requirement:
    requirement.features.remove(*features)
    requirement.stories.remove(*stories)
    return requirement
