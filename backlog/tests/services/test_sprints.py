"""Sprints: valid dates, unique names, one active sprint per product, closing carries unfinished work over."""

import contextlib
import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from backlog.models import Sprint, Story
from backlog.services import sprint_close, sprint_create, sprint_start
from backlog.tests.factories import SprintFactory, StoryFactory
from core.errors import ApplicationError
from core.tests.helpers import miss_duplicate_checks

NOV_2 = datetime.date(2026, 11, 2)
NOV_13 = datetime.date(2026, 11, 13)


def test_sprint_create(product):
    # given
    # when
    sprint = sprint_create(
        product=product, name="S1", start_date=NOV_2, end_date=NOV_13, goal="Cards", capacity_points=30
    )
    # then
    stored = Sprint.objects.get(pk=sprint.pk)
    assert (stored.name, stored.state, stored.goal, stored.capacity_points) == ("S1", "planned", "Cards", 30)


def test_sprint_ending_before_it_starts_is_refused_naming_end_date(product):
    # given
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        sprint_create(product=product, name="Backwards", start_date=NOV_13, end_date=NOV_2)
    assert excinfo.value.message_dict == {"end_date": ["The sprint must end on or after its start date."]}
    assert not Sprint.objects.exists()


def test_duplicate_sprint_name_in_a_product_is_refused_naming_name(product):
    # given
    SprintFactory(product=product, name="S1")
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        sprint_create(product=product, name="S1", start_date=NOV_2, end_date=NOV_13)
    assert excinfo.value.message_dict == {"name": ["Payments already has a sprint called S1."]}
    assert Sprint.objects.filter(product=product).count() == 1


def test_a_duplicate_name_that_slips_past_the_check_is_still_a_name_error(product, monkeypatch):
    # given S1, which the service's check does not see (as when another request inserted it meanwhile)
    SprintFactory(product=product, name="S1")
    miss_duplicate_checks(monkeypatch, Sprint)
    # when / then the unique constraint refuses it, and the caller gets the same field error
    with pytest.raises(ValidationError) as excinfo:
        sprint_create(product=product, name="S1", start_date=NOV_2, end_date=NOV_13)
    assert excinfo.value.message_dict == {"name": ["Payments already has a sprint called S1."]}
    assert Sprint.objects.filter(product=product).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sprints_of_the_same_name_created_at_once_give_one_sprint_and_one_name_error(product, monkeypatch):
    # given two requests creating "S1"; a barrier holds each save until both have passed the check
    barrier = threading.Barrier(2)
    save = Sprint.save

    def save_after_both_checked(self, *args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1)
        save(self, *args, **kwargs)

    monkeypatch.setattr(Sprint, "save", save_after_both_checked)
    errors = []

    def create():
        try:
            sprint_create(product=product, name="S1", start_date=NOV_2, end_date=NOV_13)
        except ValidationError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then the second INSERT waited for the first to commit, then was refused with the field error
    assert [exc.message_dict for exc in errors] == [{"name": ["Payments already has a sprint called S1."]}]
    assert list(Sprint.objects.filter(product=product).values_list("name", flat=True)) == ["S1"]


def test_the_same_sprint_name_in_another_product_is_allowed(product, other_product):
    # given
    SprintFactory(product=product, name="S1")
    # when
    sprint = sprint_create(product=other_product, name="S1", start_date=NOV_2, end_date=NOV_13)
    # then
    assert Sprint.objects.filter(name="S1").count() == 2
    assert sprint.product == other_product


def test_sprint_start_makes_a_planned_sprint_active(product):
    # given
    sprint = SprintFactory(product=product)
    # when
    started = sprint_start(sprint=sprint)
    # then
    assert started.state == Sprint.State.ACTIVE
    assert Sprint.objects.get(pk=sprint.pk).state == Sprint.State.ACTIVE


def test_only_one_sprint_per_product_is_active(product, other_product):
    # given an active sprint in PAY, and an active one in GPAY that does not count
    sprint_start(sprint=SprintFactory(product=product, name="S1"))
    sprint_start(sprint=SprintFactory(product=other_product, name="G1"))
    second = SprintFactory(product=product, name="S2")
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        sprint_start(sprint=second)
    assert (excinfo.value.field, excinfo.value.message) == ("state", "Close S1 before starting S2.")
    assert dict(Sprint.objects.filter(product=product).values_list("name", "state")) == {
        "S1": "active",
        "S2": "planned",
    }


def test_a_closed_sprint_cannot_start_again(product):
    # given
    sprint = sprint_close(sprint=sprint_start(sprint=SprintFactory(product=product, name="S1")))
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        sprint_start(sprint=sprint)
    assert excinfo.value.message == "S1 is closed, not planned."
    assert Sprint.objects.get(pk=sprint.pk).state == Sprint.State.CLOSED


def test_closing_sends_unfinished_stories_to_the_next_sprint(product, statuses):
    # given an active sprint with a done story and two unfinished ones, and the next sprint
    current = sprint_start(sprint=SprintFactory(product=product, name="S1"))
    upcoming = SprintFactory(product=product, name="S2")
    done = StoryFactory(product=product, sprint=current, status=statuses["Done"])
    in_review = StoryFactory(product=product, sprint=current, status=statuses["In review"])
    todo = StoryFactory(product=product, sprint=current)
    elsewhere = StoryFactory(product=product)
    # when
    closed = sprint_close(sprint=current, carry_over_to=upcoming)
    # then
    assert closed.state == Sprint.State.CLOSED
    assert dict(Story.objects.values_list("pk", "sprint__name")) == {
        done.pk: "S1",
        in_review.pk: "S2",
        todo.pk: "S2",
        elsewhere.pk: None,
    }


def test_closing_without_a_next_sprint_sends_unfinished_stories_to_the_backlog(product, statuses):
    # given
    current = sprint_start(sprint=SprintFactory(product=product, name="S1"))
    done = StoryFactory(product=product, sprint=current, status=statuses["Done"])
    todo = StoryFactory(product=product, sprint=current)
    # when
    sprint_close(sprint=current)
    # then
    assert dict(Story.objects.values_list("pk", "sprint__name")) == {done.pk: "S1", todo.pk: None}


def test_carrying_over_is_recorded_in_each_storys_history(product, statuses, editor):
    # given
    current = sprint_start(sprint=SprintFactory(product=product, name="S1"))
    upcoming = SprintFactory(product=product, name="S2")
    story = StoryFactory(product=product, sprint=current)
    # when
    sprint_close(sprint=current, carry_over_to=upcoming, actor=editor)
    # then
    latest = Story.objects.get(pk=story.pk).history.first()
    assert (latest.sprint_id, latest.history_user) == (upcoming.pk, editor)


def test_only_an_active_sprint_can_be_closed(product):
    # given
    planned = SprintFactory(product=product, name="S1")
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        sprint_close(sprint=planned)
    assert excinfo.value.message == "Only an active sprint can be closed; S1 is planned."
    assert Sprint.objects.get(pk=planned.pk).state == Sprint.State.PLANNED


def test_carrying_over_to_another_products_sprint_is_refused(product, other_product):
    # given
    current = sprint_start(sprint=SprintFactory(product=product, name="S1"))
    story = StoryFactory(product=product, sprint=current)
    foreign = SprintFactory(product=other_product, name="G1")
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        sprint_close(sprint=current, carry_over_to=foreign)
    assert list(excinfo.value.message_dict) == ["carry_over_to"]
    assert Sprint.objects.get(pk=current.pk).state == Sprint.State.ACTIVE
    assert Story.objects.get(pk=story.pk).sprint == current


def test_carrying_over_to_the_closing_sprint_itself_is_refused(product):
    # given
    current = sprint_start(sprint=SprintFactory(product=product, name="S1"))
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        sprint_close(sprint=current, carry_over_to=current)
    assert list(excinfo.value.message_dict) == ["carry_over_to"]
    assert Sprint.objects.get(pk=current.pk).state == Sprint.State.ACTIVE


def test_carrying_over_to_a_closed_sprint_is_refused(product):
    # given a sprint that closed earlier, and the active one
    old = sprint_close(sprint=sprint_start(sprint=SprintFactory(product=product, name="S0")))
    current = sprint_start(sprint=SprintFactory(product=product, name="S1"))
    story = StoryFactory(product=product, sprint=current)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        sprint_close(sprint=current, carry_over_to=old)
    assert excinfo.value.message_dict == {"carry_over_to": ["S0 is closed; plan into an open sprint."]}
    assert Sprint.objects.get(pk=current.pk).state == Sprint.State.ACTIVE
    assert Story.objects.get(pk=story.pk).sprint == current
