"""The Jira pages: the workspace's connection (admins), and per product the mapping, runs and conflicts."""
