"""seed_scale: a large product in bulk that keeps every rule the per-row services keep, made once."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from backlog import services as backlog_services
from backlog.models import AcceptanceCriterion, Epic, Feature, Sprint, StatusCategory, Story, WorkflowStatus
from roadmap.models import Roadmap, RoadmapItem
from workspaces.models import Membership, Product, Role, Workspace

pytestmark = pytest.mark.django_db

SMALL = ["--stories", "500", "--features", "20", "--epics", "5", "--no-progress"]


def seed_scale(*args: str) -> str:
    out = StringIO()
    call_command("seed_scale", *SMALL, *args, stdout=out)
    return out.getvalue()


def product_counts(product: Product) -> dict[str, int]:
    return {
        "epics": Epic.objects.filter(product=product).count(),
        "features": Feature.objects.filter(product=product).count(),
        "stories": Story.objects.filter(product=product).count(),
    }


def test_seed_scale_creates_the_workspace_the_login_and_the_counts_asked_for():
    # when
    output = seed_scale("--product-key", "SCALE")

    # then
    workspace = Workspace.objects.get(slug="scale-co")
    assert workspace.name == "Scale Co"
    product = Product.objects.get(workspace=workspace, key="SCALE")
    assert product_counts(product) == {"epics": 5, "features": 20, "stories": 500}
    user = get_user_model().objects.get(username="scale")
    password = next(line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("password: "))
    assert user.check_password(password)
    assert Membership.objects.get(workspace=workspace, user=user).role == Role.ADMIN
    assert Membership.objects.filter(workspace=workspace, role=Role.CONTRIBUTOR).count() == 24
    assert f"product id: {product.pk}" in output


def test_seed_scale_numbers_are_one_reservation_and_ranks_are_unique_per_kind():
    # when
    seed_scale("--product-key", "SCALE")

    # then
    product = Product.objects.get(key="SCALE")
    numbers = [
        *Epic.objects.filter(product=product).values_list("number", flat=True),
        *Feature.objects.filter(product=product).values_list("number", flat=True),
        *Story.objects.filter(product=product).values_list("number", flat=True),
    ]
    assert sorted(numbers) == list(range(1, 526))
    assert product.last_item_number == 525
    for model in (Epic, Feature, Story):
        ranks = list(model.objects.filter(product=product).values_list("rank", flat=True))
        assert len(set(ranks)) == len(ranks)
        assert all(rank and not rank.endswith("0") for rank in ranks)


def test_seed_scale_keeps_the_hierarchy_statuses_and_completion_rules():
    # when
    seed_scale("--product-key", "SCALE")

    # then
    product = Product.objects.get(key="SCALE")
    stories = Story.objects.filter(product=product)
    assert not stories.filter(epic__isnull=False, feature__isnull=False).exists()
    assert not stories.filter(epic__isnull=True, feature__isnull=True).exists()
    assert not stories.exclude(feature__isnull=True).exclude(feature__product=product).exists()
    assert not stories.exclude(epic__isnull=True).exclude(epic__product=product).exists()
    assert not stories.exclude(sprint__isnull=True).exclude(sprint__product=product).exists()
    assert not Feature.objects.filter(product=product).exclude(epic__product=product).exists()
    for model in (Epic, Feature, Story):
        assert not model.objects.filter(product=product).exclude(status__product=product).exists()
    assert not stories.filter(status__category=StatusCategory.DONE, completed_at__isnull=True).exists()
    assert not stories.exclude(status__category=StatusCategory.DONE).filter(completed_at__isnull=False).exists()
    members = set(Membership.objects.filter(workspace=product.workspace).values_list("user_id", flat=True))
    assignees = set(stories.exclude(assignee__isnull=True).values_list("assignee_id", flat=True))
    assert assignees and assignees <= members
    assert not stories.filter(Q(points__gt=100) | Q(priority__lt=1) | Q(priority__gt=5)).exists()


def test_seed_scale_spreads_stories_over_statuses_labels_sprints_and_criteria():
    # when
    seed_scale("--product-key", "SCALE")

    # then
    product = Product.objects.get(key="SCALE")
    per_status = dict(
        Story.objects.filter(product=product).values_list("status__name").annotate(n=Count("pk")).order_by()
    )
    assert set(per_status) == set(WorkflowStatus.objects.filter(product=product).values_list("name", flat=True))
    assert all(n >= 10 for n in per_status.values())
    assert Story.objects.filter(product=product, labels__isnull=False).distinct().count() > 200
    assert AcceptanceCriterion.objects.filter(story__product=product).exists()
    assert Story.objects.filter(product=product, points__isnull=True).exists()
    sprints = {sprint.state: sprint for sprint in Sprint.objects.filter(product=product)}
    assert set(sprints) == {Sprint.State.CLOSED, Sprint.State.ACTIVE, Sprint.State.PLANNED}
    closed = Story.objects.filter(sprint=sprints[Sprint.State.CLOSED])
    assert closed.exists()
    assert not closed.exclude(status__category=StatusCategory.DONE).exists()
    planned = Story.objects.filter(sprint=sprints[Sprint.State.PLANNED])
    assert planned.exists()
    assert not planned.exclude(status__category=StatusCategory.TODO).exists()


def test_seed_scale_roadmap_items_link_epics_of_the_product():
    # when
    seed_scale("--product-key", "SCALE")

    # then
    product = Product.objects.get(key="SCALE")
    assert sorted(Roadmap.objects.filter(product=product).values_list("kind", flat=True)) == ["product", "technology"]
    items = RoadmapItem.objects.filter(roadmap__product=product)
    assert items.count() == 5
    linked = Epic.objects.filter(roadmap_items__in=items)
    assert linked.count() == 5
    assert not linked.exclude(product=product).exists()


def test_seed_scale_twice_refuses_and_changes_nothing():
    # given
    seed_scale("--product-key", "SCALE")
    product = Product.objects.get(key="SCALE")
    before = (product_counts(product), Product.objects.count(), get_user_model().objects.count())

    # when
    with pytest.raises(CommandError, match=r"already has a product with the key SCALE .*500 stories.*--replace"):
        seed_scale("--product-key", "SCALE")

    # then
    assert (product_counts(product), Product.objects.count(), get_user_model().objects.count()) == before


def test_seed_scale_with_replace_rebuilds_the_product_and_keeps_the_login():
    # given
    first = seed_scale("--product-key", "SCALE")
    old = Product.objects.get(key="SCALE")

    # when
    output = seed_scale("--product-key", "SCALE", "--replace")

    # then
    assert not Product.objects.filter(pk=old.pk).exists()
    new = Product.objects.get(key="SCALE")
    assert product_counts(new) == {"epics": 5, "features": 20, "stories": 500}
    assert Story.objects.count() == 500
    assert "Deleted the previous product SCALE." in output
    assert "password: unchanged" in output
    password = next(line.split(": ", 1)[1] for line in first.splitlines() if line.startswith("password: "))
    assert get_user_model().objects.get(username="scale").check_password(password)


def test_seed_scale_adds_a_second_product_beside_the_first():
    # given
    seed_scale("--product-key", "ONE")

    # when
    seed_scale("--product-key", "TWO")

    # then
    workspace = Workspace.objects.get(slug="scale-co")
    assert sorted(workspace.products.values_list("key", flat=True)) == ["ONE", "TWO"]
    assert Story.objects.filter(product__key="TWO").count() == 500
    assert Membership.objects.filter(workspace=workspace).count() == 25


def test_seed_scale_into_an_existing_workspace_uses_its_members(workspace, admin_user, contributor):
    # when
    output = seed_scale("--product-key", "BIG", "--workspace", workspace.slug)

    # then
    product = Product.objects.get(workspace=workspace, key="BIG")
    assert product_counts(product) == {"epics": 5, "features": 20, "stories": 500}
    people = {admin_user.pk, contributor.pk}
    assert set(Story.objects.filter(product=product, assignee__isnull=False).values_list("assignee_id", flat=True)) == (
        people
    )
    assert set(Story.objects.filter(product=product).values_list("created_by_id", flat=True)) == {admin_user.pk}
    assert not Workspace.objects.filter(slug="scale-co").exists()
    assert "password: unchanged" in output


def test_seed_scale_refuses_an_unknown_workspace():
    with pytest.raises(CommandError, match="No workspace with the slug “nope”"):
        seed_scale("--workspace", "nope")
    assert not Product.objects.exists()


def test_items_created_after_seeding_continue_the_numbers_and_ranks():
    # given
    seed_scale("--product-key", "SCALE")
    product = Product.objects.get(key="SCALE")
    actor = get_user_model().objects.get(username="scale")

    # when
    epic = Epic.objects.filter(product=product).first()
    story = backlog_services.story_create(product=product, actor=actor, title="After the load", epic=epic)

    # then
    assert story.number == 526
    assert story.rank > max(Story.objects.filter(product=product).exclude(pk=story.pk).values_list("rank", flat=True))
