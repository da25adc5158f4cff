"""The decisions app's browser pages (docs/ui.md): PRDs; decision records, sign-offs and review flags."""

from django.urls import include, path

app_name = "decisions"

urlpatterns = [
    path("", include("decisions.urls_prds")),
    path("", include("decisions.urls_records")),
]
