"""Routes of the case API, mounted at /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from cases.api.views.borger import BorgerViewSet
from cases.api.views.henvendelse import HenvendelseViewSet
from cases.api.views.sag import (
    JournalnotatViewSet,
    SagTransitionListView,
    SagTransitionView,
    SagViewSet,
)
from cases.api.views.sagsaabning import SamtykkeViewSet
from vum.accounts.api import ApiTokenRevokeAllView, ApiTokenView

# Path converters rather than regexes, so the OpenAPI schema knows the ids are integers.
router = SimpleRouter(use_regex_path=False)
router.register("borgere", BorgerViewSet, basename="api-borger")
router.register("sager", SagViewSet, basename="api-sag")
router.register("henvendelser", HenvendelseViewSet, basename="api-henvendelse")
router.register("sager/<int:sag_pk>/samtykker", SamtykkeViewSet, basename="api-samtykke")
router.register(
    "sager/<int:sag_pk>/journalnotater", JournalnotatViewSet, basename="api-journalnotat"
)

urlpatterns = [
    path("auth/token/", ApiTokenView.as_view(), name="api-token"),
    path("auth/token/alle/", ApiTokenRevokeAllView.as_view(), name="api-token-alle"),
    path(
        "sager/<int:sag_pk>/transitions/",
        SagTransitionListView.as_view(),
        name="api-sag-transitions",
    ),
    path(
        "sager/<int:sag_pk>/transitions/<str:name>/",
        SagTransitionView.as_view(),
        name="api-sag-transition",
    ),
    *router.urls,
]
