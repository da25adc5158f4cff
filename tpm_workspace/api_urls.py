"""/api/v1/: each app contributes its resources; the schema and its offline docs live here."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

app_name = "api"

# The documentation viewers style themselves at run time (and Redoc parses in a blob: worker):
# their pages alone allow inline styles and workers. Scripts stay 'self' only.
docs_csp = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})

urlpatterns = [
    path("", include("workspaces.api.urls")),
    path("", include("backlog.api.urls")),
    path("", include("roadmap.api.urls")),
    path("", include("decisions.api.urls")),
    path("", include("activity.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("jira_sync.api.urls")),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", docs_csp(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="swagger-ui"),
    path("redoc/", docs_csp(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
]
