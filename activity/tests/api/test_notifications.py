"""The notification resource: the caller's own, newest first, unread filter, mark read by ids or all."""

import pytest

from activity.models import Notification
from activity.services import notify
from backlog.tests.factories import StoryFactory

URL = "/api/v1/notifications/"
MARK_READ = f"{URL}mark-read/"


def tell(workspace, user, message, *, target=None, actor=None, kind=Notification.Kind.MENTION) -> Notification:
    return notify(workspace=workspace, recipients=[user], kind=kind, message=message, target=target, actor=actor)[0]


def test_list_shows_only_the_callers_own_newest_first(token_client, workspace, product, editor, contributor):
    # given
    story = StoryFactory(product=product)
    older = tell(workspace, contributor, "Eddie mentioned you", target=story, actor=editor)
    newer = tell(workspace, contributor, "Sign-off requested", kind=Notification.Kind.SIGNOFF_REQUESTED)
    tell(workspace, editor, "Not for cora")
    # when
    response = token_client(contributor).get(URL)
    # then
    assert response.status_code == 200
    results = response.json()["results"]
    assert [n["id"] for n in results] == [newer.pk, older.pk]
    assert {key: value for key, value in results[1].items() if key != "created_at"} == {
        "id": older.pk,
        "workspace": workspace.pk,
        "kind": "mention",
        "message": "Eddie mentioned you",
        "actor": {"id": editor.pk, "username": "eddie", "name": editor.get_full_name()},
        "target_type": "story",
        "target_id": story.pk,
        "is_read": False,
        "read_at": None,
    }
    assert (results[0]["actor"], results[0]["target_type"], results[0]["target_id"]) == (None, None, None)


def test_filters_unread_and_kind(token_client, workspace, contributor):
    read = tell(workspace, contributor, "Old news")
    unread = tell(workspace, contributor, "Fresh", kind=Notification.Kind.REVIEW_FLAG)
    Notification.objects.filter(pk=read.pk).update(read_at="2026-01-01T00:00:00Z")
    client = token_client(contributor)
    assert [n["id"] for n in client.get(URL, {"unread": "true"}).json()["results"]] == [unread.pk]
    assert [n["id"] for n in client.get(URL, {"unread": "false"}).json()["results"]] == [read.pk]
    assert [n["id"] for n in client.get(URL, {"kind": "review_flag"}).json()["results"]] == [unread.pk]
    bad = client.get(URL, {"kind": "gossip"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"kind"}


def test_mark_read_by_ids_ignores_other_peoples(token_client, workspace, editor, contributor):
    # given
    mine = tell(workspace, contributor, "Mine")
    also_mine = tell(workspace, contributor, "Also mine")
    theirs = tell(workspace, editor, "Eddie's")
    # when
    response = token_client(contributor).post(MARK_READ, {"ids": [mine.pk, theirs.pk]})
    # then
    assert response.status_code == 200
    assert response.json() == {"marked": 1}
    assert set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True)) == {mine.pk}
    also_mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (also_mine.read_at, theirs.read_at) == (None, None)


def test_mark_all_read(token_client, workspace, editor, contributor):
    tell(workspace, contributor, "One")
    tell(workspace, contributor, "Two")
    theirs = tell(workspace, editor, "Eddie's")
    client = token_client(contributor)
    assert client.post(MARK_READ, {"all": True}).json() == {"marked": 2}
    assert client.get(URL, {"unread": "true"}).json()["count"] == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.post(MARK_READ, {"all": True}).json() == {"marked": 0}


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"ids"}),
        ({"all": False}, {"ids"}),
        ({"ids": [1], "all": True}, {"ids"}),
        ({"ids": []}, {"ids"}),
        ({"ids": ["one"]}, {"ids[0]"}),
        ({"ids": [1], "everything": True}, {"everything"}),
    ],
)
def test_bad_mark_read_answers_400_and_marks_nothing(token_client, workspace, contributor, payload, fields):
    tell(workspace, contributor, "Unread")
    response = token_client(contributor).post(MARK_READ, payload)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_another_persons_notification_answers_404(token_client, workspace, editor, contributor):
    theirs = tell(workspace, editor, "Eddie's")
    assert token_client(contributor).get(f"{URL}{theirs.pk}/").status_code == 404


def test_other_workspace_answers_404_and_lists_nothing(token_client, workspace, other_workspace, contributor, outsider):
    mine = tell(workspace, contributor, "Acme only")
    client = token_client(outsider)
    assert client.get(f"{URL}{mine.pk}/").status_code == 404
    assert client.get(URL).json()["count"] == 0
    assert client.post(MARK_READ, {"ids": [mine.pk]}).json() == {"marked": 0}
    mine.refresh_from_db()
    assert mine.read_at is None


def test_detail_carries_an_etag_and_notifications_are_read_only(token_client, workspace, contributor):
    mine = tell(workspace, contributor, "Hello")
    client = token_client(contributor)
    assert client.get(f"{URL}{mine.pk}/")["ETag"]
    assert client.patch(f"{URL}{mine.pk}/", {"message": "Edited"}).status_code == 405
    assert client.delete(f"{URL}{mine.pk}/").status_code == 405
    mine.refresh_from_db()
    assert mine.message == "Hello"


@pytest.mark.parametrize("count", [5, 50])
def test_notification_list_query_budget_holds_for_5_and_50(
    token_client, workspace, product, editor, contributor, count, django_assert_max_num_queries
):
    story = StoryFactory(product=product)
    for i in range(count):
        tell(workspace, contributor, f"Note {i}", target=story, actor=editor)
    client = token_client(contributor)
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] == count
