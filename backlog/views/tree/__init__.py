"""The backlog tree: epics → features → stories, opened on demand, ranked by drag and drop, created
inline, filtered into a flat story list, changed in bulk.

State that matters lives in the URL: `?open=e12,f40` (the open nodes), `?page=` (the page of epics),
and the filters (`?status=&assignee=&label=&sprint=&q=`). An htmx request reads that state from the
page it came from (`HX-Current-URL`), so a fragment answered to a click or a drop matches what a reload
of the page would show.

state   the tree's state in the URL, and the redirect back to it
nodes   epics, features and stories decorated for the templates (slots, open children, contexts)
pages   the page, and one epic's or feature's node opened on demand
moves   drag and drop (and the keyboard's move buttons)
create  inline creation of epics, features and stories
bulk    changes to several stories at once
"""

from .bulk import story_bulk
from .create import epic_create, epic_story_create, feature_create, feature_story_create
from .moves import epic_move, feature_move, story_move
from .nodes import decorate_epics, decorate_features
from .pages import epic_node, feature_node, tree
from .state import TreeState

__all__ = [
    "TreeState",
    "decorate_epics",
    "decorate_features",
    "epic_create",
    "epic_move",
    "epic_node",
    "epic_story_create",
    "feature_create",
    "feature_move",
    "feature_node",
    "feature_story_create",
    "story_bulk",
    "story_move",
    "tree",
]
