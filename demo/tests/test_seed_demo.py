"""seed_demo: a believable demo workspace, built through the services, exactly once."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.test import Client

from activity.models import Comment, Notification
from backlog.models import Epic, Feature, Sprint, StatusCategory, Story, TechDebtItem
from decisions.models import PRD, DecisionRecord, Requirement, SignOff, SignOffEvent
from decisions.selectors import requirement_coverage
from roadmap.models import Baseline, Dependency, Lane, Milestone, Roadmap, RoadmapItem
from roadmap.selectors import baseline_diff
from workspaces.models import Membership, Product, Role, Workspace

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def model_counts() -> dict[str, int]:
    """Rows of every model, including many-to-many tables and history tables."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models(include_auto_created=True)}


def signoff_states(document: PRD | DecisionRecord) -> list[tuple[str, str]]:
    field = "prd" if isinstance(document, PRD) else "decision"
    signoffs = SignOff.objects.filter(**{field: document}).select_related("approver").order_by("pk")
    return [(s.approver.username, s.state) for s in signoffs]


def test_seed_demo_creates_the_workspace_its_people_and_the_demo_login():
    # when
    output = seed()

    # then
    workspace = Workspace.objects.get(slug="acme-corp")
    assert workspace.name == "Acme Corp"
    product = Product.objects.get(workspace=workspace)
    assert (product.name, product.key) == ("Payments Platform", "PAY")
    roles = dict(Membership.objects.filter(workspace=workspace).values_list("user__username", "role"))
    assert roles == {
        "priya.raman": Role.ADMIN,
        "demo": Role.EDITOR,
        "sofia.alvarez": Role.CONTRIBUTOR,
        "marco.rossi": Role.CONTRIBUTOR,
        "jonas.berg": Role.CONTRIBUTOR,
        "aisha.khan": Role.CONTRIBUTOR,
        "nina.okafor": Role.CONTRIBUTOR,
        "omar.haddad": Role.CONTRIBUTOR,
        "li.wei": Role.CONTRIBUTOR,
        "helen.cho": Role.LEADERSHIP,
    }
    assert Membership.objects.filter(workspace=workspace, title="").count() == 0
    demo = get_user_model().objects.get(username="demo")
    assert (demo.is_staff, demo.is_superuser, demo.email) == (True, False, "demo@acme.example")
    assert demo.memberships.get().title == "Technical product manager"
    assert get_user_model().objects.count() == 10
    assert get_user_model().objects.filter(is_superuser=True).count() == 0
    assert output.splitlines()[-3:] == [
        "Demo workspace ready: Acme Corp",
        "username: demo",
        "password: demo-pass-2026",
    ]


def test_the_demo_user_logs_in_with_the_printed_password():
    # given
    output = seed()
    password = output.splitlines()[-1].removeprefix("password: ")
    demo = get_user_model().objects.get(username="demo")

    # when
    logged_in = Client().login(username="demo", password=password)

    # then
    assert "username: demo" in output
    assert logged_in is True
    validate_password(password, user=demo)  # passes Django's validators too


def test_the_demo_user_can_use_the_admin_for_its_workspace():
    # given
    seed()
    client = Client()
    client.login(username="demo", password="demo-pass-2026")

    # when
    stories = client.get("/admin/backlog/story/")
    users = client.get("/admin/auth/user/")

    # then
    assert stories.status_code == 200
    assert b"Challenge window in checkout" in stories.content
    assert users.status_code == 403


def test_seed_demo_builds_roadmaps_with_items_dependencies_milestones_and_goals():
    # when
    seed()

    # then
    product = Product.objects.get(key="PAY")
    assert sorted(Roadmap.objects.filter(product=product).values_list("kind", flat=True)) == ["product", "technology"]
    items = RoadmapItem.objects.filter(roadmap__product=product)
    assert items.count() == 12
    assert set(items.values_list("lane", flat=True)) == {Lane.NOW, Lane.NEXT, Lane.LATER}
    assert items.filter(start_date__isnull=True).count() == 0
    assert set(items.values_list("confidence", flat=True)) == {"on_track", "at_risk", "off_track"}
    assert items.filter(epics__isnull=False).distinct().count() == 10
    assert Dependency.objects.filter(blocked__roadmap__product=product).count() == 3
    assert sorted(Milestone.objects.filter(product=product).values_list("kind", flat=True)) == [
        "milestone",
        "milestone",
        "release",
        "release",
    ]
    assert product.goals.count() == 4
    assert items.filter(goals__isnull=False).distinct().count() == 7


def test_seed_demo_takes_a_baseline_then_moves_items_so_the_diff_shows_them():
    # when
    seed()

    # then
    baseline = Baseline.objects.get(roadmap__kind=Roadmap.Kind.PRODUCT)
    diff = baseline_diff(baseline)
    assert [change.title for change in diff.relaned] == ["Apple Pay and Google Pay"]
    assert [change.title for change in diff.confidence_changed] == ["Real-time fraud scoring"]
    assert sorted(change.title for change in diff.redated) == ["Apple Pay and Google Pay", "Real-time fraud scoring"]
    assert [change.title for change in diff.status_changed] == ["Apple Pay and Google Pay"]
    assert (diff.added, diff.removed) == ([], [])


def test_seed_demo_builds_the_backlog_across_two_sprints_and_the_backlog():
    # when
    seed()

    # then
    product = Product.objects.get(key="PAY")
    assert Epic.objects.filter(product=product).count() == 5
    assert Feature.objects.filter(product=product).count() == 15
    stories = Story.objects.filter(product=product)
    assert stories.count() == 60
    active = Sprint.objects.get(product=product, state=Sprint.State.ACTIVE)
    planned = Sprint.objects.get(product=product, state=Sprint.State.PLANNED)
    assert Sprint.objects.filter(product=product).count() == 2
    assert active.start_date < planned.start_date
    assert (active.stories.count(), planned.stories.count(), stories.filter(sprint=None).count()) == (11, 8, 41)
    assert set(active.stories.values_list("status__category", flat=True)) == set(StatusCategory.values)
    assert stories.filter(status__category=StatusCategory.DONE).count() == 14
    assert stories.filter(status__category=StatusCategory.DONE, completed_at__isnull=True).count() == 0
    assert stories.filter(points__isnull=True).count() == 7
    assert stories.filter(assignee__isnull=False).count() == 34
    assert stories.filter(labels__isnull=True).count() == 0
    authored = stories.exclude(title__startswith="Pay off: ")
    assert authored.count() == 59
    statements = authored.values_list("statement", flat=True)
    assert all(s.startswith("As ") and " I want " in s and " so that " in s for s in statements)
    assert authored.filter(acceptance_criteria__isnull=True).count() == 0
    assert stories.filter(epic__isnull=False).count() == 5  # four spikes and the tech-debt pay-off


def test_seed_demo_records_tech_debt_with_one_item_scheduled_into_the_planned_sprint():
    # when
    seed()

    # then
    debt = TechDebtItem.objects.filter(product__key="PAY")
    assert debt.count() == 4
    scheduled = debt.get(remediation_story__isnull=False)
    assert scheduled.remediation_story.sprint.state == Sprint.State.PLANNED
    assert scheduled.remediation_story.points == scheduled.remediation_points


def test_seed_demo_writes_two_prds_whose_coverage_has_gaps_both_ways():
    # when
    seed()

    # then
    product = Product.objects.get(key="PAY")
    checkout = PRD.objects.get(product=product, title="Checkout 2.0")
    sca = PRD.objects.get(product=product, title="Strong Customer Authentication (PSD2)")
    assert Requirement.objects.filter(prd=checkout).count() == 5
    assert Requirement.objects.filter(prd=sca).count() == 5
    assert checkout.sections.filter(body="").count() == 0
    assert sca.sections.filter(body="").count() == 0
    assert checkout.versions.count() == 8  # created, five requirements, a sharpened requirement, the metrics edit
    coverage = requirement_coverage(product=product)
    assert [r.key for r in coverage.unbuilt_requirements] == ["REQ-5", "REQ-8"]
    assert len(coverage.untraced_stories) == 36
    assert coverage.percent_requirements_covered == 80


def test_seed_demo_leaves_sign_offs_approved_pending_and_stale():
    # when
    seed()

    # then
    product = Product.objects.get(key="PAY")
    adr1, adr2, adr3 = DecisionRecord.objects.filter(product=product).order_by("number")
    assert (adr1.status, adr2.status, adr3.status) == ("accepted", "in_review", "in_review")
    assert signoff_states(adr1) == [("priya.raman", "approved"), ("omar.haddad", "approved"), ("helen.cho", "approved")]
    assert signoff_states(adr2) == [("omar.haddad", "approved"), ("helen.cho", "pending")]
    assert signoff_states(adr3) == [
        ("sofia.alvarez", "stale"),
        ("priya.raman", "stale"),
        ("sofia.alvarez", "pending"),
        ("priya.raman", "pending"),
    ]
    went_stale = SignOff.objects.get(decision=adr3, approver__username="sofia.alvarez", state="stale")
    assert list(went_stale.events.values_list("kind", flat=True)) == [
        SignOffEvent.Kind.REQUESTED,
        SignOffEvent.Kind.APPROVED,
        SignOffEvent.Kind.STALE,
    ]
    for record in (adr1, adr2, adr3):
        assert record.chosen_option is not None
        assert record.options.count() == 3
        assert record.options.filter(pros="").count() == record.options.filter(cons="").count() == 0
        assert all([record.context, record.decision_drivers, record.consequences, record.confirmation])
    checkout = PRD.objects.get(product=product, title="Checkout 2.0")
    sca = PRD.objects.get(product=product, title="Strong Customer Authentication (PSD2)")
    assert (checkout.status, sca.status) == ("in_review", "approved")
    assert signoff_states(checkout) == [
        ("nina.okafor", "stale"),
        ("sofia.alvarez", "stale"),
        ("nina.okafor", "approved"),
        ("sofia.alvarez", "pending"),
    ]


def test_seed_demo_posts_comments_that_mention_people():
    # when
    seed()

    # then
    comments = Comment.objects.filter(workspace__slug="acme-corp")
    assert comments.count() == 5
    assert sorted(comments.values_list("mentions__username", flat=True)) == [
        "aisha.khan",
        "demo",
        "helen.cho",
        "li.wei",
        "sofia.alvarez",
    ]
    assert Notification.objects.filter(kind=Notification.Kind.MENTION).count() == 5


def test_running_seed_demo_twice_leaves_every_count_unchanged():
    # given
    seed()
    before = model_counts()

    # when
    output = seed()

    # then
    assert model_counts() == before
    assert "left unchanged" in output
    assert output.splitlines()[-3:] == [
        "Demo workspace ready: Acme Corp",
        "username: demo",
        "password: demo-pass-2026",
    ]


def test_running_it_again_restores_the_demo_login():
    # given
    seed()
    demo = get_user_model().objects.get(username="demo")
    demo.set_password("something-else-entirely")
    demo.is_staff = False
    demo.save()

    # when
    seed()

    # then
    demo.refresh_from_db()
    assert demo.is_staff is True
    assert Client().login(username="demo", password="demo-pass-2026") is True


def test_a_stranger_holding_a_demo_username_stops_the_seed_and_nothing_is_created():
    # given
    get_user_model().objects.create_user(username="marco.rossi", email="marco@elsewhere.example")

    # when
    with pytest.raises(CommandError, match=r"marco\.rossi"):
        seed()

    # then
    assert Workspace.objects.count() == 0
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["marco.rossi"]


def test_deleting_the_demo_workspace_removes_all_of_it_and_keeps_other_workspaces(other_product):
    # given
    seed()
    other_counts = {"stories": Story.objects.filter(product=other_product).count()}
    workspace = Workspace.objects.get(slug="acme-corp")
    # when
    workspace.delete()
    # then
    assert not Product.objects.filter(workspace__slug="acme-corp").exists()
    assert Story.objects.count() == other_counts["stories"]
    assert Epic.objects.count() == 0
    assert PRD.objects.count() == 0
    assert SignOff.objects.count() == 0
    assert SignOffEvent.objects.count() == 0
    assert DecisionRecord.objects.count() == 0
    assert RoadmapItem.objects.count() == 0
    assert Product.objects.filter(pk=other_product.pk).exists()


def test_seed_demo_flags_what_delivers_a_sharpened_requirement():
    # when
    seed()
    # then
    from decisions.models import ReviewFlag

    flags = ReviewFlag.objects.open()
    assert flags.count() > 0
    assert {flag.requirement.key for flag in flags} == {"REQ-1"}
