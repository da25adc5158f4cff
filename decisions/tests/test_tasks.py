"""notify_signoff_requested: e-mails a waiting approver at most once, and a failed send can be retried."""

import smtplib

import pytest
from django.core import mail

from decisions import tasks
from decisions.models import SignOff
from decisions.services import signoff_request
from decisions.tasks import notify_signoff_requested


def test_the_task_sends_once_and_then_skips(prd, editor, viewer):
    # given
    signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")

    # when
    results = [notify_signoff_requested(signoff.pk), notify_signoff_requested(signoff.pk)]

    # then
    assert results == ["sent", "skipped"]
    assert [m.to for m in mail.outbox] == [["vic@example.com"]]


def test_an_approver_without_an_address_is_skipped_and_not_retried(prd, editor, viewer):
    # given
    viewer.email = ""
    viewer.save(update_fields=["email"])
    signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")

    # when
    results = [notify_signoff_requested(signoff.pk), notify_signoff_requested(signoff.pk)]

    # then
    assert results == ["no-address", "skipped"]
    assert mail.outbox == []


def test_a_failed_send_releases_the_claim_so_that_the_retry_sends(prd, editor, viewer, monkeypatch):
    # given
    signoff = signoff_request(document=prd, actor=editor, approver=viewer, role="leadership")
    real_send_mail = tasks.send_mail
    calls = []

    def flaky_send_mail(**kwargs):
        calls.append(kwargs["recipient_list"])
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send_mail(**kwargs)

    monkeypatch.setattr(tasks, "send_mail", flaky_send_mail)

    # when
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notify_signoff_requested(signoff.pk)

    # then
    signoff.refresh_from_db()
    assert signoff.emailed_at is None

    # when
    result = notify_signoff_requested(signoff.pk)

    # then
    assert result == "sent"
    assert len(mail.outbox) == 1
    assert SignOff.objects.get(pk=signoff.pk).emailed_at is not None
