from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from vum.accessibility import accessibility_statement
from vum.headers import SWAGGER_UI_CSP
from vum.health import healthz

admin.site.site_header = "vum administration"
admin.site.site_title = "vum"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("tilgaengelighed/", accessibility_statement, name="tilgaengelighed"),
    path("admin/", admin.site.urls),
    path("api/v1/katalog/", include("vum.catalog.api.urls")),
    path("api/v1/", include("followup.api.urls")),
    path("api/v1/", include("orders.api.urls")),
    path("api/v1/", include("assessment.api.urls")),
    path("api/v1/", include("cases.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view loads Swagger UI's set-up script from this URL (?script) instead of inline;
    # the page's own inline <style> is allowed by its hash (vum.headers.SWAGGER_UI_CSP).
    path(
        "api/docs/",
        csp_update(SWAGGER_UI_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("notifikationer/", include("vum.notifications.urls")),
    path("sikkerhed/", include("vum.accounts.urls")),
    path("", include("vum.accounts.federation.urls")),
    path("", include("followup.urls")),
    path("", include("orders.urls")),
    path("", include("assessment.urls")),
    path("", include("cases.urls")),
]

handler400 = "vum.errors.bad_request"
handler403 = "vum.errors.permission_denied"
handler404 = "vum.errors.page_not_found"
handler500 = "vum.errors.server_error"
