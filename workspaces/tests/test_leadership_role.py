"""The leadership role: a viewer's power in the UI and the API (reads, answers its own sign-offs, writes nothing
else); given and taken like any role. What it adds is the admin (tpm_workspace/tests/test_admin_pages.py)."""

from __future__ import annotations

import pytest

from backlog.tests.factories import StoryFactory
from decisions.models import SignOff
from decisions.services import signoff_request
from decisions.tests.factories import PRDFactory
from workspaces.models import Membership, Role


@pytest.fixture
def leader(member_factory):
    return member_factory(Role.LEADERSHIP, user__username="helen")


def test_leadership_ranks_above_viewer_and_below_contributor():
    assert Role.values == ["viewer", "leadership", "contributor", "editor", "admin"]
    assert Role.at_least(Role.LEADERSHIP, Role.VIEWER)
    assert not Role.at_least(Role.LEADERSHIP, Role.CONTRIBUTOR)
    assert not Role.at_least(Role.LEADERSHIP, Role.EDITOR)


def test_leadership_reads_the_api_and_cannot_write(token_client, leader, product, editor):
    # given
    story = StoryFactory(product=product, actor=editor, title="Keep me")
    client = token_client(leader)
    # when
    listed = client.get("/api/v1/stories/", {"product": product.pk})
    patched = client.patch(f"/api/v1/stories/{story.pk}/", {"title": "Hijacked"}, format="json")
    # then
    assert listed.status_code == 200
    assert [row["title"] for row in listed.json()["results"]] == ["Keep me"]
    assert patched.status_code == 403
    story.refresh_from_db()
    assert story.title == "Keep me"


def test_leadership_answers_its_own_signoff_through_the_api(token_client, leader, product, editor):
    prd = PRDFactory(product=product, actor=editor)
    signoff = signoff_request(document=prd, actor=editor, approver=leader, role="leadership")
    response = token_client(leader).post(f"/api/v1/signoffs/{signoff.pk}/approve/", {})
    assert response.status_code == 200
    signoff.refresh_from_db()
    assert signoff.state == SignOff.State.APPROVED


def test_an_admin_gives_the_leadership_role_through_the_api(token_client, admin_user, viewer, workspace):
    membership = Membership.objects.get(workspace=workspace, user=viewer)
    response = token_client(admin_user).patch(f"/api/v1/members/{membership.pk}/", {"role": "leadership"})
    assert response.status_code == 200
    assert response.json()["role"] == "leadership"
    membership.refresh_from_db()
    assert membership.role == Role.LEADERSHIP


def test_the_database_accepts_leadership_and_still_refuses_an_unknown_role(workspace, leader):
    from django.db import IntegrityError, transaction

    assert Membership.objects.filter(role="leadership").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=leader).update(role="director")
