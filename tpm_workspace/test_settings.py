"""Settings for the test suite: PostgreSQL and Redis, as in production."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-django-checks-0123456789")
# The suite always runs on PostgreSQL and Redis, whatever DATABASE_URL / REDIS_URL say for `make run`;
# TEST_DATABASE_URL and TEST_REDIS_HOST point it elsewhere. pytest-django creates test_<name> itself.
os.environ["DATABASE_URL"] = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tpm_workspace")
# One Redis database per pytest-xdist worker, so that parallel workers never share a queue; TEST_REDIS_DB
# moves a whole run elsewhere (two pytest runs at once on one machine otherwise share database 15).
_xdist_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_redis_host = os.environ.get("TEST_REDIS_HOST", "127.0.0.1:6379")
_redis_db = int(os.environ.get("TEST_REDIS_DB", 15)) - _xdist_worker
os.environ["REDIS_URL"] = f"redis://{_redis_host}/{_redis_db}"
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from .settings import *  # noqa: E402, F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Tests that are about Celery start a real worker; the rest run tasks in-process so
# that a test sees the effect of the work it queued.
CELERY_TASK_ALWAYS_EAGER = True
# Celery's queues live in a database of their own, 8 below the cache's: every test clears the cache (a
# FLUSHDB), which would otherwise wipe the queue and bindings of a worker test running beside it in
# another pytest run on the same machine. Their keys carry the run's database name (without pytest's
# test_, so that workers and servers a test starts agree) and xdist worker: two runs at once, on their
# own databases, never take each other's tasks nor purge each other's queues.
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = f"redis://{_redis_host}/{(_redis_db - 8) % 16}"
_run_name = DATABASES["default"]["NAME"].removeprefix("test_")  # noqa: F405
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "global_keyprefix": f"{_run_name}.gw{_xdist_worker}.",
}
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# A Celery worker that a test starts as a subprocess (jira_sync/tests/sync/test_worker_scenarios.py, the
# SIGKILL tests) takes the settings that test needs from here, as JSON: the broker rather than in-process
# tasks, a short visibility timeout and lease so that a killed run comes back in seconds, quick retries.
if _overrides := os.environ.get("TEST_SETTINGS_OVERRIDES"):
    import json

    globals().update(json.loads(_overrides))
