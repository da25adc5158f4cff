"""Runs: the list polls running rows every 2 s (and stops when a row comes back finished), the detail
shows counts and per-item errors in Jira's words; bounded queries at two sizes."""

from __future__ import annotations

from django.urls import reverse

from jira_sync.models import SyncRun
from jira_sync.tests.ui.factories import connection_for, mapping_for, run_for


def runs_url(product) -> str:
    return reverse("jira_sync:runs", args=[product.pk])


def detail_url(product, run) -> str:
    return reverse("jira_sync:run_detail", args=[product.pk, run.pk])


def test_an_empty_list_says_where_runs_come_from(client, product, viewer):
    client.force_login(viewer)
    body = client.get(runs_url(product)).content.decode()
    assert "No runs yet" in body and "dry run" in body


def test_running_rows_poll_every_two_seconds_and_finished_rows_do_not(client, product, viewer):
    # given
    mapping = mapping_for(product)
    done = run_for(mapping, created=3, pages=2)
    running = run_for(mapping, status=SyncRun.Status.RUNNING, seen=40, total_estimate=100, pages=1)
    client.force_login(viewer)
    # when
    body = client.get(runs_url(product)).content.decode()
    # then
    row = f'<tr id="run-{running.pk}" hx-get="{detail_url(product, running)}?fragment=row" hx-trigger="every 2s"'
    assert row in body
    assert f'<tr id="run-{done.pk}" class=' in body  # no polling
    assert "40 of 100" in body and "Running" in body and "Succeeded" in body
    # when: the row is polled after the run finished
    SyncRun.objects.filter(pk=running.pk).update(status="succeeded", created=7)
    response = client.get(detail_url(product, running), {"fragment": "row"}, HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert response.status_code == 200 and fragment.strip().startswith(f'<tr id="run-{running.pk}"')
    assert "hx-trigger" not in fragment and "<html" not in fragment and ">7</td>" in fragment


def test_the_run_page_shows_counts_and_jira_words(client, product, viewer):
    run = run_for(mapping_for(product), errors=2, created=5, updated=1)
    SyncRun.objects.filter(pk=run.pk).update(status="failed", message="Jira said: Service unavailable. (HTTP 503)")
    client.force_login(viewer)
    body = client.get(detail_url(product, run)).content.decode()
    assert "Jira said: Field &#x27;x&#x27; is bad (0)." in body and "PAY-2" in body
    assert "Jira said: Service unavailable. (HTTP 503)" in body and "Failed" in body
    assert '<span class="jira-counts__n">5</span> created' in body


def test_the_run_status_polls_only_while_running(client, product, viewer):
    run = run_for(mapping_for(product), status=SyncRun.Status.RUNNING)
    client.force_login(viewer)
    response = client.get(detail_url(product, run), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'hx-trigger="every 2s"' in body
    SyncRun.objects.filter(pk=run.pk).update(status="succeeded")
    assert 'hx-trigger="every 2s"' not in client.get(detail_url(product, run)).content.decode()


def test_runs_of_other_products_and_workspaces_are_404(client, product, other_product, viewer, workspace):
    from workspaces.tests.factories import ProductFactory

    sibling = ProductFactory(workspace=workspace, name="Sibling", key="SIB")
    foreign = run_for(mapping_for(other_product))
    sibling_run = run_for(mapping_for(sibling, connection_for(workspace)))
    client.force_login(viewer)
    assert client.get(detail_url(product, foreign)).status_code == 404
    assert client.get(detail_url(product, sibling_run)).status_code == 404
    assert client.get(detail_url(sibling, sibling_run)).status_code == 200


def test_the_runs_list_runs_a_bounded_number_of_queries(client, product, viewer, django_assert_max_num_queries):
    mapping = mapping_for(product)
    client.force_login(viewer)
    run_for(mapping)
    with django_assert_max_num_queries(12) as small:
        assert client.get(runs_url(product)).status_code == 200
    for _ in range(20):
        run_for(mapping, status=SyncRun.Status.RUNNING, errors=1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(runs_url(product)).status_code == 200


def test_the_run_page_runs_a_bounded_number_of_queries(client, product, viewer, django_assert_max_num_queries):
    mapping = mapping_for(product)
    client.force_login(viewer)
    small_run = run_for(mapping, errors=1)
    with django_assert_max_num_queries(12) as small:
        assert client.get(detail_url(product, small_run)).status_code == 200
    big_run = run_for(mapping, errors=30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(detail_url(product, big_run)).status_code == 200
