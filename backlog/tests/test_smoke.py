from backlog.models import Story
from backlog.services import item_move
from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory


def test_story_keys_and_order(product):
    epic = EpicFactory(product=product)
    feature = FeatureFactory(epic=epic)
    a, b, c = (StoryFactory(feature=feature) for _ in range(3))
    assert [a.key, b.key, c.key] == ["PAY-3", "PAY-4", "PAY-5"]
    item_move(item=c, before=a)
    assert list(Story.objects.filter(product=product).values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]
