"""What the sync's rows share: the fields it carries, directions, conflict policies, and how a row names
the epic, feature or story it is about."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import OuterRef, Q

from backlog.models import Epic, Feature, Story

# Every field the sync knows how to carry, and how each may travel.
FIELDS = ("summary", "description", "points", "priority", "labels", "assignee", "parent", "status")


class Direction(models.TextChoices):
    TWO_WAY = "two_way", "Two-way"
    TO_JIRA = "to_jira", "To Jira only"
    FROM_JIRA = "from_jira", "From Jira only"
    SET_ONCE = "set_once", "Set once (at creation)"


# The assignee comes from Jira unless a mapping says otherwise: pushing it finds the Jira user by e-mail,
# which Jira hides for many accounts, and a pull of someone who is not a member here would otherwise
# queue a push for every such issue (see push._assignee_values).
DEFAULT_DIRECTIONS: dict[str, str] = {field: Direction.TWO_WAY for field in FIELDS} | {"assignee": Direction.FROM_JIRA}


class ItemKind(models.TextChoices):
    EPIC = "epic", "Epic"
    FEATURE = "feature", "Feature"
    STORY = "story", "Story"


ITEM_MODELS: dict[str, type[models.Model]] = {"epic": Epic, "feature": Feature, "story": Story}


def item_kind(item: models.Model) -> str:
    for kind, model in ITEM_MODELS.items():
        if isinstance(item, model):
            return kind
    raise TypeError(f"{type(item).__name__} is not synced with Jira")


def one_item_of(*, at_most: bool = False) -> Q:
    """Check: exactly one (or at most one) of epic / feature / story is set."""
    e, f, s = (Q(**{f"{name}__isnull": False}) for name in ("epic", "feature", "story"))
    ne, nf, ns = (Q(**{f"{name}__isnull": True}) for name in ("epic", "feature", "story"))
    exactly = (e & nf & ns) | (ne & f & ns) | (ne & nf & s)
    return exactly | (ne & nf & ns) if at_most else exactly


class ItemRefMixin(models.Model):
    """Three nullable foreign keys, one per synced kind; `item` is whichever is set."""

    class Meta:
        abstract = True

    @property
    def item(self) -> Epic | Feature | Story | None:
        return self.epic or self.feature or self.story  # type: ignore[attr-defined]

    @property
    def kind(self) -> str | None:
        for kind in ITEM_MODELS:
            if getattr(self, f"{kind}_id"):
                return kind
        return None

    @staticmethod
    def same_item_as_outer() -> Q:
        """In a subquery: rows about the same epic, feature or story as the outer query's row (a link, an intent)."""
        return Q(epic_id=OuterRef("epic_id")) | Q(feature_id=OuterRef("feature_id")) | Q(story_id=OuterRef("story_id"))


class ConflictPolicy(models.TextChoices):
    JIRA_WINS = "jira_wins", "Jira wins"
    WORKSPACE_WINS = "workspace_wins", "Workspace wins"
    ASK = "ask", "Ask (conflicts inbox)"


def item_ref(item: Any) -> dict[str, Any]:
    """Keyword arguments naming `item` on an ItemRefMixin row."""
    return {item_kind(item): item}
