"""A thin Jira REST client for the sync: Cloud (v3, ADF) and Data Center (v2, wiki markup)."""

from .client import CreatedIssue, JiraClient, SearchPage, ServerInfo, Transition, UserLookup
from .diagnose import ConnectionReport, test_connection
from .errors import (
    JiraAuthenticationError,
    JiraBadRequest,
    JiraConflict,
    JiraError,
    JiraForbidden,
    JiraGone,
    JiraNotFound,
    JiraOutcomeUnknown,
    JiraRateLimited,
    JiraRetryLater,
    JiraServerError,
    JiraUnreachable,
)
from .retry import RetryPolicy
from .site import Deployment, JiraSite

__all__ = [
    "ConnectionReport",
    "CreatedIssue",
    "Deployment",
    "JiraAuthenticationError",
    "JiraBadRequest",
    "JiraClient",
    "JiraConflict",
    "JiraError",
    "JiraForbidden",
    "JiraGone",
    "JiraNotFound",
    "JiraOutcomeUnknown",
    "JiraRateLimited",
    "JiraRetryLater",
    "JiraServerError",
    "JiraSite",
    "JiraUnreachable",
    "RetryPolicy",
    "SearchPage",
    "ServerInfo",
    "Transition",
    "UserLookup",
    "test_connection",
]
