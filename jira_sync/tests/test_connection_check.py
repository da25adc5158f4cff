"""`test_connection` reports what is wrong in words."""

import socket

from jira_sync.jira import JiraSite, diagnose


def test_a_good_cloud_connection(jira):
    report = diagnose.test_connection(JiraSite.cloud(jira.url, jira.email, jira.api_token), project_key="ABC")
    assert report.ok
    assert (report.deployment, report.account, report.project_name, report.problems) == (
        "Cloud",
        "Sync Bot",
        "Alphabet",
        [],
    )


def test_a_good_data_center_connection(jira_dc):
    report = diagnose.test_connection(JiraSite.data_center(jira_dc.url, jira_dc.pat), project_key="ABC")
    assert report.ok
    assert report.deployment == "DataCenter"


def test_bad_credentials(jira):
    report = diagnose.test_connection(JiraSite.cloud(jira.url, jira.email, "wrong"))
    assert report.problems == ["Jira rejected the credentials (HTTP 401): check the e-mail address and API token."]
    assert not report.ok


def test_a_project_the_account_cannot_see(jira):
    jira.state.add_project("SEC", "Secret", visible_to={"someone-else"})
    report = diagnose.test_connection(JiraSite.cloud(jira.url, jira.email, jira.api_token), project_key="SEC")
    assert report.problems == [
        "Project SEC does not exist, or Sync Bot cannot see it (it needs the Browse projects permission)."
    ]


def test_a_forbidden_account(jira):
    jira.fail(403, path="/myself")
    report = diagnose.test_connection(JiraSite.cloud(jira.url, jira.email, jira.api_token))
    assert report.problems == ["The account may not use Jira's REST API. Jira said: Stand-in refusal 403. (HTTP 403)"]


def test_the_wrong_deployment_is_named(jira_dc):
    report = diagnose.test_connection(JiraSite.cloud(jira_dc.url, "a@b.c", "token"))
    assert report.deployment == "DataCenter"
    assert report.problems == [
        "This is a Jira DataCenter site (version 10.3.4): choose Data Center and sign in with a personal access token."
    ]


def test_a_host_that_does_not_exist():
    report = diagnose.test_connection(JiraSite.cloud("http://jira.invalid", "a@b.c", "t"))
    assert report.problems == ["Jira at jira.invalid could not be found (DNS). Check the site address."]


def test_nothing_listening():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    report = diagnose.test_connection(JiraSite.cloud(f"http://127.0.0.1:{port}", "a@b.c", "t"))
    assert report.problems == ["Jira at 127.0.0.1 refused the connection. Check the site address."]


def test_a_site_that_is_not_jira(receiver):
    site = receiver.url.removesuffix("/hooks/jira")
    report = diagnose.test_connection(JiraSite.cloud(site, "a@b.c", "t"))
    assert report.problems == [f"{site} does not look like Jira: it has no Jira REST API at /rest/api/3/serverInfo."]


def test_not_a_url_and_missing_credentials():
    assert diagnose.test_connection(JiraSite.cloud("jira.example.com", "a", "b")).problems == [
        "“jira.example.com” is not a site address: use the form https://your-site.atlassian.net."
    ]
    assert diagnose.test_connection(JiraSite.cloud("https://x.atlassian.net", "", "")).problems == [
        "Enter the e-mail address and the API token of the Jira account."
    ]
