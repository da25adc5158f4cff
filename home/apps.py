from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The signed-in landing page: a view across every app, so it sits above them all."""

    name = "home"
    verbose_name = "Home"
