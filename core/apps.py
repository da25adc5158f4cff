from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from .api import schema  # noqa: F401  registers the OpenAPI extension for token auth
