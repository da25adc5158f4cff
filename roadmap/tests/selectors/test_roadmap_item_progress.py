"""Progress rolls up from the stories of the epics an item links to, in a fixed number of queries."""

from django.db import connection

from backlog.selectors.progress import Progress
from backlog.services import story_set_status
from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from roadmap.selectors import roadmap_item_progress
from roadmap.tests.factories import RoadmapItemFactory
from roadmap.tests.helpers import items_with_work, query_count


def test_progress_sums_the_stories_of_every_linked_epic_under_features_and_directly(
    roadmap, product, editor, done_status
):
    # given
    cards = EpicFactory(product=product, title="Cards")
    wallets = EpicFactory(product=product, title="Wallets")
    unlinked = EpicFactory(product=product, title="Unlinked")
    tokens = FeatureFactory(epic=cards, title="Tokens")
    tokenise = StoryFactory(feature=tokens, points=5)
    StoryFactory(feature=tokens, points=3)
    vault = StoryFactory(feature=tokens, points=None)
    audit = StoryFactory(epic=cards, points=8)
    apple_pay = StoryFactory(epic=wallets, points=2)
    StoryFactory(epic=wallets, points=None)
    elsewhere = StoryFactory(epic=unlinked, points=13)
    for story in (tokenise, vault, audit, apple_pay, elsewhere):
        story_set_status(story=story, actor=editor, status=done_status)
    payments = RoadmapItemFactory(roadmap=roadmap, title="Payments", epics=[cards, wallets])

    # when
    progress = roadmap_item_progress([payments])

    # then
    assert progress == {
        payments.pk: Progress(points_done=15, points_total=18, stories_done=4, stories_total=6, stories_estimated=4)
    }
    assert progress[payments.pk].percent == 83
    assert progress[payments.pk].estimate_coverage == 4 / 6


def test_an_epic_linked_to_two_items_counts_for_each(roadmap, tech_roadmap, product, editor, done_status):
    # given
    wallets = EpicFactory(product=product, title="Wallets")
    StoryFactory(epic=wallets, points=2)
    story_set_status(story=StoryFactory(epic=wallets, points=6), actor=editor, status=done_status)
    launch = RoadmapItemFactory(roadmap=roadmap, title="Wallet launch", epics=[wallets])
    platform = RoadmapItemFactory(roadmap=tech_roadmap, title="Wallet platform", epics=[wallets])

    # when
    progress = roadmap_item_progress([launch, platform])

    # then
    expected = Progress(points_done=6, points_total=8, stories_done=1, stories_total=2, stories_estimated=2)
    assert progress == {launch.pk: expected, platform.pk: expected}
    assert progress[launch.pk].percent == 75


def test_an_item_with_no_epics_has_zero_progress(roadmap):
    # given
    idea = RoadmapItemFactory(roadmap=roadmap, title="Idea")

    # when
    progress = roadmap_item_progress([idea])

    # then
    assert progress == {idea.pk: Progress(0, 0, 0, 0, 0)}
    assert (progress[idea.pk].percent, progress[idea.pk].estimate_coverage) == (0, None)


def test_percent_counts_stories_when_nothing_is_estimated(roadmap, product, editor, done_status):
    # given
    spikes = EpicFactory(product=product, title="Spikes")
    stories = [StoryFactory(epic=spikes, points=None) for _ in range(4)]
    story_set_status(story=stories[0], actor=editor, status=done_status)
    research = RoadmapItemFactory(roadmap=roadmap, title="Research", epics=[spikes])

    # when
    progress = roadmap_item_progress([research])[research.pk]

    # then
    assert progress == Progress(points_done=0, points_total=0, stories_done=1, stories_total=4, stories_estimated=0)
    assert (progress.percent, progress.estimate_coverage) == (25, 0)


def test_a_story_reopened_from_done_no_longer_counts_as_done(roadmap, product, editor, done_status):
    # given
    cards = EpicFactory(product=product, title="Cards")
    story = StoryFactory(epic=cards, points=5)
    to_do = product.statuses.get(name="To do")
    story = story_set_status(story=story, actor=editor, status=done_status)
    item = RoadmapItemFactory(roadmap=roadmap, epics=[cards])

    # when
    story_set_status(story=story, actor=editor, status=to_do)

    # then
    assert roadmap_item_progress([item])[item.pk] == Progress(0, 5, 0, 1, 1)


def test_progress_runs_two_queries_for_5_items_and_no_more_for_50(roadmap, tech_roadmap, django_assert_max_num_queries):
    # given
    few = items_with_work(roadmap, 5)
    many = items_with_work(tech_roadmap, 50)
    measured, few_progress = query_count(connection, roadmap_item_progress, few)

    # when
    with django_assert_max_num_queries(measured):
        many_progress = roadmap_item_progress(many)

    # then
    assert measured == 2
    each = Progress(points_done=0, points_total=5, stories_done=1, stories_total=2, stories_estimated=1)
    assert few_progress == {item.pk: each for item in few}
    assert many_progress == {item.pk: each for item in many}
