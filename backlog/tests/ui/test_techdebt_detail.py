"""A tech-debt item's page /p/<id>/backlog/tech-debt/<id>/: fields edited in place (stale saves refused),
scheduling into a sprint, deleting, review flags of its story, and comments with @mentions."""

import datetime

import pytest
from django.urls import reverse

from activity.models import Notification
from backlog.models import Story, TechDebtItem
from backlog.services import sprint_create, tech_debt_schedule, tech_debt_update
from backlog.tests.factories import EpicFactory, StoryFactory, TechDebtItemFactory
from decisions import services as decision_services
from decisions.models import ReviewFlag
from workspaces.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(product, editor) -> TechDebtItem:
    epic = EpicFactory(product=product, title="Checkout", actor=editor)
    return TechDebtItemFactory(
        product=product,
        title="No backups",
        kind="infrastructure",
        impact="critical",
        cost_of_delay=40,
        remediation_points=8,
        epic=epic,
        description="Nightly dumps **never** ran.",
        actor=editor,
    )


def page_url(product, item) -> str:
    return reverse("backlog:techdebt_detail", args=[product.pk, item.pk])


def field_url(product, item) -> str:
    return reverse("backlog:techdebt_field", args=[product.pk, item.pk])


def schedule_url(product, item) -> str:
    return reverse("backlog:techdebt_schedule", args=[product.pk, item.pk])


def delete_url(product, item) -> str:
    return reverse("backlog:techdebt_delete", args=[product.pk, item.pk])


def version(item) -> str:
    item.refresh_from_db()
    return item.updated_at.isoformat()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR])
def test_the_page_shows_every_field_to_every_member(client, product, member_factory, item, role):
    client.force_login(member_factory(role))
    response = client.get(page_url(product, item))
    body = response.content.decode()
    assert response.status_code == 200
    assert f"PAY-{item.number}</span> No backups" in body
    for text in ("Infrastructure", "Critical", "40 h/week", "8 points", "5.0 h/week saved per point", "Checkout"):
        assert text in body
    assert "<strong>never</strong>" in body  # the description as sanitized Markdown
    assert f'id="comments-techdebt-{item.pk}"' in body
    can_write = role != Role.VIEWER
    assert (f'hx-get="{field_url(product, item)}?field=cost_of_delay"' in body) is can_write
    assert ("Schedule into a sprint</button>" in body) is can_write
    assert (f'action="{delete_url(product, item)}"' in body) is (role == Role.EDITOR)


def test_the_list_links_each_title_to_its_page(client, product, viewer, item):
    client.force_login(viewer)
    body = client.get(reverse("backlog:techdebt", args=[product.pk])).content.decode()
    assert f'<a href="{page_url(product, item)}">No backups</a>' in body
    assert f'id="debt-{item.pk}"' in body


def test_htmx_edit_answers_one_field_and_a_save_swaps_the_value_back(client, product, contributor, item):
    client.force_login(contributor)
    editor = client.get(field_url(product, item), {"field": "cost_of_delay"}, HTTP_HX_REQUEST="true")
    html = editor.content.decode()
    assert editor.status_code == 200
    assert "<html" not in html and 'id="field-cost_of_delay"' in html and 'name="cost_of_delay"' in html
    response = client.post(
        f"{field_url(product, item)}?field=cost_of_delay",
        {"field": "cost_of_delay", "cost_of_delay": "55", "version": version(item)},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "55 h/week" in html and "Saved." in html
    item.refresh_from_db()
    assert item.cost_of_delay == 55


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [("kind", "security", "security"), ("impact", "low", "low"), ("remediation_points", "", None)],
)
def test_each_debt_field_saves_without_js_and_redirects_back(client, product, contributor, item, name, value, expected):
    client.force_login(contributor)
    response = client.post(
        f"{field_url(product, item)}?field={name}", {"field": name, name: value, "version": version(item)}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{page_url(product, item)}#field-{name}"
    item.refresh_from_db()
    assert getattr(item, name) == expected


def test_epic_owner_labels_and_status_save(client, product, contributor, editor, item):
    client.force_login(contributor)
    done = product.statuses.get(category="done")
    for name, value in (("epic", ""), ("owner", str(editor.pk)), ("labels", "ops, risk"), ("status", str(done.pk))):
        response = client.post(
            f"{field_url(product, item)}?field={name}",
            {"field": name, name: value, "version": version(item)},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, (name, response.content.decode())
    item.refresh_from_db()
    assert (item.epic, item.owner, item.status) == (None, editor, done)
    assert sorted(label.name for label in item.labels.all()) == ["ops", "risk"]
    body = client.get(page_url(product, item)).content.decode()
    assert "No epic" in body


def test_bad_input_is_422_next_to_the_field(client, product, contributor, item):
    client.force_login(contributor)
    data = {"field": "cost_of_delay", "cost_of_delay": "-3", "version": version(item)}
    fragment = client.post(f"{field_url(product, item)}?field=cost_of_delay", data, HTTP_HX_REQUEST="true")
    page = client.post(f"{field_url(product, item)}?field=cost_of_delay", data)
    assert fragment.status_code == 422 and page.status_code == 422
    assert 'aria-invalid="true"' in fragment.content.decode() and "<html" not in fragment.content.decode()
    assert "<html" in page.content.decode() and 'aria-invalid="true"' in page.content.decode()
    item.refresh_from_db()
    assert item.cost_of_delay == 40


def test_a_stale_save_is_refused_with_409_and_the_current_value(client, product, contributor, editor, item):
    client.force_login(contributor)
    stale = version(item)
    tech_debt_update(item=item, actor=editor, cost_of_delay=70)
    response = client.post(
        f"{field_url(product, item)}?field=cost_of_delay",
        {"field": "cost_of_delay", "cost_of_delay": "12", "version": stale},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "changed this tech-debt item since you opened it" in html
    assert 'value="70"' in html and ">12</pre>" in html
    item.refresh_from_db()
    assert item.cost_of_delay == 70
    # without JS: the whole page, same refusal
    page = client.post(
        f"{field_url(product, item)}?field=cost_of_delay",
        {"field": "cost_of_delay", "cost_of_delay": "12", "version": stale},
    )
    assert page.status_code == 409 and "<html" in page.content.decode()


def test_the_no_js_edit_link_opens_the_editor_in_the_page(client, product, contributor, viewer, item):
    client.force_login(contributor)
    redirect = client.get(field_url(product, item), {"field": "impact"})
    assert redirect.status_code == 302 and redirect["Location"].endswith("?edit=impact#field-impact")
    assert 'name="impact"' in client.get(page_url(product, item), {"edit": "impact"}).content.decode()
    client.force_login(viewer)
    assert 'name="impact"' not in client.get(page_url(product, item), {"edit": "impact"}).content.decode()


def test_a_viewer_cannot_write(client, product, viewer, item):
    client.force_login(viewer)
    data = {"field": "title", "title": "Hacked", "version": version(item)}
    response = client.post(f"{field_url(product, item)}?field=title", data)
    assert response.status_code == 403
    assert "needs the contributor role" in response.content.decode()
    assert client.post(schedule_url(product, item), {"sprint": "none"}).status_code == 403
    assert client.post(delete_url(product, item)).status_code == 403
    item.refresh_from_db()
    assert item.title == "No backups" and item.remediation_story is None


def test_scheduling_makes_the_story_and_links_to_it(client, product, contributor, item):
    sprint = sprint_create(
        product=product,
        actor=None,
        name="Sprint 7",
        start_date=datetime.date(2030, 1, 1),
        end_date=datetime.date(2030, 1, 14),
    )
    client.force_login(contributor)
    response = client.post(schedule_url(product, item), {"sprint": str(sprint.pk)}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    item.refresh_from_db()
    story = item.remediation_story
    assert response.status_code == 200 and "<html" not in html
    assert (story.title, story.sprint, story.points) == ("Pay off: No backups", sprint, 8)
    assert reverse("backlog:story_detail", args=[product.pk, story.pk]) in html and "Sprint 7" in html
    # again (another tab): 409 with the story it already has, no second story
    again = client.post(schedule_url(product, item), {"sprint": "none"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 409 and "already scheduled" in again.content.decode()
    assert Story.objects.filter(title="Pay off: No backups").count() == 1


def test_scheduling_without_js_redirects_and_a_bad_sprint_is_422(client, product, contributor, item):
    client.force_login(contributor)
    bad = client.post(schedule_url(product, item), {"sprint": "999999"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.content.decode()
    ok = client.post(schedule_url(product, item), {"sprint": "none"})
    assert ok.status_code == 302 and ok["Location"] == f"{page_url(product, item)}#schedule"
    item.refresh_from_db()
    assert item.remediation_story.sprint is None


def test_an_editor_deletes_a_contributor_may_not(client, product, contributor, editor, item):
    client.force_login(contributor)
    refused = client.post(delete_url(product, item))
    assert refused.status_code == 403 and "needs the editor role" in refused.content.decode()
    client.force_login(editor)
    response = client.post(delete_url(product, item), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("backlog:techdebt", args=[product.pk])
    assert not TechDebtItem.objects.filter(pk=item.pk).exists()


def test_open_flags_of_the_remediation_story_show_with_a_clear_form(client, product, contributor, editor, item):
    story = tech_debt_schedule(item=item, actor=editor)
    from decisions.tests.factories import PRDFactory

    requirement = decision_services.requirement_create(
        prd=PRDFactory(product=product, actor=editor), actor=editor, title="Backups"
    )
    decision_services.requirement_link(requirement=requirement, stories=[story])
    decision_services.requirement_update(requirement=requirement, actor=editor, title="Backups every hour")
    assert ReviewFlag.objects.open().filter(story=story).exists()
    client.force_login(contributor)
    body = client.get(page_url(product, item)).content.decode()
    assert "Needs re-review" in body and "is flagged for re-review" in body
    assert "Clear flag" in body


def test_an_outsider_gets_404_and_nothing_changes(client, product, outsider, other_product, item):
    client.force_login(outsider)
    data = {"field": "title", "title": "Hacked", "version": version(item)}
    for product_id in (product.pk, other_product.pk):
        args = [product_id, item.pk]
        assert client.get(reverse("backlog:techdebt_detail", args=args)).status_code == 404
        assert client.post(f"{reverse('backlog:techdebt_field', args=args)}?field=title", data).status_code == 404
        assert client.post(reverse("backlog:techdebt_schedule", args=args), {"sprint": "none"}).status_code == 404
        assert client.post(reverse("backlog:techdebt_delete", args=args)).status_code == 404
    item.refresh_from_db()
    assert item.title == "No backups" and item.remediation_story is None


def test_a_wrong_method_is_405_here_and_404_on_a_foreign_id(client, product, contributor, outsider, item):
    client.force_login(contributor)
    assert client.post(page_url(product, item)).status_code == 405
    assert client.get(schedule_url(product, item)).status_code == 405
    client.force_login(outsider)
    assert client.put(page_url(product, item)).status_code == 404
    assert client.get(schedule_url(product, item)).status_code == 404


def test_htmx_cancel_answers_the_value_only(client, product, contributor, item):
    client.force_login(contributor)
    response = client.get(field_url(product, item), {"field": "epic", "cancel": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div class="item-field item-field--epic" id="field-epic">')
    assert "<html" not in html and "Checkout" in html


def test_a_mention_in_a_comment_on_the_page_notifies_the_member(client, product, viewer, editor, item):
    client.force_login(viewer)
    page = client.get(page_url(product, item)).content.decode()
    post_url = reverse("activity:comments_techdebt", args=[product.pk, item.pk])
    assert f'action="{post_url}"' in page
    response = client.post(post_url, {"body": "@eddie is this worth 40 h?", "next": page_url(product, item)})
    assert response.status_code == 302
    assert response["Location"] == f"{page_url(product, item)}#comments-techdebt-{item.pk}"
    notification = Notification.objects.get(recipient=editor)
    assert notification.kind == Notification.Kind.MENTION
    assert '<span class="mention">@eddie</span>' in client.get(page_url(product, item)).content.decode()


@pytest.mark.parametrize("size", [1, 12])
def test_the_page_reads_in_a_bounded_number_of_queries(
    client, product, contributor, editor, item, size, django_assert_max_num_queries
):
    from activity.services import comment_create

    for n in range(size):
        comment_create(workspace=product.workspace, target=item, author=editor, body=f"Note {n} @cora")
    tech_debt_update(item=item, actor=editor, labels=[f"label-{n}" for n in range(size)])
    for n in range(size):
        StoryFactory(product=product, actor=editor, title=f"Other {n}")
    client.force_login(contributor)
    with django_assert_max_num_queries(11):
        response = client.get(page_url(product, item))
    assert response.status_code == 200
    tech_debt_schedule(item=item, actor=editor)
    with django_assert_max_num_queries(11):
        assert client.get(page_url(product, item)).status_code == 200
