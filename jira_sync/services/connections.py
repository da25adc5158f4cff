"""Jira connections: create, update, test (in words), and the client a task uses to talk to the site."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone

from webhooks import crypto
from workspaces.models import Workspace

from ..jira import JiraClient, RetryPolicy, test_connection
from ..jira.diagnose import ConnectionReport
from ..jira.site import Deployment
from ..models import ConflictPolicy, JiraConnection

EDITABLE = frozenset({"site_url", "deployment", "email", "conflict_policy", "is_enabled"})


def retry_policy() -> RetryPolicy:
    """JIRA_SYNC_RETRY (a dict of RetryPolicy fields) tunes the retries; tests make them quick."""
    return RetryPolicy(**getattr(settings, "JIRA_SYNC_RETRY", {}))


def client_for(connection: JiraConnection) -> JiraClient:
    timeout = float(getattr(settings, "JIRA_SYNC_TIMEOUT", 30.0))
    return JiraClient(connection.site(), policy=retry_policy(), timeout=timeout)


def _validate(connection: JiraConnection) -> None:
    errors: dict[str, str] = {}
    if connection.deployment not in {Deployment.CLOUD.value, Deployment.DATA_CENTER.value}:
        errors["deployment"] = "Choose Cloud or Data Center."
    if connection.is_cloud and not connection.email:
        errors["email"] = "Jira Cloud signs in with the e-mail address of the integration account."
    if connection.conflict_policy not in ConflictPolicy.values:
        errors["conflict_policy"] = "Choose Jira wins, workspace wins or ask."
    if errors:
        raise ValidationError(errors)
    connection.full_clean(exclude=["workspace"], validate_constraints=False)


@transaction.atomic
def connection_create(
    *,
    workspace: Workspace,
    actor: AbstractBaseUser | None,
    site_url: str,
    deployment: str,
    token: str,
    email: str = "",
    conflict_policy: str = ConflictPolicy.ASK,
) -> tuple[JiraConnection, str]:
    """The connection and its webhook secret in plain text: shown once, then kept only encrypted."""
    if JiraConnection.objects.filter(workspace=workspace).exists():
        raise ValidationError({"site_url": f"{workspace.name} already has a Jira connection; edit it instead."})
    if not token:
        raise ValidationError({"token": "Enter the API token (Cloud) or personal access token (Data Center)."})
    connection = JiraConnection(
        workspace=workspace,
        site_url=site_url.strip().rstrip("/"),
        deployment=deployment,
        email=email.strip(),
        conflict_policy=conflict_policy,
    )
    _validate(connection)
    connection.set_token(token)
    secret = crypto.new_secret()
    connection.set_webhook_secret(secret)
    connection.save()
    return connection, secret


@transaction.atomic
def connection_update(
    *, connection: JiraConnection, actor: AbstractBaseUser | None, token: str | None = None, **changes: Any
) -> JiraConnection:
    """Change the site, deployment, e-mail, policy or enabled flag; a token given replaces the stored one
    (None or "" keeps it: credentials are write-only)."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    connection = JiraConnection.objects.select_for_update().get(pk=connection.pk)
    for name, value in changes.items():
        setattr(connection, name, value.strip().rstrip("/") if name == "site_url" else value)
    _validate(connection)
    if token:
        connection.set_token(token)
    connection.save()
    return connection


@transaction.atomic
def connection_rotate_webhook_secret(*, connection: JiraConnection, actor: AbstractBaseUser | None) -> str:
    secret = crypto.new_secret()
    connection.set_webhook_secret(secret)
    JiraConnection.objects.filter(pk=connection.pk).update(webhook_secret_encrypted=connection.webhook_secret_encrypted)
    return secret


def connection_test(*, connection: JiraConnection, project_key: str | None = None) -> ConnectionReport:
    """Ask the site what is wrong, if anything, and keep the answer (and the integration user's
    account id and time zone, which the loop guard and the JQL dates need)."""
    report = test_connection(connection.site(), project_key=project_key)
    message = "Connected" + (f" as {report.account}" if report.account else "") + "." if report.ok else ""
    updates: dict[str, Any] = {
        "last_test_at": timezone.now(),
        "last_test_ok": report.ok,
        "last_test_message": message or " ".join(report.problems),
    }
    if report.ok:
        updates["account_id"] = report.account_id
        updates["time_zone"] = report.time_zone or "UTC"
    JiraConnection.objects.filter(pk=connection.pk).update(**updates)
    for name, value in updates.items():
        setattr(connection, name, value)
    return report


@contextlib.contextmanager
def advisory_lock(name: str) -> Iterator[None]:
    """A PostgreSQL session lock by name: serialises work on one Jira issue or one item across workers.
    A worker that dies drops its connection and with it the lock."""
    if db_connection.vendor != "postgresql":
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [name])
    try:
        yield
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
