"""Which rows belong to a workspace, model by model, and which models are left out and why.

Every model Django knows is either in TABLES (exported, in this order) or in EXCLUDED with its reason:
the test walks `apps.get_models()` and fails on a model in neither, so a model added later cannot be
forgotten silently. Models are named by label, not imported: this module reads every app, and
importing them here would turn the one-way dependencies (core ← workspaces ← backlog ← …) around.

A table's scope is the lookup from its row to the workspace id, or a function for the few that need
more than a lookup. History rows are scoped by the product (or the roadmap) they name, so that the
history of a deleted story or decision comes along too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet

Scope = str | Callable[[int, str], QuerySet]


@dataclass(frozen=True)
class Table:
    label: str  # "backlog.story": app label and model name, lower case, as `Model._meta.label_lower`
    scope: Scope
    # Derived rows (kept by database triggers): written to the file so that the restore can prove the
    # triggers rebuilt them identically, never inserted.
    derived: bool = False

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    def rows(self, workspace_id: int, using: str) -> QuerySet:
        if callable(self.scope):
            return self.scope(workspace_id, using)
        return self.model._base_manager.using(using).filter(**{self.scope: workspace_id})


def _historical_roadmap_items(workspace_id: int, using: str) -> QuerySet:
    # An item's history names its roadmap; the roadmap may be gone (deleted with its items), but its
    # own history still names the product.
    roadmap_ids = (
        apps.get_model("roadmap.historicalroadmap")
        ._base_manager.using(using)
        .filter(product__workspace=workspace_id)
        .values("id")
    )
    live_ids = apps.get_model("roadmap.roadmap")._base_manager.using(using).filter(product__workspace=workspace_id)
    return (
        apps.get_model("roadmap.historicalroadmapitem")
        ._base_manager.using(using)
        .filter(Q(roadmap_id__in=roadmap_ids) | Q(roadmap_id__in=live_ids.values("id")))
    )


def _signoffs(workspace_id: int, using: str) -> QuerySet:
    return (
        apps.get_model("decisions.signoff")
        ._base_manager.using(using)
        .filter(Q(prd__product__workspace=workspace_id) | Q(decision__product__workspace=workspace_id))
    )


def _signoff_events(workspace_id: int, using: str) -> QuerySet:
    return (
        apps.get_model("decisions.signoffevent")
        ._base_manager.using(using)
        .filter(signoff_id__in=_signoffs(workspace_id, using).values("id"))
    )


USERS = "auth.user"

# Parents before children, so that the file reads top-down; the restore does not depend on it
# (foreign keys are checked at commit), except that features go in before stories for the roll-up
# triggers' sake — which the triggers handle in either order anyway.
TABLES: tuple[Table, ...] = (
    # The people the workspace names: members, and anyone its rows point at (authors, assignees,
    # approvers, history authors…) even after they left. Scoped by the exporter from all the other rows.
    Table(USERS, scope="pk"),
    Table("workspaces.workspace", scope="pk"),
    Table("workspaces.membership", scope="workspace"),
    Table("workspaces.product", scope="workspace"),
    # Backlog
    Table("backlog.workflowstatus", scope="product__workspace"),
    Table("backlog.label", scope="product__workspace"),
    Table("backlog.sprint", scope="product__workspace"),
    Table("backlog.historicalsprint", scope="product__workspace"),
    Table("backlog.epic", scope="product__workspace"),
    Table("backlog.epic_labels", scope="epic__product__workspace"),
    Table("backlog.historicalepic", scope="product__workspace"),
    Table("backlog.feature", scope="product__workspace"),
    Table("backlog.feature_labels", scope="feature__product__workspace"),
    Table("backlog.historicalfeature", scope="product__workspace"),
    Table("backlog.story", scope="product__workspace"),
    Table("backlog.story_labels", scope="story__product__workspace"),
    Table("backlog.historicalstory", scope="product__workspace"),
    Table("backlog.acceptancecriterion", scope="story__product__workspace"),
    Table("backlog.techdebtitem", scope="product__workspace"),
    Table("backlog.techdebtitem_labels", scope="techdebtitem__product__workspace"),
    Table("backlog.historicaltechdebtitem", scope="product__workspace"),
    Table("backlog.epicstatustotal", scope="epic__product__workspace", derived=True),
    # Roadmap
    Table("roadmap.roadmap", scope="product__workspace"),
    Table("roadmap.historicalroadmap", scope="product__workspace"),
    Table("roadmap.goal", scope="product__workspace"),
    Table("roadmap.milestone", scope="product__workspace"),
    Table("roadmap.historicalmilestone", scope="product__workspace"),
    Table("roadmap.roadmapitem", scope="roadmap__product__workspace"),
    Table("roadmap.roadmapitem_epics", scope="roadmapitem__roadmap__product__workspace"),
    Table("roadmap.roadmapitem_goals", scope="roadmapitem__roadmap__product__workspace"),
    Table("roadmap.historicalroadmapitem", scope=_historical_roadmap_items),
    Table("roadmap.dependency", scope="blocked__roadmap__product__workspace"),
    Table("roadmap.baseline", scope="roadmap__product__workspace"),
    # PRDs, decision records, sign-offs
    Table("decisions.prd", scope="product__workspace"),
    Table("decisions.prd_epics", scope="prd__product__workspace"),
    Table("decisions.prd_roadmap_items", scope="prd__product__workspace"),
    Table("decisions.historicalprd", scope="product__workspace"),
    Table("decisions.prdsection", scope="prd__product__workspace"),
    Table("decisions.prdversion", scope="prd__product__workspace"),
    Table("decisions.requirement", scope="product__workspace"),
    Table("decisions.requirement_features", scope="requirement__product__workspace"),
    Table("decisions.requirement_stories", scope="requirement__product__workspace"),
    Table("decisions.historicalrequirement", scope="product__workspace"),
    Table("decisions.decisionrecord", scope="product__workspace"),
    Table("decisions.decisionrecord_epics", scope="decisionrecord__product__workspace"),
    Table("decisions.decisionrecord_roadmap_items", scope="decisionrecord__product__workspace"),
    Table("decisions.decisionrecord_prds", scope="decisionrecord__product__workspace"),
    Table("decisions.historicaldecisionrecord", scope="product__workspace"),
    Table("decisions.decisionoption", scope="record__product__workspace"),
    Table("decisions.decisionparticipant", scope="record__product__workspace"),
    Table("decisions.signoff", scope=_signoffs),
    Table("decisions.signoffevent", scope=_signoff_events),
    Table("decisions.reviewflag", scope="product__workspace"),
    # Activity
    Table("activity.comment", scope="workspace"),
    Table("activity.comment_mentions", scope="comment__workspace"),
    Table("activity.notification", scope="workspace"),
    # Outgoing webhooks (the endpoints' signing secrets as stored: Fernet tokens)
    Table("webhooks.webhookendpoint", scope="workspace"),
    Table("webhooks.outboxevent", scope="workspace"),
    Table("webhooks.webhookdelivery", scope="endpoint__workspace"),
    Table("webhooks.webhookattempt", scope="delivery__endpoint__workspace"),
    # Jira sync (the connection's token and webhook secret as stored: Fernet tokens)
    Table("jira_sync.jiraconnection", scope="workspace"),
    Table("jira_sync.projectmapping", scope="connection__workspace"),
    Table("jira_sync.statusmapping", scope="mapping__connection__workspace"),
    Table("jira_sync.issuelink", scope="connection__workspace"),
    Table("jira_sync.pushintent", scope="connection__workspace"),
    Table("jira_sync.jirawebhookevent", scope="connection__workspace"),
    Table("jira_sync.syncrun", scope="connection__workspace"),
    Table("jira_sync.syncitemerror", scope="run__connection__workspace"),
    Table("jira_sync.conflict", scope="link__connection__workspace"),
)

_SITE_PERMISSIONS = (
    "Django's site-wide permissions and groups, not a workspace's data (workspace roles are memberships, "
    "which are exported); an administrator grants them again after a restore"
)
_SIGN_IN_ATTEMPTS = "sign-in throttling records (django-axes), site-wide by username and address: not content"

EXCLUDED: dict[str, str] = {
    "workspaces.apitoken": (
        "personal credentials of a user, valid in every workspace they belong to, not the workspace's own "
        "data; left out so that an export never carries a way in (only a hash of each secret is stored "
        "anyway): people create new tokens after a restore"
    ),
    "auth.permission": _SITE_PERMISSIONS,
    "auth.group": _SITE_PERMISSIONS,
    "auth.group_permissions": _SITE_PERMISSIONS,
    "auth.user_groups": _SITE_PERMISSIONS,
    "auth.user_user_permissions": _SITE_PERMISSIONS,
    "contenttypes.contenttype": (
        "made by `migrate` in every database, with ids of its own; rows that point at one (comments, "
        "notifications) carry its natural key (app label, model) instead"
    ),
    "sessions.session": "sign-in sessions: people sign in again after a restore",
    "admin.logentry": (
        "the admin site's own log of what was done through it, site-wide and naming objects by text id; "
        "the change history of our objects is simple-history's, which is exported"
    ),
    "axes.accessattempt": _SIGN_IN_ATTEMPTS,
    "axes.accessfailurelog": _SIGN_IN_ATTEMPTS,
    "axes.accesslog": _SIGN_IN_ATTEMPTS,
    "axes.accessattemptexpiration": _SIGN_IN_ATTEMPTS,
}

TABLES_BY_LABEL: dict[str, Table] = {table.label: table for table in TABLES}


def unclassified_models() -> list[str]:
    """Labels of installed models that are neither exported nor excluded with a reason."""
    known = TABLES_BY_LABEL.keys() | EXCLUDED.keys()
    return sorted(
        model._meta.label_lower
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label_lower not in known
    )
