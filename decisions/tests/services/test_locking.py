"""Writes on one document take their row locks in one order (document, then its sign-offs), lock
only the rows they change, and two edits of one PRD at once never collide on a version number."""

import re
import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction
from django.test.utils import CaptureQueriesContext

from decisions.models import SignOff
from decisions.services import (
    decision_choose_option,
    decision_update,
    prd_update,
    requirement_create,
    requirement_update,
    signoff_approve,
    signoff_reject,
    signoff_request,
    signoff_withdraw,
)
from decisions.tests.factories import PRDFactory
from decisions.tests.helpers import edited_sections

TABLE = re.compile(r'(?:FROM|JOIN) "(\w+)"')


def locked_tables(queries: list[dict]) -> list[list[str]]:
    """For each SELECT … FOR UPDATE, the tables whose rows it locks, in execution order."""
    result = []
    for query in queries:
        sql = query["sql"]
        if "FOR UPDATE" not in sql:
            continue
        locked_of = re.search(r"FOR UPDATE OF (.+)$", sql)
        if locked_of:
            result.append(re.findall(r'"(\w+)"', locked_of.group(1)))
        else:
            result.append(TABLE.findall(sql))
    return result


def test_approving_locks_the_prd_before_the_signoff_and_nothing_else(prd, editor, viewer):
    # given
    signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")

    # when
    with CaptureQueriesContext(connection) as captured:
        signoff_approve(signoff=signoff, actor=viewer)

    # then
    assert locked_tables(captured.captured_queries) == [["decisions_prd"], ["decisions_signoff"]]


@pytest.mark.parametrize("decide", ["reject", "withdraw"])
def test_rejecting_and_withdrawing_lock_the_prd_before_the_signoff(prd, editor, viewer, decide):
    # given
    signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")

    # when
    with CaptureQueriesContext(connection) as captured:
        if decide == "reject":
            signoff_reject(signoff=signoff, actor=viewer, comment="No")
        else:
            signoff_withdraw(signoff=signoff, actor=editor)

    # then
    assert locked_tables(captured.captured_queries) == [["decisions_prd"], ["decisions_signoff"]]


def test_editing_a_prd_locks_the_prd_before_its_signoffs(prd, editor, viewer):
    # given
    signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")

    # when
    with CaptureQueriesContext(connection) as captured:
        prd_update(prd=prd, actor=editor, sections=edited_sections(prd, goals="Halve drop-off."))

    # then
    assert locked_tables(captured.captured_queries) == [["decisions_prd"], ["decisions_signoff"]]


def test_editing_a_requirement_locks_the_prd_before_the_requirement_and_the_signoffs(prd, editor, viewer):
    # given
    requirement = requirement_create(prd=prd, actor=editor, title="Pay by card")
    signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")

    # when
    with CaptureQueriesContext(connection) as captured:
        requirement_update(requirement=requirement, actor=editor, title="Pay by card or wallet")

    # then
    assert locked_tables(captured.captured_queries) == [
        ["decisions_prd"],
        ["decisions_requirement"],
        ["decisions_signoff"],
    ]


def test_editing_a_decision_record_locks_the_record_before_its_signoffs(record, editor, viewer):
    # given
    decision_choose_option(record=record, actor=editor, option=record.options.first())
    signoff_request(document=record, actor=editor, approver=viewer, role="architecture")

    # when
    with CaptureQueriesContext(connection) as captured:
        decision_update(record=record, actor=editor, context="The broker is end of life.")

    # then
    assert locked_tables(captured.captured_queries) == [["decisions_decisionrecord"], ["decisions_signoff"]]
    assert SignOff.objects.filter(decision=record, state=SignOff.State.PENDING).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_requirement_edits_of_one_prd_at_once_publish_consecutive_versions(product, editor):
    # given
    prd = PRDFactory(product=product, actor=editor)
    card = requirement_create(prd=prd, actor=editor, title="Pay by card")
    wallet = requirement_create(prd=prd, actor=editor, title="Pay by wallet")
    errors: list[BaseException] = []

    def edit_wallet_meanwhile() -> None:
        try:
            requirement_update(requirement=wallet, actor=editor, title="Pay by Apple or Google wallet")
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    # when: a second edit starts while the first one's transaction is still open
    with transaction.atomic():
        requirement_update(requirement=card, actor=editor, title="Pay by card or bank transfer")
        other = threading.Thread(target=edit_wallet_meanwhile)
        other.start()
        time.sleep(0.5)
    other.join(timeout=10)

    # then
    assert not other.is_alive()
    assert errors == []
    versions = list(prd.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3, 4, 5]
    assert [r["title"] for r in versions[-1].content["requirements"]] == [
        "Pay by card or bank transfer",
        "Pay by Apple or Google wallet",
    ]
