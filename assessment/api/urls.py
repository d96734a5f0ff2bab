"""Routes of the sagsoplysning API, mounted at /api/v1/ (beside cases.api: no route overlaps)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from assessment.api import views

# Path converters rather than regexes, so the OpenAPI schema knows the ids are integers.
router = SimpleRouter(use_regex_path=False)
router.register(
    "sager/<int:sag_pk>/udredning/scoringer",
    views.FunktionsevnevurderingViewSet,
    basename="api-funktionsevnevurdering",
)
router.register(
    "sager/<int:sag_pk>/indhentninger", views.IndhentningViewSet, basename="api-indhentning"
)
router.register(
    "sager/<int:sag_pk>/partshoeringer", views.PartshoeringViewSet, basename="api-partshoering"
)

urlpatterns = [
    path("sager/<int:sag_pk>/udredning/", views.UdredningView.as_view(), name="api-udredning"),
    path(
        "sager/<int:sag_pk>/udredning/temaer/<int:tema_id>/",
        views.TemaOplysningView.as_view(),
        name="api-udredning-tema",
    ),
    path(
        "sager/<int:sag_pk>/udredning/temaer/<int:tema_id>/kilder/",
        views.KildeView.as_view(),
        name="api-udredning-kilder",
    ),
    path(
        "sager/<int:sag_pk>/udredning/delanalyser/<int:kategori_id>/",
        views.DelanalyseView.as_view(),
        name="api-udredning-delanalyse",
    ),
    path(
        "sager/<int:sag_pk>/partshoeringer/<int:pk>/brev.pdf",
        views.PartshoeringBrevView.as_view(),
        name="api-partshoering-brev",
    ),
    *router.urls,
]
