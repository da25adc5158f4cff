"""The Celery application: broker and results on Redis, or in-process without REDIS_URL."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tpm_workspace.settings")

app = Celery("tpm_workspace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
