"""Tenancy at the data layer: `visible_to(user)` keeps only the rows of the user's workspaces."""

import pytest
from django.contrib.auth.models import AnonymousUser

from backlog.models import Epic, Feature, Label, Sprint, Story, TechDebtItem, WorkflowStatus
from backlog.services import labels_resolve
from backlog.tests.factories import EpicFactory, FeatureFactory, SprintFactory, StoryFactory, TechDebtItemFactory
from workspaces.models import Role
from workspaces.tests.factories import MembershipFactory, ProductFactory


@pytest.fixture
def two_backlogs(product, other_product):
    """One epic, feature, story, tech-debt item, sprint and label in PAY (Acme) and in GPAY (Globex)."""
    made = {}
    for which, owner in (("mine", product), ("theirs", other_product)):
        epic = EpicFactory(product=owner)
        feature = FeatureFactory(epic=epic)
        made[which] = {
            Epic: epic,
            Feature: feature,
            Story: StoryFactory(feature=feature),
            TechDebtItem: TechDebtItemFactory(product=owner),
            Sprint: SprintFactory(product=owner),
            Label: labels_resolve(product=owner, names=["api"])[0],
        }
    return made


def test_a_member_sees_only_the_stories_of_their_workspaces(two_backlogs, editor):
    # given
    # when
    visible = list(Story.objects.visible_to(editor))
    # then
    assert visible == [two_backlogs["mine"][Story]]


def test_an_outsider_sees_none_of_the_workspaces_stories(two_backlogs, outsider):
    # given the outsider is a member of Globex only
    # when
    visible = list(Story.objects.visible_to(outsider))
    # then
    assert visible == [two_backlogs["theirs"][Story]]
    assert two_backlogs["mine"][Story] not in visible


def test_an_anonymous_visitor_sees_no_stories(two_backlogs, django_assert_num_queries):
    # given
    # when
    with django_assert_num_queries(0):
        visible = list(Story.objects.visible_to(AnonymousUser()))
    # then
    assert visible == []


def test_a_member_of_two_workspaces_sees_each_story_once(two_backlogs, editor, other_workspace):
    # given the editor also joins Globex, with a second product there
    MembershipFactory(workspace=other_workspace, user=editor, role=Role.VIEWER)
    extra = StoryFactory(product=ProductFactory(workspace=other_workspace, name="Globex Ledger", key="GLED"))
    # when
    visible = set(Story.objects.visible_to(editor).values_list("pk", flat=True))
    count = Story.objects.visible_to(editor).count()
    # then
    assert visible == {two_backlogs["mine"][Story].pk, two_backlogs["theirs"][Story].pk, extra.pk}
    assert count == 3


@pytest.mark.parametrize("model", [Epic, Feature, TechDebtItem, Sprint, Label])
def test_every_backlog_row_is_scoped_to_the_users_workspaces(two_backlogs, editor, outsider, model):
    # given
    # when
    seen_by_editor = list(model.objects.visible_to(editor))
    seen_by_outsider = list(model.objects.visible_to(outsider))
    seen_by_anonymous = list(model.objects.visible_to(AnonymousUser()))
    # then
    assert seen_by_editor == [two_backlogs["mine"][model]]
    assert seen_by_outsider == [two_backlogs["theirs"][model]]
    assert seen_by_anonymous == []


def test_workflow_statuses_are_scoped_to_the_users_workspaces(product, other_product, editor):
    # given each product has its four default statuses
    # when
    products = set(WorkflowStatus.objects.visible_to(editor).values_list("product__key", flat=True))
    # then
    assert products == {"PAY"}
    assert WorkflowStatus.objects.visible_to(editor).count() == 4


def test_in_workspace_keeps_one_workspaces_rows(two_backlogs, workspace):
    # given
    # when
    rows = list(Story.objects.in_workspace(workspace.pk))
    # then
    assert rows == [two_backlogs["mine"][Story]]
