"""The backlog in the admin, scoped to the staff user's workspaces (workspaces/admin_scoping.py).

New epics, features, stories, tech-debt items and sprints are made by backlog.services, as in the app,
which number and rank them (keys, numbers and ranks are read-only here); story edits go through
story_update, and a stale save of a story is refused in words; sprints start and close by actions.

base       what the item admins share: the form, the list columns, a child's key for its parent
workflow   workflow statuses and labels
items      epics, features (with their stories) and tech-debt items
sprints    sprints, with their stories and points
stories    stories and their acceptance criteria
"""

from . import items, sprints, stories, workflow  # noqa: F401 - importing a module registers its admins
