"""Requirements: REQ keys per product that are never reused, and traceability inside one product."""

import pytest
from django.core.exceptions import ValidationError

from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from core.errors import ApplicationError
from decisions.models import Requirement
from decisions.services import (
    prd_update,
    requirement_create,
    requirement_delete,
    requirement_link,
    requirement_unlink,
    requirement_update,
)
from decisions.tests.factories import PRDFactory


def test_requirement_keys_count_per_product_across_its_prds(product, other_product, editor, outsider):
    # given
    first_prd = PRDFactory(product=product, actor=editor)
    second_prd = PRDFactory(product=product, actor=editor)
    foreign_prd = PRDFactory(product=other_product, actor=outsider)

    # when
    keys = [
        requirement_create(prd=first_prd, actor=editor, title="Pay by card").key,
        requirement_create(prd=second_prd, actor=editor, title="Refund").key,
        requirement_create(prd=first_prd, actor=editor, title="Receipts").key,
        requirement_create(prd=foreign_prd, actor=outsider, title="Invoices").key,
    ]

    # then
    assert keys == ["REQ-1", "REQ-2", "REQ-3", "REQ-1"]


def test_a_deleted_requirements_key_is_never_reused(prd, editor):
    # given
    requirement_create(prd=prd, actor=editor, title="Pay by card")
    second = requirement_create(prd=prd, actor=editor, title="Pay by cheque")
    requirement_delete(requirement=second, actor=editor)

    # when
    third = requirement_create(prd=prd, actor=editor, title="Pay by wallet")

    # then
    assert third.key == "REQ-3"
    assert list(Requirement.objects.filter(prd=prd).order_by("number").values_list("number", flat=True)) == [1, 3]


def test_requirement_create_publishes_a_version_with_the_requirement(prd, editor):
    # when
    requirement = requirement_create(prd=prd, actor=editor, title="  Pay by card ", description="Visa and Mastercard")

    # then
    version = prd.versions.latest()
    assert (version.number, version.change_note) == (2, "Added REQ-1")
    assert version.content["requirements"] == [
        {"key": "REQ-1", "title": "Pay by card", "description": "Visa and Mastercard", "priority": "must"}
    ]
    assert requirement.title == "Pay by card"


def test_requirement_create_publishes_the_current_prd_even_from_an_outdated_copy(prd, editor):
    # given: the caller's copy of the PRD was loaded before the title changed
    outdated_copy = type(prd).objects.get(pk=prd.pk)
    prd_update(prd=prd, actor=editor, title="Checkout v3")

    # when
    requirement_create(prd=outdated_copy, actor=editor, title="Pay by card")

    # then: the new version keeps the new title instead of reverting it
    assert [(v.number, v.content["title"]) for v in prd.versions.order_by("number")] == [
        (1, "Checkout v2"),
        (2, "Checkout v3"),
        (3, "Checkout v3"),
    ]


def test_requirement_update_of_other_fields_is_refused(prd, editor):
    # given
    requirement = requirement_create(prd=prd, actor=editor, title="Pay by card")

    # when / then
    with pytest.raises(ApplicationError, match="number"):
        requirement_update(requirement=requirement, actor=editor, number=99)
    requirement.refresh_from_db()
    assert requirement.key == "REQ-1"


def test_requirement_create_refuses_a_story_of_another_product_naming_the_field(prd, editor, other_product):
    # given
    foreign_story = StoryFactory(product=other_product)

    # when
    with pytest.raises(ValidationError) as refused:
        requirement_create(prd=prd, actor=editor, title="Pay by card", stories=[foreign_story])

    # then
    assert list(refused.value.message_dict) == ["stories"]
    assert not Requirement.objects.exists()
    assert prd.versions.count() == 1


def test_requirement_link_refuses_a_feature_of_another_product_naming_the_field(prd, editor, other_product):
    # given
    requirement = requirement_create(prd=prd, actor=editor, title="Pay by card")
    foreign_feature = FeatureFactory(epic=EpicFactory(product=other_product))

    # when
    with pytest.raises(ValidationError) as refused:
        requirement_link(requirement=requirement, features=[foreign_feature])

    # then
    assert list(refused.value.message_dict) == ["features"]
    assert not requirement.features.exists()


def test_requirement_link_refuses_a_story_of_another_product_and_links_nothing(prd, editor, product, other_product):
    # given
    requirement = requirement_create(prd=prd, actor=editor, title="Pay by card")
    own_feature = FeatureFactory(epic=EpicFactory(product=product))

    # when
    with pytest.raises(ValidationError) as refused:
        requirement_link(requirement=requirement, features=[own_feature], stories=[StoryFactory(product=other_product)])

    # then
    assert list(refused.value.message_dict) == ["stories"]
    assert not requirement.features.exists()
    assert not requirement.stories.exists()


def test_requirement_link_and_unlink_trace_both_ways(prd, editor, product):
    # given
    requirement = requirement_create(prd=prd, actor=editor, title="Pay by card")
    feature = FeatureFactory(epic=EpicFactory(product=product))
    story = StoryFactory(product=product)

    # when
    requirement_link(requirement=requirement, features=[feature], stories=[story])

    # then
    assert list(feature.requirements.all()) == [requirement]
    assert list(story.requirements.all()) == [requirement]

    # when
    requirement_unlink(requirement=requirement, stories=[story])

    # then
    assert list(requirement.features.all()) == [feature]
    assert not story.requirements.exists()
