"""Global search: /p/<product_id>/search/?q=… over items and documents, by words and by key."""

import pytest
from django.db import connection
from django.urls import reverse

from activity.search import PRD_SECTIONS, PRD_TITLE, SOURCES, plain_snippet
from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory, TechDebtItemFactory
from decisions.services import requirement_create
from decisions.tests.factories import DecisionRecordFactory, PRDFactory
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory
from workspaces.models import Role
from workspaces.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def search(client, product, q, **params):
    return client.get(reverse("activity:search", args=[product.pk]), {"q": q, **params})


@pytest.fixture
def corpus(product, editor):
    epic = EpicFactory(product=product, title="Card vaulting", actor=editor)
    prd = PRDFactory(
        product=product,
        actor=editor,
        title="Wallet payouts",
        sections=[{"title": "Problem", "body": "Merchants wait a week for settlement of their funds."}],
    )
    return {
        "story": StoryFactory(
            product=product,
            title="Refund a card payment",
            description="Partial refunds go back to the original instrument.",
            actor=editor,
        ),
        "epic": epic,
        "feature": FeatureFactory(epic=epic, title="Tokenised storage", actor=editor),
        "debt": TechDebtItemFactory(product=product, title="Retire the legacy ledger", actor=editor),
        "item": RoadmapItemFactory(roadmap=RoadmapFactory(product=product), title="Instant payouts", actor=editor),
        "prd": prd,
        "requirement": requirement_create(prd=prd, actor=editor, title="Chargebacks are disputed within a day"),
        "decision": DecisionRecordFactory(
            product=product, actor=editor, title="Use a token vault", context="PCI scope must shrink."
        ),
    }


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN])
def test_every_member_searches(client, product, corpus, member_factory, role):
    client.force_login(member_factory(role))
    response = search(client, product, "refund")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Refund a card payment" in body
    assert "Stories" in body


@pytest.mark.parametrize(
    ("query", "expected", "group"),
    [
        ("refunds", "Refund a card payment", "Stories"),  # a title word, stemmed on PostgreSQL
        ("original instrument", "Refund a card payment", "Stories"),  # description words
        ("vaulting", "Card vaulting", "Epics"),
        ("tokenised", "Tokenised storage", "Features"),
        ("legacy ledger", "Retire the legacy ledger", "Tech debt"),
        ("instant payouts", "Instant payouts", "Roadmap items"),
        ("settlement", "Wallet payouts", "PRDs"),  # a PRD's section body
        ("wallet", "Wallet payouts", "PRDs"),  # a PRD's title
        ("chargebacks", "Chargebacks are disputed within a day", "Requirements"),
        ("PCI scope", "Use a token vault", "Decision records"),
    ],
)
def test_search_finds_each_kind_by_its_words(client, product, corpus, viewer, query, expected, group):
    client.force_login(viewer)
    body = search(client, product, query).content.decode()
    assert expected in body
    assert group in body


def test_search_finds_keys_exactly(client, product, corpus, viewer):
    client.force_login(viewer)
    story, req, adr = corpus["story"], corpus["requirement"], corpus["decision"]
    for key, title in (
        (story.key, story.title),
        (req.key, req.title),
        (adr.key, adr.title),
        (f"pay-{story.number}", story.title),
    ):
        body = search(client, product, key).content.decode()
        assert "Exact key" in body, key
        assert title in body, key
    assert "Exact key" not in search(client, product, "PAY-99999").content.decode()


def test_snippets_mark_the_words_and_escape_the_text(client, product, editor, viewer):
    StoryFactory(product=product, title="Receipts", description="Email the <b>receipt</b> & a PDF copy", actor=editor)
    client.force_login(viewer)
    body = search(client, product, "receipt").content.decode()
    assert "<mark>" in body
    assert "<b>receipt</b>" not in body
    assert "<b>" not in body.split('id="search-results"')[1]  # tags in the text are dropped or escaped
    assert "&amp; a PDF" in body


def test_the_plain_snippet_never_breaks_an_entity():
    html = str(plain_snippet("Tom & Jerry amp it up", "amp"))
    assert "&amp; Jerry <mark>amp</mark> it up" in html


def test_results_link_to_pages_only_when_the_page_exists(client, product, corpus, viewer):
    client.force_login(viewer)
    response = search(client, product, "refund")
    assert response.status_code == 200  # with or without backlog:story_detail, never a NoReverseMatch


def test_results_stay_in_the_product_unless_the_workspace_is_asked(client, product, workspace, editor, viewer):
    other = ProductFactory(workspace=workspace, name="Checkout", key="CHK")
    StoryFactory(product=other, title="Refund in checkout", actor=editor)
    client.force_login(viewer)
    assert "Refund in checkout" not in search(client, product, "refund").content.decode()
    wide = search(client, product, "refund", scope="workspace").content.decode()
    assert "Refund in checkout" in wide
    assert "in Checkout" in wide


def test_another_workspace_is_never_searched(client, product, editor, viewer, other_product, outsider):
    StoryFactory(product=other_product, title="Refund globex", actor=outsider)
    client.force_login(viewer)
    assert "Refund globex" not in search(client, product, "refund", scope="workspace").content.decode()


def test_an_outsider_gets_404(client, product, corpus, outsider):
    client.force_login(outsider)
    response = search(client, product, "refund")
    assert response.status_code == 404
    assert "Refund" not in response.content.decode()


def test_htmx_gets_the_results_fragment_only(client, product, corpus, viewer):
    client.force_login(viewer)
    response = client.get(reverse("activity:search", args=[product.pk]), {"q": "refund"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="search-results"' in body and "Refund a card payment" in body


def test_empty_and_fruitless_searches_say_what_to_do(client, product, viewer):
    client.force_login(viewer)
    assert "Type words from a title" in search(client, product, "").content.decode()
    assert "Nothing matched" in search(client, product, "zebra").content.decode()
    # websearch syntax never errors, whatever is typed
    for odd in ('"unclosed', "-", "a & | !", "((", "x" * 200, "'; drop table"):
        assert search(client, product, odd).status_code == 200


def test_a_too_long_query_is_a_form_error_not_a_500(client, product, viewer):
    client.force_login(viewer)
    assert search(client, product, "x" * 500).status_code == 200


def test_the_top_bar_search_form_points_here(client, product, viewer):
    client.force_login(viewer)
    body = client.get(reverse("product_home", args=[product.pk])).content.decode()
    assert f'action="{reverse("activity:search", args=[product.pk])}"' in body


@pytest.mark.parametrize("size", [5, 60])
def test_search_runs_a_bounded_number_of_queries(client, product, editor, viewer, django_assert_max_num_queries, size):
    # given: many matches of every kind
    epic = EpicFactory(product=product, title="Refund epic", actor=editor)
    for n in range(size):
        StoryFactory(product=product, title=f"Refund story {n}", epic=epic, actor=editor)
    for n in range(size // 5):
        FeatureFactory(epic=epic, title=f"Refund feature {n}", actor=editor)
    client.force_login(viewer)
    # when / then
    with django_assert_max_num_queries(20):
        response = search(client, product, "refund")
    assert response.content.decode().count('class="search-hit"') <= 10 * 8


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes exist on PostgreSQL only")
@pytest.mark.parametrize("source", [*SOURCES, PRD_TITLE, PRD_SECTIONS], ids=lambda s: s.model.__name__)
def test_each_search_expression_is_answered_from_its_gin_index(product, source):
    # given
    from django.contrib.postgres.search import SearchQuery

    query = SearchQuery("refund", search_type="websearch", config="english")
    rows = source.model._default_manager.annotate(document=source.vector).filter(document=query).values("pk")
    # when: sequential scans off, so that a small table still shows whether the index can answer
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    try:
        plan = rows.explain()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = on")
    # then
    assert "_search" in plan and "Bitmap Index Scan" in plan, plan


def test_a_query_of_exclusions_only_finds_nothing_rather_than_everything(client, product, corpus, viewer):
    client.force_login(viewer)
    assert "Nothing matched" in search(client, product, "-zebra").content.decode()
