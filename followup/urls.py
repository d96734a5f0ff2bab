"""Pages of the follow-up: the caseworker's follow-ups and form, the provider's meeting and
statusnotat."""

from django.urls import path

from followup.views import ffb, ledelse
from followup.views import sagsbehandler as views
from followup.views import udfoerer as udfoerer_views

app_name = "followup"

urlpatterns = [
    # The leader
    path("ledelse/", ledelse.overblik, name="dashboard"),
    path("ledelse/sager/", ledelse.sager, name="dashboard-sager"),
    path("ledelse/tabel/<slug:key>/", ledelse.tabel, name="dashboard-tabel"),
    path("ledelse/ffb/", ffb.leveringer, name="ffb-leveringer"),
    # The caseworker
    path("sager/<int:sag_pk>/opfoelgning/", views.opfoelgninger, name="opfoelgninger"),
    path("sager/<int:sag_pk>/opfoelgning/planlaeg/", views.planlaeg, name="planlaeg"),
    path("sager/<int:sag_pk>/opfoelgning/<int:pk>/", views.opfoelgning, name="opfoelgning"),
    path("sager/<int:sag_pk>/opfoelgning/<int:pk>/aflys/", views.aflys, name="aflys"),
    path("sager/<int:sag_pk>/opfoelgning/<int:pk>/skema/", views.skema, name="skema"),
    path("sager/<int:sag_pk>/opfoelgning/<int:pk>/udfald/", views.udfald, name="udfald"),
    path(
        "sager/<int:sag_pk>/opfoelgning/udlevering/<int:pk>/",
        views.udlevering,
        name="udlevering",
    ),
    # The provider (udfører)
    path(
        "udfoerer/opfoelgning/<int:pk>/",
        udfoerer_views.opfoelgning,
        name="udfoerer-opfoelgning",
    ),
    path(
        "udfoerer/opfoelgning/<int:pk>/indkald/",
        udfoerer_views.indkald,
        name="udfoerer-indkald",
    ),
    path(
        "udfoerer/opfoelgning/<int:pk>/statusnotat/",
        udfoerer_views.statusnotat,
        name="udfoerer-statusnotat",
    ),
]
