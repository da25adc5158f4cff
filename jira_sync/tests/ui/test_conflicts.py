"""The conflicts inbox: base / workspace / Jira side by side, pick a side, resolved ones apart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from backlog import services as backlog
from backlog.models import Story
from jira_sync.models import Conflict
from jira_sync.tasks import run_mapping
from jira_sync.tests.ui.factories import conflict_for, mapping_for
from workspaces.models import Role


def inbox_url(product) -> str:
    return reverse("jira_sync:conflicts", args=[product.pk])


def resolve_url(product, conflict) -> str:
    return reverse("jira_sync:conflict_resolve", args=[product.pk, conflict.pk])


def test_an_empty_inbox_says_when_conflicts_arrive(client, product, viewer):
    client.force_login(viewer)
    body = client.get(inbox_url(product)).content.decode()
    assert "No open conflicts" in body and "pick a side" in body


def test_open_conflicts_show_three_sides_and_viewers_cannot_pick(client, product, viewer):
    conflict = conflict_for(mapping_for(product))
    client.force_login(viewer)
    body = client.get(inbox_url(product)).content.decode()
    title = conflict.link.story.title
    for text in ("Last synced", "Workspace", "Jira", f"{title} (here)", f"{title} (Jira)", conflict.link.jira_key):
        assert text in body
    assert "Keep the workspace" not in body
    assert client.post(resolve_url(product, conflict), {"side": "jira"}).status_code == 403
    assert Conflict.objects.get().status == "open"


@pytest.mark.parametrize(("side", "kept"), [("jira", "(Jira)"), ("workspace", "(here)")])
def test_a_contributor_picks_a_side(client, product, contributor, side, kept):
    conflict = conflict_for(mapping_for(product))
    client.force_login(contributor)
    response = client.post(resolve_url(product, conflict), {"side": side}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="conflicts"' in body
    conflict.refresh_from_db()
    assert (conflict.status, conflict.resolution, conflict.resolved_by) == ("resolved", side, contributor)
    assert "No open conflicts" in body and "Resolved" in body and kept in body
    assert (contributor.get_full_name() or contributor.username) in body


def test_a_conflict_resolved_meanwhile_is_a_409_and_a_bad_side_a_422(client, product, contributor):
    conflict = conflict_for(mapping_for(product))
    client.force_login(contributor)
    assert client.post(resolve_url(product, conflict), {"side": "both"}, HTTP_HX_REQUEST="true").status_code == 422
    client.post(resolve_url(product, conflict), {"side": "jira"})
    response = client.post(resolve_url(product, conflict), {"side": "workspace"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and "This conflict was already resolved." in response.content.decode()
    response = client.post(resolve_url(product, conflict), {"side": "workspace"}, follow=True)
    assert "This conflict was already resolved." in response.content.decode()
    assert Conflict.objects.get().resolution == "jira"


def test_conflicts_of_other_products_are_404(client, product, other_product, contributor, outsider):
    foreign = conflict_for(mapping_for(other_product))
    client.force_login(contributor)
    assert client.post(resolve_url(product, foreign), {"side": "jira"}).status_code == 404
    client.force_login(outsider)
    assert client.get(inbox_url(product)).status_code == 404
    assert Conflict.objects.get().status == "open"


def test_the_inbox_runs_a_bounded_number_of_queries(client, product, viewer, django_assert_max_num_queries):
    mapping = mapping_for(product)
    conflict_for(mapping)
    conflict_for(mapping, status="resolved")
    client.force_login(viewer)
    with django_assert_max_num_queries(14) as small:
        assert client.get(inbox_url(product)).status_code == 200
    for _ in range(10):
        conflict_for(mapping)
        conflict_for(mapping, status="resolved")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(inbox_url(product)).status_code == 200


HUMAN = "557058:ann"


def test_a_real_conflict_from_the_stand_in_is_resolved_in_the_inbox(
    client, product, editor, mapped, jira, django_capture_on_commit_callbacks
):
    # given: a story pulled from Jira, then changed on both sides
    jira.state.add_user(HUMAN, "Ann Analyst", "ann@example.com")
    issue = jira.state.create_issue("ABC", "Story", "Pay", author_id=HUMAN)
    run_mapping(mapped.pk, full=False)
    story = Story.objects.get(product=product)
    jira.advance_time(timedelta(minutes=10))
    jira.state.edit_issue(issue, {"summary": "Pay (Jira)"}, author_id=HUMAN)
    backlog.story_update(story=story, actor=None, title="Pay (here)")
    run_mapping(mapped.pk, full=False)
    client.force_login(editor)
    body = client.get(inbox_url(product)).content.decode()
    assert "Pay (here)" in body and "Pay (Jira)" in body and issue.key in body
    # when: Jira's value is kept (the push round runs after the commit)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resolve_url(product, Conflict.objects.get()), {"side": "jira"})
    # then
    assert response.status_code == 302
    run_mapping(mapped.pk, full=False)
    story.refresh_from_db()
    assert story.title == "Pay (Jira)" and issue.summary == "Pay (Jira)"


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR])
def test_the_story_page_shows_its_jira_state(client, product, member_factory, role):
    mapping = mapping_for(product)
    conflict = conflict_for(mapping)
    story = conflict.link.story
    client.force_login(member_factory(role))
    body = client.get(reverse("backlog:story_detail", args=[product.pk, story.pk])).content.decode()
    assert f'href="https://acme.atlassian.net/browse/{conflict.link.jira_key}"' in body
    assert "Not synced yet." in body and "1 open conflict" in body and inbox_url(product) in body
    unlinked = backlog.story_create(product=product, actor=None, title="Alone")
    body = client.get(reverse("backlog:story_detail", args=[product.pk, unlinked.pk])).content.decode()
    assert 'id="jira-state"' not in body
