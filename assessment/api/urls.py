"""Routes of the assessment API, mounted at /api/v1/ (beside cases.api: no route overlaps)."""

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
router.register(
    "sager/<int:sag_pk>/indstillinger", views.IndstillingViewSet, basename="api-indstilling"
)
router.register(
    "sager/<int:sag_pk>/afgoerelser", views.AfgoerelseViewSet, basename="api-afgoerelse"
)
router.register("sager/<int:sag_pk>/breve", views.BrevViewSet, basename="api-brev")
router.register("sager/<int:sag_pk>/klager", views.KlageViewSet, basename="api-klage")
# The committee's own routes (cases.api has nothing under udvalg/).
router.register("udvalg/moeder", views.UdvalgsmoedeViewSet, basename="api-udvalgsmoede")

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
    path(
        "sager/<int:sag_pk>/sagsvurdering/",
        views.SagsvurderingAPIView.as_view(),
        name="api-sagsvurdering",
    ),
    path(
        "sager/<int:sag_pk>/sagsvurdering/maal/",
        views.IndsatsmaalView.as_view(),
        name="api-sagsvurdering-maal",
    ),
    path(
        "sager/<int:sag_pk>/sagsvurdering/stoettebehov/",
        views.StoettebehovView.as_view(),
        name="api-sagsvurdering-stoettebehov",
    ),
    path(
        "sager/<int:sag_pk>/sagsvurdering/indsatser/",
        views.IndsatsView.as_view(),
        name="api-sagsvurdering-indsatser",
    ),
    path(
        "sager/<int:sag_pk>/sagsvurdering/indsatser/<int:indsats_id>/prislinjer/",
        views.PrislinjeView.as_view(),
        name="api-sagsvurdering-prislinjer",
    ),
    path(
        "sager/<int:sag_pk>/sagsvurdering/maalgrupper/",
        views.MaalgrupperView.as_view(),
        name="api-sagsvurdering-maalgrupper",
    ),
    path(
        "sager/<int:sag_pk>/indstillinger/<int:pk>/indstilling.pdf",
        views.IndstillingPdfView.as_view(),
        name="api-indstilling-pdf",
    ),
    path(
        "udvalg/moeder/<int:moede_pk>/punkter/<int:pk>/udfald/",
        views.UdfaldView.as_view(),
        name="api-dagsordenspunkt-udfald",
    ),
    path(
        "udvalg/moeder/<int:pk>/referat.pdf",
        views.ReferatPdfView.as_view(),
        name="api-udvalgsmoede-referat",
    ),
    path(
        "sager/<int:sag_pk>/afgoerelser/<int:pk>/forhaandsvisning.pdf",
        views.AfgoerelseForhaandsvisningView.as_view(),
        name="api-afgoerelse-forhaandsvisning",
    ),
    path(
        "sager/<int:sag_pk>/breve/<int:pk>/brev.pdf",
        views.BrevPdfView.as_view(),
        name="api-brev-pdf",
    ),
    *router.urls,
]
