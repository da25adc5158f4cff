"""Two people editing the same story through the API: the second save is refused (412), never a silent
overwrite; an update that does not say which version it changes is refused too (428)."""

import pytest

from backlog.models import Story
from backlog.tests.factories import StoryFactory

URL = "/api/v1/stories/"


@pytest.fixture
def story(product, editor) -> Story:
    return StoryFactory(product=product, title="Refund by card", points=3, actor=editor)


def test_the_second_of_two_edits_from_the_same_version_is_refused_with_412(token_client, story, contributor, editor):
    # given: A and B both read the story
    a, b = token_client(contributor), token_client(editor)
    etag_a = a.get(f"{URL}{story.pk}/")["ETag"]
    etag_b = b.get(f"{URL}{story.pk}/")["ETag"]
    # when: A saves, then B saves from the version B read
    first = a.patch(f"{URL}{story.pk}/", {"title": "Refund to the card used"}, HTTP_IF_MATCH=etag_a)
    second = b.patch(f"{URL}{story.pk}/", {"title": "Refund in cash", "points": 8}, HTTP_IF_MATCH=etag_b)
    # then: B is refused in words, and A's change is intact
    assert first.status_code == 200
    assert second.status_code == 412
    error = second.json()["error"]
    assert (error["status"], error["code"]) == (412, "precondition_failed")
    assert "Someone else changed this object since you read it" in error["message"]
    assert "If-Match" in error["message"]
    story.refresh_from_db()
    assert (story.title, story.points) == ("Refund to the card used", 3)


def test_after_a_412_reading_again_and_resending_with_the_new_etag_saves(token_client, story, contributor, editor):
    a, b = token_client(contributor), token_client(editor)
    stale = b.get(f"{URL}{story.pk}/")["ETag"]
    a.patch(f"{URL}{story.pk}/", {"title": "A's title"}, HTTP_IF_MATCH=a.get(f"{URL}{story.pk}/")["ETag"])
    assert b.patch(f"{URL}{story.pk}/", {"points": 5}, HTTP_IF_MATCH=stale).status_code == 412
    # when: B reads the current version (with A's title) and reapplies its change
    fresh = b.get(f"{URL}{story.pk}/")
    retried = b.patch(f"{URL}{story.pk}/", {"points": 5}, HTTP_IF_MATCH=fresh["ETag"])
    # then: both changes are kept
    assert fresh.json()["title"] == "A's title"
    assert retried.status_code == 200
    assert (retried.json()["title"], retried.json()["points"]) == ("A's title", 5)


@pytest.mark.parametrize("method", ["patch", "put"])
def test_an_update_without_if_match_is_refused_with_428_and_changes_nothing(token_client, story, contributor, method):
    # when
    response = getattr(token_client(contributor), method)(
        f"{URL}{story.pk}/", {"product": story.product_id, "title": "Blind overwrite"}, format="json"
    )
    # then
    assert response.status_code == 428
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (428, "precondition_required")
    assert "Send the ETag you read in an If-Match header" in error["message"]
    story.refresh_from_db()
    assert story.title == "Refund by card"


def test_if_match_star_overwrites_on_purpose(token_client, story, contributor):
    response = token_client(contributor).patch(f"{URL}{story.pk}/", {"title": "Whatever is there"}, HTTP_IF_MATCH="*")
    assert response.status_code == 200
    assert Story.objects.get(pk=story.pk).title == "Whatever is there"


def test_if_match_may_list_several_etags_and_weak_ones(token_client, story, contributor):
    client = token_client(contributor)
    etag = client.get(f"{URL}{story.pk}/")["ETag"]
    response = client.patch(f"{URL}{story.pk}/", {"points": 2}, HTTP_IF_MATCH=f'"0000", W/{etag}')
    assert response.status_code == 200
    assert Story.objects.get(pk=story.pk).points == 2


def test_a_stranger_or_a_viewer_without_if_match_gets_404_or_403_not_428(token_client, story, outsider, viewer):
    assert token_client(outsider).patch(f"{URL}{story.pk}/", {"title": "x"}).status_code == 404
    assert token_client(viewer).patch(f"{URL}{story.pk}/", {"title": "x"}).status_code == 403
    assert Story.objects.get(pk=story.pk).title == "Refund by card"


def test_a_change_of_an_acceptance_criterion_makes_the_story_etag_stale(token_client, story, contributor, editor):
    # The story's representation carries its criteria: a PATCH read before a criterion changed is stale.
    a, b = token_client(contributor), token_client(editor)
    etag = b.get(f"{URL}{story.pk}/")["ETag"]
    added = a.post("/api/v1/acceptance-criteria/", {"story": story.pk, "text": "The customer is told"})
    assert added.status_code == 201
    assert b.patch(f"{URL}{story.pk}/", {"title": "Stale"}, HTTP_IF_MATCH=etag).status_code == 412


def test_a_transition_or_sprint_change_honours_a_stale_if_match(token_client, story, contributor, editor, product):
    # given: B read the story; A then moved it to In progress
    from backlog.models import WorkflowStatus
    from backlog.tests.factories import SprintFactory

    a, b = token_client(contributor), token_client(editor)
    etag = b.get(f"{URL}{story.pk}/")["ETag"]
    statuses = {s.name: s for s in WorkflowStatus.objects.filter(product=product)}
    assert a.post(f"{URL}{story.pk}/transition/", {"status": statuses["In progress"].pk}).status_code == 200
    # when: B transitions or plans from its older read, saying so with If-Match
    done = b.post(f"{URL}{story.pk}/transition/", {"status": statuses["Done"].pk}, HTTP_IF_MATCH=etag)
    planned = b.post(f"{URL}{story.pk}/sprint/", {"sprint": SprintFactory(product=product).pk}, HTTP_IF_MATCH=etag)
    # then: both refused; without If-Match a transition is a plain command and goes through
    assert (done.status_code, planned.status_code) == (412, 412)
    story.refresh_from_db()
    assert (story.status.name, story.sprint_id) == ("In progress", None)
    assert b.post(f"{URL}{story.pk}/transition/", {"status": statuses["Done"].pk}).status_code == 200
