"""Settings of the app server a fault drill starts as a subprocess (core/testing/server.py).

The test settings (TEST_DATABASE_URL and TEST_REDIS_HOST say where PostgreSQL and Redis are: a
drill points them at its proxy), with what production has and the test run turns off: persistent
database connections, and tasks published to the broker unless the drill asks for them in-process.
"""

import os

from tpm_workspace.test_settings import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = os.environ.get("SERVER_TASKS", "broker") == "eager"
