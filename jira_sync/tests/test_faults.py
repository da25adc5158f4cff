"""Retries per CONTRACT §10, against faults the stand-in injects over real HTTP."""

import httpx
import pytest

from jira_sync.jira import (
    JiraClient,
    JiraOutcomeUnknown,
    JiraRateLimited,
    JiraRetryLater,
    JiraServerError,
    JiraSite,
    JiraUnreachable,
    RetryPolicy,
)


def _client(jira, fake_time, **kwargs):
    return JiraClient(JiraSite.cloud(jira.url, jira.email, jira.api_token), hooks=fake_time.hooks(), **kwargs)


def test_429_waits_as_long_as_retry_after_says(cloud_client, jira, fake_time):
    # given
    jira.rate_limit(retry_after=7, times=2, path="/myself")
    # when
    me = cloud_client.myself()
    # then
    assert me["accountId"] == "557058:bot"
    assert fake_time.sleeps == [7.0, 7.0]
    assert [c.status for c in jira.calls("GET", "/myself")] == [429, 429, 200]


def test_429_carries_the_rate_limit_reason(jira, fake_time):
    # given
    jira.rate_limit(retry_after=2, times=None, reason="jira-per-issue-on-write", path="/myself")
    client = _client(jira, fake_time, policy=RetryPolicy(max_attempts=3))
    # when
    with pytest.raises(JiraRateLimited) as caught:
        client.myself()
    # then
    assert (caught.value.retry_after, caught.value.reason, caught.value.attempts) == (2.0, "jira-per-issue-on-write", 3)
    assert fake_time.sleeps == [2.0, 2.0]
    headers = jira.calls("GET", "/myself")[0]
    assert headers.status == 429
    client.close()


def test_a_429_on_create_is_retried_because_nothing_was_done(cloud_client, jira, fake_time):
    # given
    jira.rate_limit(retry_after=3, path="/issue$", method="POST")
    story = jira.state.type_named("Story").id
    # when
    created = cloud_client.create_issue({"project": {"key": "ABC"}, "issuetype": {"id": story}, "summary": "Once"})
    # then
    assert fake_time.sleeps == [3.0]
    assert [i.key for i in jira.state.issues.values()] == [created.key]


def test_a_long_wait_is_handed_to_celery_instead_of_slept(jira, fake_time):
    # given
    jira.rate_limit(retry_after=600, reason="jira-quota-tenant-based", path="/myself")
    client = _client(jira, fake_time, policy=RetryPolicy(max_inline_wait=60))
    # when
    with pytest.raises(JiraRetryLater) as caught:
        client.myself()
    # then
    assert caught.value.countdown == 600
    assert isinstance(caught.value.cause, JiraRateLimited)
    assert fake_time.sleeps == []
    client.close()


def test_503_with_retry_after_is_honoured(cloud_client, jira, fake_time):
    jira.unavailable(retry_after=4, path="/serverInfo")
    assert cloud_client.server_info().deployment_type == "Cloud"
    assert fake_time.sleeps == [4.0]


def test_500_is_retried_with_backoff_then_gives_up_with_a_record(jira, fake_time, quick_policy):
    # given
    jira.fail(500, times=None, path="/project/ABC$")
    client = _client(jira, fake_time, policy=quick_policy)
    # when
    with pytest.raises(JiraServerError) as caught:
        client.project("ABC")
    # then: full jitter at its maximum (random()=1.0): 1, 2 seconds
    assert fake_time.sleeps == [1.0, 2.0]
    assert caught.value.attempts == 3
    assert caught.value.history == [
        "attempt 1: Jira said: Internal server error. (HTTP 500)",
        "attempt 2: Jira said: Internal server error. (HTTP 500)",
        "attempt 3: Jira said: Internal server error. (HTTP 500)",
    ]
    assert len(jira.calls("GET", "/project/ABC$")) == 3
    client.close()


def test_the_retry_budget_bounds_the_total_wait(jira, fake_time):
    jira.fail(502, times=None, path="/myself")
    client = _client(jira, fake_time, policy=RetryPolicy(max_attempts=10, base_delay=4, max_delay=60, budget=20))
    with pytest.raises(JiraServerError) as caught:
        client.myself()
    assert fake_time.sleeps == [4.0, 8.0]  # a third wait of 16 s would pass the 20 s budget
    assert caught.value.history[-1] == "retry budget of 20 s spent"
    client.close()


def test_create_is_never_retried_blindly_on_500(cloud_client, jira, fake_time):
    # given
    jira.fail(500, path="/issue$", method="POST")
    story = jira.state.type_named("Story").id
    # when
    with pytest.raises(JiraOutcomeUnknown) as caught:
        cloud_client.create_issue({"project": {"key": "ABC"}, "issuetype": {"id": story}, "summary": "x"})
    # then
    assert len(jira.calls("POST", "/issue$")) == 1
    assert fake_time.sleeps == []
    assert "look the result up before trying again" in str(caught.value)


def test_a_create_whose_answer_is_lost_is_found_by_its_label(cloud_client, jira, fake_time):
    # given: Jira creates the issue but the answer never arrives
    story = jira.state.type_named("Story").id
    jira.lose_answer(path="/issue$", method="POST")
    # when
    with pytest.raises(JiraOutcomeUnknown):
        cloud_client.create_issue(
            {"project": {"key": "ABC"}, "issuetype": {"id": story}, "summary": "x", "labels": ["tpm-1f2e"]}
        )
    found = cloud_client.find_issues_by_label("ABC", "tpm-1f2e", fields=["summary"])
    # then: one issue, found, and the create was sent once
    assert [i["key"] for i in found] == ["ABC-1"]
    assert len(jira.state.issues) == 1
    assert len(jira.calls("POST", "/issue$")) == 1


def test_a_create_dropped_before_jira_acted_leaves_nothing(cloud_client, jira, fake_time):
    story = jira.state.type_named("Story").id
    jira.drop_connection(path="/issue$", method="POST")
    with pytest.raises(JiraOutcomeUnknown):
        cloud_client.create_issue(
            {"project": {"key": "ABC"}, "issuetype": {"id": story}, "summary": "x", "labels": ["l"]}
        )
    assert cloud_client.find_issues_by_label("ABC", "l") == []


def test_dropped_connections_on_reads_are_retried(cloud_client, jira, fake_time):
    jira.drop_connection(times=2, path="/field$")
    fields = cloud_client.fields()
    assert len(fields) > 5
    assert [c.fault for c in jira.calls("GET", "/field$")] == ["drop", "drop", None]
    assert fake_time.retries == [("JiraUnreachable", 2.0), ("JiraUnreachable", 4.0)]


def test_a_slow_answer_times_out_and_is_retried(jira, fake_time):
    # given
    jira.slow(1.0, path="/myself")
    client = _client(jira, fake_time, timeout=httpx.Timeout(0.3))
    # when
    me = client.myself()
    # then
    assert me["accountId"] == "557058:bot"
    assert fake_time.retries == [("JiraUnreachable", 2.0)]
    client.close()


def test_a_slow_answer_that_stays_slow_ends_in_words(jira, fake_time):
    jira.slow(1.0, times=None, path="/myself")
    client = _client(jira, fake_time, timeout=httpx.Timeout(0.2), policy=RetryPolicy(max_attempts=2))
    with pytest.raises(JiraUnreachable) as caught:
        client.myself()
    assert str(caught.value) == "Jira at 127.0.0.1 did not answer in time."
    client.close()


def test_every_third_call_fails_and_a_full_walk_still_converges(cloud_client, jira, fake_time):
    # given
    for n in range(250):
        jira.state.create_issue("ABC", "Story", f"s{n}")
    jira.fail(500, every=3, times=None)
    # when
    issues = list(cloud_client.search_issues("project = ABC ORDER BY key ASC", fields=["summary"], max_results=50))
    # then
    assert len(issues) == 250
    assert len({i["id"] for i in issues}) == 250
    statuses = [c.status for c in jira.calls("POST", "/search/jql$")]
    assert statuses.count(500) == 2 and statuses.count(200) == 5


def test_latency_is_added_to_every_answer(cloud_client, jira):
    import time

    jira.latency = 0.1
    started = time.monotonic()
    cloud_client.server_info()
    cloud_client.myself()
    assert time.monotonic() - started >= 0.2
