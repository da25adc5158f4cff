"""/api/v1/: each app contributes its resources; the schema and its offline docs live here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

app_name = "api"

urlpatterns = [
    path("", include("workspaces.api.urls")),
    path("", include("backlog.api.urls")),
    path("", include("roadmap.api.urls")),
    path("", include("decisions.api.urls")),
    path("", include("activity.api.urls")),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
