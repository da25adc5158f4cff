"""decisions.prd_diff: line and word differences between two versions, escaped, marked with <ins>/<del>."""

import re

import pytest

from decisions import services
from decisions.prd_diff import line_diff, version_diff, word_diff
from decisions.tests.helpers import edited_sections

from .helpers import HOSTILE


def test_changed_words_are_marked():
    old, new = word_diff("Pay in one click", "Pay in one tap")
    assert old == 'Pay in one <del class="diff__del">click</del>'
    assert new == 'Pay in one <ins class="diff__ins">tap</ins>'


def test_lines_added_removed_and_changed():
    part = line_diff("a\nb\nc", "a\nB\nc\nd")
    assert part.status == "changed"
    assert [row.kind for row in part.side] == ["equal", "replace", "equal", "insert"]
    assert [row.kind for row in part.inline] == ["equal", "delete", "insert", "equal", "insert"]
    assert part.added_lines == 2 and part.removed_lines == 1
    assert part.side[3].new_html == '<ins class="diff__ins">d</ins>'
    assert part.side[3].old_no is None and part.side[3].new_no == 4


def test_long_unchanged_runs_fold_into_a_skip_row():
    old = "\n".join(f"line {i}" for i in range(20))
    new = old.replace("line 10", "line ten")
    part = line_diff(old, new)
    kinds = [row.kind for row in part.side]
    assert kinds[0] == "skip" and kinds[-1] == "skip"
    assert part.side[0].skipped == 7 and part.side[-1].skipped == 6
    assert kinds.count("replace") == 1


def test_equal_text_has_no_rows():
    part = line_diff("same", "same")
    assert part.status == "unchanged" and part.side == [] and part.inline == []


def tags(html: str) -> set[str]:
    return {name.lower() for name in re.findall(r"<\s*/?\s*([a-zA-Z]\w*)", html)}


@pytest.mark.parametrize("text", HOSTILE)
def test_a_diff_of_hostile_text_is_escaped_text(text):
    # The diff shows Markdown source: hostile text is text, and the only markup is <ins> / <del>.
    part = line_diff("Hello", f"Hello\n{text}")
    html = "".join(str(row.old_html) + str(row.new_html) for row in part.side)
    old, new = word_diff("safe", text)
    html += str(old) + str(new)
    assert tags(html) <= {"ins", "del"}
    assert "&lt;" in html or "<" not in text


def test_sections_match_by_title_and_requirements_by_key(product, editor):
    from decisions.tests.factories import PRDFactory

    prd = PRDFactory(product=product, actor=editor, title="Diffs")
    requirement = services.requirement_create(prd=prd, actor=editor, title="Pay by card")
    older = prd.versions.order_by("-number").first()
    sections = edited_sections(prd, goals="One tap")
    sections.append({"kind": "other", "title": "Rollout", "body": "Week 1"})
    sections = [s for s in sections if s["kind"] != "non_goals"]
    services.prd_update(prd=prd, actor=editor, title="Diffs 2", sections=sections)
    services.requirement_update(requirement=requirement, actor=editor, priority="should")
    services.requirement_create(prd=prd, actor=editor, title="Pay by wallet")
    newer = prd.versions.order_by("-number").first()
    # when
    diff = version_diff(older, newer)
    # then
    assert diff.title.status == "changed"
    assert {p.label: p.status for p in diff.changed_sections} == {
        "Goals": "changed",
        "Rollout": "added",
        "Non-goals": "removed",
    }
    changed = {p.key: p for p in diff.changed_requirements}
    assert changed[requirement.key].status == "changed"
    assert any('<ins class="diff__ins">Should</ins> have' in str(row.new_html) for row in changed[requirement.key].side)
    assert [p.status for p in diff.changed_requirements] == ["changed", "added"]
