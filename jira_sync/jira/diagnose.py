"""`test_connection`: what is wrong with a Jira connection, in words a workspace admin can act on."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from .errors import JiraAuthenticationError, JiraError, JiraForbidden, JiraNotFound, JiraUnreachable
from .retry import NO_RETRY
from .site import Deployment, JiraSite
from .transport import Hooks, Transport

DEPLOYMENT_NAMES = {"Cloud": Deployment.CLOUD, "DataCenter": Deployment.DATA_CENTER, "Server": Deployment.DATA_CENTER}


@dataclass
class ConnectionReport:
    ok: bool = False
    deployment: str | None = None  # as Jira reports it: Cloud, DataCenter or Server
    server_title: str = ""
    version: str = ""
    account: str = ""  # display name of the account the credentials belong to
    account_id: str = ""
    time_zone: str = ""
    project_name: str = ""
    problems: list[str] = field(default_factory=list)


def _server_info(transport: Transport, version: str) -> dict | None:
    """serverInfo of the given API version, or None when that is not a Jira REST API."""
    try:
        response = transport.request("GET", f"/rest/api/{version}/serverInfo", policy=NO_RETRY)
        body = response.json()
    except JiraUnreachable:
        raise
    except (JiraError, ValueError):
        return None
    return body if isinstance(body, dict) and body.get("deploymentType") else None


def test_connection(
    site: JiraSite, *, project_key: str | None = None, timeout: float = 10.0, hooks: Hooks | None = None
) -> ConnectionReport:
    report = ConnectionReport()
    url = httpx.URL(site.base_url) if "://" in site.base_url else None
    if url is None or url.scheme not in {"http", "https"} or not url.host:
        report.problems.append(
            f"“{site.base_url}” is not a site address: use the form https://your-site.atlassian.net."
        )
        return report
    if site.is_cloud and not (site.email and site.api_token):
        report.problems.append("Enter the e-mail address and the API token of the Jira account.")
        return report
    if not site.is_cloud and not site.pat:
        report.problems.append("Enter a personal access token of the Jira account.")
        return report
    transport = Transport(site, policy=NO_RETRY, timeout=timeout, hooks=hooks)
    # serverInfo answers anonymously on Cloud and Data Center: probing without credentials tells
    # "not Jira" and "wrong deployment" apart from "wrong credentials".
    probe = Transport(JiraSite(site.base_url, site.deployment), policy=NO_RETRY, timeout=timeout, hooks=hooks)
    try:
        _diagnose(transport, probe, site, project_key, report)
    finally:
        transport.close()
        probe.close()
    report.ok = not report.problems
    return report


def _diagnose(
    transport: Transport, probe: Transport, site: JiraSite, project_key: str | None, report: ConnectionReport
) -> None:
    try:
        info = _server_info(probe, site.api_version)
        other = None if info else _server_info(probe, "2" if site.is_cloud else "3")
    except JiraUnreachable as exc:
        report.problems.append(f"{exc.message} Check the site address.")
        return
    if info is None and other is None:
        report.problems.append(
            f"{site.base_url} does not look like Jira: it has no Jira REST API at {site.api_root}/serverInfo."
        )
        return
    found = info or other or {}
    report.deployment = str(found.get("deploymentType"))
    report.server_title = str(found.get("serverTitle", ""))
    report.version = str(found.get("version", ""))
    detected = DEPLOYMENT_NAMES.get(report.deployment)
    if detected != site.deployment:
        if detected == Deployment.CLOUD:
            report.problems.append("This is a Jira Cloud site: choose Cloud and sign in with an e-mail and API token.")
        else:
            report.problems.append(
                f"This is a Jira {report.deployment} site (version {report.version}): "
                "choose Data Center and sign in with a personal access token."
            )
        return
    try:
        me = transport.request("GET", f"{site.api_root}/myself").json()
    except JiraAuthenticationError:
        what = "e-mail address and API token" if site.is_cloud else "personal access token"
        report.problems.append(f"Jira rejected the credentials (HTTP 401): check the {what}.")
        return
    except JiraForbidden as exc:
        report.problems.append(f"The account may not use Jira's REST API. {exc.message}")
        return
    except JiraError as exc:
        report.problems.append(exc.message)
        return
    report.account = str(me.get("displayName", ""))
    report.account_id = str(me.get("accountId") or me.get("name") or "")
    report.time_zone = str(me.get("timeZone", ""))
    if project_key:
        try:
            project = transport.request("GET", f"{site.api_root}/project/{project_key}").json()
        except JiraNotFound:
            report.problems.append(
                f"Project {project_key} does not exist, or {report.account or 'this account'} cannot see it "
                "(it needs the Browse projects permission)."
            )
            return
        except JiraForbidden as exc:
            report.problems.append(
                f"{report.account or 'This account'} has no permission on {project_key}. {exc.message}"
            )
            return
        except JiraError as exc:
            report.problems.append(exc.message)
            return
        report.project_name = str(project.get("name", ""))


test_connection.__test__ = False  # type: ignore[attr-defined]  # a product function, not a pytest test
