"""PRDs are versioned: every saved change is a new, immutable version; unchanged saves publish nothing."""

import pytest

from core.errors import ApplicationError
from decisions.models import PRD, content_hash
from decisions.services import (
    prd_create,
    prd_update,
    prd_version_diff,
    requirement_create,
    requirement_delete,
    requirement_update,
)
from decisions.tests.factories import PRDFactory
from decisions.tests.helpers import edited_sections

STANDARD_SECTIONS = [
    {"kind": "problem", "title": "Problem", "body": ""},
    {"kind": "goals", "title": "Goals", "body": ""},
    {"kind": "non_goals", "title": "Non-goals", "body": ""},
    {"kind": "requirements", "title": "Requirements", "body": ""},
    {"kind": "success_metrics", "title": "Success metrics", "body": ""},
    {"kind": "ux", "title": "UX and design links", "body": ""},
    {"kind": "open_questions", "title": "Open questions", "body": ""},
]


def test_prd_create_publishes_version_1_with_the_standard_sections(product, editor):
    # when
    prd = prd_create(product=product, actor=editor, title="  Checkout v2 ")

    # then
    assert prd.title == "Checkout v2"
    assert prd.status == PRD.Status.DRAFT
    assert prd.owner == editor
    assert list(prd.sections.values("kind", "title", "body")) == STANDARD_SECTIONS
    version = prd.versions.get()
    assert version.number == 1
    assert version.content == {"title": "Checkout v2", "sections": STANDARD_SECTIONS, "requirements": []}
    assert version.content_hash == content_hash(version.content)
    assert version.created_by == editor
    assert version.change_note == "Created"


def test_prd_update_with_changed_sections_publishes_version_2_with_another_hash(prd, editor):
    # given
    v1 = prd.versions.get()

    # when
    v2 = prd_update(
        prd=prd,
        actor=editor,
        sections=edited_sections(prd, problem="Card payments fail for 3% of buyers."),
        change_note="Problem stated",
    )

    # then
    assert v2.number == 2
    assert v2.content_hash != v1.content_hash
    assert v2.content_hash == content_hash(v2.content)
    assert v2.content["sections"][0] == {
        "kind": "problem",
        "title": "Problem",
        "body": "Card payments fail for 3% of buyers.",
    }
    assert v2.change_note == "Problem stated"
    assert list(prd.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    v1.refresh_from_db()
    assert v1.content["sections"][0]["body"] == ""


def test_prd_update_of_the_title_alone_publishes_a_version(prd, editor):
    # when
    version = prd_update(prd=prd, actor=editor, title="Checkout v3")

    # then
    assert version.number == 2
    assert version.content["title"] == "Checkout v3"
    prd.refresh_from_db()
    assert prd.title == "Checkout v3"


def test_prd_update_that_changes_nothing_publishes_nothing(prd, editor):
    # given
    v1 = prd.versions.get()

    # when
    result = prd_update(prd=prd, actor=editor, title="Checkout v2", sections=edited_sections(prd))

    # then
    assert result is None
    assert list(prd.versions.values_list("pk", flat=True)) == [v1.pk]


def test_prd_version_diff_lists_added_removed_and_changed_sections_and_requirements(product, editor):
    # given
    prd = PRDFactory(product=product, actor=editor, title="Checkout v2")
    kept = requirement_create(prd=prd, actor=editor, title="Pay by card")
    dropped = requirement_create(prd=prd, actor=editor, title="Pay by cheque")
    older = prd.versions.latest()
    sections = [s for s in edited_sections(prd, problem="Buyers abandon checkout.") if s["kind"] != "open_questions"]
    sections.append({"kind": "other", "title": "Rollout", "body": "Ten percent first."})
    prd_update(prd=prd, actor=editor, title="Checkout v3", sections=sections)
    requirement_update(requirement=kept, actor=editor, title="Pay by card or wallet")
    requirement_delete(requirement=dropped, actor=editor)
    added = requirement_create(prd=prd, actor=editor, title="Save the card", priority="should")
    newer = prd.versions.latest()

    # when
    diff = prd_version_diff(older, newer)

    # then
    assert (older.number, newer.number) == (3, 7)
    assert diff == {
        "title": {"before": "Checkout v2", "after": "Checkout v3"},
        "sections": {
            "added": [{"kind": "other", "title": "Rollout", "body": "Ten percent first."}],
            "removed": [{"kind": "open_questions", "title": "Open questions", "body": ""}],
            "changed": [
                {
                    "before": {"kind": "problem", "title": "Problem", "body": ""},
                    "after": {"kind": "problem", "title": "Problem", "body": "Buyers abandon checkout."},
                }
            ],
        },
        "requirements": {
            "added": [{"key": added.key, "title": "Save the card", "description": "", "priority": "should"}],
            "removed": [{"key": dropped.key, "title": "Pay by cheque", "description": "", "priority": "must"}],
            "changed": [
                {
                    "before": {"key": kept.key, "title": "Pay by card", "description": "", "priority": "must"},
                    "after": {"key": kept.key, "title": "Pay by card or wallet", "description": "", "priority": "must"},
                }
            ],
        },
    }


def test_prd_version_diff_of_identical_content_is_empty(prd, editor):
    # given
    v1 = prd.versions.get()

    # when
    diff = prd_version_diff(v1, v1)

    # then
    assert diff == {
        "title": None,
        "sections": {"added": [], "removed": [], "changed": []},
        "requirements": {"added": [], "removed": [], "changed": []},
    }


def test_prd_version_diff_refuses_versions_of_two_prds(product, editor):
    # given
    first = PRDFactory(product=product, actor=editor).versions.get()
    second = PRDFactory(product=product, actor=editor).versions.get()

    # when / then
    with pytest.raises(ApplicationError) as refused:
        prd_version_diff(first, second)
    assert refused.value.field == "version"
