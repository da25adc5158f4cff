"""The Celery wiring, end to end: a request commits, the task crosses Redis, a real worker sends the e-mail."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from decisions.models import SignOff, StakeholderRole
from decisions.services import signoff_request
from decisions.tests.factories import PRDFactory
from tpm_workspace.celery import app
from workspaces.models import Role


@pytest.fixture
def celery_worker_on_redis():
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_signoff_request_email_goes_through_redis_to_a_worker(celery_worker_on_redis, product, member_factory):
    # given
    owner = member_factory(Role.EDITOR, user__username="tpm")
    architect = member_factory(Role.CONTRIBUTOR, user__username="arch", user__email="arch@example.com")
    prd = PRDFactory(product=product, actor=owner, title="Instant payouts")
    mail.outbox.clear()

    # when
    signoff = signoff_request(document=prd, actor=owner, approver=architect, role=StakeholderRole.ARCHITECTURE)

    # then
    assert wait_for(lambda: SignOff.objects.get(pk=signoff.pk).emailed_at is not None)
    assert wait_for(lambda: len(mail.outbox) == 1)
    message = mail.outbox[0]
    assert message.to == ["arch@example.com"]
    assert message.subject == "Sign-off requested: Instant payouts"
    assert "as Architecture" in message.body
