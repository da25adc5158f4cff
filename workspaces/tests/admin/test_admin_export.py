"""The CSV export action: exactly the changelist's rows (tenancy, filters, search, selection), its columns as
plain text, formulas defused, streamed with a bounded number of queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from backlog.models import Priority, Story
from backlog.tests.factories import StoryFactory
from decisions.services import flags_raise, requirement_create
from decisions.tests.factories import PRDFactory
from workspaces.models import Role
from workspaces.tests.factories import MembershipFactory, UserFactory

STORIES = "/admin/backlog/story/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff(user) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["backlog", "decisions"]))
    return login(user)


def export(client: Client, path: str, selected: list[int], *, select_across: bool = False) -> list[dict[str, str]]:
    response = client.post(
        path,
        {
            "action": "export_csv",
            "_selected_action": selected,
            "select_across": "1" if select_across else "0",
            "index": "0",
        },
    )
    assert response.status_code == 200, response.content[:500]
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"].startswith('attachment; filename="story-')
        or "filename=" in (response["Content-Disposition"])
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def stories(product, editor) -> dict[str, Story]:
    return {
        "high": StoryFactory(product=product, actor=editor, title="Pay by card", priority=Priority.HIGH, points=5),
        "high2": StoryFactory(product=product, actor=editor, title="Refunds", priority=Priority.HIGH, points=8),
        "low": StoryFactory(product=product, actor=editor, title="Receipts by mail", priority=Priority.LOW),
    }


def test_select_all_exports_exactly_the_filtered_rows(stories, editor):
    # given the stories changelist filtered to high priority, "select all" ticked
    client = staff(editor)
    # when
    rows = export(client, f"{STORIES}?priority__exact={Priority.HIGH}", [stories["high"].pk], select_across=True)
    # then
    assert sorted(row["Key"] for row in rows) == ["PAY-1", "PAY-2"]
    assert {row["Priority"] for row in rows} == {"High"}
    assert list(rows[0]) == [
        "Key",
        "Title",
        "Product",
        "Status",
        "Points",
        "Sprint",
        "Feature / epic",
        "Assignee",
        "Priority",
    ]
    card = next(row for row in rows if row["Title"] == "Pay by card")
    assert card == {
        "Key": "PAY-1",
        "Title": "Pay by card",
        "Product": "Payments (PAY)",
        "Status": "To do",
        "Points": "5",
        "Sprint": "",
        "Feature / epic": "—",
        "Assignee": "",
        "Priority": "High",
    }


def test_a_search_and_a_selection_narrow_the_export(stories, editor):
    client = staff(editor)
    searched = export(client, f"{STORIES}?q=Refunds", [stories["high2"].pk], select_across=True)
    assert [row["Title"] for row in searched] == ["Refunds"]
    ticked = export(client, STORIES, [stories["low"].pk, stories["high"].pk])
    assert sorted(row["Title"] for row in ticked) == ["Pay by card", "Receipts by mail"]


def test_another_workspaces_rows_are_never_exported(stories, editor, other_product):
    # given a story of another workspace, whose id is slipped into the selection
    theirs = StoryFactory(product=other_product, title="Globex secret")
    client = staff(editor)
    # when
    ticked = export(client, STORIES, [theirs.pk, stories["low"].pk])
    everything = export(client, STORIES, [theirs.pk], select_across=True)
    # then
    assert [row["Title"] for row in ticked] == ["Receipts by mail"]
    assert "Globex secret" not in {row["Title"] for row in everything}
    assert len(everything) == 3


def test_formulas_are_defused_and_numbers_stay_numbers(product, editor):
    titles = ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "Plain"]
    stories = [StoryFactory(product=product, actor=editor, title=title, points=2) for title in titles]
    rows = export(staff(editor), STORIES, [s.pk for s in stories])
    by_key = {row["Key"]: row for row in rows}
    assert [by_key[s.key]["Title"] for s in stories] == [
        '\'=HYPERLINK("http://x")',
        "'+1+2",
        "'-2+3",
        "'@SUM(A1)",
        "Plain",
    ]
    assert {row["Points"] for row in rows} == {"2"}


def test_display_methods_export_as_plain_text(product, editor):
    # given a review flag: its "Open" column is a boolean icon in the changelist
    prd = PRDFactory(product=product, actor=editor)
    requirement = requirement_create(prd=prd, actor=editor, title="Card data stays in the vault")
    story = StoryFactory(product=product, actor=editor, title="Vault")
    flag = flags_raise(items=[story], reason="Requirement changed", actor=editor, requirement=requirement)[0]
    rows = export(staff(editor), "/admin/decisions/reviewflag/", [flag.pk])
    assert rows[0]["Open"] == "yes"
    assert rows[0]["Item"] == f"{story.key} Vault"
    assert not any("<" in value for value in rows[0].values())


def test_leadership_exports_what_it_may_read(stories, member_factory):
    leader = member_factory(Role.LEADERSHIP, user__username="helen")
    rows = export(login(leader), STORIES, [stories["high"].pk], select_across=True)
    assert len(rows) == 3


def test_a_staff_member_without_view_permission_has_no_export(stories, db, workspace):
    outsider = MembershipFactory(workspace=workspace, role=Role.EDITOR, user=UserFactory(username="nope")).user
    outsider.is_staff = True
    outsider.save(update_fields=["is_staff"])
    response = login(outsider).post(STORIES, {"action": "export_csv", "_selected_action": [stories["low"].pk]})
    assert response.status_code == 403


@pytest.mark.parametrize("count", [5, 40])
def test_the_export_runs_a_bounded_number_of_queries(product, editor, count, django_assert_max_num_queries):
    stories = [StoryFactory(product=product, actor=editor, points=1) for _ in range(count)]
    client = staff(editor)
    # the same bound for 5 and 40 rows: session, user, roles, permissions, the changelist's counts, one read
    with django_assert_max_num_queries(18):
        rows = export(client, STORIES, [stories[0].pk], select_across=True)
    assert len(rows) == count


def test_every_scoped_admin_offers_the_export(editor, stories):
    from django.contrib import admin
    from django.test import RequestFactory

    from workspaces.admin_scoping import WorkspaceScopedAdmin

    staff(editor)
    editor.user_permissions.set(Permission.objects.all())
    request = RequestFactory().get("/admin/")
    request.user = type(editor).objects.get(pk=editor.pk)
    for model_admin in admin.site._registry.values():
        if isinstance(model_admin, WorkspaceScopedAdmin):
            assert "export_csv" in model_admin.get_actions(request), model_admin
    html = login(editor).get(STORIES).content.decode()
    assert '<option value="export_csv">Export the selected rows as CSV</option>' in html
