"""Reads for the activity pages: a comment thread, a user's notifications."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import F, Model, QuerySet, prefetch_related_objects
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from backlog.models import Epic, Feature, Story, TechDebtItem
from core.markdown import render_markdown
from decisions.models import PRD, DecisionRecord, Requirement
from roadmap.models import RoadmapItem

from .kinds import KIND_BY_MODEL, page_url, product_id_of
from .models import Comment, Notification
from .services import MENTION_PATTERN

# A thread shows its latest comments; older ones are rare and stay reachable through the API.
THREAD_LIMIT = 100
NOTIFICATIONS_PAGE_SIZE = 50

_TAG = re.compile(r"(<[^>]*>)")


def highlight_mentions(html: str, usernames: set[str]) -> SafeString:
    """Wrap @name of the people actually mentioned (members) in a highlight, in text only, never in a tag.

    `html` is the sanitized output of the Markdown renderer: its text holds no raw `<` (escaped), so
    splitting on tags leaves attributes and markup untouched.
    """
    if not usernames:
        return mark_safe(html)

    def mark(match: re.Match[str]) -> str:
        name = match.group(1).rstrip(".")
        if name not in usernames:
            return match.group(0)
        rest = match.group(1)[len(name) :]
        return f'<span class="mention">@{escape(name)}</span>{rest}'

    parts = _TAG.split(html)
    in_code = 0
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            lowered = part.lower()
            if lowered.startswith(("<code", "<pre")):
                in_code += 1
            elif lowered.startswith(("</code", "</pre")):
                in_code = max(0, in_code - 1)
            continue
        if part and not in_code:
            parts[index] = MENTION_PATTERN.sub(mark, part)
    return mark_safe("".join(parts))


@dataclass
class Thread:
    comments: list[Comment]
    total: int
    truncated: bool


def comment_thread(*, target: Model) -> Thread:
    """The latest comments on a row, oldest first, each with `html` (sanitized Markdown, mentions marked)."""
    content_type = ContentType.objects.get_for_model(target)
    latest = list(
        Comment.objects.filter(content_type=content_type, object_id=target.pk)
        .select_related("author")
        .prefetch_related("mentions")
        .order_by("-created_at", "-pk")[: THREAD_LIMIT + 1]
    )
    truncated = len(latest) > THREAD_LIMIT
    comments = list(reversed(latest[:THREAD_LIMIT]))
    for comment in comments:
        decorate_comment(comment)
    return Thread(comments=comments, total=len(comments), truncated=truncated)


def decorate_comment(comment: Comment) -> Comment:
    comment.html = highlight_mentions(
        str(render_markdown(comment.body)), {user.username for user in comment.mentions.all()}
    )
    comment.edited = (comment.updated_at - comment.created_at).total_seconds() > 1
    return comment


# --- Notifications --------------------------------------------------------------------------------

# How each kind of notification target is loaded in one query per kind, with what its link needs.
_TARGET_QUERYSETS: list[QuerySet[Any]] = [
    Story.objects.all(),
    Epic.objects.all(),
    Feature.objects.all(),
    TechDebtItem.objects.all(),
    RoadmapItem.objects.select_related("roadmap"),
    PRD.objects.all(),
    Requirement.objects.all(),
    DecisionRecord.objects.all(),
]


def notifications_for(*, user: AbstractBaseUser) -> QuerySet[Notification]:
    """The user's notifications in the workspaces they still belong to, unread first, newest first."""
    return (
        Notification.objects.filter(recipient=user, workspace__memberships__user=user)
        .select_related("actor", "workspace")
        .order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk")
    )


def with_targets(page_rows: list[Notification]) -> list[Notification]:
    """Load each notification's target (one query per kind of target) and set `url` to its page (or None)."""
    prefetch_related_objects(page_rows, GenericPrefetch("target", _TARGET_QUERYSETS))
    for row in page_rows:
        target = row.target
        row.url = None
        if target is not None and type(target) in KIND_BY_MODEL:
            row.url = page_url(target, product_id=product_id_of(target))
    return page_rows


def unread_count(*, user: AbstractBaseUser) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True, workspace__memberships__user=user).count()
