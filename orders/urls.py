"""Pages of the bestilling phase: the caseworker's orders and handleplan, the provider's
workspace (udfører) and the finance function's list."""

from django.urls import path

from orders.views import sagsbehandler as views
from orders.views import udfoerer as udfoerer_views

app_name = "orders"

urlpatterns = [
    # The caseworker
    path("sager/<int:sag_pk>/bestillinger/", views.sag_bestillinger, name="sag-bestillinger"),
    path(
        "sager/<int:sag_pk>/bestillinger/ledsagelse/",
        views.ledsagetimer,
        name="ledsagetimer",
    ),
    path(
        "sager/<int:sag_pk>/bestillinger/send/", views.bestillinger_send, name="bestillinger-send"
    ),
    path(
        "sager/<int:sag_pk>/bestillinger/<int:pk>/pdf/",
        views.bestilling_pdf,
        name="sag-bestilling-pdf",
    ),
    path(
        "sager/<int:sag_pk>/bestillinger/<int:pk>/fhir/",
        views.bestilling_fhir,
        name="sag-bestilling-fhir",
    ),
    path(
        "sager/<int:sag_pk>/indsatser/<int:pk>/udfoerer/",
        views.indsats_udfoerer,
        name="indsats-udfoerer",
    ),
    path(
        "sager/<int:sag_pk>/anmodninger/<int:pk>/svar/",
        views.anmodning_svar,
        name="anmodning-svar",
    ),
    path("borgere/<int:borger_pk>/handleplan/", views.handleplan, name="handleplan"),
    path(
        "borgere/<int:borger_pk>/handleplan/faerdiggoer/",
        views.handleplan_finalise,
        name="handleplan-finalise",
    ),
    path(
        "borgere/<int:borger_pk>/handleplan/<int:nummer>/pdf/",
        views.handleplan_pdf,
        name="handleplan-pdf",
    ),
    path("oekonomi/bestillinger/", views.oekonomi, name="oekonomi"),
    # The provider (udfører)
    path("udfoerer/", udfoerer_views.borgere, name="udfoerer-borgere"),
    path("udfoerer/borgere/<int:borger_pk>/", udfoerer_views.borger, name="udfoerer-borger"),
    path(
        "udfoerer/bestillinger/<int:pk>/",
        udfoerer_views.bestilling,
        name="udfoerer-bestilling",
    ),
    path(
        "udfoerer/bestillinger/<int:pk>/svar/",
        udfoerer_views.bestilling_svar,
        name="udfoerer-bestilling-svar",
    ),
    path(
        "udfoerer/bestillinger/<int:pk>/pdf/",
        udfoerer_views.bestilling_pdf,
        name="udfoerer-bestilling-pdf",
    ),
    path(
        "udfoerer/bestillinger/<int:pk>/fhir/",
        udfoerer_views.bestilling_fhir,
        name="udfoerer-bestilling-fhir",
    ),
    path(
        "udfoerer/bestillinger/<int:pk>/bilag/",
        udfoerer_views.bestilling_bilag,
        name="udfoerer-bestilling-bilag",
    ),
    path(
        "udfoerer/bestillinger/<int:pk>/delmaal/",
        udfoerer_views.delmaal_create,
        name="delmaal-create",
    ),
    path(
        "udfoerer/bestillinger/<int:pk>/delmaal/<int:delmaal_pk>/notat/",
        udfoerer_views.delmaalsnotat_add,
        name="delmaalsnotat-add",
    ),
    path(
        "udfoerer/bestillinger/<int:pk>/delmaal/<int:delmaal_pk>/handling/",
        udfoerer_views.handling_add,
        name="handling-add",
    ),
    path(
        "udfoerer/bestillinger/<int:pk>/delmaal/<int:delmaal_pk>/status/",
        udfoerer_views.delmaal_status,
        name="delmaal-status",
    ),
    path(
        "udfoerer/bestillinger/<int:pk>/notater/",
        udfoerer_views.leveringsnotat_add,
        name="leveringsnotat-add",
    ),
    path(
        "udfoerer/bestillinger/<int:pk>/magtanvendelse/",
        udfoerer_views.magtanvendelse_report,
        name="magtanvendelse-report",
    ),
    path(
        "udfoerer/bestillinger/<int:pk>/anmodning/",
        udfoerer_views.anmodning_create,
        name="anmodning-create",
    ),
]
