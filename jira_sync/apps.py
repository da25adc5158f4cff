from django.apps import AppConfig


class JiraSyncConfig(AppConfig):
    name = "jira_sync"
    verbose_name = "Jira sync"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
