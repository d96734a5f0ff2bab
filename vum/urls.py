from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from vum.health import healthz

admin.site.site_header = "vum administration"
admin.site.site_title = "vum"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/katalog/", include("vum.catalog.api.urls")),
    path("api/v1/", include("followup.api.urls")),
    path("api/v1/", include("orders.api.urls")),
    path("api/v1/", include("assessment.api.urls")),
    path("api/v1/", include("cases.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("notifikationer/", include("vum.notifications.urls")),
    path("", include("followup.urls")),
    path("", include("orders.urls")),
    path("", include("assessment.urls")),
    path("", include("cases.urls")),
]

handler400 = "vum.errors.bad_request"
handler403 = "vum.errors.permission_denied"
handler404 = "vum.errors.page_not_found"
handler500 = "vum.errors.server_error"
