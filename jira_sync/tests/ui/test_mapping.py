"""A product's Jira page: mapping from what `discover` reads in the stand-in project (real HTTP),
statuses both ways, field directions; dry run, sync now and full reconcile."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backlog.models import Story, WorkflowStatus
from jira_sync.models import ProjectMapping, StatusMapping, SyncRun
from jira_sync.tests.ui.factories import connection_for
from workspaces.models import Role


def url(product, name: str = "mapping") -> str:
    return reverse(f"jira_sync:{name}", args=[product.pk])


def test_without_a_connection_the_page_says_who_connects_jira(client, product, viewer, admin_user, workspace):
    client.force_login(viewer)
    body = client.get(url(product)).content.decode()
    assert "This workspace is not connected to Jira" in body and "Connect Jira" not in body
    client.force_login(admin_user)
    body = client.get(url(product)).content.decode()
    assert reverse("jira_sync:connection", args=[workspace.pk]) in body


def test_the_sub_nav_links_to_the_jira_page(client, product, viewer):
    client.force_login(viewer)
    body = client.get(reverse("product_home", args=[product.pk])).content.decode()
    assert f'href="{url(product)}"' in body and ">Jira</a>" in body


def test_an_admin_reads_the_project_and_maps_it(client, product, admin_user, connected):
    client.force_login(admin_user)
    # when: the project is read (the key lives in the URL)
    response = client.get(url(product), {"project": "abc"}, HTTP_HX_REQUEST="true")
    # then: what Jira offers, with defaults
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "Issue types of ABC" in body and "Alphabet" in body
    assert '<option value="customfield_10016" selected>' in body
    assert "Story point estimate (customfield_10016)" in body
    assert "Jira “To Do” (to do)" in body and "Jira “Done” (done)" in body
    assert "Two-way" in body and "From Jira only" in body
    # when: mapped with the status "In Review" sent to our "In progress" status, labels to Jira only
    ours = {s.name: s for s in WorkflowStatus.objects.filter(product=product)}
    in_progress = next(s for s in ours.values() if s.category == "in_progress")
    data = {
        "project": "ABC",
        "epic_type_id": "10100",
        "feature_type_id": "",
        "story_type_id": "10101",
        "story_points_field_id": "customfield_10016",
        "status_10000": next(s for s in ours.values() if s.category == "todo").pk,
        "status_3": in_progress.pk,
        "status_10001": in_progress.pk,
        "status_10002": next(s for s in ours.values() if s.category == "done").pk,
        **{f"dir_{f}": "two_way" for f in ("summary", "description", "points", "priority", "parent", "status")},
        "dir_labels": "to_jira",
        "dir_assignee": "from_jira",
    }
    response = client.post(url(product) + "?project=ABC", data)
    # then
    assert response.status_code == 302
    mapping = ProjectMapping.objects.get(product=product)
    assert (mapping.jira_project_key, mapping.story_points_field_id, mapping.direction("labels")) == (
        "ABC",
        "customfield_10016",
        "to_jira",
    )
    assert StatusMapping.objects.get(mapping=mapping, jira_status_id="10001").workflow_status == in_progress
    body = client.get(url(product)).content.decode()
    assert "is mapped to Jira project ABC" in body and "Pushed to Jira as" in body


def test_a_project_jira_does_not_have_is_a_422_in_words(client, product, admin_user, connected):
    client.force_login(admin_user)
    response = client.get(url(product), {"project": "NOPE"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 422 and 'aria-invalid="true"' in body
    assert "Jira has no project NOPE, or the integration account cannot see it." in body


def test_an_invalid_mapping_post_is_a_422(client, product, admin_user, connected):
    client.force_login(admin_user)
    response = client.post(url(product), {"project": "ABC", "epic_type_id": "999"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Project ABC has no issue type 999: choose one of the list." in response.content.decode()
    assert not ProjectMapping.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_only_admins_map_a_product(client, product, member_factory, role, connected):
    client.force_login(member_factory(role))
    body = client.get(url(product), {"project": "ABC"}).content.decode()
    assert "Not mapped to a Jira project yet" in body and "Issue types of" not in body
    response = client.post(url(product), {"project": "ABC", "epic_type_id": "10100", "story_type_id": "10101"})
    assert response.status_code == 403 and not ProjectMapping.objects.exists()


def test_statuses_and_directions_are_saved_by_admins(client, product, admin_user, mapped):
    client.force_login(admin_user)
    done = WorkflowStatus.objects.get(product=product, category="done")
    rows = {r.jira_status_id: r.workflow_status_id for r in mapped.status_mappings.all()}
    # when: Jira's "In Review" goes to our done status
    response = client.post(
        url(product, "mapping_statuses"),
        {f"status_{k}": v for k, v in rows.items()} | {"status_10001": done.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Saved the status mapping." in response.content.decode()
    assert StatusMapping.objects.get(mapping=mapped, jira_status_id="10001").workflow_status == done
    # when: a status of another product is posted
    response = client.post(
        url(product, "mapping_statuses"),
        {f"status_{k}": v for k, v in rows.items()} | {"status_3": 999999},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    # when: directions (the assignee may go to Jira too, by e-mail)
    directions = {
        f"dir_{f}": "two_way" for f in ("summary", "description", "points", "priority", "labels", "parent", "status")
    }
    response = client.post(
        url(product, "mapping_directions"), directions | {"dir_assignee": "sideways"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422 and "Select a valid choice." in response.content.decode()
    response = client.post(
        url(product, "mapping_directions"), directions | {"dir_description": "set_once", "dir_assignee": "two_way"}
    )
    assert response.status_code == 302
    mapped.refresh_from_db()
    assert (mapped.direction("description"), mapped.direction("assignee")) == ("set_once", "two_way")


def test_members_read_the_mapping_without_forms(client, product, viewer, editor, mapped):
    client.force_login(viewer)
    body = client.get(url(product)).content.decode()
    assert "ABC" in body and "Save statuses" not in body and "Dry run" not in body
    assert client.post(url(product, "mapping_directions"), {}).status_code == 403
    assert client.post(url(product, "dry_run")).status_code == 403
    client.force_login(editor)
    body = client.get(url(product)).content.decode()
    assert "Dry run" in body and "Sync now" in body and "Full reconcile" in body and "Save statuses" not in body
    assert client.post(url(product, "mapping_statuses"), {}).status_code == 403


HUMAN = "557058:ann"


def test_a_dry_run_shows_the_plan_on_each_side(client, product, editor, mapped, jira):
    # given: Jira has an epic and a story; the workspace has one story of its own
    jira.state.add_user(HUMAN, "Ann Analyst", "ann@example.com")
    epic = jira.state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    jira.state.create_issue("ABC", "Story", "Pay by card", author_id=HUMAN, parent=epic)
    client.force_login(editor)
    # when
    response = client.post(url(product, "dry_run"))
    # then
    run = SyncRun.objects.get(kind="dry_run")
    assert response.status_code == 302 and response["Location"] == reverse(
        "jira_sync:run_detail", args=[product.pk, run.pk]
    )
    body = client.get(response["Location"]).content.decode()
    assert "The plan" in body and "would be created here" in body and "Pay by card" in body and "Checkout" in body
    assert "would be created in Jira" in body
    assert Story.objects.filter(product=product).count() == 0


def test_sync_now_and_full_reconcile_queue_the_pull(client, product, editor, mapped, jira):
    jira.state.add_user(HUMAN, "Ann Analyst", "ann@example.com")
    jira.state.create_issue("ABC", "Story", "Pay by card", author_id=HUMAN)
    client.force_login(editor)
    # when (the test settings run tasks in-process)
    response = client.post(url(product, "sync"))
    # then
    assert response.status_code == 302 and response["Location"] == url(product, "runs")
    run = SyncRun.objects.get(kind__in=["pull", "import"])
    assert run.status == "succeeded" and run.created == 1
    assert Story.objects.get(product=product).title == "Pay by card"
    body = client.get(response["Location"]).content.decode()
    assert "A sync of ABC is queued" in body
    client.post(url(product, "sync"), {"full": "1"})
    assert SyncRun.objects.filter(kind="full", status="succeeded").exists()


def test_sync_now_says_when_sync_is_off(client, product, editor, mapped):
    type(mapped.connection).objects.filter(pk=mapped.connection_id).update(is_enabled=False)
    client.force_login(editor)
    response = client.post(url(product, "sync"), follow=True)
    assert "Sync is off for this workspace" in response.content.decode()
    assert not SyncRun.objects.exists()


def test_an_outsider_gets_404_everywhere(client, product, outsider, workspace):
    connection_for(workspace)
    client.force_login(outsider)
    for name in ("mapping", "runs", "conflicts"):
        assert client.get(url(product, name)).status_code == 404
    for name in ("dry_run", "sync", "mapping_statuses", "mapping_directions"):
        assert client.post(url(product, name)).status_code == 404
