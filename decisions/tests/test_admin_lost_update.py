"""Two people saving the same PRD in the admin (or one in the admin and one in the app): the second save is
refused with a message on the form that says who published what, keeps what was entered, and the first
change stays intact."""

from __future__ import annotations

import pytest

from core.tests.admin_forms import admin_client, change_form_data
from decisions.models import PRD
from decisions.services import prd_update, requirement_create, requirement_update
from decisions.tests.factories import PRDFactory
from decisions.tests.helpers import edited_sections

pytestmark = pytest.mark.django_db


@pytest.fixture
def prd(product, editor) -> PRD:
    return PRDFactory(product=product, actor=editor, title="Checkout v2")


def change_url(prd: PRD) -> str:
    return f"/admin/decisions/prd/{prd.pk}/change/"


def section_body_key(data: dict, title: str) -> str:
    """The form name of the body of the section called `title` in the admin's sections inline."""
    key = next(key for key, value in data.items() if key.endswith("-title") and value == title)
    return f"{key.removesuffix('-title')}-body"


def problem_body(prd: PRD) -> str:
    return prd.sections.get(kind="problem").body


def test_the_second_of_two_admin_saves_is_refused_with_the_version_the_first_published(prd):
    # given: A and B open the PRD's change page
    a, b = admin_client("ana", "Ana"), admin_client("ben", "Ben")
    page_a, page_b = a.get(change_url(prd)), b.get(change_url(prd))
    problem = prd.sections.get(kind="problem").title
    data_a = change_form_data(page_a)
    data_a[section_body_key(data_a, problem)] = "Ana: checkout drops mobile users."
    # when: A saves a section, then B saves a new title from the page B loaded
    first = a.post(change_url(prd), data_a)
    second = b.post(change_url(prd), change_form_data(page_b, title="Checkout 2.0"))
    # then
    assert first.status_code == 302
    assert second.status_code == 200
    [error] = second.context["adminform"].form.non_field_errors()
    assert error.startswith("Ana Keller changed this PRD at ")
    assert f"They saved: version 2, changing the sections “{problem}”." in error
    assert "What you entered is still in the form" in error
    assert 'value="Checkout 2.0"' in second.content.decode()
    prd.refresh_from_db()
    assert (prd.title, problem_body(prd), prd.versions.count()) == (
        "Checkout v2",
        "Ana: checkout drops mobile users.",
        2,
    )


def test_a_section_saved_in_the_app_meanwhile_is_not_overwritten_by_the_stale_admin_page(prd, editor):
    # given: the admin page shows the PRD; then the section is saved in the app
    client = admin_client("ana", "Ana")
    page = client.get(change_url(prd))
    prd_update(prd=prd, actor=editor, sections=edited_sections(prd, problem="From the app"), change_note="App")
    # when: the admin saves the page as it loaded it, with another title
    response = client.post(change_url(prd), change_form_data(page, title="Checkout 2.0"))
    # then
    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    assert error.startswith(f"{editor.get_full_name()} changed this PRD at ")
    assert problem_body(PRD.objects.get(pk=prd.pk)) == "From the app"
    assert PRD.objects.get(pk=prd.pk).title == "Checkout v2"


def test_a_requirement_changed_meanwhile_is_named_in_the_refusal(prd, editor):
    requirement = requirement_create(prd=prd, actor=editor, title="Refunds")
    client = admin_client("ana", "Ana")
    page = client.get(change_url(prd))
    requirement_update(requirement=requirement, actor=editor, title="Refunds in 3 days")
    response = client.post(change_url(prd), change_form_data(page, title="Checkout 2.0"))
    [error] = response.context["adminform"].form.non_field_errors()
    assert f"changing the requirements {requirement.key}" in error
    requirement.refresh_from_db()
    assert requirement.title == "Refunds in 3 days"


def test_saving_again_after_the_refusal_replaces_theirs_on_purpose_and_a_fresh_page_saves(prd, editor):
    client = admin_client("ana", "Ana")
    page = client.get(change_url(prd))
    prd_update(prd=prd, actor=editor, title="Checkout v3")
    refused = client.post(change_url(prd), change_form_data(page, title="Checkout 2.0"))
    assert refused.status_code == 200
    again = client.post(change_url(prd), change_form_data(refused, title="Checkout 2.0"))
    assert again.status_code == 302
    assert PRD.objects.get(pk=prd.pk).title == "Checkout 2.0"


def test_a_requirement_changed_in_the_app_refuses_its_stale_admin_change_page(prd, editor):
    # given: the requirement's admin page is open; its title is then changed in the app
    requirement = requirement_create(prd=prd, actor=editor, title="Refunds")
    client = admin_client("ana", "Ana")
    url = f"/admin/decisions/requirement/{requirement.pk}/change/"
    page = client.get(url)
    requirement_update(requirement=requirement, actor=editor, title="Refunds in 3 days")
    # when
    response = client.post(url, change_form_data(page, description="Admin details"))
    # then
    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    assert error.startswith(f"{editor.get_full_name()} changed this requirement at ")
    assert "They saved: Title: “Refunds in 3 days”." in error
    requirement.refresh_from_db()
    assert (requirement.title, requirement.description) == ("Refunds in 3 days", "")
