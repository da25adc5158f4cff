"""Tenancy at the data layer: each roadmap queryset shows a user only the rows of their workspaces."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from roadmap.models import Baseline, Dependency, Goal, Milestone, Roadmap, RoadmapItem
from roadmap.services import baseline_create, dependency_add, goal_create, milestone_create
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory
from workspaces.models import Role
from workspaces.tests.factories import MembershipFactory


def populate(product, *, tag: str, actor) -> dict[str, object]:
    """A roadmap with two dependent items, a baseline, a milestone and a goal, all named after `tag`."""
    roadmap = RoadmapFactory(product=product, name=f"{tag} roadmap")
    blocker = RoadmapItemFactory(roadmap=roadmap, title=f"{tag} blocker")
    blocked = RoadmapItemFactory(roadmap=roadmap, title=f"{tag} blocked")
    return {
        "roadmap": roadmap,
        "items": [blocker, blocked],
        "dependency": dependency_add(blocker=blocker, blocked=blocked),
        "baseline": baseline_create(roadmap=roadmap, name=f"{tag} review", actor=actor),
        "milestone": milestone_create(product=product, name=f"{tag} launch", date=datetime.date(2026, 6, 1)),
        "goal": goal_create(product=product, title=f"{tag} goal"),
    }


@pytest.fixture
def acme(product, editor):
    return populate(product, tag="Acme", actor=editor)


@pytest.fixture
def globex(other_product, outsider):
    return populate(other_product, tag="Globex", actor=outsider)


def visible(user) -> dict[str, list[str]]:
    return {
        "roadmaps": sorted(r.name for r in Roadmap.objects.visible_to(user)),
        "items": sorted(i.title for i in RoadmapItem.objects.visible_to(user)),
        "dependencies": sorted(str(d) for d in Dependency.objects.visible_to(user)),
        "baselines": sorted(b.name for b in Baseline.objects.visible_to(user)),
        "milestones": sorted(m.name for m in Milestone.objects.visible_to(user)),
        "goals": sorted(g.title for g in Goal.objects.visible_to(user)),
    }


ACME_ROWS = {
    "roadmaps": ["Acme roadmap"],
    "items": ["Acme blocked", "Acme blocker"],
    "dependencies": ["Acme blocked depends on Acme blocker"],
    "baselines": ["Acme review"],
    "milestones": ["Acme launch"],
    "goals": ["Acme goal"],
}
GLOBEX_ROWS = {
    "roadmaps": ["Globex roadmap"],
    "items": ["Globex blocked", "Globex blocker"],
    "dependencies": ["Globex blocked depends on Globex blocker"],
    "baselines": ["Globex review"],
    "milestones": ["Globex launch"],
    "goals": ["Globex goal"],
}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN])
def test_a_member_of_any_role_sees_their_workspace_rows_only(acme, globex, member_factory, role):
    # given
    member = member_factory(role)

    # then
    assert visible(member) == ACME_ROWS


def test_an_outsider_sees_none_of_the_workspace_rows(acme, globex, outsider):
    # then
    assert visible(outsider) == GLOBEX_ROWS


def test_an_outsider_with_no_rows_of_their_own_sees_nothing(acme, outsider):
    # then
    assert visible(outsider) == {name: [] for name in ACME_ROWS}


def test_a_member_of_both_workspaces_sees_both_without_duplicates(acme, globex, editor, other_workspace):
    # given
    MembershipFactory(workspace=other_workspace, user=editor, role=Role.VIEWER)

    # then
    assert visible(editor) == {name: sorted(ACME_ROWS[name] + GLOBEX_ROWS[name]) for name in ACME_ROWS}


def test_an_anonymous_user_sees_nothing(acme):
    # then
    assert visible(AnonymousUser()) == {name: [] for name in ACME_ROWS}


def test_in_workspace_narrows_to_one_workspace(acme, globex, workspace):
    # then
    assert sorted(RoadmapItem.objects.in_workspace(workspace.pk).values_list("title", flat=True)) == [
        "Acme blocked",
        "Acme blocker",
    ]
    assert list(Dependency.objects.in_workspace(workspace.pk)) == [acme["dependency"]]
    assert list(Baseline.objects.in_workspace(workspace.pk)) == [acme["baseline"]]
