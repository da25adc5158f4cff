"""The backlog's one seam: item_changed, sent in the transaction with what changed and who changed it."""

from __future__ import annotations

from backlog import services as backlog
from backlog.signals import item_changed


def test_the_backlog_announces_changes_with_their_origin(product, statuses):
    # given
    seen = []

    def listen(sender, *, item, kind, changed_fields, actor, origin, **kwargs):
        seen.append((sender.__name__, kind, sorted(changed_fields), origin))

    item_changed.connect(listen)
    try:
        # when
        epic = backlog.epic_create(product=product, actor=None, title="E")
        story = backlog.story_create(product=product, actor=None, title="S", origin="jira")
        backlog.story_update(story=story, actor=None, title="S2", points=3, labels=["x"])
        backlog.story_update(story=story, actor=None, title="S2")  # no change, no signal
        backlog.story_set_status(story=story, actor=None, status=statuses["Done"])
        backlog.story_update(story=story, actor=None, epic=epic)
        backlog.story_delete(story=story, actor=None)
    finally:
        item_changed.disconnect(listen)
    # then
    assert seen == [
        ("Epic", "created", [], "workspace"),
        ("Story", "created", [], "jira"),
        ("Story", "updated", ["labels", "points", "title"], "workspace"),
        ("Story", "updated", ["status"], "workspace"),
        ("Story", "updated", ["epic"], "workspace"),
        ("Story", "deleted", [], "workspace"),
    ]
