"""Roadmap factories, through the services."""

import factory

from roadmap import services
from roadmap.models import Roadmap, RoadmapItem
from workspaces.tests.factories import ProductFactory


class RoadmapFactory(factory.Factory):
    class Meta:
        model = Roadmap

    product = factory.SubFactory(ProductFactory)
    name = factory.Sequence(lambda n: f"Roadmap {n}")

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.roadmap_create(**kwargs)


class RoadmapItemFactory(factory.Factory):
    class Meta:
        model = RoadmapItem

    roadmap = factory.SubFactory(RoadmapFactory)
    title = factory.Sequence(lambda n: f"Initiative {n}")
    actor = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.roadmap_item_create(**kwargs)
