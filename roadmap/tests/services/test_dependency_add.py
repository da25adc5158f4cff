"""Dependencies: within one product, across its roadmaps, never on itself, never in a cycle."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from roadmap.models import Dependency
from roadmap.services import dependency_add, dependency_remove
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory
from workspaces.tests.factories import ProductFactory


def edges(product) -> list[tuple[str, str]]:
    """(blocker, blocked) titles of the product's dependencies."""
    return sorted(
        Dependency.objects.filter(blocked__roadmap__product=product).values_list("blocker__title", "blocked__title")
    )


def test_dependency_add_records_that_blocked_depends_on_blocker(roadmap):
    # given
    a = RoadmapItemFactory(roadmap=roadmap, title="A")
    b = RoadmapItemFactory(roadmap=roadmap, title="B")

    # when
    dependency = dependency_add(blocker=a, blocked=b, note="B needs A's API")

    # then
    assert (dependency.blocker, dependency.blocked, dependency.note) == (a, b, "B needs A's API")
    assert list(b.depends_on.values_list("blocker__title", flat=True)) == ["A"]
    assert list(a.blocks.values_list("blocked__title", flat=True)) == ["B"]


def test_dependency_add_refuses_a_direct_cycle_naming_the_chain(roadmap, product):
    # given
    a = RoadmapItemFactory(roadmap=roadmap, title="A")
    b = RoadmapItemFactory(roadmap=roadmap, title="B")
    dependency_add(blocker=a, blocked=b)

    # when
    with pytest.raises(ValidationError) as error:
        dependency_add(blocker=b, blocked=a)

    # then
    assert error.value.message_dict == {"blocker": ["This would make a dependency cycle: A → B → A."]}
    assert edges(product) == [("A", "B")]


def test_dependency_add_refuses_a_longer_cycle_naming_the_whole_chain(roadmap, product):
    # given
    a = RoadmapItemFactory(roadmap=roadmap, title="A")
    b = RoadmapItemFactory(roadmap=roadmap, title="B")
    c = RoadmapItemFactory(roadmap=roadmap, title="C")
    dependency_add(blocker=a, blocked=b)
    dependency_add(blocker=b, blocked=c)

    # when
    with pytest.raises(ValidationError) as error:
        dependency_add(blocker=c, blocked=a)

    # then
    assert error.value.message_dict == {"blocker": ["This would make a dependency cycle: A → C → B → A."]}
    assert edges(product) == [("A", "B"), ("B", "C")]


def test_dependency_add_accepts_a_diamond_which_is_no_cycle(roadmap, product):
    # given
    a, b, c, d = (RoadmapItemFactory(roadmap=roadmap, title=title) for title in "ABCD")
    dependency_add(blocker=a, blocked=b)
    dependency_add(blocker=a, blocked=c)
    dependency_add(blocker=b, blocked=d)

    # when
    dependency_add(blocker=c, blocked=d)

    # then
    assert edges(product) == [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D")]


def test_dependency_add_refuses_an_item_depending_on_itself(roadmap, product):
    # given
    a = RoadmapItemFactory(roadmap=roadmap, title="A")

    # when
    with pytest.raises(ValidationError) as error:
        dependency_add(blocker=a, blocked=a)

    # then
    assert error.value.message_dict == {"blocker": ["An item cannot depend on itself."]}
    assert edges(product) == []


def test_the_database_refuses_a_self_dependency_written_around_the_service(roadmap, product):
    # given
    a = RoadmapItemFactory(roadmap=roadmap, title="A")

    # when
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Dependency.objects.create(blocker=a, blocked=a)

    # then
    assert "dependency_not_on_itself" in str(error.value)
    assert edges(product) == []


def test_dependency_add_refuses_an_item_of_another_product(roadmap, workspace, product):
    # given
    mine = RoadmapItemFactory(roadmap=roadmap, title="Mine")
    sibling_product = ProductFactory(workspace=workspace, name="Lending", key="LEND")
    theirs = RoadmapItemFactory(roadmap=RoadmapFactory(product=sibling_product), title="Theirs")

    # when
    with pytest.raises(ValidationError) as error:
        dependency_add(blocker=theirs, blocked=mine)

    # then
    assert error.value.message_dict == {"blocker": ["Dependencies stay within one product."]}
    assert Dependency.objects.count() == 0


def test_dependency_add_twice_keeps_one_edge_and_returns_it(roadmap, product):
    # given
    a = RoadmapItemFactory(roadmap=roadmap, title="A")
    b = RoadmapItemFactory(roadmap=roadmap, title="B")
    first = dependency_add(blocker=a, blocked=b, note="first")

    # when
    second = dependency_add(blocker=a, blocked=b, note="second")

    # then
    assert second.pk == first.pk
    assert list(Dependency.objects.values_list("blocker__title", "blocked__title", "note")) == [("A", "B", "first")]


def test_dependencies_may_cross_the_product_and_technology_roadmaps(roadmap, tech_roadmap, product):
    # given
    checkout = RoadmapItemFactory(roadmap=roadmap, title="One-click checkout")
    tokens = RoadmapItemFactory(roadmap=tech_roadmap, title="Card token vault")

    # when
    dependency_add(blocker=tokens, blocked=checkout)

    # then
    assert edges(product) == [("Card token vault", "One-click checkout")]


def test_a_cycle_across_the_two_roadmaps_is_refused(roadmap, tech_roadmap, product):
    # given
    checkout = RoadmapItemFactory(roadmap=roadmap, title="One-click checkout")
    tokens = RoadmapItemFactory(roadmap=tech_roadmap, title="Card token vault")
    dependency_add(blocker=tokens, blocked=checkout)

    # when
    with pytest.raises(ValidationError) as error:
        dependency_add(blocker=checkout, blocked=tokens)

    # then
    assert error.value.message_dict == {
        "blocker": ["This would make a dependency cycle: Card token vault → One-click checkout → Card token vault."]
    }
    assert edges(product) == [("Card token vault", "One-click checkout")]


def test_dependency_remove_deletes_the_edge_so_the_reverse_becomes_possible(roadmap, product):
    # given
    a = RoadmapItemFactory(roadmap=roadmap, title="A")
    b = RoadmapItemFactory(roadmap=roadmap, title="B")
    dependency_add(blocker=a, blocked=b)

    # when
    removed = dependency_remove(blocker=a, blocked=b)
    dependency_add(blocker=b, blocked=a)

    # then
    assert removed is True
    assert dependency_remove(blocker=a, blocked=b) is False
    assert edges(product) == [("B", "A")]
