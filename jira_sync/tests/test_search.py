"""Search: token paging on Cloud, startAt paging on Data Center, bounded JQL, time zones, index lag."""

from datetime import UTC, datetime, timedelta

import pytest

from jira_sync.jira import JiraBadRequest


def _issues(state, count, **kwargs):
    return [state.create_issue("ABC", "Story", f"Story {n}", **kwargs) for n in range(count)]


def test_cloud_pages_with_tokens_until_is_last(cloud_client, jira):
    # given
    _issues(jira.state, 250)
    # when
    pages = list(cloud_client.search_pages("project = ABC ORDER BY key ASC", fields=["summary"], max_results=100))
    # then
    assert [len(p.issues) for p in pages] == [100, 100, 50]
    assert [p.is_last for p in pages] == [False, False, True]
    assert all(p.total is None for p in pages)
    assert pages[-1].next_page_token is None
    keys = [i["key"] for p in pages for i in p.issues]
    assert keys == [f"ABC-{n}" for n in range(1, 251)]
    searches = jira.calls("POST", "/search/jql$")
    assert len(searches) == 3
    assert "nextPageToken" not in searches[0].body
    assert searches[1].body["nextPageToken"] == pages[0].next_page_token


def test_cloud_caps_full_pages_and_allows_large_id_pages(cloud_client, jira):
    # given
    _issues(jira.state, 120)
    # when
    full = cloud_client.search_page("project = ABC", fields=["summary"], max_results=1000)
    ids = cloud_client.search_page("project = ABC", fields=["id"], max_results=1000)
    # then
    assert (len(full.issues), full.is_last) == (100, False)
    assert (len(ids.issues), ids.is_last) == (120, True)


def test_without_fields_only_ids_come_back(jira, cloud_client):
    # given
    _issues(jira.state, 2)
    # when
    response = cloud_client.transport.request("GET", "/rest/api/3/search/jql", params={"jql": "project = ABC"})
    # then
    assert response.json() == {"issues": [{"id": "10001"}, {"id": "10002"}], "isLast": True}


def test_dc_pages_with_start_at_and_total(dc_client, jira_dc):
    # given
    _issues(jira_dc.state, 230)
    # when
    pages = list(dc_client.search_pages("project = ABC ORDER BY key ASC", fields=["summary"], max_results=100))
    # then
    assert [(p.start_at, len(p.issues), p.total) for p in pages] == [(0, 100, 230), (100, 100, 230), (200, 30, 230)]
    assert [c.body["startAt"] for c in jira_dc.calls("POST", "/rest/api/2/search$")] == [0, 100, 200]
    assert dc_client.approximate_count("project = ABC") == 230


def test_unbounded_or_broken_jql_is_a_400_in_words(cloud_client):
    with pytest.raises(JiraBadRequest) as unbounded:
        cloud_client.search_page("order by key", fields=["id"])
    with pytest.raises(JiraBadRequest) as unknown:
        cloud_client.search_page("sprint = 5", fields=["id"])
    assert str(unbounded.value) == (
        "Jira said: Unbounded JQL queries are not allowed here. Please add a search restriction to your query. "
        "(HTTP 400)"
    )
    assert "Field 'sprint' does not exist" in str(unknown.value)


def test_updated_is_read_in_the_users_time_zone_at_minute_granularity(cloud_client, jira):
    # given: the searching user is in Berlin (UTC+2 in May)
    jira.state.users["557058:bot"].time_zone = "Europe/Berlin"
    old = jira.state.create_issue("ABC", "Story", "old", at=datetime(2026, 5, 1, 8, 2, 59, tzinfo=UTC))
    edge = jira.state.create_issue("ABC", "Story", "edge", at=datetime(2026, 5, 1, 8, 3, 0, tzinfo=UTC))
    new = jira.state.create_issue("ABC", "Story", "new", at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    # when: 10:03 Berlin is 08:03 UTC
    found = list(
        cloud_client.search_issues(
            'project = ABC AND updated >= "2026/05/01 10:03" ORDER BY updated ASC, key ASC', fields=["updated"]
        )
    )
    # then
    assert [i["id"] for i in found] == [edge.id, new.id]
    assert old.id not in {i["id"] for i in found}
    assert found[0]["fields"]["updated"] == "2026-05-01T08:03:00.000+0000"


def test_order_by_updated_then_key(cloud_client, jira):
    # given
    moment = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    a = jira.state.create_issue("ABC", "Story", "a", at=moment + timedelta(minutes=5))
    b = jira.state.create_issue("ABC", "Story", "b", at=moment)
    c = jira.state.create_issue("ABC", "Story", "c", at=moment)
    # when
    found = list(cloud_client.search_issues("project = ABC ORDER BY updated ASC, key ASC", fields=["id"]))
    # then
    assert [i["id"] for i in found] == [b.id, c.id, a.id]


def test_children_by_parent_and_lists_of_keys(cloud_client, jira):
    # given
    epic = jira.state.create_issue("ABC", "Epic", "Epic")
    kids = [jira.state.create_issue("ABC", "Story", f"kid {n}", parent=epic) for n in range(3)]
    jira.state.create_issue("ABC", "Story", "orphan")
    # when
    children = list(cloud_client.search_issues(f"parent = {epic.key}", fields=["id"]))
    by_keys = list(cloud_client.search_issues(f"key in ({kids[0].key}, {kids[2].key})", fields=["id"]))
    by_ids = list(cloud_client.search_issues(f"id in ({kids[1].id})", fields=["id"]))
    # then
    assert [i["id"] for i in children] == [k.id for k in kids]
    assert [i["id"] for i in by_keys] == [kids[0].id, kids[2].id]
    assert [i["id"] for i in by_ids] == [kids[1].id]


def test_index_lag_hides_fresh_writes_unless_reconciled(cloud_client, jira):
    # given
    jira.state.index_lag = timedelta(seconds=30)
    issue = jira.state.create_issue("ABC", "Story", "fresh")
    # when
    lagging = cloud_client.search_page("project = ABC", fields=["summary"])
    reconciled = cloud_client.search_page("project = ABC", fields=["summary"], reconcile_issues=[issue.id])
    jira.advance_time(timedelta(seconds=31))
    indexed = cloud_client.search_page("project = ABC", fields=["summary"])
    # then
    assert lagging.issues == []
    assert [i["id"] for i in reconciled.issues] == [issue.id]
    assert [i["id"] for i in indexed.issues] == [issue.id]


def test_approximate_count_and_label_lookup(cloud_client, jira):
    # given
    _issues(jira.state, 3)
    tagged = jira.state.create_issue("ABC", "Story", "tagged", labels=["tpm-7f3a"])
    # when
    count = cloud_client.approximate_count("project = ABC")
    found = cloud_client.find_issues_by_label("ABC", "tpm-7f3a")
    # then
    assert count == 4
    assert [i["id"] for i in found] == [tagged.id]


def test_search_with_expanded_changelog(cloud_client, jira):
    # given
    issue = jira.state.create_issue("ABC", "Story", "one")
    jira.state.edit_issue(issue, {"summary": "two"})
    # when
    page = cloud_client.search_page("project = ABC", fields=["summary"], expand=["changelog"])
    # then
    changelog = page.issues[0]["changelog"]
    assert changelog["total"] == 1
    assert changelog["histories"][0]["items"][0]["toString"] == "two"
