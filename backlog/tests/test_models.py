"""Rules the backlog's rows hold by themselves: clean() for the form and service layers, and the
database constraints that still refuse a bad row when someone bypasses the services."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError

from backlog.models import Epic, Sprint, StatusCategory, Story, TechDebtItem
from backlog.tests.factories import EpicFactory, FeatureFactory, SprintFactory, StoryFactory, TechDebtItemFactory


def test_key_is_the_product_key_and_the_item_number(product):
    # given
    story = StoryFactory(product=product)
    # when
    key = story.key
    # then
    assert key == f"PAY-{story.number}"
    assert str(story) == f"PAY-{story.number} {story.title}"


def test_story_under_both_an_epic_and_a_feature_is_refused_by_clean(product):
    # given a story that names an epic and a feature
    epic = EpicFactory(product=product)
    feature = FeatureFactory(epic=epic)
    story = StoryFactory(product=product, feature=feature)
    story.epic = epic
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story.clean()
    assert excinfo.value.message_dict == {"epic": ["A story sits under a feature or directly under an epic, not both."]}


def test_database_refuses_a_story_under_both_an_epic_and_a_feature(product, statuses):
    # given a story written straight to the table, past clean() and the services
    epic = EpicFactory(product=product)
    feature = FeatureFactory(epic=epic)
    story = Story(
        product=product, number=900, rank="zz", title="Both", status=statuses["To do"], epic=epic, feature=feature
    )
    # when / then
    with pytest.raises(IntegrityError, match="story_under_epic_or_feature_not_both"), transaction.atomic():
        story.save()
    assert not Story.objects.filter(number=900).exists()


def test_database_refuses_more_than_100_points(product, statuses):
    # given
    story = Story(product=product, number=901, rank="zz", title="Huge", status=statuses["To do"], points=101)
    # when / then
    with pytest.raises(IntegrityError, match="story_points_at_most_100"), transaction.atomic():
        story.save()


def test_story_with_a_relation_of_another_product_is_refused_by_clean_naming_each_field(product, other_product):
    # given a story of PAY whose epic, sprint and status come from GPAY
    foreign_epic = EpicFactory(product=other_product)
    foreign_sprint = SprintFactory(product=other_product)
    story = StoryFactory(product=product)
    story.epic = foreign_epic
    story.sprint = foreign_sprint
    story.status = foreign_epic.status
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story.clean()
    assert excinfo.value.message_dict == {
        "status": ["This workflow status belongs to another product."],
        "epic": ["This epic belongs to another product."],
        "sprint": ["This sprint belongs to another product."],
    }


def test_feature_under_another_products_epic_is_refused_by_clean(product, other_product):
    # given
    feature = FeatureFactory(epic=EpicFactory(product=product))
    feature.epic = EpicFactory(product=other_product)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        feature.clean()
    assert excinfo.value.message_dict == {"epic": ["This epic belongs to another product."]}


def test_tech_debt_paid_off_by_another_products_story_is_refused_by_clean(product, other_product):
    # given
    item = TechDebtItemFactory(product=product)
    item.remediation_story = StoryFactory(product=other_product)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        item.clean()
    assert excinfo.value.message_dict == {"remediation_story": ["This story belongs to another product."]}


def test_sprint_ending_before_it_starts_is_refused_by_clean(product):
    # given
    sprint = Sprint(
        product=product, name="Backwards", start_date=datetime.date(2026, 11, 13), end_date=datetime.date(2026, 11, 2)
    )
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        sprint.clean()
    assert excinfo.value.message_dict == {"end_date": ["The sprint must end on or after its start date."]}


def test_database_refuses_a_sprint_ending_before_it_starts(product):
    # given a sprint written straight to the table
    sprint = Sprint(
        product=product, name="Backwards", start_date=datetime.date(2026, 11, 13), end_date=datetime.date(2026, 11, 2)
    )
    # when / then
    with pytest.raises(IntegrityError, match="sprint_ends_after_start"), transaction.atomic():
        sprint.save()
    assert not Sprint.objects.filter(name="Backwards").exists()


def test_one_day_sprint_is_allowed(product):
    # given a sprint that starts and ends on the same day
    day = datetime.date(2026, 11, 2)
    sprint = Sprint(product=product, name="Hack day", start_date=day, end_date=day)
    # when
    sprint.full_clean()
    sprint.save()
    # then
    assert Sprint.objects.get(pk=sprint.pk).end_date == day


def test_database_refuses_a_second_active_sprint_in_a_product(product, other_product):
    # given an active sprint in PAY (and one in GPAY, which does not count)
    SprintFactory(product=product, name="S1")
    Sprint.objects.filter(product=product, name="S1").update(state=Sprint.State.ACTIVE)
    SprintFactory(product=other_product, name="G1")
    Sprint.objects.filter(product=other_product, name="G1").update(state=Sprint.State.ACTIVE)
    second = SprintFactory(product=product, name="S2")
    # when / then
    with pytest.raises(IntegrityError, match="sprint_one_active_per_product"), transaction.atomic():
        Sprint.objects.filter(pk=second.pk).update(state=Sprint.State.ACTIVE)


def test_database_refuses_a_duplicate_sprint_name_in_a_product(product):
    # given
    SprintFactory(product=product, name="S1")
    duplicate = Sprint(
        product=product, name="S1", start_date=datetime.date(2026, 12, 1), end_date=datetime.date(2026, 12, 12)
    )
    # when / then
    with pytest.raises(IntegrityError, match="sprint_unique_name_per_product"), transaction.atomic():
        duplicate.save()


def test_database_refuses_two_items_of_a_product_with_the_same_rank(product):
    # given
    first, second = StoryFactory(product=product), StoryFactory(product=product)
    # when / then
    with pytest.raises(IntegrityError, match="story_unique_rank_per_product"), transaction.atomic():
        Story.objects.filter(pk=second.pk).update(rank=first.rank)


def test_database_refuses_two_items_of_a_product_with_the_same_number(product):
    # given
    first, second = StoryFactory(product=product), StoryFactory(product=product)
    # when / then
    with pytest.raises(IntegrityError, match="story_unique_number_per_product"), transaction.atomic():
        Story.objects.filter(pk=second.pk).update(number=first.number)


def test_rank_compares_byte_wise_in_the_database(product):
    # given ranks whose order differs between a natural-language collation and byte order
    stories = [StoryFactory(product=product) for _ in range(3)]
    for story, rank in zip(stories, ["a", "B", "_"], strict=True):
        Story.objects.filter(pk=story.pk).update(rank=rank)
    # when
    ranks = list(Story.objects.filter(product=product).values_list("rank", flat=True))
    # then
    assert ranks == ["B", "_", "a"]


def test_the_epic_of_a_story_is_its_features_epic_or_its_own(product):
    # given one story under a feature, one directly under an epic, one loose
    epic_a, epic_b = EpicFactory(product=product), EpicFactory(product=product)
    under_feature = StoryFactory(feature=FeatureFactory(epic=epic_a))
    under_epic = StoryFactory(epic=epic_b)
    loose = StoryFactory(product=product)
    # when
    annotated = dict(Story.objects.with_epic_id().values_list("pk", "epic_ref"))
    # then
    assert annotated == {under_feature.pk: epic_a.pk, under_epic.pk: epic_b.pk, loose.pk: None}
    assert (under_feature.parent_epic_id, under_epic.parent_epic_id, loose.parent_epic_id) == (
        epic_a.pk,
        epic_b.pk,
        None,
    )


def test_done_keeps_only_stories_in_a_done_category_status(product, statuses):
    # given
    done = StoryFactory(product=product, status=statuses["Done"])
    StoryFactory(product=product, status=statuses["In review"])
    StoryFactory(product=product)
    # when
    result = list(Story.objects.done())
    # then
    assert result == [done]
    assert statuses["Done"].category == StatusCategory.DONE


def test_cost_per_point_of_tech_debt(product):
    # given
    item = TechDebtItemFactory(product=product, cost_of_delay=12, remediation_points=3)
    unsized = TechDebtItemFactory(product=product, remediation_points=None)
    # when / then
    assert item.cost_per_point == 4.0
    assert unsized.cost_per_point is None
    assert TechDebtItem.objects.count() == 2


def test_an_epic_with_features_cannot_be_deleted_alone(product):
    # given
    epic = EpicFactory(product=product)
    FeatureFactory(epic=epic)
    # when / then
    with pytest.raises(RestrictedError):
        epic.delete()
    assert Epic.objects.filter(pk=epic.pk).exists()
