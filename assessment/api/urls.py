"""Routes of the assessment API, mounted at /api/v1/ (beside cases.api: no route overlaps)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from assessment.api.views.afgoerelse import (
    AfgoerelseForhaandsvisningView,
    AfgoerelseViewSet,
    BrevPdfView,
    BrevViewSet,
)
from assessment.api.views.klage import KlageViewSet
from assessment.api.views.partshoering import PartshoeringBrevView, PartshoeringViewSet
from assessment.api.views.udredning import (
    DelanalyseView,
    FunktionsevnevurderingViewSet,
    IndhentningViewSet,
    KildeView,
    TemaOplysningView,
    UdredningView,
)
from assessment.api.views.udvalg import (
    IndstillingPdfView,
    IndstillingViewSet,
    ReferatPdfView,
    UdfaldView,
    UdvalgsmoedeViewSet,
)
from assessment.api.views.vurdering import (
    IndsatsmaalView,
    IndsatsView,
    MaalgrupperView,
    PrislinjeView,
    SagsvurderingAPIView,
    StoettebehovView,
)

# Path converters rather than regexes, so the OpenAPI schema knows the ids are integers.
router = SimpleRouter(use_regex_path=False)
router.register(
    "sager/<int:sag_pk>/udredning/scoringer",
    FunktionsevnevurderingViewSet,
    basename="api-funktionsevnevurdering",
)
router.register("sager/<int:sag_pk>/indhentninger", IndhentningViewSet, basename="api-indhentning")
router.register(
    "sager/<int:sag_pk>/partshoeringer", PartshoeringViewSet, basename="api-partshoering"
)
router.register("sager/<int:sag_pk>/indstillinger", IndstillingViewSet, basename="api-indstilling")
router.register("sager/<int:sag_pk>/afgoerelser", AfgoerelseViewSet, basename="api-afgoerelse")
router.register("sager/<int:sag_pk>/breve", BrevViewSet, basename="api-brev")
router.register("sager/<int:sag_pk>/klager", KlageViewSet, basename="api-klage")
# The committee's own routes (cases.api has nothing under udvalg/).
router.register("udvalg/moeder", UdvalgsmoedeViewSet, basename="api-udvalgsmoede")

urlpatterns = [
    path("sager/<int:sag_pk>/udredning/", UdredningView.as_view(), name="api-udredning"),
    path(
        "sager/<int:sag_pk>/udredning/temaer/<int:tema_id>/",
        TemaOplysningView.as_view(),
        name="api-udredning-tema",
    ),
    path(
        "sager/<int:sag_pk>/udredning/temaer/<int:tema_id>/kilder/",
        KildeView.as_view(),
        name="api-udredning-kilder",
    ),
    path(
        "sager/<int:sag_pk>/udredning/delanalyser/<int:kategori_id>/",
        DelanalyseView.as_view(),
        name="api-udredning-delanalyse",
    ),
    path(
        "sager/<int:sag_pk>/partshoeringer/<int:pk>/brev.pdf",
        PartshoeringBrevView.as_view(),
        name="api-partshoering-brev",
    ),
    path(
        "sager/<int:sag_pk>/sagsvurdering/",
        SagsvurderingAPIView.as_view(),
        name="api-sagsvurdering",
    ),
    path(
        "sager/<int:sag_pk>/sagsvurdering/maal/",
        IndsatsmaalView.as_view(),
        name="api-sagsvurdering-maal",
    ),
    path(
        "sager/<int:sag_pk>/sagsvurdering/stoettebehov/",
        StoettebehovView.as_view(),
        name="api-sagsvurdering-stoettebehov",
    ),
    path(
        "sager/<int:sag_pk>/sagsvurdering/indsatser/",
        IndsatsView.as_view(),
        name="api-sagsvurdering-indsatser",
    ),
    path(
        "sager/<int:sag_pk>/sagsvurdering/indsatser/<int:indsats_id>/prislinjer/",
        PrislinjeView.as_view(),
        name="api-sagsvurdering-prislinjer",
    ),
    path(
        "sager/<int:sag_pk>/sagsvurdering/maalgrupper/",
        MaalgrupperView.as_view(),
        name="api-sagsvurdering-maalgrupper",
    ),
    path(
        "sager/<int:sag_pk>/indstillinger/<int:pk>/indstilling.pdf",
        IndstillingPdfView.as_view(),
        name="api-indstilling-pdf",
    ),
    path(
        "udvalg/moeder/<int:moede_pk>/punkter/<int:pk>/udfald/",
        UdfaldView.as_view(),
        name="api-dagsordenspunkt-udfald",
    ),
    path(
        "udvalg/moeder/<int:pk>/referat.pdf",
        ReferatPdfView.as_view(),
        name="api-udvalgsmoede-referat",
    ),
    path(
        "sager/<int:sag_pk>/afgoerelser/<int:pk>/forhaandsvisning.pdf",
        AfgoerelseForhaandsvisningView.as_view(),
        name="api-afgoerelse-forhaandsvisning",
    ),
    path(
        "sager/<int:sag_pk>/breve/<int:pk>/brev.pdf",
        BrevPdfView.as_view(),
        name="api-brev-pdf",
    ),
    *router.urls,
]
