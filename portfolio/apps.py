from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    """The leadership dashboard: the admin index (GET /admin/) across the user's workspaces."""

    name = "portfolio"
    verbose_name = "Portfolio"

    def ready(self) -> None:
        from django.contrib import admin

        from .views import install_dashboard

        install_dashboard(admin.site)
