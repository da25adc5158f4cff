"""`manage.py rebalance_ranks [--product KEY ...]`: the named products' backlog ranks, short and even again."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from backlog.models import Epic, Story
from backlog.tests.factories import EpicFactory, StoryFactory, TechDebtItemFactory
from core.ranks import initial_ranks
from workspaces.tests.factories import ProductFactory


def rebalance(*args: str) -> str:
    out = StringIO()
    call_command("rebalance_ranks", *args, stdout=out)
    return out.getvalue()


def story_ranks(product) -> dict[str, str]:
    return dict(Story.objects.filter(product=product).values_list("title", "rank"))


@pytest.fixture
def long_ranks(product, other_product) -> None:
    """Payments: stories a, b, c with a long rank in the middle and one epic; Globex: two stories."""
    for title in "abc":
        StoryFactory(product=product, title=title)
    # b keeps its place between a ("i") and c ("i002") with a 92-character rank
    Story.objects.filter(title="b").update(rank="i001" + "0" * 87 + "1")
    EpicFactory(product=product, title="Checkout")
    for title in "xy":
        StoryFactory(product=other_product, title=title)


def test_the_named_product_is_rebalanced_and_reported(product, other_product, long_ranks):
    # given
    theirs_before = story_ranks(other_product)
    # when
    output = rebalance("--product", "pay")
    # then
    assert output == "PAY (Acme): 1 epic, 0 features, 3 stories, 0 tech-debt items; longest rank 92 → 1 characters.\n"
    assert story_ranks(product) == dict(zip("abc", initial_ranks(3), strict=True))
    assert list(Epic.objects.filter(product=product).values_list("rank", flat=True)) == initial_ranks(1)
    assert story_ranks(other_product) == theirs_before


def test_without_products_every_product_is_rebalanced(product, other_product, long_ranks):
    # given
    TechDebtItemFactory(product=other_product)
    # when
    output = rebalance()
    # then one line per product, by workspace
    assert output.splitlines() == [
        "PAY (Acme): 1 epic, 0 features, 3 stories, 0 tech-debt items; longest rank 92 → 1 characters.",
        "GPAY (Globex): 0 epics, 0 features, 2 stories, 1 tech-debt item; longest rank 4 → 1 characters.",
    ]
    assert story_ranks(other_product) == dict(zip("xy", initial_ranks(2), strict=True))


def test_several_keys_may_be_named(product, other_product, long_ranks):
    # given a third product, not named
    ProductFactory(workspace=product.workspace, name="Payouts", key="POUT")
    # when
    output = rebalance("--product", "PAY", "--product", "GPAY")
    # then
    assert [line.split(" ")[0] for line in output.splitlines()] == ["PAY", "GPAY"]


def test_an_unknown_key_is_a_clear_error_and_nothing_is_rebalanced(product, long_ranks):
    # given
    before = story_ranks(product)
    # when / then
    with pytest.raises(CommandError) as excinfo:
        rebalance("--product", "PAY", "nope", "ZZZ")
    assert str(excinfo.value) == (
        "No product has the key NOPE, ZZZ; nothing was rebalanced. "
        "Keys are the prefixes of item keys, e.g. PAY for PAY-12."
    )
    assert story_ranks(product) == before
