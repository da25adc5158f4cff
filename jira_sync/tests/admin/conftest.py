"""The admin tests that talk to Jira reuse the engine's fixtures: the stand-in over real HTTP, a mapping."""

from jira_sync.tests.sync.conftest import _quick_sync, cloud, make_mapping, mapping  # noqa: F401 - fixtures
