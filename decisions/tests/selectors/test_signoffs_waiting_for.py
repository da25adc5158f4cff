"""signoffs_waiting_for: what a person still has to sign, oldest first, in a fixed number of queries."""

import pytest

from decisions.selectors import signoffs_waiting_for
from decisions.services import decision_choose_option, signoff_approve, signoff_request
from decisions.tests.factories import DecisionRecordFactory, PRDFactory


def test_lists_only_the_pending_signoffs_asked_of_the_person_oldest_first(product, editor, viewer, contributor):
    # given
    first = signoff_request(
        document=PRDFactory(product=product, actor=editor), actor=editor, approver=viewer, role="leadership"
    )
    record = DecisionRecordFactory(product=product, actor=editor)
    decision_choose_option(record=record, actor=editor, option=record.options.first())
    second = signoff_request(document=record, actor=editor, approver=viewer, role="architecture")
    decided = signoff_request(
        document=PRDFactory(product=product, actor=editor), actor=editor, approver=viewer, role="leadership"
    )
    signoff_approve(signoff=decided, actor=viewer)
    signoff_request(
        document=PRDFactory(product=product, actor=editor), actor=editor, approver=contributor, role="engineering"
    )

    # when
    waiting = list(signoffs_waiting_for(user=viewer))

    # then
    assert waiting == [first, second]


def test_an_outsider_waits_for_nothing_here(product, editor, viewer, outsider):
    # given
    prd = PRDFactory(product=product, actor=editor)
    signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")

    # when / then
    assert list(signoffs_waiting_for(user=outsider)) == []


@pytest.mark.parametrize("rows", [5, 50])
def test_takes_one_query_whatever_the_size(product, editor, viewer, rows, django_assert_num_queries):
    # given
    for _ in range(rows):
        signoff_request(
            document=PRDFactory(product=product, actor=editor), actor=editor, approver=viewer, role="leadership"
        )

    # when
    with django_assert_num_queries(1):
        shown = [
            (s.document.title, s.document.product.name, s.requested_by.username)
            for s in signoffs_waiting_for(user=viewer)
        ]

    # then
    assert len(shown) == rows
