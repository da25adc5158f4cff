"""Decision factories, through the services."""

import factory

from decisions import services
from decisions.models import PRD, DecisionRecord
from workspaces.tests.factories import ProductFactory


class PRDFactory(factory.Factory):
    class Meta:
        model = PRD

    product = factory.SubFactory(ProductFactory)
    title = factory.Sequence(lambda n: f"PRD {n}")
    actor = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.prd_create(**kwargs)


class DecisionRecordFactory(factory.Factory):
    class Meta:
        model = DecisionRecord

    product = factory.SubFactory(ProductFactory)
    title = factory.Sequence(lambda n: f"Decision {n}")
    context = "We need to choose."
    options = factory.LazyFunction(lambda: [{"title": "Option A"}, {"title": "Option B"}])
    actor = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.decision_create(**kwargs)
