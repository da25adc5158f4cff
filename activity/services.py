"""Comments with @mentions, and notifications."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldError, ValidationError
from django.db import models, transaction
from django.utils import timezone

from core.errors import ApplicationError
from workspaces.models import Membership, ProductScopedQuerySet, Role, Workspace

from .models import Comment, Notification

MENTION_PATTERN = re.compile(r"(?<![\w.@])@([\w.+-]{1,150})")


def mentioned_members(*, workspace: Workspace, body: str) -> list[AbstractBaseUser]:
    """Members of the workspace named as @username in the text; other names are ignored."""
    names = {name.rstrip(".") for name in MENTION_PATTERN.findall(body)}
    if not names:
        return []
    user_model = get_user_model()
    return list(user_model.objects.filter(username__in=names, memberships__workspace=workspace).order_by("pk"))


@transaction.atomic
def notify(
    *,
    workspace: Workspace,
    recipients: Iterable[AbstractBaseUser],
    kind: str,
    message: str,
    target: models.Model | None = None,
    actor: AbstractBaseUser | None = None,
) -> list[Notification]:
    """One notification per distinct recipient, skipping the actor (nobody is told about their own act)."""
    content_type = ContentType.objects.get_for_model(target) if target is not None else None
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or (actor is not None and user.pk == actor.pk):
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                workspace=workspace,
                recipient=user,
                actor=actor,
                kind=kind,
                message=message[:300],
                content_type=content_type,
                object_id=target.pk if target is not None else None,
            )
        )
    return Notification.objects.bulk_create(rows)


def workspace_id_of(target: models.Model) -> int | None:
    """The workspace a row belongs to: stored on it, or reached through its product; None if unknown."""
    if isinstance(target, Workspace):
        return target.pk
    if hasattr(target, "workspace_id"):
        return target.workspace_id
    rows = type(target)._default_manager.filter(pk=target.pk)
    if isinstance(rows, ProductScopedQuerySet):
        try:
            return rows.values_list(f"{rows.product_path}__workspace_id", flat=True).first()
        except FieldError:
            return None
    return None


@transaction.atomic
def comment_create(*, workspace: Workspace, target: models.Model, author: AbstractBaseUser, body: str) -> Comment:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something before posting."})
    if not workspace.memberships.filter(user=author).exists():
        raise ValidationError({"author": "Only members of this workspace can comment."})
    if workspace_id_of(target) != workspace.pk:
        raise ValidationError({"target": "Comment only on items of this workspace."})
    comment = Comment.objects.create(
        workspace=workspace,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        author=author,
        body=body,
    )
    mentioned = mentioned_members(workspace=workspace, body=body)
    comment.mentions.set(mentioned)
    notify(
        workspace=workspace,
        recipients=mentioned,
        kind=Notification.Kind.MENTION,
        actor=author,
        target=target,
        message=f"{author} mentioned you on {target}: {body[:120]}",
    )
    return comment


@transaction.atomic
def comment_update(*, comment: Comment, actor: AbstractBaseUser, body: str) -> Comment:
    """The author rewrites their comment; people newly @mentioned are told, those told before are not again."""
    if comment.author_id is None or comment.author_id != actor.pk:
        raise ApplicationError("Only the author can edit a comment.", field="body", extra={"forbidden": True})
    body = body.strip()
    if not body:
        raise ApplicationError("Write something, or delete the comment.", field="body")
    if body == comment.body:
        return comment
    comment.body = body
    comment.save(update_fields=["body", "updated_at"])
    workspace = comment.workspace
    mentioned = mentioned_members(workspace=workspace, body=body)
    already = set(comment.mentions.values_list("pk", flat=True))
    comment.mentions.set(mentioned)
    target = comment.target
    newly = [user for user in mentioned if user.pk not in already]
    if newly and target is not None:
        notify(
            workspace=workspace,
            recipients=newly,
            kind=Notification.Kind.MENTION,
            actor=actor,
            target=target,
            message=f"{actor} mentioned you on {target}: {body[:120]}",
        )
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, actor: AbstractBaseUser) -> None:
    """The author, or an admin of the workspace (moderation), deletes a comment."""
    is_author = comment.author_id is not None and comment.author_id == actor.pk
    if not is_author and not (
        Membership.objects.filter(workspace_id=comment.workspace_id, user_id=actor.pk, role=Role.ADMIN).exists()
    ):
        raise ApplicationError(
            "Only the author or a workspace admin can delete a comment.", field="comment", extra={"forbidden": True}
        )
    comment.delete()


def notifications_mark_read(*, recipient: AbstractBaseUser, notification_ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
