"""The stand-in's webhook deliveries: v2 bodies, Atlassian headers, HMAC signatures, duplicates, disorder."""

import hashlib
import hmac

from jira_sync.testing.webhooks import signature

from .conftest import body_of


def _verifies(secret: str, received) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received.headers["X-Hub-Signature"])


def test_created_updated_deleted_are_delivered_signed(jira, receiver):
    # given
    hooks = jira.webhooks(receiver.url, secret="s3cret")
    issue = jira.state.create_issue(
        "ABC",
        "Story",
        "Hooked",
        description={
            "type": "doc",
            "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Plain"}]}],
        },
    )
    jira.state.set_status(issue, "In Progress")
    jira.state.delete_issue(issue)
    # when
    hooks.flush()
    # then
    bodies = [body_of(r) for r in receiver.received]
    assert [b["webhookEvent"] for b in bodies] == ["jira:issue_created", "jira:issue_updated", "jira:issue_deleted"]
    assert all(_verifies("s3cret", r) for r in receiver.received)
    assert bodies[0]["issue"]["self"].endswith(f"/rest/api/2/issue/{issue.id}")
    assert bodies[0]["issue"]["fields"]["description"] == "Plain\n"
    assert bodies[1]["changelog"]["items"][0]["toString"] == "In Progress"
    assert bodies[0]["user"]["accountId"] == "557058:bot"
    identifiers = [r.headers["X-Atlassian-Webhook-Identifier"] for r in receiver.received]
    assert len(set(identifiers)) == 3
    assert all(r.headers["X-Atlassian-Webhook-Flow"] == "Primary" for r in receiver.received)
    assert all("X-Atlassian-Webhook-Retry" not in r.headers for r in receiver.received)


def test_duplicates_and_reversed_order(jira, receiver):
    # given
    hooks = jira.webhooks(receiver.url, secret="k")
    issue = jira.state.create_issue("ABC", "Story", "a")
    jira.state.edit_issue(issue, {"summary": "b"})
    # when
    hooks.flush(duplicate=[0], order="reversed")
    # then
    events = [body_of(r)["webhookEvent"] for r in receiver.received]
    assert events == ["jira:issue_updated", "jira:issue_updated", "jira:issue_created"]
    ids = [r.headers["X-Atlassian-Webhook-Identifier"] for r in receiver.received]
    assert ids[0] == ids[1]


def test_retries_on_5xx_carry_the_retry_count(jira, receiver):
    # given
    receiver.statuses = [503, 500]
    hooks = jira.webhooks(receiver.url, secret="k")
    jira.state.create_issue("ABC", "Story", "a")
    # when
    deliveries = hooks.flush()
    # then
    assert [d.status for d in deliveries] == [503, 500, 200]
    assert [r.headers.get("X-Atlassian-Webhook-Retry") for r in receiver.received] == [None, "1", "2"]
    assert len({r.headers["X-Atlassian-Webhook-Identifier"] for r in receiver.received}) == 1


def test_a_wrong_secret_and_no_secret(jira, receiver):
    signed = jira.webhooks(receiver.url, secret="k")
    jira.state.create_issue("ABC", "Story", "a")
    signed.flush(bad_signature=True)
    unsigned = jira.webhooks(receiver.url)
    jira.state.create_issue("ABC", "Story", "b")
    unsigned.flush()
    assert not _verifies("k", receiver.received[0])
    assert "X-Hub-Signature" not in receiver.received[-1].headers


def test_signature_matches_the_documented_form():
    assert signature("secret", b"{}") == "sha256=" + hmac.new(b"secret", b"{}", hashlib.sha256).hexdigest()
