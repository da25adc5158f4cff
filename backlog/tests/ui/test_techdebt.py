"""Tech debt /p/<id>/backlog/tech-debt/: the list by cost of delay or rank, created and edited in place."""

import re

import pytest
from django.urls import reverse

from backlog.models import TechDebtItem
from backlog.services import tech_debt_update
from backlog.tests.factories import EpicFactory, TechDebtItemFactory
from workspaces.models import Role


def list_url(product) -> str:
    return reverse("backlog:techdebt", args=[product.pk])


def edit_url(product, item) -> str:
    return reverse("backlog:techdebt_edit", args=[product.pk, item.pk])


def titles(body: str) -> list[str]:
    return re.findall(r'<td class="key">PAY-\d+</td>\s*<td>(?:<a [^>]*>)?([\w ]+)', body)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_the_list_is_sorted_by_cost_of_delay_or_rank(client, product, member_factory, role):
    # given
    for title, cost in (("Flaky tests", 4), ("Old ORM", 12), ("No backups", 40)):
        TechDebtItemFactory(product=product, title=title, cost_of_delay=cost)
    client.force_login(member_factory(role))
    # when
    by_cost = client.get(list_url(product)).content.decode()
    by_rank = client.get(list_url(product), {"sort": "rank"}).content.decode()
    # then
    assert titles(by_cost) == ["No backups", "Old ORM", "Flaky tests"]
    assert titles(by_rank) == ["Flaky tests", "Old ORM", "No backups"]
    assert "40 h/week" in by_cost
    assert ("Add tech debt" in by_cost) is (role != Role.VIEWER)


def test_an_empty_list_says_what_to_do(client, product, contributor):
    client.force_login(contributor)
    assert "No tech debt recorded" in client.get(list_url(product)).content.decode()


def test_htmx_sorting_answers_the_fragment(client, product, viewer):
    TechDebtItemFactory(product=product)
    client.force_login(viewer)
    response = client.get(list_url(product), {"sort": "rank"}, HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith('<div id="techdebt-body">')
    assert "<html" not in response.content.decode()


def test_a_contributor_records_debt_and_the_form_stays_open(client, product, contributor):
    epic = EpicFactory(product=product)
    client.force_login(contributor)
    response = client.post(
        list_url(product),
        {
            "title": "No backups",
            "kind": "infrastructure",
            "impact": "critical",
            "cost_of_delay": "40",
            "remediation_points": "8",
            "epic": epic.pk,
            "description": "",
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    item = TechDebtItem.objects.get(product=product)
    assert (item.title, item.kind, item.cost_of_delay, item.epic) == ("No backups", "infrastructure", 40, epic)
    assert 'id="debt-create" open' in body and "Added" in body


def test_bad_debt_input_is_refused_next_to_the_field(client, product, contributor):
    client.force_login(contributor)
    response = client.post(
        list_url(product), {"title": "", "kind": "code", "impact": "low", "cost_of_delay": "-1"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "This field is required." in body and "greater than or equal to 0" in body
    assert not TechDebtItem.objects.exists()


def test_a_row_is_edited_in_place_and_a_stale_save_is_409(client, product, contributor, editor):
    item = TechDebtItemFactory(product=product, title="Old ORM", cost_of_delay=6)
    client.force_login(contributor)
    # the editor opens
    response = client.get(edit_url(product, item), HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith(f'<tbody id="debt-{item.pk}">')
    item.refresh_from_db()
    data = {
        "title": "Old ORM",
        "kind": "code",
        "impact": "high",
        "cost_of_delay": "9",
        "version": item.updated_at.isoformat(),
    }
    # save
    response = client.post(edit_url(product, item), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Saved." in response.content.decode()
    item.refresh_from_db()
    assert (item.impact, item.cost_of_delay) == ("high", 9)
    # someone else saves; the old version is refused
    tech_debt_update(item=item, actor=editor, cost_of_delay=20)
    response = client.post(edit_url(product, item), {**data, "cost_of_delay": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "since you opened it" in response.content.decode() and 'value="20"' in response.content.decode()
    assert TechDebtItem.objects.get(pk=item.pk).cost_of_delay == 20
    # bad input
    item.refresh_from_db()
    response = client.post(
        edit_url(product, item), {**data, "title": "", "version": item.updated_at.isoformat()}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422


def test_without_javascript_edit_opens_the_row_on_the_list(client, product, contributor):
    item = TechDebtItemFactory(product=product)
    client.force_login(contributor)
    response = client.get(edit_url(product, item))
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert f'action="{edit_url(product, item)}"' in body


def test_roles_and_products_guard_the_debt(client, product, other_product, viewer, outsider):
    item = TechDebtItemFactory(product=product, title="Keep")
    foreign = TechDebtItemFactory(product=other_product)
    client.force_login(viewer)
    assert (
        client.post(list_url(product), {"title": "x", "kind": "code", "impact": "low", "cost_of_delay": 1}).status_code
        == 403
    )
    assert client.post(edit_url(product, item), {"title": "x"}).status_code == 403
    assert client.get(edit_url(product, foreign)).status_code == 404
    client.force_login(outsider)
    assert client.get(list_url(product)).status_code == 404
    assert TechDebtItem.objects.get(pk=item.pk).title == "Keep"


def test_the_list_runs_a_fixed_number_of_queries(client, product, contributor, django_assert_max_num_queries):
    epic = EpicFactory(product=product)
    client.force_login(contributor)
    TechDebtItemFactory(product=product, epic=epic)
    with django_assert_max_num_queries(12) as small:
        assert client.get(list_url(product)).status_code == 200
    for _ in range(20):
        TechDebtItemFactory(product=product, epic=epic)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(list_url(product)).status_code == 200
