"""save_or_field_error: a duplicate the services' checks missed is a field error, not a server error; and
delete_in_batches."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from backlog.models import Sprint
from core.db import delete_in_batches, save_or_field_error, save_or_field_errors, violated_constraint
from core.errors import ApplicationError
from workspaces.models import Product, Workspace
from workspaces.tests.factories import WorkspaceFactory

NOV_2 = datetime.date(2026, 11, 2)
NOV_13 = datetime.date(2026, 11, 13)
SPRINT_NAME = "sprint_unique_name_per_product"


def a_sprint(product, name="S1", start=NOV_2, end=NOV_13) -> Sprint:
    return Sprint(product=product, name=name, start_date=start, end_date=end)


def test_a_duplicate_becomes_a_validation_error_on_the_field_and_the_transaction_goes_on(product):
    # given a sprint S1 already in the product
    a_sprint(product).save()
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        save_or_field_error(a_sprint(product), constraint=SPRINT_NAME, field="name", message="Taken.")
    assert excinfo.value.message_dict == {"name": ["Taken."]}
    # the savepoint rolled back only the failed INSERT: the surrounding transaction still works
    assert list(Sprint.objects.values_list("name", flat=True)) == ["S1"]


def test_a_new_row_is_saved(product):
    # given
    sprint = a_sprint(product, name="S2")
    # when
    save_or_field_error(sprint, constraint=SPRINT_NAME, field="name", message="Taken.")
    # then
    assert Sprint.objects.get(pk=sprint.pk).name == "S2"


def test_raise_as_application_error_names_the_field(product):
    # given
    a_sprint(product).save()
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        save_or_field_error(
            a_sprint(product), constraint=SPRINT_NAME, field="name", message="Taken.", raise_as=ApplicationError
        )
    assert (excinfo.value.field, excinfo.value.message) == ("name", "Taken.")


def test_a_unique_field_counts_as_a_constraint(workspace):
    # given the Acme workspace; another with its address
    twin = Workspace(name="Twin", slug=workspace.slug)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        save_or_field_error(twin, constraint="slug", field="slug", message="Address taken.")
    assert excinfo.value.message_dict == {"slug": ["Address taken."]}
    assert Workspace.objects.count() == 1


def test_each_constraint_gives_its_own_field(product):
    # given a product with the same key as Payments (PAY) but another name
    twin = Product(workspace=product.workspace, name="Other", key="PAY")
    errors = {
        "product_unique_key_per_workspace": ("key", "Key taken."),
        "product_unique_name_per_workspace": ("name", "Name taken."),
    }
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        save_or_field_errors(twin, errors)
    assert excinfo.value.message_dict == {"key": ["Key taken."]}


def test_another_constraints_violation_is_raised_as_it_is(product):
    # given a product that clashes on its key, while the caller only expects name clashes
    twin = Product(workspace=product.workspace, name="Other", key="PAY")
    # when / then
    with pytest.raises(IntegrityError):
        save_or_field_error(twin, constraint="product_unique_name_per_workspace", field="name", message="Name taken.")
    assert Product.objects.filter(workspace=product.workspace).count() == 1


def test_a_check_constraint_violation_is_raised_as_it_is(product):
    # given a sprint that ends before it starts (no full_clean: only the database checks)
    backwards = a_sprint(product, start=NOV_13, end=NOV_2)
    # when / then
    with pytest.raises(IntegrityError):
        save_or_field_error(backwards, constraint=SPRINT_NAME, field="name", message="Taken.")
    assert not Sprint.objects.exists()


def test_an_unknown_constraint_is_a_programming_error_and_nothing_is_saved(product):
    # given
    sprint = a_sprint(product)
    # when / then
    with pytest.raises(ValueError) as excinfo:
        save_or_field_error(sprint, constraint="sprint_unique_goal", field="goal", message="Taken.")
    assert str(excinfo.value) == "Sprint has no unique constraint or field called 'sprint_unique_goal'."
    assert not Sprint.objects.exists()


def test_a_field_that_is_not_unique_is_refused(product):
    # given / when / then
    with pytest.raises(ValueError) as excinfo:
        save_or_field_error(a_sprint(product), constraint="name", field="name", message="Taken.")
    assert str(excinfo.value) == "Sprint.name is not a unique field."


def test_sqlite_messages_are_matched_by_their_columns():
    # given the message SQLite gives (the embedded mode of `make run`)
    exc = IntegrityError("UNIQUE constraint failed: backlog_sprint.product_id, backlog_sprint.name")
    # when / then
    assert violated_constraint(exc, constraint=SPRINT_NAME, columns=frozenset({"product_id", "name"})) is True
    assert (
        violated_constraint(exc, constraint="sprint_one_active_per_product", columns=frozenset({"product_id"})) is False
    )


def test_delete_in_batches_deletes_every_selected_row_across_batches_and_keeps_the_rest(db):
    workspaces = WorkspaceFactory.create_batch(7)
    doomed = [w.pk for i, w in enumerate(workspaces) if i != 3]

    deleted = delete_in_batches(Workspace.objects.filter(pk__in=doomed), batch=2)

    assert deleted == 6
    assert list(Workspace.objects.filter(pk__in=[w.pk for w in workspaces]).values_list("pk", flat=True)) == [
        workspaces[3].pk
    ]
