"""Backlog factories: each goes through its creation service, so keys and ranks are real."""

import datetime

import factory

from backlog import services
from backlog.models import Epic, Feature, Sprint, Story, TechDebtItem
from workspaces.tests.factories import ProductFactory


class EpicFactory(factory.Factory):
    class Meta:
        model = Epic

    product = factory.SubFactory(ProductFactory)
    title = factory.Sequence(lambda n: f"Epic {n}")
    actor = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.epic_create(**kwargs)


class FeatureFactory(factory.Factory):
    class Meta:
        model = Feature

    epic = factory.SubFactory(EpicFactory)
    title = factory.Sequence(lambda n: f"Feature {n}")
    actor = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.feature_create(**kwargs)


class StoryFactory(factory.Factory):
    class Meta:
        model = Story

    product = factory.LazyAttribute(
        lambda o: o.feature.product if o.feature else o.epic.product if o.epic else ProductFactory()
    )
    feature = None
    epic = None
    title = factory.Sequence(lambda n: f"Story {n}")
    points = 3
    actor = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.story_create(**kwargs)


class SprintFactory(factory.Factory):
    class Meta:
        model = Sprint

    product = factory.SubFactory(ProductFactory)
    name = factory.Sequence(lambda n: f"Sprint {n}")
    start_date = datetime.date(2026, 11, 2)
    end_date = datetime.date(2026, 11, 13)
    capacity_points = 30

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.sprint_create(**kwargs)


class TechDebtItemFactory(factory.Factory):
    class Meta:
        model = TechDebtItem

    product = factory.SubFactory(ProductFactory)
    title = factory.Sequence(lambda n: f"Debt {n}")
    cost_of_delay = 6
    remediation_points = 3
    actor = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.tech_debt_create(**kwargs)
