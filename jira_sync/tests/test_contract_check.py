"""The stand-in's own contract check can fail: wrong answers and wrong requests are caught."""

import httpx
import pytest

from jira_sync.testing.contract import ContractChecker, load_spec
from jira_sync.testing.stand_in import ContractViolationError, StandInJira


def test_a_wrong_response_is_caught_and_fails_loudly():
    with StandInJira() as jira:
        # given: the next answer loses its type
        jira.tamper_next_response(lambda body: body | {"deploymentType": 1, "surprise": True})
        # when
        httpx.get(f"{jira.url}/rest/api/3/serverInfo")
    # then
    assert [v.message for v in jira.violations] == [
        "at (root): Additional properties are not allowed ('surprise' was unexpected)",
        "at deploymentType: 1 is not of type 'string'",
    ]
    with pytest.raises(ContractViolationError, match="response GET /rest/api/3/serverInfo"):
        jira.assert_contract_clean()


def test_a_wrong_request_is_caught():
    with StandInJira() as jira:
        auth = (jira.email, jira.api_token)
        httpx.get(f"{jira.url}/rest/api/3/search/jql", params={"jql": "project = ABC", "maxResults": "many"}, auth=auth)
        httpx.post(
            f"{jira.url}/rest/api/3/search/jql", json={"jql": "project = ABC", "expand": ["changelog"]}, auth=auth
        )
        httpx.get(f"{jira.url}/rest/api/3/issues/ABC-1", auth=auth)
    messages = [str(v) for v in jira.violations]
    assert messages == [
        "request GET /rest/api/3/search/jql: query parameter 'maxResults' at (root): 'many' is not of type 'integer'",
        "request POST /rest/api/3/search/jql: at expand: ['changelog'] is not of type 'string'",
        "request GET /rest/api/3/issues/ABC-1: path not in the spec",
    ]


def test_data_center_paths_are_checked_against_v3_operations():
    checker = ContractChecker(load_spec())
    checker.check_request("POST", "/rest/api/2/search", "", b'{"jql": "project = A", "startAt": "0"}')
    checker.check_response("POST", "/rest/api/2/search", 200, "application/json", b'{"total": "3"}')
    assert [v.message for v in checker.violations] == [
        "at startAt: '0' is not of type 'integer'",
        "at total: '3' is not of type 'integer'",
    ]


def test_errors_must_be_error_collections():
    checker = ContractChecker(load_spec())
    checker.check_response("GET", "/rest/api/3/myself", 429, "application/json", b'{"message": "slow down"}')
    checker.check_response("PUT", "/rest/api/3/issue/ABC-1", 204, "application/json", b'{"x": 1}')
    assert [v.message for v in checker.violations] == [
        "at (root): Additional properties are not allowed ('message' was unexpected)",
        "204 must have an empty body",
    ]
