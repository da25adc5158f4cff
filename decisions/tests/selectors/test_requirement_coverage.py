"""Coverage: requirements nobody builds, stories no requirement asked for, and the share covered."""

import pytest

from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from decisions.selectors import requirement_coverage
from decisions.services import requirement_create
from decisions.tests.factories import PRDFactory


def test_coverage_lists_unbuilt_requirements_untraced_stories_and_the_percent(product, other_product, editor):
    # given
    epic = EpicFactory(product=product)
    card_feature, wallet_feature = FeatureFactory(epic=epic), FeatureFactory(epic=epic)
    via_feature = StoryFactory(feature=card_feature, title="Card form")
    untraced_in_feature = StoryFactory(feature=wallet_feature, title="Wallet button")
    direct = StoryFactory(epic=epic, title="Refund link")
    untraced_under_epic = StoryFactory(epic=epic, title="Tidy CSS")
    StoryFactory(product=other_product, title="Someone else's story")
    prd = PRDFactory(product=product, actor=editor)
    requirement_create(prd=prd, actor=editor, title="Pay by card", features=[card_feature])
    requirement_create(prd=prd, actor=editor, title="Refunds", stories=[direct])
    unbuilt = requirement_create(prd=prd, actor=editor, title="Invoices")

    # when
    coverage = requirement_coverage(product=product)

    # then
    assert coverage.unbuilt_requirements == [unbuilt]
    assert coverage.untraced_stories == [untraced_in_feature, untraced_under_epic]
    assert (coverage.requirements_total, coverage.stories_total) == (3, 4)
    assert coverage.percent_requirements_covered == 67
    assert via_feature not in coverage.untraced_stories


def test_coverage_of_one_prd_counts_only_its_requirements(product, editor):
    # given
    story = StoryFactory(product=product)
    checkout = PRDFactory(product=product, actor=editor)
    reporting = PRDFactory(product=product, actor=editor)
    requirement_create(prd=checkout, actor=editor, title="Pay by card", stories=[story])
    requirement_create(prd=checkout, actor=editor, title="Pay by wallet")
    requirement_create(prd=reporting, actor=editor, title="Daily report")
    requirement_create(prd=reporting, actor=editor, title="Weekly report")

    # when
    coverage = requirement_coverage(product=product, prd=checkout)

    # then
    assert [r.title for r in coverage.unbuilt_requirements] == ["Pay by wallet"]
    assert coverage.untraced_stories == []
    assert (coverage.requirements_total, coverage.percent_requirements_covered) == (2, 50)


def test_coverage_of_a_product_without_requirements_is_complete(product):
    # given
    story = StoryFactory(product=product)

    # when
    coverage = requirement_coverage(product=product)

    # then
    assert coverage.unbuilt_requirements == []
    assert coverage.untraced_stories == [story]
    assert coverage.percent_requirements_covered == 100


@pytest.mark.parametrize("rows", [5, 50])
def test_coverage_takes_four_queries_whatever_the_size(product, editor, rows, django_assert_num_queries):
    # given
    feature = FeatureFactory(epic=EpicFactory(product=product))
    prd = PRDFactory(product=product, actor=editor)
    for n in range(rows):
        story = StoryFactory(product=product)
        StoryFactory(feature=feature)
        requirement_create(
            prd=prd,
            actor=editor,
            title=f"Requirement {n}",
            stories=[story] if n % 2 else [],
            features=[feature] if n == 0 else [],
        )

    # when
    with django_assert_num_queries(4):
        coverage = requirement_coverage(product=product)
        [(r.prd.title, s.status.name, s.key) for r in coverage.unbuilt_requirements for s in coverage.untraced_stories]

    # then: the even-numbered requirements but the first (built through the feature) are unbuilt,
    # and the even-numbered direct stories are untraced
    assert len(coverage.unbuilt_requirements) == (rows + 1) // 2 - 1
    assert len(coverage.untraced_stories) == (rows + 1) // 2
    assert coverage.stories_total == 2 * rows
