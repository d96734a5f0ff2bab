"""Routes of the case API, mounted at /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from cases.api import views
from vum.accounts.api import ApiTokenRevokeAllView, ApiTokenView

# Path converters rather than regexes, so the OpenAPI schema knows the ids are integers.
router = SimpleRouter(use_regex_path=False)
router.register("borgere", views.BorgerViewSet, basename="api-borger")
router.register("sager", views.SagViewSet, basename="api-sag")
router.register("henvendelser", views.HenvendelseViewSet, basename="api-henvendelse")
router.register("sager/<int:sag_pk>/samtykker", views.SamtykkeViewSet, basename="api-samtykke")
router.register(
    "sager/<int:sag_pk>/journalnotater", views.JournalnotatViewSet, basename="api-journalnotat"
)

urlpatterns = [
    path("auth/token/", ApiTokenView.as_view(), name="api-token"),
    path("auth/token/alle/", ApiTokenRevokeAllView.as_view(), name="api-token-alle"),
    path(
        "sager/<int:sag_pk>/transitions/",
        views.SagTransitionListView.as_view(),
        name="api-sag-transitions",
    ),
    path(
        "sager/<int:sag_pk>/transitions/<str:name>/",
        views.SagTransitionView.as_view(),
        name="api-sag-transition",
    ),
    *router.urls,
]
