"""`{% load board_cards %}`: the kanban card's keyboard controls, built in Python because a board renders many.

The payload is ui/move_controls.html's (docs/ui.md, "Keyboard alternative"), in one form per card:
"Move up" sends `before=<previous card>`, "Move down" `after=<next card>`, "Move" the chosen status as
`list` (the select also goes with up / down, as the card's own status unless changed). The template
version cost ~160 µs a card; this costs a tenth of that.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from backlog.models import Story
from backlog.selectors.board import BoardColumn

register = template.Library()


@register.simple_tag(takes_context=True)
def card_move_controls(context: template.Context, story: Story, column: BoardColumn, move_url: str) -> SafeString:
    token: Any = context.get("csrf_token", "")
    up = (
        format_html(
            '<button type="submit" name="before" value="{}" class="button button--icon" aria-label="Move {} up">'
            '<span aria-hidden="true">↑</span></button>',
            story.prev_id,
            story.title,
        )
        if story.prev_id
        else ""
    )
    down = (
        format_html(
            '<button type="submit" name="after" value="{}" class="button button--icon" aria-label="Move {} down">'
            '<span aria-hidden="true">↓</span></button>',
            story.next_id,
            story.title,
        )
        if story.next_id
        else ""
    )
    return format_html(
        '<form class="move-controls" method="post" action="{url}">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        '<input type="hidden" name="item" value="{pk}"><input type="hidden" name="from_list" value="{status}">'
        "{up}{down}"
        '<label class="visually-hidden" for="move-{pk}-list">Move {title} to</label>'
        '<select id="move-{pk}-list" name="list">{options}</select>'
        '<button type="submit" class="button button--small">Move</button></form>',
        url=move_url,
        token=str(token),
        pk=story.pk,
        status=column.status.pk,
        up=up,
        down=down,
        title=story.title,
        options=mark_safe(column.status_options),  # built with format_html_join: escaped already
    )
