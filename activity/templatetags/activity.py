"""`{% load activity %}` then `{% comments_panel story %}`: the comments of any commentable row, with a form.

Works for stories, epics, features, tech-debt items, roadmap items, PRDs, requirements and decision
records (activity.kinds). Put it on the row's page (a view behind `product_view`); it reads the
thread (two queries) and posts to `activity:comments_<kind>`, which answers the panel again for htmx
and redirects back here otherwise.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model

from activity.forms import CommentForm
from activity.kinds import comments_url, kind_of, product_id_of
from activity.selectors import comment_thread
from workspaces.models import Role

register = template.Library()


def panel_context(
    *, request: Any, target: Model, form: CommentForm | None = None, next_url: str | None = None
) -> dict[str, Any]:
    """What activity/comments.html#panel needs; shared by the tag and the comment views."""
    kind = kind_of(target)
    product_id = product_id_of(target)
    membership = getattr(request, "membership", None)
    return {
        "request": request,
        "user": request.user,
        "target": target,
        "kind": kind,
        "thread": comment_thread(target=target),
        "form": form or CommentForm(auto_id=f"id_comment_{kind.name}_{target.pk}_%s"),
        "post_url": comments_url(target, product_id=product_id),
        "panel_id": f"comments-{kind.name}-{target.pk}",
        "next_url": next_url or request.get_full_path(),
        "can_comment": membership is not None,  # every member comments, viewers included
        "is_admin": membership is not None and membership.role == Role.ADMIN,
    }


@register.inclusion_tag("activity/comments.html#panel", takes_context=True)
def comments_panel(context: template.Context, target: Model) -> dict[str, Any]:
    """The comments section of `target`: its thread, and a form to add one (every member may comment)."""
    return panel_context(request=context["request"], target=target)
