"""A stand-in Jira for the tests: a real HTTP server whose traffic is checked against Atlassian's spec."""
