"""Fixtures of the PRD page tests: a PRD with written sections, and URL helpers."""

import pytest
from django.urls import reverse

from decisions import services
from decisions.models import PRD
from decisions.tests.factories import PRDFactory
from decisions.tests.helpers import edited_sections


@pytest.fixture
def prd(product, editor) -> PRD:
    prd = PRDFactory(product=product, actor=editor, title="Checkout v2")
    services.prd_update(
        prd=prd,
        actor=editor,
        sections=edited_sections(prd, problem="Checkout is **slow**.\nPeople leave.", goals="- Pay in one click"),
        change_note="First draft",
    )
    return prd


def url(name: str, *args) -> str:
    return reverse(f"decisions:{name}", args=args)


def position_of(prd: PRD, kind: str) -> int:
    return prd.sections.get(kind=kind).position


def save_data(prd: PRD, kind: str, body: str, *, base_version: int | None = None, title: str | None = None, **extra):
    """What the section editor posts for the section of `kind`."""
    section = prd.sections.get(kind=kind)
    prefix = f"s{section.position}"
    if base_version is None:
        base_version = prd.versions.order_by("-number").first().number
    return {
        "position": section.position,
        f"{prefix}-original_title": section.title,
        f"{prefix}-base_version": base_version,
        f"{prefix}-title": title or section.title,
        f"{prefix}-body": body,
        f"{prefix}-change_note": extra.pop("change_note", ""),
        **extra,
    }
