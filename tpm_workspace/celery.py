"""The Celery application: broker and results on Redis, or in-process without REDIS_URL."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tpm_workspace.settings")

app = Celery("tpm_workspace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic tasks (`make beat`). The webhook sweep dispatches outbox events the broker missed
# and retries deliveries that are due.
app.conf.beat_schedule = {
    "webhooks-sweep": {"task": "webhooks.tasks.webhooks_sweep", "schedule": 60.0},
    # Jira sync: incremental pull, the push outbox (and unprocessed webhook events), nightly full reconcile.
    "jira-pull": {"task": "jira_sync.tasks.pull_all", "schedule": 300.0},
    "jira-push-sweep": {"task": "jira_sync.tasks.push_sweep", "schedule": 60.0},
    "signoff-email-sweep": {"task": "decisions.tasks.signoff_email_sweep", "schedule": 120.0},
    "jira-reconcile": {"task": "jira_sync.tasks.reconcile_all", "schedule": crontab(hour=2, minute=30)},
    # Finished outbox rows older than settings.OUTBOX_RETENTION.
    "webhooks-outbox-prune": {"task": "webhooks.tasks.outbox_prune", "schedule": crontab(hour=3, minute=15)},
    "jira-history-prune": {"task": "jira_sync.tasks.history_prune", "schedule": crontab(hour=3, minute=45)},
}
