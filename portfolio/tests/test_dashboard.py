"""The leadership dashboard at GET /admin/: exact figures on known data, workspace scoping, the staff
login, and a bounded number of queries whatever the size of the portfolio."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from backlog.models import StatusCategory, Story, WorkflowStatus
from backlog.services import story_set_status
from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from decisions.models import DecisionRecord, SignOff, StakeholderRole
from decisions.services import decision_choose_option, signoff_approve, signoff_request
from decisions.tests.factories import DecisionRecordFactory, PRDFactory
from jira_sync.models import Conflict, SyncRun
from jira_sync.tests.factories import jira_rows
from portfolio.selectors import portfolio_dashboard
from roadmap.models import Lane, Milestone, RoadmapItem
from roadmap.services import milestone_create
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory
from workspaces.models import Role
from workspaces.tests.factories import MembershipFactory, ProductFactory, UserFactory

DASHBOARD = "/admin/"


def staff_client(user) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def done_status(product) -> WorkflowStatus:
    return WorkflowStatus.objects.filter(product=product, category=StatusCategory.DONE).order_by("position").first()


def finish(story, product) -> None:
    story_set_status(story=story, actor=None, status=done_status(product))


def accepted_decision(product, *, editor, approver, title: str) -> DecisionRecord:
    record = DecisionRecordFactory(product=product, title=title, actor=editor)
    decision_choose_option(record=record, actor=editor, option=record.options.order_by("position").first())
    signoff = signoff_request(document=record, actor=editor, approver=approver, role=StakeholderRole.LEADERSHIP)
    signoff_approve(signoff=signoff, actor=approver)
    record.refresh_from_db()
    assert record.status == DecisionRecord.Status.ACCEPTED
    return record


@dataclass
class Known:
    release: Milestone
    item1: RoadmapItem
    item2: RoadmapItem
    at_risk: RoadmapItem
    off_track: RoadmapItem
    shipped: RoadmapItem


def build_known(product, *, editor, viewer, today) -> Known:
    """Epic A: 5 (done) + 3 + 2 points; epic B: 8 (done) + 2. Item 1 ← A, item 2 ← A and B, both in one
    release: the release holds A and B once (13 of 20 points done)."""
    epic_a, epic_b = EpicFactory(product=product, title="Epic A"), EpicFactory(product=product, title="Epic B")
    a1 = StoryFactory(epic=epic_a, points=5)
    StoryFactory(epic=epic_a, points=3)
    StoryFactory(epic=epic_a, points=2)
    b1 = StoryFactory(epic=epic_b, points=8)
    StoryFactory(epic=epic_b, points=2)
    finish(a1, product)
    finish(b1, product)
    release = milestone_create(
        product=product, name="v2.0", date=today + timedelta(days=30), kind=Milestone.Kind.RELEASE
    )
    roadmap = RoadmapFactory(product=product, name="Product roadmap")
    item1 = RoadmapItemFactory(
        roadmap=roadmap, title="Saved cards", start_date=today - timedelta(days=20),
        end_date=today + timedelta(days=25), milestone=release, epics=[epic_a],
    )  # fmt: skip
    item2 = RoadmapItemFactory(
        roadmap=roadmap, title="Wallets", start_date=today - timedelta(days=10),
        end_date=today + timedelta(days=28), milestone=release, epics=[epic_a, epic_b],
    )  # fmt: skip
    # Overdue and in progress: "overdue" (2) → at risk. In Now without stories and overdue: 1 + 2 → off track.
    at_risk = RoadmapItemFactory(
        roadmap=roadmap, title="Fraud rules", status=RoadmapItem.Status.IN_PROGRESS,
        start_date=today - timedelta(days=40), end_date=today - timedelta(days=3),
    )  # fmt: skip
    off_track = RoadmapItemFactory(
        roadmap=roadmap, title="Ledger", lane=Lane.NOW, end_date=today - timedelta(days=1),
        start_date=today - timedelta(days=60),
    )  # fmt: skip
    shipped = RoadmapItemFactory(roadmap=roadmap, title="Old thing", status=RoadmapItem.Status.DONE)
    # Milestones: 10 days ahead (shown), 120 ahead (not), 7 days late (slipped), 5 days ago but reached (not).
    milestone_create(product=product, name="Beta", date=today + timedelta(days=10))
    milestone_create(product=product, name="Far", date=today + timedelta(days=120))
    milestone_create(product=product, name="Audit", date=today - timedelta(days=7))
    milestone_create(product=product, name="Kick-off", date=today - timedelta(days=5), is_reached=True)
    milestone_create(product=product, name="Pilot", date=today - timedelta(days=30))
    # Sign-offs waiting: a PRD asked 5 days ago, a decision asked 2 days ago.
    prd = PRDFactory(product=product, title="Checkout PRD", actor=editor)
    old = signoff_request(document=prd, actor=editor, approver=viewer, role=StakeholderRole.LEADERSHIP)
    record = DecisionRecordFactory(product=product, title="Pick a PSP", actor=editor)
    decision_choose_option(record=record, actor=editor, option=record.options.order_by("position").first())
    recent = signoff_request(document=record, actor=editor, approver=viewer, role=StakeholderRole.ENGINEERING)
    now = timezone.now()
    SignOff.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=5, hours=3))
    SignOff.objects.filter(pk=recent.pk).update(created_at=now - timedelta(days=2, hours=1))
    # Decisions: one 10 days ago (shown), one 40 days ago (not).
    shown = accepted_decision(product, editor=editor, approver=viewer, title="Use Postgres")
    hidden = accepted_decision(product, editor=editor, approver=viewer, title="Use Oracle")
    DecisionRecord.objects.filter(pk=shown.pk).update(decided_at=now - timedelta(days=10))
    DecisionRecord.objects.filter(pk=hidden.pk).update(decided_at=now - timedelta(days=40))
    return Known(release, item1, item2, at_risk, off_track, shipped)


def row_of(html: str, element_id: str) -> str:
    match = re.search(rf'<tr id="{element_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row #{element_id}"
    return re.sub(r"\s+", " ", match.group(1))


def day(today, offset: int) -> str:
    return f"{today + timedelta(days=offset):%-d %b %Y}"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_dashboard_shows_the_exact_figures_of_known_data(workspace, product, editor, viewer, superuser):
    # given
    today = timezone.localdate()
    known = build_known(product, editor=editor, viewer=viewer, today=today)
    # when
    response = staff_client(superuser).get(DASHBOARD)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    (wd,) = [w for w in response.context["dashboard"].workspaces if w.workspace == workspace]
    (pd,) = wd.products
    # roadmap items by computed confidence (done ones apart)
    assert [(c.value, c.count) for c in pd.by_confidence] == [("on_track", 2), ("at_risk", 1), ("off_track", 1)]
    assert pd.done_items == 1
    assert 'data-confidence="at_risk">At risk: <strong>1</strong>' in html
    assert 'data-confidence="off_track">Off track: <strong>1</strong>' in html
    assert 'data-confidence="on_track">On track: <strong>2</strong>' in html
    # percent of points done per item (item 1: epic A 5/10; item 2: A + B 13/20) and per release (A + B once)
    assert '50%</span> <span class="portfolio-quiet">5 of 10 points' in row_of(html, f"item-{known.item1.pk}")
    assert '65%</span> <span class="portfolio-quiet">13 of 20 points' in row_of(html, f"item-{known.item2.pk}")
    release_row = row_of(html, f"release-{known.release.pk}")
    assert '65%</span> <span class="portfolio-quiet">13 of 20 points' in release_row
    assert "<td>2</td>" in release_row  # two items ship in it
    assert "Off track" in row_of(html, f"item-{known.off_track.pk}")
    assert "It is in Now but no stories are linked to it yet." in row_of(html, f"item-{known.off_track.pk}")
    # milestones: the next 90 days, and the slipped ones (longest overdue first)
    assert [(r.milestone.name, r.days) for r in pd.upcoming] == [("Beta", 10), ("v2.0", 30)]
    assert [(r.milestone.name, r.days) for r in pd.slipped] == [("Pilot", 30), ("Audit", 7)]
    page = text(html)
    upcoming = page.split("Milestones in the next 90 days")[1].split("Milestones slipped")[0]
    slipped = page.split("Milestones slipped (past due, not reached)")[1].split("Sign-offs waiting")[0]
    assert f"Beta milestone {day(today, 10)} 10 days" in upcoming
    assert f"v2.0 release {day(today, 30)} 30 days" in upcoming
    assert "Far" not in upcoming
    assert f"Pilot milestone {day(today, -30)} 30 days Audit milestone {day(today, -7)} 7 days" in slipped
    assert "Kick-off" not in page
    # sign-offs waiting, oldest first, with the whole days waited
    assert [(r.signoff.document.title, r.waited_days) for r in pd.signoffs] == [("Checkout PRD", 5), ("Pick a PSP", 2)]
    assert re.findall(r'class="signoff-waited[^"]*">(\d+ days?)</td>', html) == ["5 days", "2 days"]
    # decisions of the last 30 days
    assert [record.title for record in pd.decisions] == ["Use Postgres"]
    assert "Use Postgres" in html and "Use Oracle" not in html
    # charts: a strip with the four dated items, a burn-up for the release
    assert html.count('class="strip__item"') == 4
    assert f'data-release="{known.release.pk}"' in html
    assert "13 of 20 points done on" in html
    assert '<title id="burnup-' in html


def test_the_dashboard_shows_jira_sync_health_per_connection(workspace, product, superuser):
    # given: a run that succeeded an hour ago, then the latest run (1 error), one open and one resolved conflict
    StoryFactory(product=product)
    rows = jira_rows(workspace, product)
    finished = timezone.now() - timedelta(hours=1)
    success = SyncRun.objects.create(
        connection=rows.connection, kind=SyncRun.Kind.PULL, status=SyncRun.Status.SUCCEEDED, finished_at=finished
    )
    SyncRun.objects.filter(pk=success.pk).update(started_at=finished - timedelta(minutes=2))
    SyncRun.objects.filter(pk=rows.run.pk).update(status=SyncRun.Status.FAILED, message="Jira answered 401.")
    Conflict.objects.create(link=rows.link, field="points", ours=3, theirs=5, status=Conflict.Status.RESOLVED)
    SyncRun.objects.create(connection=rows.connection, kind=SyncRun.Kind.DRY_RUN, status=SyncRun.Status.SUCCEEDED)
    # when
    response = staff_client(superuser).get(DASHBOARD)
    # then
    html = response.content.decode()
    (wd,) = [w for w in response.context["dashboard"].workspaces if w.workspace == workspace]
    health = wd.connection
    assert health.last_success_at == finished
    assert health.last_run.pk == rows.run.pk
    assert [error.message for error in health.errors] == ["Jira said: no."]
    assert health.open_conflicts == 1
    assert "jira-health--failed" in html
    assert f"{timezone.localtime(finished):%-d %b %Y %H:%M}" in html
    assert "Pull</a>, failed" in html
    assert "Jira answered 401." in html
    assert re.search(r'class="jira-errors">\s*1\s*<ul class="portfolio-errors"><li>ABC-43: Jira said: no.</li>', html)
    assert re.search(r'class="jira-conflicts"><a [^>]+>1</a>', html)


def test_a_workspace_without_jira_says_so(workspace, product, superuser):
    response = staff_client(superuser).get(DASHBOARD)
    assert "This workspace is not connected to Jira." in response.content.decode()


def test_a_staff_member_sees_only_their_workspaces(
    workspace, product, editor, viewer, other_workspace, other_product, outsider
):
    # given: known data in both workspaces, and a Jira connection in the other
    today = timezone.localdate()
    build_known(product, editor=editor, viewer=viewer, today=today)
    other_viewer = MembershipFactory(workspace=other_workspace, role=Role.VIEWER).user
    build_known(other_product, editor=outsider, viewer=other_viewer, today=today)
    other_item = RoadmapItemFactory(roadmap=RoadmapFactory(product=other_product), title="Globex secret plan")
    StoryFactory(product=other_product)
    jira_rows(other_workspace, other_product, site="https://globex.atlassian.net")
    # when
    response = staff_client(editor).get(DASHBOARD)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    dashboard = response.context["dashboard"]
    assert [w.workspace for w in dashboard.workspaces] == [workspace]
    assert [p.product for p in dashboard.products] == [product]
    assert "Globex" not in html
    assert other_item.title not in html
    assert "globex.atlassian.net" not in html
    assert f"product-{other_product.pk}" not in html
    assert dashboard.signoffs_waiting == 2  # this workspace's two, not the other's
    assert dashboard.decisions_made == 1


def test_a_leader_sees_only_the_workspaces_they_lead(workspace, product, other_workspace, other_product):
    # given: leadership in Acme (not staff: the role itself opens the admin), a mere viewer in Globex
    leader = MembershipFactory(workspace=workspace, role=Role.LEADERSHIP, user=UserFactory(username="lead")).user
    MembershipFactory(workspace=other_workspace, role=Role.VIEWER, user=leader)
    RoadmapItemFactory(roadmap=RoadmapFactory(product=product), title="Acme plan")
    RoadmapItemFactory(roadmap=RoadmapFactory(product=other_product), title="Globex plan")
    client = Client()
    client.force_login(leader)
    # when
    response = client.get(DASHBOARD)
    # then
    assert response.status_code == 200
    assert [w.workspace for w in response.context["dashboard"].workspaces] == [workspace]
    html = response.content.decode()
    assert "Acme plan" in html
    assert "Globex plan" not in html


def test_a_superuser_sees_every_workspace(workspace, product, other_workspace, other_product, superuser):
    response = staff_client(superuser).get(DASHBOARD)
    assert [w.workspace for w in response.context["dashboard"].workspaces] == [workspace, other_workspace]
    assert [p.product for p in response.context["dashboard"].products] == [product, other_product]


def test_a_staff_user_of_no_workspace_sees_an_empty_portfolio(product, db):
    # given
    response = staff_client(UserFactory(username="lonely")).get(DASHBOARD)
    # then
    assert response.status_code == 200
    assert response.context["dashboard"].workspaces == []
    assert "You are not a member of any workspace yet" in response.content.decode()
    assert product.name not in response.content.decode()


def test_a_non_staff_member_is_sent_to_the_admin_login(product, editor):
    # given
    client = Client()
    client.force_login(editor)
    # when
    response = client.get(DASHBOARD)
    # then
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def test_anonymous_is_sent_to_the_admin_login(db):
    response = Client().get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def test_the_admin_models_stay_listed_below_the_dashboard(product, superuser):
    html = staff_client(superuser).get(DASHBOARD).content.decode()
    assert html.index('id="portfolio-heading"') < html.index('id="admin-models"')
    assert 'href="/admin/roadmap/milestone/"' in html
    assert 'href="/admin/backlog/story/"' in html
    assert "Recent actions" in html


def portfolio(workspace, editor, viewer, count: int) -> None:
    """`count` products, each with everything the dashboard reads."""
    today = timezone.localdate()
    for n in range(count):
        product = ProductFactory(workspace=workspace, name=f"Product {n}", key=f"Q{n}")
        build_known(product, editor=editor, viewer=viewer, today=today)
        StoryFactory(product=product)
    jira_rows(workspace, product)


# Session, user, memberships, ~19 for the dashboard, the app list's permissions (2), recent actions.
QUERY_BOUND = 24


@pytest.mark.parametrize("products", [1, 8])
def test_the_dashboard_reads_a_bounded_number_of_queries(
    workspace, editor, viewer, products, django_assert_max_num_queries
):
    # given
    portfolio(workspace, editor, viewer, products)
    client = staff_client(editor)
    # when / then: the same bound for one product and for eight
    with django_assert_max_num_queries(QUERY_BOUND):
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert len(response.context["dashboard"].products) == products


def test_a_release_burnup_reads_its_stories_days(workspace, product):
    # given: epic A (a story straight under it) in items 1 and 2, epic B (a story under its feature) in
    # item 2; both items ship in the release; stories made and finished on known days
    today = timezone.localdate()
    now = timezone.now()
    epic_a, epic_b = EpicFactory(product=product), EpicFactory(product=product)
    a_done, a_open = StoryFactory(epic=epic_a, points=5), StoryFactory(epic=epic_a, points=3)
    b_done = StoryFactory(feature=FeatureFactory(epic=epic_b), points=8)
    b_open = StoryFactory(feature=b_done.feature, points=2)
    finish(a_done, product)
    finish(b_done, product)
    for story, made, finished in ((a_done, 10, 4), (a_open, 10, None), (b_done, 6, 2), (b_open, 6, None)):
        Story.objects.filter(pk=story.pk).update(
            created_at=now - timedelta(days=made),
            completed_at=now - timedelta(days=finished) if finished else None,
        )
    release = milestone_create(product=product, name="R1", date=today + timedelta(days=20), kind="release")
    roadmap = RoadmapFactory(product=product)
    RoadmapItemFactory(
        roadmap=roadmap, milestone=release, epics=[epic_a], start_date=today - timedelta(days=12),
        end_date=today + timedelta(days=15),
    )  # fmt: skip
    RoadmapItemFactory(roadmap=roadmap, milestone=release, epics=[epic_a, epic_b])
    # when
    (pd,) = portfolio_dashboard(workspace_ids=[workspace.pk]).products
    # then: each epic counted once; steps on the days the points came in and were done
    (row,) = pd.releases
    assert (row.progress.points_done, row.progress.points_total, row.progress.percent) == (13, 18, 72)
    chart = row.burnup
    assert chart.start == today - timedelta(days=12)
    assert chart.end == release.date
    assert chart.scope_steps == [(today - timedelta(days=12), 0), (today - timedelta(days=10), 8),
                                 (today - timedelta(days=6), 18)]  # fmt: skip
    assert chart.done_steps == [(today - timedelta(days=12), 0), (today - timedelta(days=4), 5),
                                (today - timedelta(days=2), 13)]  # fmt: skip


def test_a_release_without_stories_has_no_burnup(workspace, product):
    # given
    release = milestone_create(product=product, name="Empty", date=timezone.localdate(), kind="release")
    RoadmapItemFactory(roadmap=RoadmapFactory(product=product), milestone=release)
    # when
    (pd,) = portfolio_dashboard(workspace_ids=[workspace.pk]).products
    # then
    (row,) = pd.releases
    assert row.burnup is None
    assert (row.progress.percent, row.progress.points_total) == (0, 0)
