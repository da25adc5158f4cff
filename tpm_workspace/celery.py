"""The Celery application: broker and results on Redis, or in-process without REDIS_URL."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tpm_workspace.settings")

app = Celery("tpm_workspace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic tasks (`make beat`). The webhook sweep dispatches outbox events the broker missed
# and retries deliveries that are due.
app.conf.beat_schedule = {
    "webhooks-sweep": {"task": "webhooks.tasks.webhooks_sweep", "schedule": 60.0},
}
