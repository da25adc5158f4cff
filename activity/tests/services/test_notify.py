"""notify: one row per distinct recipient, never the actor, nobody for an empty list."""

from activity.models import Notification
from activity.services import notify
from decisions.tests.factories import PRDFactory


def test_notify_writes_one_row_per_distinct_recipient_and_skips_the_actor(
    workspace, product, editor, contributor, viewer
):
    # given
    prd = PRDFactory(product=product, actor=editor)

    # when
    rows = notify(
        workspace=workspace,
        recipients=[contributor, None, viewer, contributor, editor],
        kind=Notification.Kind.REVIEW_FLAG,
        message="Re-review",
        target=prd,
        actor=editor,
    )

    # then
    assert [row.recipient.username for row in rows] == ["cora", "vic"]
    assert list(
        Notification.objects.order_by("pk").values_list("recipient__username", "actor__username", "kind", "object_id")
    ) == [("cora", "eddie", "review_flag", prd.pk), ("vic", "eddie", "review_flag", prd.pk)]


def test_notify_with_nobody_to_tell_writes_nothing(workspace, editor):
    # when
    rows = notify(workspace=workspace, recipients=[editor], kind=Notification.Kind.MENTION, message="x", actor=editor)

    # then
    assert rows == []
    assert not Notification.objects.exists()
