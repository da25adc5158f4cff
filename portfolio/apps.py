from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    """The leadership dashboard: the admin's front page (tpm_workspace/admin_site.py) across the user's workspaces."""

    name = "portfolio"
    verbose_name = "Portfolio"
