"""Schemathesis over the whole OpenAPI schema, in-process, as an authenticated editor of a populated workspace.

It must find no 5xx and no response that breaks the schema: status codes, content types
and bodies all as documented. Generated ids mostly miss (404, documented); the world
below gives the ids that hit a live object of every kind a chance too.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from backlog.tests.factories import EpicFactory, FeatureFactory, SprintFactory, StoryFactory
from tpm_workspace.wsgi import application
from workspaces.services import api_token_create

EXAMPLES_PER_OPERATION = 20
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def api_schema(db):
    # As Django's test client does: the in-process WSGI calls must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def editor_token(product, editor):
    feature = FeatureFactory(epic=EpicFactory(product=product))
    sprint = SprintFactory(product=product)
    for i in range(3):
        StoryFactory(feature=feature, sprint=sprint if i else None, labels=["api"], acceptance_criteria=["done"])
    _, plain = api_token_create(user=editor, name="schemathesis")
    return plain


def test_api_matches_its_schema(api_schema, editor_token):
    headers = {"Authorization": f"Bearer {editor_token}"}
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 5

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as exc:
            failures.append(f"{operation.label}: {exc}")

    assert failures == []
