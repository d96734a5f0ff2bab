"""Routes of the orders API, mounted at /api/v1/ before assessment.api and cases.api.

No route overlaps theirs: cases.api routes borgere/<pk>/ and borgere/<pk>/relationer/ only, and
neither has anything under bestillinger/, sager/<sag_pk>/bestillinger/ or
sager/<sag_pk>/anmodninger/.
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from orders.api.views.bestilling import (
    BestillingBilagView,
    BestillingerSendView,
    BestillingFhirView,
    BestillingPdfView,
    BestillingViewSet,
    SagBestillingerView,
)
from orders.api.views.handleplan import HandleplanAPIView, HandleplanPdfView, HandleplanVersionView
from orders.api.views.ledsagelse import LedsagelseView
from orders.api.views.levering import (
    AnmodningSvarView,
    AnmodningViewSet,
    DelmaalViewSet,
    LeveringsnotatViewSet,
    MagtanvendelseViewSet,
)

# Path converters rather than regexes, so the OpenAPI schema knows the ids are integers.
router = SimpleRouter(use_regex_path=False)
router.register("bestillinger", BestillingViewSet, basename="api-bestilling")
router.register("bestillinger/<int:bestilling_pk>/delmaal", DelmaalViewSet, basename="api-delmaal")
router.register(
    "bestillinger/<int:bestilling_pk>/notater",
    LeveringsnotatViewSet,
    basename="api-leveringsnotat",
)
router.register(
    "bestillinger/<int:bestilling_pk>/magtanvendelser",
    MagtanvendelseViewSet,
    basename="api-magtanvendelse",
)
router.register(
    "bestillinger/<int:bestilling_pk>/anmodninger",
    AnmodningViewSet,
    basename="api-anmodning",
)

urlpatterns = [
    path(
        "bestillinger/<int:pk>/bestilling.pdf",
        BestillingPdfView.as_view(),
        name="api-bestilling-pdf",
    ),
    path(
        "bestillinger/<int:pk>/fhir/",
        BestillingFhirView.as_view(),
        name="api-bestilling-fhir",
    ),
    path(
        "bestillinger/<int:pk>/handleplan.pdf",
        BestillingBilagView.as_view(),
        name="api-bestilling-bilag",
    ),
    path(
        "sager/<int:sag_pk>/bestillinger/",
        SagBestillingerView.as_view(),
        name="api-sag-bestillinger",
    ),
    path(
        "sager/<int:sag_pk>/ledsagelse/",
        LedsagelseView.as_view(),
        name="api-ledsagelse",
    ),
    path(
        "sager/<int:sag_pk>/bestillinger/send/",
        BestillingerSendView.as_view(),
        name="api-bestillinger-send",
    ),
    path(
        "sager/<int:sag_pk>/anmodninger/<int:pk>/svar/",
        AnmodningSvarView.as_view(),
        name="api-anmodning-svar",
    ),
    path(
        "borgere/<int:borger_pk>/handleplan/",
        HandleplanAPIView.as_view(),
        name="api-handleplan",
    ),
    path(
        "borgere/<int:borger_pk>/handleplan/versioner/",
        HandleplanVersionView.as_view(),
        name="api-handleplan-versioner",
    ),
    path(
        "borgere/<int:borger_pk>/handleplan/versioner/<int:nummer>/handleplan.pdf",
        HandleplanPdfView.as_view(),
        name="api-handleplan-pdf",
    ),
    *router.urls,
]
