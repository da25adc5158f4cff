"""Comments: members comment, @mentions reach members only, each once, never the author."""

import pytest
from django.core.exceptions import ValidationError

from activity.models import Comment, Notification
from activity.services import comment_create, notifications_mark_read
from backlog.tests.factories import StoryFactory
from decisions.tests.factories import PRDFactory
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory


@pytest.fixture
def prd(product, editor):
    return PRDFactory(product=product, actor=editor, title="Checkout v2")


def mention_notifications() -> list[tuple[str, str]]:
    return [
        (n.recipient.username, n.actor.username)
        for n in Notification.objects.filter(kind=Notification.Kind.MENTION)
        .select_related("recipient", "actor")
        .order_by("pk")
    ]


def test_comment_create_stores_the_comment_on_its_target(workspace, prd, editor):
    # when
    comment = comment_create(workspace=workspace, target=prd, author=editor, body="  Looks good to me.  ")

    # then
    assert (comment.target, comment.author, comment.body, comment.workspace) == (
        prd,
        editor,
        "Looks good to me.",
        workspace,
    )
    assert list(comment.mentions.all()) == []


def test_only_members_of_the_workspace_are_mentioned(workspace, prd, editor, contributor, viewer, outsider):
    # when: mallory is a member of another workspace, ghost does not exist, and an e-mail address is not a mention
    comment = comment_create(
        workspace=workspace,
        target=prd,
        author=editor,
        body="@cora and @vic, please check. cc @mallory @ghost and billing@cora.example.",
    )

    # then
    assert set(comment.mentions.values_list("username", flat=True)) == {"cora", "vic"}
    assert mention_notifications() == [("cora", "eddie"), ("vic", "eddie")]


def test_each_mentioned_member_is_notified_once_and_the_author_not_at_all(workspace, prd, editor, contributor):
    # when
    comment_create(workspace=workspace, target=prd, author=editor, body="@cora: see above, @cora. — @eddie")

    # then
    assert mention_notifications() == [("cora", "eddie")]
    notification = Notification.objects.get()
    assert (notification.target, notification.workspace) == (prd, prd.product.workspace)
    assert notification.message == "eddie mentioned you on Checkout v2: @cora: see above, @cora. — @eddie"


def test_an_empty_comment_is_refused_naming_the_body(workspace, prd, editor, contributor):
    # when
    with pytest.raises(ValidationError) as refused:
        comment_create(workspace=workspace, target=prd, author=editor, body=" \n\t ")

    # then
    assert list(refused.value.message_dict) == ["body"]
    assert not Comment.objects.exists()


def test_a_non_member_cannot_comment(workspace, prd, outsider, editor):
    # when
    with pytest.raises(ValidationError) as refused:
        comment_create(workspace=workspace, target=prd, author=outsider, body="@eddie hello from outside")

    # then
    assert list(refused.value.message_dict) == ["author"]
    assert not Comment.objects.exists()
    assert not Notification.objects.exists()


def test_a_comment_on_an_item_of_another_workspace_is_refused(workspace, other_product, editor, contributor):
    # given: a story that belongs to another workspace than the one named
    foreign_story = StoryFactory(product=other_product)

    # when
    with pytest.raises(ValidationError) as refused:
        comment_create(workspace=workspace, target=foreign_story, author=editor, body="@cora look at theirs")

    # then
    assert list(refused.value.message_dict) == ["target"]
    assert not Comment.objects.exists()
    assert not Notification.objects.exists()


def test_comments_and_notifications_are_visible_only_inside_their_workspace(
    workspace, prd, editor, contributor, outsider
):
    # given
    comment = comment_create(workspace=workspace, target=prd, author=editor, body="@cora please review")

    # when / then
    assert list(Comment.objects.visible_to(contributor)) == [comment]
    assert list(Comment.objects.visible_to(outsider)) == []
    assert Notification.objects.visible_to(contributor).count() == 1
    assert not Notification.objects.visible_to(outsider).exists()


def test_notifications_mark_read_marks_only_the_recipients_own(workspace, prd, editor, contributor, viewer):
    # given
    comment_create(workspace=workspace, target=prd, author=editor, body="@cora and @vic please review")

    # when
    marked = notifications_mark_read(recipient=contributor)

    # then
    assert marked == 1
    assert Notification.objects.get(recipient=contributor).is_read
    assert not Notification.objects.get(recipient=viewer).is_read


def test_items_reached_through_a_roadmap_can_be_commented_on(workspace, product, editor, contributor):
    # given
    item = RoadmapItemFactory(roadmap=RoadmapFactory(product=product))

    # when
    comment = comment_create(workspace=workspace, target=item, author=editor, body="@cora dates?")

    # then
    assert comment.target == item
    assert mention_notifications() == [("cora", "eddie")]


def test_a_target_outside_any_workspace_is_refused(workspace, editor, contributor):
    # when: a user account belongs to no workspace
    with pytest.raises(ValidationError) as refused:
        comment_create(workspace=workspace, target=contributor, author=editor, body="Hello")

    # then
    assert list(refused.value.message_dict) == ["target"]
    assert not Comment.objects.exists()
