"""The epic roll-up totals kept by PostgreSQL triggers equal a live recount after every kind of write.

Every test writes in one way (services, queryset.update, bulk_create, deletes in either order, raw SQL)
and then compares the whole table with the stories themselves (`rollup_drift()`), and `epic_progress`
with `epic_progress_live` for the epics involved.
"""

import importlib
import threading

import pytest
from django.db import connection, transaction

from backlog import services
from backlog.models import Epic, Feature, StatusCategory, Story, WorkflowStatus
from backlog.rollup import EpicStatusTotal, kept_totals, live_totals, rollup_drift
from backlog.selectors.progress import Progress, epic_progress, epic_progress_live
from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from demo.scale import seed_scale

pytestmark = pytest.mark.django_db


def assert_exact(*epics: Epic) -> None:
    assert rollup_drift() == {}
    ids = [epic.pk for epic in epics]
    assert epic_progress(ids) == epic_progress_live(ids)


@pytest.fixture
def statuses(product) -> dict[str, WorkflowStatus]:
    return {status.name: status for status in product.statuses.all()}


@pytest.fixture
def tree(product, editor, statuses):
    """Two epics; "cards" has two features with stories and a story of its own; "wallets" one feature."""
    cards = EpicFactory(product=product, title="Cards")
    wallets = EpicFactory(product=product, title="Wallets")
    tokens = FeatureFactory(epic=cards, title="Tokens")
    vault = FeatureFactory(epic=cards, title="Vault")
    apple_pay = FeatureFactory(epic=wallets, title="Apple Pay")
    stories = {
        "tokenise": StoryFactory(feature=tokens, points=5),
        "detokenise": StoryFactory(feature=tokens, points=None),
        "rotate keys": StoryFactory(feature=vault, points=8),
        "audit": StoryFactory(epic=cards, points=3),
        "provision": StoryFactory(feature=apple_pay, points=2),
    }
    services.story_set_status(story=stories["tokenise"], actor=editor, status=statuses["Done"])
    return {"cards": cards, "wallets": wallets, "tokens": tokens, "vault": vault, "apple_pay": apple_pay, **stories}


def test_creating_stories_through_the_service_keeps_exact_totals(tree):
    # then
    assert kept_totals() == live_totals() != {}
    assert epic_progress([tree["cards"].pk, tree["wallets"].pk]) == {
        tree["cards"].pk: Progress(
            points_done=5, points_total=16, stories_done=1, stories_total=4, stories_estimated=3
        ),
        tree["wallets"].pk: Progress(
            points_done=0, points_total=2, stories_done=0, stories_total=1, stories_estimated=1
        ),
    }


def test_status_and_points_changes_through_the_service(tree, editor, statuses):
    # when
    services.story_set_status(story=tree["rotate keys"], actor=editor, status=statuses["In review"])
    services.story_update(story=tree["detokenise"], actor=editor, points=13)
    services.story_update(story=tree["tokenise"], actor=editor, points=None)

    # then
    assert_exact(tree["cards"], tree["wallets"])
    assert epic_progress([tree["cards"].pk])[tree["cards"].pk].points_total == 24


def test_a_story_moved_between_features_of_different_epics_and_onto_an_epic(tree, editor):
    # when
    services.story_update(story=tree["tokenise"], actor=editor, feature=tree["apple_pay"])
    # then
    assert_exact(tree["cards"], tree["wallets"])

    # when: from a feature to directly under the other epic, and back under a feature
    services.story_update(story=tree["provision"], actor=editor, feature=None, epic=tree["cards"])
    services.story_update(story=tree["audit"], actor=editor, epic=None, feature=tree["apple_pay"])
    # then
    assert_exact(tree["cards"], tree["wallets"])
    assert epic_progress([tree["wallets"].pk])[tree["wallets"].pk].stories_total == 2  # tokenise, audit


def test_a_feature_moved_to_another_epic_takes_its_stories(tree, editor):
    # when
    services.feature_update(feature=tree["tokens"], actor=editor, epic=tree["wallets"])

    # then
    assert_exact(tree["cards"], tree["wallets"])
    assert epic_progress([tree["cards"].pk])[tree["cards"].pk].stories_total == 2


def test_queryset_updates_of_stories_and_features(tree, product, statuses):
    # when: a bulk status and points change, a bulk move, a rank-only update
    Story.objects.filter(product=product).update(status=statuses["In progress"], points=1)
    Story.objects.filter(feature=tree["vault"]).update(feature=tree["apple_pay"])
    Feature.objects.filter(pk__in=[tree["tokens"].pk, tree["apple_pay"].pk]).update(epic=tree["cards"])
    Story.objects.filter(pk=tree["audit"].pk).update(rank="zz")

    # then
    assert_exact(tree["cards"], tree["wallets"])
    assert tree["wallets"].pk not in epic_progress([tree["wallets"].pk])


def test_an_update_that_changes_none_of_the_counted_fields_writes_no_total(tree, product):
    # given
    before = kept_totals()

    # when
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM backlog_epicstatustotal ORDER BY epic_id, status_id")
        versions = cursor.fetchall()
        Story.objects.filter(product=product).update(title="Renamed", priority=1)
        cursor.execute("SELECT xmin::text FROM backlog_epicstatustotal ORDER BY epic_id, status_id")

        # then
        assert cursor.fetchall() == versions
    assert kept_totals() == before


def test_swapping_two_stories_statuses_in_one_statement_nets_out(tree, statuses):
    # given
    done, to_do = statuses["Done"], statuses["To do"]
    a, b = tree["tokenise"], tree["rotate keys"]  # Done / To do, same epic

    # when
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE backlog_story SET status_id = CASE id WHEN %s THEN %s ELSE %s END WHERE id IN (%s, %s)",
            [a.pk, to_do.pk, done.pk, a.pk, b.pk],
        )

    # then
    assert_exact(tree["cards"])


def test_bulk_create_of_stories(tree, product, statuses):
    # when
    Story.objects.bulk_create(
        Story(
            product=product,
            number=1000 + n,
            rank=f"y{n:03d}",
            title=f"Bulk {n}",
            feature=tree["vault"] if n % 2 else None,
            epic=None if n % 2 else tree["wallets"],
            status=statuses["Done"] if n % 3 == 0 else statuses["To do"],
            points=None if n % 5 == 0 else n % 13,
        )
        for n in range(40)
    )

    # then
    assert_exact(tree["cards"], tree["wallets"])


def test_deleting_stories_one_by_one_and_in_bulk(tree, editor, product):
    # when
    services.story_delete(story=tree["tokenise"], actor=editor)
    # then
    assert_exact(tree["cards"], tree["wallets"])

    # when
    Story.objects.filter(product=product).delete()
    # then
    assert_exact(tree["cards"], tree["wallets"])
    assert EpicStatusTotal.objects.count() == 0


def test_a_feature_deleted_with_its_stories_in_either_order(tree, product):
    # when: Django's way (the stories, then the feature)
    with transaction.atomic():
        Story.objects.filter(feature=tree["vault"]).delete()
        tree["vault"].delete()
    # then
    assert_exact(tree["cards"], tree["wallets"])

    # when: the feature first, its stories after, in one transaction (the foreign keys are deferred)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM backlog_feature WHERE id = %s", [tree["tokens"].pk])
        assert_exact(tree["cards"], tree["wallets"])  # the stories point at nothing: they count nowhere
        cursor.execute("DELETE FROM backlog_story WHERE feature_id = %s", [tree["tokens"].pk])
    # then
    assert_exact(tree["cards"], tree["wallets"])


def test_an_epic_emptied_and_deleted(tree, editor):
    # given
    services.feature_update(feature=tree["apple_pay"], actor=editor, epic=tree["cards"])

    # when
    services.epic_delete(epic=tree["wallets"], actor=editor)

    # then
    assert_exact(tree["cards"])


def test_deleting_the_whole_product_leaves_no_total(tree, product, other_product):
    # given: another product's work stays counted
    elsewhere = StoryFactory(epic=EpicFactory(product=other_product), points=2)

    # when: Django's collector deletes epics, features and stories in its own order (seed_scale --replace)
    product.delete()

    # then
    assert rollup_drift() == {}
    assert set(EpicStatusTotal.objects.values_list("epic_id", flat=True)) == {elsewhere.epic_id}


def test_epics_deleted_before_their_features_and_stories_in_one_transaction(tree, product):
    # when: the order in which a careless raw delete (or a collector) may go, all deferred
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM backlog_epic WHERE product_id = %s", [product.pk])
        cursor.execute("DELETE FROM backlog_feature WHERE product_id = %s", [product.pk])
        assert_exact()
        cursor.execute("DELETE FROM backlog_story WHERE product_id = %s", [product.pk])

    # then
    assert rollup_drift() == {}
    assert EpicStatusTotal.objects.count() == 0


def test_a_status_moved_to_another_category_counts_at_once(tree, statuses):
    # when: "In review" becomes a done status, with no story written
    rotate = tree["rotate keys"]
    Story.objects.filter(pk=rotate.pk).update(status=statuses["In review"])
    WorkflowStatus.objects.filter(pk=statuses["In review"].pk).update(category=StatusCategory.DONE)

    # then
    assert_exact(tree["cards"])
    assert epic_progress([tree["cards"].pk])[tree["cards"].pk].stories_done == 2


def test_the_migration_backfill_rebuilds_the_same_totals(tree):
    # given
    migration = importlib.import_module("backlog.migrations.0005_epic_rollup")
    backfill = migration.INSTALL_SQL[migration.INSTALL_SQL.index("INSERT INTO backlog_epicstatustotal (") :]
    expected = kept_totals()

    # when
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM backlog_epicstatustotal")
        cursor.execute(backfill)

    # then
    assert kept_totals() == expected == live_totals()


def test_seed_scale_bulk_loads_and_replaces_with_exact_totals():
    # when
    seed_scale(stories=600, features=30, epics=6, product_key="ROLL", progress=False)
    # then
    assert rollup_drift() == {}
    assert sum(n for n, _, _ in kept_totals().values()) == 600

    # when
    result = seed_scale(stories=300, features=12, epics=4, product_key="ROLL", replace=True, progress=False)
    # then
    assert rollup_drift() == {}
    assert sum(n for n, _, _ in kept_totals().values()) == 300
    epics = list(Epic.objects.filter(product=result.product))
    assert epic_progress([e.pk for e in epics]) == epic_progress_live([e.pk for e in epics])


# --- Two transactions at once: a story written while its feature moves to another epic -------------


def _in_thread(target) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target()
        except BaseException as exc:  # reported to the test, which fails on it
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@pytest.mark.django_db(transaction=True)
def test_a_story_created_while_its_feature_moves_epic_counts_under_the_new_epic(product):
    # given
    cards, wallets = EpicFactory(product=product), EpicFactory(product=product)
    tokens = FeatureFactory(epic=cards)
    StoryFactory(feature=tokens, points=5)
    moved = threading.Event()

    # when: the move is written but not committed while another transaction adds a story to the feature
    def create_story() -> None:
        moved.wait(10)
        StoryFactory(feature=Feature.objects.get(pk=tokens.pk), points=8)

    thread, errors = _in_thread(create_story)
    with transaction.atomic():
        Feature.objects.filter(pk=tokens.pk).update(epic=wallets)
        moved.set()
        thread.join(0.5)  # the story's trigger waits on the moved feature's row
        assert thread.is_alive()
    thread.join(10)

    # then
    assert errors == []
    assert rollup_drift() == {}
    assert epic_progress([wallets.pk])[wallets.pk].points_total == 13


@pytest.mark.django_db(transaction=True)
def test_a_feature_moved_while_a_story_is_added_to_it_takes_that_story_along(product):
    # given
    cards, wallets = EpicFactory(product=product), EpicFactory(product=product)
    tokens = FeatureFactory(epic=cards)
    created, move_started = threading.Event(), threading.Event()

    # when: the story is written but not committed while another transaction moves its feature
    def move_feature() -> None:
        created.wait(10)
        move_started.set()
        Feature.objects.filter(pk=tokens.pk).update(epic=wallets)

    thread, errors = _in_thread(move_feature)
    with transaction.atomic():
        StoryFactory(feature=tokens, points=8)
        created.set()
        move_started.wait(10)
        thread.join(0.5)  # the move waits on the lock the story's trigger holds on the feature
        assert thread.is_alive()
    thread.join(10)

    # then
    assert errors == []
    assert rollup_drift() == {}
    assert epic_progress([cards.pk, wallets.pk]) == {wallets.pk: Progress(0, 8, 0, 1, 1)}
