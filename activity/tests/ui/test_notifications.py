"""Notifications in the browser: /notifications/, the user's own across their workspaces."""

import pytest
from django.urls import reverse

from activity.models import Notification
from activity.services import comment_create, notify
from backlog.tests.factories import StoryFactory
from workspaces.models import Membership, Role
from workspaces.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/notifications/"


@pytest.fixture
def story(product, editor):
    return StoryFactory(product=product, title="Refund a card payment", actor=editor)


def mention(product, story, author, text="@vic please look"):
    comment_create(workspace=product.workspace, target=story, author=author, body=text)
    return Notification.objects.filter(recipient__username="vic").latest("pk")


def test_the_url_names_the_page():
    assert reverse("activity:notifications") == LIST_URL


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_my_notifications_are_listed_unread_first_with_a_link_to_the_object(client, product, story, editor, viewer):
    # given
    first = mention(product, story, editor, "@vic first")
    second = mention(product, story, editor, "@vic second")
    Notification.objects.filter(pk=second.pk).update(read_at=first.created_at)
    client.force_login(viewer)
    # when
    body = client.get(LIST_URL).content.decode()
    # then
    assert body.index("@vic first") < body.index("@vic second")  # unread before read
    assert "1 unread" in body
    assert "Mentioned you" in body and "Acme" in body
    assert "Mark all read" in body


def test_the_top_bar_counts_unread_notifications(client, product, story, editor, viewer):
    mention(product, story, editor)
    mention(product, story, editor, "@vic again")
    client.force_login(viewer)
    body = client.get(reverse("product_home", args=[product.pk])).content.decode()
    assert 'id="notifications-link"' in body
    assert '<span class="count">2<span class="visually-hidden"> unread</span>' in body


def test_mark_one_read_with_htmx_updates_the_list_and_the_count(client, product, story, editor, viewer):
    # given
    one = mention(product, story, editor)
    mention(product, story, editor, "@vic again")
    client.force_login(viewer)
    # when
    response = client.post(reverse("activity:notification_read", args=[one.pk]), HTTP_HX_REQUEST="true")
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="notifications"' in body and "1 unread" in body
    assert 'hx-swap-oob="true"' in body and '<span class="count">1' in body
    one.refresh_from_db()
    assert one.is_read


def test_mark_all_read_without_js_redirects_back(client, product, story, editor, viewer):
    mention(product, story, editor)
    mention(product, story, editor, "@vic again")
    client.force_login(viewer)
    response = client.post(reverse("activity:notifications_read_all"))
    assert response.status_code == 302 and response["Location"] == LIST_URL
    assert not Notification.objects.filter(recipient=viewer, read_at__isnull=True).exists()
    assert "All read" in client.get(LIST_URL).content.decode()


def test_another_users_notifications_are_invisible_and_not_markable(client, product, story, editor, viewer):
    # given
    mine = mention(product, story, editor)
    client.force_login(editor)
    # when / then
    assert "@vic please look" not in client.get(LIST_URL).content.decode()
    assert client.post(reverse("activity:notification_read", args=[mine.pk])).status_code == 404
    assert client.get(reverse("activity:notification_read", args=[mine.pk])).status_code == 404
    client.post(reverse("activity:notifications_read_all"))
    mine.refresh_from_db()
    assert not mine.is_read


def test_notifications_of_a_workspace_i_left_are_hidden(client, product, story, editor, viewer, other_workspace):
    # given: one in each workspace, then the viewer leaves Acme
    mention(product, story, editor)
    MembershipFactory(workspace=other_workspace, user=viewer, role=Role.VIEWER)
    notify(workspace=other_workspace, recipients=[viewer], kind=Notification.Kind.MENTION, message="From Globex")
    left = Notification.objects.get(recipient=viewer, workspace=product.workspace)
    Membership.objects.filter(user=viewer, workspace=product.workspace).delete()
    client.force_login(viewer)
    # when
    body = client.get(LIST_URL).content.decode()
    # then
    assert "From Globex" in body
    assert "@vic please look" not in body
    assert client.post(reverse("activity:notification_read", args=[left.pk])).status_code == 404
    client.post(reverse("activity:notifications_read_all"))
    left.refresh_from_db()
    assert not left.is_read


def test_no_notifications_says_what_will_come(client, viewer):
    client.force_login(viewer)
    body = client.get(LIST_URL).content.decode()
    assert "No notifications" in body and "@mentions you" in body


def test_htmx_gets_the_list_fragment_only(client, product, story, editor, viewer):
    mention(product, story, editor)
    client.force_login(viewer)
    body = client.get(LIST_URL, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and 'id="notifications"' in body


def test_a_get_of_a_post_only_url_is_405_for_the_owner(client, product, story, editor, viewer):
    mine = mention(product, story, editor)
    client.force_login(viewer)
    assert client.get(reverse("activity:notification_read", args=[mine.pk])).status_code == 405
    assert client.get(reverse("activity:notifications_read_all")).status_code == 405


@pytest.mark.parametrize("size", [3, 40])
def test_the_list_reads_in_a_bounded_number_of_queries(
    client, product, story, editor, viewer, django_assert_max_num_queries, size
):
    # given: notifications about several kinds of rows
    from decisions.tests.factories import DecisionRecordFactory, PRDFactory

    targets = [story, PRDFactory(product=product, actor=editor), DecisionRecordFactory(product=product, actor=editor)]
    for n in range(size):
        comment_create(workspace=product.workspace, target=targets[n % 3], author=editor, body=f"@vic note {n}")
    client.force_login(viewer)
    # when / then
    with django_assert_max_num_queries(14):
        response = client.get(LIST_URL)
    assert response.content.decode().count('class="notification ') == size


def test_a_notification_links_to_the_page_of_its_object(client, product, story, editor, viewer):
    from activity.kinds import comments_url, page_url

    mention(product, story, editor)
    client.force_login(viewer)
    body = client.get(LIST_URL).content.decode()
    expected = page_url(story)
    if expected is None:  # the story page is not built yet: no link rather than a broken one
        assert 'href="' + comments_url(story) not in body
    else:
        assert f'href="{expected}"' in body
