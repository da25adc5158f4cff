"""Two people saving the same story in the admin: the second save is refused with a message on the form
that says who changed what, keeps what the second person entered, and leaves the first change intact."""

from __future__ import annotations

import pytest

from backlog import services
from backlog.models import AcceptanceCriterion, Story
from backlog.tests.factories import StoryFactory
from core.tests.admin_forms import admin_client, change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(product, editor) -> Story:
    return StoryFactory(product=product, title="Refund by card", points=3, actor=editor, acceptance_criteria=["Paid"])


def change_url(story: Story) -> str:
    return f"/admin/backlog/story/{story.pk}/change/"


def test_the_second_of_two_admin_saves_is_refused_with_what_the_first_saved(story):
    # given: A and B open the story's change page
    a, b = admin_client("ana", "Ana"), admin_client("ben", "Ben")
    page_a, page_b = a.get(change_url(story)), b.get(change_url(story))
    assert 'name="loaded_version"' in page_a.content.decode()
    # when: A saves, then B saves what B loaded with other changes
    first = a.post(change_url(story), change_form_data(page_a, title="Refund to the card used"))
    second = b.post(change_url(story), change_form_data(page_b, title="Refund in cash", points="8"))
    # then: A's save went through, B's is refused on the form with A's change in words
    assert first.status_code == 302
    assert second.status_code == 200
    errors = second.context["adminform"].form.non_field_errors()
    assert len(errors) == 1
    assert errors[0].startswith("Ana Keller changed this story at ")
    assert "so your changes were not saved" in errors[0]
    assert "They saved: Title: “Refund to the card used”." in errors[0]
    html = second.content.decode()
    assert "Refund in cash" in html  # what B typed is still in the form
    story.refresh_from_db()
    assert (story.title, story.points) == ("Refund to the card used", 3)


def test_saving_again_after_the_refusal_replaces_theirs_on_purpose(story):
    a, b = admin_client("ana", "Ana"), admin_client("ben", "Ben")
    page_a, page_b = a.get(change_url(story)), b.get(change_url(story))
    a.post(change_url(story), change_form_data(page_a, title="A's title"))
    refused = b.post(change_url(story), change_form_data(page_b, title="B's title"))
    # when: B saves the refused form again (its version now the current one)
    again = b.post(change_url(story), change_form_data(refused, title="B's title"))
    # then
    assert again.status_code == 302
    assert Story.objects.get(pk=story.pk).title == "B's title"


def test_a_change_made_in_the_app_meanwhile_also_refuses_the_admin_save(story, editor):
    client = admin_client("ana", "Ana")
    page = client.get(change_url(story))
    services.story_update(story=story, actor=editor, points=13)
    response = client.post(change_url(story), change_form_data(page, title="Admin title"))
    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    assert error.startswith(f"{editor.get_full_name()} changed this story at ")
    assert "They saved: Points: “13”." in error
    assert Story.objects.get(pk=story.pk).title == "Refund by card"


def test_a_criterion_changed_meanwhile_refuses_the_save_of_the_stale_inline(story, editor):
    # given: the admin page shows the criterion "Paid"; someone rewords it in the app
    client = admin_client("ana", "Ana")
    page = client.get(change_url(story))
    criterion = AcceptanceCriterion.objects.get(story=story)
    services.criterion_update(criterion=criterion, actor=editor, text="Paid in full")
    # when: the admin saves the page as loaded (the old text would overwrite the new one)
    response = client.post(change_url(story), change_form_data(page, title="Admin title"))
    # then
    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    assert "acceptance criteria" in error
    assert AcceptanceCriterion.objects.get(pk=criterion.pk).text == "Paid in full"


def test_a_save_from_a_fresh_page_goes_through(story):
    client = admin_client("ana", "Ana")
    page = client.get(change_url(story))
    response = client.post(change_url(story), change_form_data(page, title="Fresh"))
    assert response.status_code == 302
    assert Story.objects.get(pk=story.pk).title == "Fresh"


def test_a_criterion_reworded_meanwhile_refuses_its_stale_admin_change_page(story, editor):
    criterion = AcceptanceCriterion.objects.get(story=story)
    client = admin_client("ana", "Ana")
    url = f"/admin/backlog/acceptancecriterion/{criterion.pk}/change/"
    page = client.get(url)
    services.criterion_update(criterion=criterion, actor=editor, text="Paid in full")
    response = client.post(url, change_form_data(page, is_met="on"))
    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    assert "changed this acceptance criterion" in error and "your changes were not saved" in error
    criterion.refresh_from_db()
    assert (criterion.text, criterion.is_met) == ("Paid in full", False)
