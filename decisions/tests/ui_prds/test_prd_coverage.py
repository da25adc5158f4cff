"""Coverage: requirements nothing delivers, and work no requirement asked for (paginated)."""

import pytest

from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from decisions import services
from decisions.tests.factories import PRDFactory
from workspaces.models import Role

from .conftest import url


@pytest.fixture
def traced(product, editor, prd):
    """REQ delivered by a feature (and so by its stories); another REQ of the PRD nothing delivers."""
    feature = FeatureFactory(epic=EpicFactory(product=product, actor=editor), actor=editor, title="Vault")
    StoryFactory(product=product, feature=feature, actor=editor, title="Vault story")
    built = services.requirement_create(prd=prd, actor=editor, title="Store cards")
    services.requirement_link(requirement=built, features=[feature])
    unbuilt = services.requirement_create(prd=prd, actor=editor, title="Refund cards")
    loose = StoryFactory(product=product, actor=editor, title="Loose story")
    lone = FeatureFactory(epic=feature.epic, actor=editor, title="Lone feature")
    return {"built": built, "unbuilt": unbuilt, "loose": loose, "lone": lone}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_coverage_lists_what_nobody_builds_and_what_nobody_asked_for(
    client, product, member_factory, prd, traced, role
):
    client.force_login(member_factory(role))
    response = client.get(url("prd_coverage", product.pk), {"prd": prd.pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Refund cards" in body and "Store cards" not in body
    assert "50% of 2 requirements traced" in body
    assert "Loose story" in body and "Vault story" not in body
    assert 'aria-current="page">Coverage</a>' in body


def test_the_features_list(client, product, editor, prd, traced):
    client.force_login(editor)
    body = client.get(url("prd_coverage", product.pk), {"kind": "features"}).content.decode()
    assert "Lone feature" in body and ">Vault<" not in body
    assert 'aria-current="true">Features</a>' in body


def test_htmx_paging_gets_the_list_only(client, product, editor):
    for i in range(55):
        StoryFactory(product=product, actor=editor, title=f"Story {i:02d}")
    client.force_login(editor)
    response = client.get(url("prd_coverage", product.pk), {"kind": "stories", "page": 2}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="untraced">')
    assert "Story 54" in body and "Story 00" not in body
    assert "Page 2 of 2" in body and "55 stories" in body


def test_an_empty_product_says_what_to_do_next(client, product, viewer):
    client.force_login(viewer)
    body = client.get(url("prd_coverage", product.pk)).content.decode()
    assert "No requirements yet" in body and "Everything is asked for" in body


def test_a_prd_of_another_product_is_404(client, product, editor, other_product, outsider):
    foreign = PRDFactory(product=other_product, actor=outsider, title="Theirs")
    client.force_login(editor)
    assert client.get(url("prd_coverage", product.pk), {"prd": foreign.pk}).status_code == 404
    assert client.get(url("prd_coverage", product.pk), {"prd": "x"}).status_code == 404


def test_an_outsider_gets_404(client, product, outsider):
    client.force_login(outsider)
    assert client.get(url("prd_coverage", product.pk)).status_code == 404


def populate(product, editor, n: int) -> None:
    prd = PRDFactory(product=product, actor=editor)
    epic = EpicFactory(product=product, actor=editor)
    for _ in range(n):
        services.requirement_create(prd=prd, actor=editor, title="Unbuilt")
        FeatureFactory(epic=epic, actor=editor)
        for _ in range(3):
            StoryFactory(product=product, actor=editor)


@pytest.mark.parametrize("kind", ["stories", "features"])
def test_coverage_runs_a_bounded_number_of_queries(client, product, editor, kind, django_assert_max_num_queries):
    client.force_login(editor)
    populate(product, editor, 3)
    with django_assert_max_num_queries(12) as small:
        assert client.get(url("prd_coverage", product.pk), {"kind": kind}).status_code == 200
    populate(product, editor, 25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url("prd_coverage", product.pk), {"kind": kind}).status_code == 200
