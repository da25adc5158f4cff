"""comment_update (author only, new mentions told once) and comment_delete (author or workspace admin)."""

import pytest

from activity.models import Comment, Notification
from activity.services import comment_create, comment_delete, comment_update
from backlog.tests.factories import StoryFactory
from core.errors import ApplicationError


@pytest.fixture
def comment(workspace, product, editor):
    return comment_create(workspace=workspace, target=StoryFactory(product=product), author=editor, body="@cora look")


def test_the_author_edits_and_only_new_mentions_are_notified(comment, editor, contributor, viewer):
    updated = comment_update(comment=comment, actor=editor, body=" @cora and @vic look ")
    updated.refresh_from_db()
    assert updated.body == "@cora and @vic look"
    assert sorted(updated.mentions.values_list("username", flat=True)) == ["cora", "vic"]
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["cora", "vic"]


def test_an_unchanged_body_writes_nothing(comment, editor):
    updated_at = comment.updated_at
    comment_update(comment=comment, actor=editor, body="@cora look")
    comment.refresh_from_db()
    assert comment.updated_at == updated_at


def test_only_the_author_edits(comment, admin_user):
    with pytest.raises(ApplicationError) as excinfo:
        comment_update(comment=comment, actor=admin_user, body="Changed")
    assert excinfo.value.extra == {"forbidden": True}
    assert Comment.objects.get(pk=comment.pk).body == "@cora look"


def test_a_blank_edit_is_refused(comment, editor):
    with pytest.raises(ApplicationError) as excinfo:
        comment_update(comment=comment, actor=editor, body="  ")
    assert excinfo.value.field == "body"


def test_the_author_or_an_admin_deletes_nobody_else(workspace, product, comment, editor, admin_user, contributor):
    with pytest.raises(ApplicationError):
        comment_delete(comment=comment, actor=contributor)
    assert Comment.objects.filter(pk=comment.pk).exists()
    comment_delete(comment=comment, actor=editor)
    assert not Comment.objects.filter(pk=comment.pk).exists()
    other = comment_create(workspace=workspace, target=StoryFactory(product=product), author=editor, body="Again")
    comment_delete(comment=other, actor=admin_user)
    assert not Comment.objects.filter(pk=other.pk).exists()


def test_a_comment_whose_author_is_gone_is_deleted_by_an_admin_only(comment, editor, admin_user, contributor):
    Comment.objects.filter(pk=comment.pk).update(author=None)
    comment.refresh_from_db()
    with pytest.raises(ApplicationError):
        comment_update(comment=comment, actor=contributor, body="Mine now")
    with pytest.raises(ApplicationError):
        comment_delete(comment=comment, actor=contributor)
    comment_delete(comment=comment, actor=admin_user)
    assert not Comment.objects.exists()
