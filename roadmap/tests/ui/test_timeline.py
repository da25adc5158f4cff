"""The timeline: its geometry, the page (SVG without JS, with a table for screen readers), milestones on it."""

import datetime
import re

import pytest
from django.urls import reverse

from backlog.selectors.progress import Progress
from roadmap import services
from roadmap.models import Milestone, RoadmapItem
from roadmap.tests.factories import RoadmapItemFactory
from roadmap.tests.helpers import items_with_work
from roadmap.timeline import LABEL_WIDTH, PERIOD_WIDTH, build_timeline
from workspaces.models import Role

D = datetime.date
TODAY = D(2026, 3, 16)


def timeline_url(product, roadmap=None, scale=None) -> str:
    url = reverse("roadmap:timeline", args=[product.pk])
    query = "&".join(part for part in (roadmap and f"roadmap={roadmap.pk}", scale and f"scale={scale}") if part)
    return f"{url}?{query}" if query else url


def item(pk, title, start=None, end=None, rank="m"):
    return RoadmapItem(pk=pk, title=title, start_date=start, end_date=end, rank=rank)


# --- geometry ------------------------------------------------------------------------------------


def test_months_lay_bars_from_start_to_the_end_of_the_end_day():
    # given
    items = [item(1, "Vault", D(2026, 2, 1), D(2026, 2, 28)), item(2, "Wallets", D(2026, 1, 1), D(2026, 1, 31))]
    # when
    t = build_timeline(items=items, progress={1: Progress(5, 10, 1, 2, 2)}, dependencies=[], milestones=[], today=TODAY)
    # then: January first (by start), a year of months, February one period wide, half done
    assert [p.label for p in t.periods][:3] == ["Jan 2026", "Feb 2026", "Mar 2026"]
    assert len(t.periods) == 12
    wallets, vault = t.bars
    assert (wallets.item.title, wallets.x, wallets.width) == ("Wallets", LABEL_WIDTH, PERIOD_WIDTH["months"])
    assert (vault.x, vault.width, vault.progress_width) == (LABEL_WIDTH + 96, 96, 48)
    assert vault.y > wallets.y
    assert t.today_x == pytest.approx(LABEL_WIDTH + 2 * 96 + 96 * 15 / 31, abs=0.1)


def test_quarters_and_an_unknown_scale():
    items = [item(1, "Vault", D(2026, 2, 10), D(2026, 8, 20))]
    t = build_timeline(items=items, progress={}, dependencies=[], milestones=[], scale="quarters", today=TODAY)
    assert [p.label for p in t.periods] == ["Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"]
    assert t.bars[0].x == pytest.approx(LABEL_WIDTH + 168 * 40 / 90, abs=0.1)
    assert (
        build_timeline(items=items, progress={}, dependencies=[], milestones=[], scale="weeks", today=TODAY).scale
        == "months"
    )


def test_items_without_both_dates_are_set_apart():
    items = [item(1, "Dated", D(2026, 1, 1), D(2026, 2, 1)), item(2, "Half", D(2026, 1, 1)), item(3, "None")]
    t = build_timeline(items=items, progress={}, dependencies=[], milestones=[], today=TODAY)
    assert [bar.item.title for bar in t.bars] == ["Dated"]
    assert [i.title for i in t.undated] == ["Half", "None"]


def test_milestones_are_marked_and_their_names_kept_apart():
    milestones = [
        Milestone(pk=1, name="Beta", date=D(2026, 2, 1)),
        Milestone(pk=2, name="GA", date=D(2026, 2, 3)),
        Milestone(pk=3, name="Later", date=D(2026, 9, 1)),
    ]
    t = build_timeline(items=[], progress={}, dependencies=[], milestones=milestones, today=TODAY)
    beta, ga, later = t.milestones
    assert t.periods[0].label == "Feb 2026"
    assert (beta.x, ga.x) == (LABEL_WIDTH, round(LABEL_WIDTH + 96 * 2 / 28, 1))
    assert beta.label_y != ga.label_y  # too close to share a row
    assert later.label_y == beta.label_y


def test_dependencies_join_the_blocker_end_to_the_blocked_start_and_late_ones_are_marked():
    items = [
        item(1, "API", D(2026, 1, 1), D(2026, 2, 28)),
        item(2, "App", D(2026, 2, 1), D(2026, 3, 31)),  # starts before the API ends: late
        item(3, "Launch", D(2026, 4, 1), D(2026, 4, 30)),
        item(4, "Undated"),
    ]
    deps = [(1, 2), (2, 3), (4, 3)]
    t = build_timeline(items=items, progress={}, dependencies=deps, milestones=[], today=TODAY)
    assert [(d.blocker.title, d.blocked.title, d.late) for d in t.dependencies] == [
        ("API", "App", True),
        ("App", "Launch", False),
    ]
    assert t.dependencies[0].path.startswith(f"M{LABEL_WIDTH + 2 * 96:.1f},")
    assert items[2].blocker_titles == ["App", "Undated"]


def test_a_far_date_does_not_draw_a_mile_wide_chart():
    items = [item(1, "Typo", D(2026, 1, 1), D(2099, 1, 1))]
    t = build_timeline(items=items, progress={}, dependencies=[], milestones=[], today=TODAY)
    assert len(t.periods) == 60
    assert t.bars[0].clipped_end


# --- the page ------------------------------------------------------------------------------------


@pytest.fixture
def planned(product, roadmap):
    """Two dated items, one depending on the other, an undated one, and a milestone."""
    api = RoadmapItemFactory(roadmap=roadmap, title="Card API", start_date=D(2026, 1, 5), end_date=D(2026, 2, 20))
    app = RoadmapItemFactory(roadmap=roadmap, title="Card app", start_date=D(2026, 3, 1), end_date=D(2026, 4, 30))
    RoadmapItemFactory(roadmap=roadmap, title="Someday idea")
    services.dependency_add(blocker=api, blocked=app)
    services.milestone_create(product=product, name="Beta launch", date=D(2026, 3, 15))
    return {"api": api, "app": app}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR])
def test_the_timeline_draws_bars_milestones_dependencies_and_a_table(
    client, product, roadmap, planned, member_factory, role
):
    client.force_login(member_factory(role))
    response = client.get(timeline_url(product))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<svg class="timeline"' in body and 'aria-labelledby="timeline-title timeline-desc"' in body
    assert '<title id="timeline-title">Timeline of Payments 2026 by month' in body
    assert "2 items drawn as bars" in body and "1 milestone as diamonds" in body and "1 dependency as lines" in body
    assert f'data-item="{planned["api"].pk}"' in body and f'data-item="{planned["app"].pk}"' in body
    assert 'class="timeline__milestone-label"' in body and ">Beta launch</text>" in body
    assert 'class="timeline__dependency"' in body and "Card app depends on Card API" in body
    assert "Not on the timeline yet" in body and "Someday idea" in body and "no dates" in body
    assert "The timeline as a table" in body
    assert "style=" not in body.split("<main", 1)[1]
    assert ("Add a milestone" in body) is (role == Role.EDITOR)


def test_quarters_are_chosen_in_the_url(client, product, roadmap, planned, viewer):
    client.force_login(viewer)
    body = client.get(timeline_url(product, roadmap, "quarters")).content.decode()
    assert ">Q1 2026</text>" in body
    assert 'scale=quarters" aria-current="page">Quarters' in body
    assert client.get(timeline_url(product, roadmap, "decades")).status_code == 200


def test_the_today_line_is_drawn_when_today_is_in_range(client, product, roadmap, viewer):
    today = datetime.date.today()
    RoadmapItemFactory(roadmap=roadmap, title="Now-ish", start_date=today, end_date=today + datetime.timedelta(days=30))
    client.force_login(viewer)
    body = client.get(timeline_url(product)).content.decode()
    assert '<g class="timeline__today">' in body and ">Today</text>" in body


def test_an_empty_timeline_says_what_to_do(client, product, viewer, roadmap):
    client.force_login(viewer)
    body = client.get(timeline_url(product)).content.decode()
    assert "Nothing dated yet" in body and "No milestones yet" in body


def test_no_roadmap_points_to_the_board(client, product, viewer):
    client.force_login(viewer)
    body = client.get(timeline_url(product)).content.decode()
    assert "No roadmap yet" in body


def test_an_htmx_request_gets_the_timeline_only(client, product, roadmap, planned, viewer):
    client.force_login(viewer)
    response = client.get(timeline_url(product), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="timeline" class="roadmap-timeline">')
    assert "<html" not in body


def test_outsiders_get_404(client, product, roadmap, planned, outsider):
    client.force_login(outsider)
    assert client.get(timeline_url(product)).status_code == 404


@pytest.mark.parametrize("count", [5, 30])
def test_the_timeline_reads_in_a_bounded_number_of_queries(
    client, product, roadmap, editor, count, django_assert_max_num_queries
):
    items = items_with_work(roadmap, count)
    for n, each in enumerate(items):
        services.roadmap_item_update(item=each, actor=None, start_date=D(2026, 1, 1 + n % 28), end_date=D(2026, 6, 1))
        if n:
            services.dependency_add(blocker=items[n - 1], blocked=each)
        services.milestone_create(product=product, name=f"M{n}", date=D(2026, 2, 1 + n % 28))
    client.force_login(editor)
    with django_assert_max_num_queries(12):
        response = client.get(timeline_url(product))
    body = response.content.decode()
    assert body.count('class="timeline__item"') == count
    assert body.count('class="timeline__dependency') == count - 1


# --- milestones ----------------------------------------------------------------------------------


def create_milestone_url(product):
    return reverse("roadmap:milestone_create", args=[product.pk])


def test_an_editor_adds_a_milestone_and_the_timeline_comes_back(client, product, roadmap, planned, editor):
    client.force_login(editor)
    data = {"name": "GA", "date": "2026-04-01", "kind": "release", "roadmap": roadmap.pk, "scale": "quarters"}
    response = client.post(create_milestone_url(product), data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="timeline"')
    assert ">GA</text>" in body and "Added the milestone GA." in body and ">Q2 2026</text>" in body
    assert Milestone.objects.get(name="GA").kind == "release"


def test_adding_a_milestone_without_js_redirects_to_the_same_view(client, product, roadmap, editor):
    client.force_login(editor)
    response = client.post(
        create_milestone_url(product),
        {"name": "GA", "date": "2026-04-01", "kind": "milestone", "roadmap": roadmap.pk, "scale": "quarters"},
    )
    assert response.status_code == 302
    assert response["Location"] == timeline_url(product, roadmap, "quarters")


def test_a_milestone_without_a_date_or_with_a_taken_name_is_422(client, product, roadmap, planned, editor):
    client.force_login(editor)
    response = client.post(
        create_milestone_url(product), {"name": "Beta launch", "date": "", "kind": "milestone"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="new-milestone-date-error">This field is required.' in body
    assert '<details class="roadmap-disclosure" id="new-milestone" open>' in body
    response = client.post(
        create_milestone_url(product),
        {"name": "Beta launch", "date": "2026-05-01", "kind": "milestone"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "Payments already has a milestone called Beta launch." in response.content.decode()
    assert Milestone.objects.count() == 1


def edit_data(milestone, **changes):
    from roadmap.forms import milestone_version

    prefix = f"milestone-{milestone.pk}"
    data = {
        f"{prefix}-version": milestone_version(milestone),
        f"{prefix}-name": milestone.name,
        f"{prefix}-date": milestone.date.isoformat(),
        f"{prefix}-kind": milestone.kind,
        f"{prefix}-description": milestone.description,
    }
    data.update({f"{prefix}-{key}": value for key, value in changes.items()})
    return data


def test_an_editor_renames_and_redates_a_milestone(client, product, roadmap, planned, editor):
    client.force_login(editor)
    milestone = Milestone.objects.get(name="Beta launch")
    url = reverse("roadmap:milestone_update", args=[product.pk, milestone.pk])
    response = client.post(url, edit_data(milestone, name="Public beta", date="2026-03-20"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    milestone.refresh_from_db()
    assert (milestone.name, milestone.date) == ("Public beta", D(2026, 3, 20))


def test_a_stale_milestone_edit_is_refused_with_409(client, product, roadmap, planned, editor):
    client.force_login(editor)
    milestone = Milestone.objects.get(name="Beta launch")
    data = edit_data(milestone, name="Mine")
    services.milestone_update(milestone=milestone, actor=None, name="Theirs")
    url = reverse("roadmap:milestone_update", args=[product.pk, milestone.pk])
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "Not saved: Theirs was changed by someone else after you opened it." in response.content.decode()
    assert ">Theirs</text>" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.name == "Theirs"


def test_an_invalid_milestone_edit_is_422_with_the_form_open(client, product, roadmap, planned, editor):
    client.force_login(editor)
    milestone = Milestone.objects.get(name="Beta launch")
    url = reverse("roadmap:milestone_update", args=[product.pk, milestone.pk])
    response = client.post(url, edit_data(milestone, date="soon"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 422
    assert f'id="id_milestone-{milestone.pk}-date-error">Enter a valid date.' in body
    assert 'class="roadmap-disclosure__panel roadmap-milestone-form"' in body


def test_the_edit_form_loads_into_the_timeline_or_opens_on_its_own_page(client, product, roadmap, planned, editor):
    client.force_login(editor)
    milestone = Milestone.objects.get(name="Beta launch")
    url = reverse("roadmap:milestone_update", args=[product.pk, milestone.pk])
    timeline = client.get(timeline_url(product)).content.decode()
    assert (
        f'hx-get="{url}?roadmap={roadmap.pk}&amp;scale=months" hx-target="#milestone-{milestone.pk}-edit"' in timeline
    )
    # htmx: the form alone, posting back into the timeline
    fragment = client.get(f"{url}?roadmap={roadmap.pk}&scale=quarters", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith(f'<form method="post" action="{url}" hx-post="{url}" hx-target="#timeline"')
    assert '<input type="hidden" name="scale" value="quarters">' in fragment
    assert 'value="Beta launch"' in fragment
    # no JS: a page with a plain form
    page = client.get(url).content.decode()
    assert "<h1>Edit Beta launch</h1>" in page and f'<form method="post" action="{url}" class=' in page


def test_an_editor_deletes_a_milestone(client, product, roadmap, planned, editor):
    client.force_login(editor)
    milestone = Milestone.objects.get(name="Beta launch")
    response = client.post(
        reverse("roadmap:milestone_delete", args=[product.pk, milestone.pk]), {"roadmap": roadmap.pk}
    )
    assert response.status_code == 302 and response["Location"] == timeline_url(product, roadmap, "months")
    assert not Milestone.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_readers_may_not_touch_milestones(client, product, planned, member_factory, role):
    client.force_login(member_factory(role))
    milestone = Milestone.objects.get()
    assert (
        client.post(create_milestone_url(product), {"name": "X", "date": "2026-01-01", "kind": "milestone"}).status_code
        == 403
    )
    assert (
        client.post(
            reverse("roadmap:milestone_update", args=[product.pk, milestone.pk]), edit_data(milestone, name="X")
        ).status_code
        == 403
    )
    assert client.post(reverse("roadmap:milestone_delete", args=[product.pk, milestone.pk])).status_code == 403
    assert list(Milestone.objects.values_list("name", flat=True)) == ["Beta launch"]


def test_a_milestone_of_another_product_is_404(client, product, other_product, editor):
    foreign = services.milestone_create(product=other_product, name="Theirs", date=D(2026, 1, 1))
    client.force_login(editor)
    assert client.post(reverse("roadmap:milestone_delete", args=[product.pk, foreign.pk])).status_code == 404
    assert client.get(reverse("roadmap:milestone_update", args=[product.pk, foreign.pk])).status_code == 404
    assert Milestone.objects.filter(pk=foreign.pk).exists()


def test_no_style_attribute_anywhere_in_the_svg(client, product, roadmap, planned, viewer):
    client.force_login(viewer)
    svg = re.search(r"<svg.*?</svg>", client.get(timeline_url(product)).content.decode(), re.S).group(0)
    assert "style=" not in svg and "<script" not in svg
