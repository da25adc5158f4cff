"""Two people editing the same story in the browser: whichever door they use (a field editor, an acceptance
criterion, a card on the board, sprint planning), the second save made from an older page is refused with a
message in words that shows what the first person saved, what the second typed is kept, and the first change
stays intact."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from backlog import services
from backlog.models import AcceptanceCriterion, Story
from backlog.tests.factories import SprintFactory, StoryFactory
from workspaces.models import Role


def url(name: str, product, *args) -> str:
    return reverse(f"backlog:{name}", args=[product.pk, *args])


def opened_version(client, product, story, field: str) -> str:
    """Open the field's editor as the page does (htmx) and read the version it carries."""
    body = client.get(url("story_edit", product, story.pk), {"field": field}, HTTP_HX_REQUEST="true").content.decode()
    return re.search(r'name="version" value="([^"]+)"', body).group(1)


def text_of(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def story(product, editor) -> Story:
    return StoryFactory(product=product, title="Refund by card", actor=editor, acceptance_criteria=["Paid"])


@pytest.fixture
def ana(member_factory):
    return member_factory(Role.CONTRIBUTOR, user__first_name="Ana", user__last_name="Silva")


# --- The field editors ---------------------------------------------------------------------------------


def test_two_people_edit_the_title_the_second_is_refused_and_keeps_their_text(client, product, story, ana, contributor):
    # given: A and B both open the title's editor
    a = client
    a.force_login(ana)
    version_a = opened_version(a, product, story, "title")
    b = Client()
    b.force_login(contributor)
    version_b = opened_version(b, product, story, "title")
    # when: A saves, then B saves
    first = a.post(
        url("story_edit", product, story.pk),
        {"field": "title", "title": "Refund to the card used", "version": version_a},
        HTTP_HX_REQUEST="true",
    )
    second = b.post(
        url("story_edit", product, story.pk),
        {"field": "title", "title": "Refund in cash", "version": version_b},
        HTTP_HX_REQUEST="true",
    )
    # then: B gets 409 with A's name and value, and B's own text
    assert first.status_code == 200
    assert second.status_code == 409
    words = text_of(second)
    assert "Ana Silva changed this story since you opened it; here is the current value." in words
    assert "They saved: Title: “Refund to the card used”." in words
    assert 'value="Refund to the card used"' in second.content.decode()  # the editor holds A's value now
    assert "What you wrote:" in words and "Refund in cash" in words
    assert Story.objects.get(pk=story.pk).title == "Refund to the card used"


def test_a_conflict_on_a_choice_shows_what_you_chose_in_words(client, product, story, ana, contributor, statuses):
    client.force_login(contributor)
    stale = opened_version(client, product, story, "status")
    services.story_update(story=story, actor=ana, points=5)
    response = client.post(
        url("story_edit", product, story.pk),
        {"field": "status", "status": statuses["Done"].pk, "version": stale},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    mine = re.search(r'<pre class="conflict__mine">([^<]*)</pre>', response.content.decode()).group(1)
    assert mine == "Done"
    assert "They saved: Points: “5”." in text_of(response)  # what changed, even in another field
    assert Story.objects.get(pk=story.pk).status.name == "To do"


# --- Acceptance criteria -----------------------------------------------------------------------------


def criterion_version(client, product, criterion) -> str:
    body = client.get(url("criterion_edit", product, criterion.pk), HTTP_HX_REQUEST="true").content.decode()
    return re.search(r'name="version" value="([^"]+)"', body).group(1)


def test_two_people_reword_a_criterion_the_second_is_refused_with_the_current_wording(
    client, product, story, ana, contributor
):
    criterion = AcceptanceCriterion.objects.get(story=story)
    a, b = client, Client()
    a.force_login(ana)
    b.force_login(contributor)
    version_a, version_b = criterion_version(a, product, criterion), criterion_version(b, product, criterion)
    # when
    first = a.post(
        url("criterion_edit", product, criterion.pk),
        {"text": "Paid in full", "version": version_a},
        HTTP_HX_REQUEST="true",
    )
    second = b.post(
        url("criterion_edit", product, criterion.pk),
        {"text": "Paid by card", "version": version_b},
        HTTP_HX_REQUEST="true",
    )
    # then
    assert first.status_code == 200
    assert second.status_code == 409
    words = text_of(second)
    assert "Someone else changed this criterion since you opened it; your text was not saved." in words
    assert "It now reads: “Paid in full”." in words
    assert ">Paid by card</textarea>" in second.content.decode() or 'value="Paid by card"' in second.content.decode()
    assert "Save mine anyway" in words
    assert AcceptanceCriterion.objects.get(pk=criterion.pk).text == "Paid in full"
    # and saving the refused editor again replaces it on purpose
    version_now = re.search(r'name="version" value="([^"]+)"', second.content.decode()).group(1)
    again = b.post(
        url("criterion_edit", product, criterion.pk),
        {"text": "Paid by card", "version": version_now},
        HTTP_HX_REQUEST="true",
    )
    assert again.status_code == 200
    assert AcceptanceCriterion.objects.get(pk=criterion.pk).text == "Paid by card"


def test_a_criterion_save_without_a_version_is_treated_as_stale(client, product, story, contributor):
    criterion = AcceptanceCriterion.objects.get(story=story)
    client.force_login(contributor)
    response = client.post(url("criterion_edit", product, criterion.pk), {"text": "Blind"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert AcceptanceCriterion.objects.get(pk=criterion.pk).text == "Paid"


def test_a_stale_criterion_save_without_javascript_answers_the_page_with_409(client, product, story, ana, contributor):
    criterion = AcceptanceCriterion.objects.get(story=story)
    client.force_login(contributor)
    stale = criterion_version(client, product, criterion)
    services.criterion_update(criterion=criterion, actor=ana, text="Paid in full")
    response = client.post(url("criterion_edit", product, criterion.pk), {"text": "Mine", "version": stale})
    assert response.status_code == 409
    assert "<html" in response.content.decode() and "It now reads: “Paid in full”." in text_of(response)


# --- The board and sprint planning -------------------------------------------------------------------


def test_a_card_moved_by_someone_else_is_not_dragged_back_from_an_old_board(
    client, product, story, ana, contributor, statuses
):
    # given: B's board shows the story in To do; A moves it to In progress
    services.story_set_status(story=story, actor=ana, status=statuses["In progress"])
    client.force_login(contributor)
    # when: B drops the card from To do into Done
    response = client.post(
        url("board_move", product),
        {"item": story.pk, "list": statuses["Done"].pk, "from_list": statuses["To do"].pk},
        HTTP_HX_REQUEST="true",
    )
    # then
    assert response.status_code == 409
    words = text_of(response)
    assert f"{story.key} was not moved: Ana Silva moved it to In progress after this page was loaded" in words
    assert Story.objects.get(pk=story.pk).status == statuses["In progress"]


def test_a_card_where_the_board_showed_it_still_moves(client, product, story, contributor, statuses):
    client.force_login(contributor)
    response = client.post(
        url("board_move", product),
        {"item": story.pk, "list": statuses["Done"].pk, "from_list": statuses["To do"].pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert Story.objects.get(pk=story.pk).status == statuses["Done"]


def test_planning_does_not_take_a_story_out_of_the_sprint_someone_planned_it_into(
    client, product, story, ana, contributor, editor
):
    # given: B's planning page of sprint 8 shows the story in the backlog; A plans it into sprint 7
    sprint_7 = SprintFactory(product=product, name="Sprint 7")
    sprint_8 = SprintFactory(product=product, name="Sprint 8")
    services.stories_set_sprint(product=product, actor=ana, story_ids=[story.pk], sprint=sprint_7)
    client.force_login(editor)
    # when: B drags it from the backlog into sprint 8
    response = client.post(
        url("sprint_planning_move", product, sprint_8.pk),
        {"item": story.pk, "list": "sprint", "from_list": "backlog"},
        HTTP_HX_REQUEST="true",
    )
    # then
    assert response.status_code == 409
    assert f"{story.key} was not moved: Ana Silva moved it into Sprint 7 after this page was loaded" in text_of(
        response
    )
    assert Story.objects.get(pk=story.pk).sprint == sprint_7
