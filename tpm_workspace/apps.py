from django.contrib.admin.apps import AdminConfig


class WorkspaceAdminConfig(AdminConfig):
    """django.contrib.admin with our site class as `admin.site` (imported once the models are ready)."""

    default_site = "tpm_workspace.admin_site.WorkspaceAdminSite"
