from django.urls import path

from cases.views.borger import (
    borger_cpr_refresh,
    borger_create,
    borger_detail,
    borger_log_detail,
    borger_log_export,
    borger_log_search,
    borger_search,
    henvendelse_create,
    relation_add,
)
from cases.views.oversigt import borgere, frister, home, inbox, sager
from cases.views.sag import (
    frist_annuller,
    frist_flyt,
    frist_overhold,
    journal_add,
    journal_correct,
    phase_forward,
    sag_detail,
    sag_transition,
)
from cases.views.sagsaabning import (
    ansoegning_set,
    row_add,
    row_delete,
    sagsaabning,
    samtykke_add,
    samtykke_withdraw,
)
from cases.views.udskrift import sag_journal_udskrift, sag_udskrift
from vum.accounts.federation.views import login_page, logout

urlpatterns = [
    path("login/", login_page, name="login"),
    # POST only, so that a link or a prefetch cannot log the user out.
    path("logout/", logout, name="logout"),
    path("", home, name="home"),
    path("mine-sager/", inbox, name="inbox"),
    path("frister/", frister, name="frister"),
    path("sager/", sager, name="sager"),
    path("borgere/", borgere, name="borgere"),
    path("borgere/soeg/", borger_search, name="borger_search"),
    path("borgere/opret/", borger_create, name="borger_create"),
    path("borgere/<int:pk>/", borger_detail, name="borger_detail"),
    path("borgere/<int:pk>/relationer/", relation_add, name="relation_add"),
    path("borgere/<int:pk>/cpr/", borger_cpr_refresh, name="borger_cpr_refresh"),
    path("borgere/<int:pk>/henvendelse/", henvendelse_create, name="henvendelse_create"),
    path("sager/<int:pk>/", sag_detail, name="sag_detail"),
    path("sager/<int:pk>/faseskift/", sag_transition, name="sag_transition"),
    path("sager/<int:pk>/videre/<slug:fase>/", phase_forward, name="phase_forward"),
    path("sager/<int:pk>/journal/", journal_add, name="journal_add"),
    path("sager/<int:pk>/udskrift/", sag_udskrift, name="sag_udskrift"),
    path("sager/<int:pk>/journal/udskrift/", sag_journal_udskrift, name="sag_journal_udskrift"),
    path("sager/<int:pk>/frister/<int:frist_pk>/flyt/", frist_flyt, name="frist_flyt"),
    path(
        "sager/<int:pk>/frister/<int:frist_pk>/overholdt/",
        frist_overhold,
        name="frist_overhold",
    ),
    path(
        "sager/<int:pk>/frister/<int:frist_pk>/annuller/",
        frist_annuller,
        name="frist_annuller",
    ),
    path(
        "sager/<int:pk>/journal/<int:notat_pk>/ret/",
        journal_correct,
        name="journal_correct",
    ),
    path("sager/<int:pk>/sagsaabning/", sagsaabning, name="sagsaabning"),
    path("sager/<int:pk>/sagsaabning/ansoegning/", ansoegning_set, name="ansoegning_set"),
    path("sager/<int:pk>/sagsaabning/samtykker/", samtykke_add, name="samtykke_add"),
    path(
        "sager/<int:pk>/sagsaabning/samtykker/<int:samtykke_pk>/tilbagekald/",
        samtykke_withdraw,
        name="samtykke_withdraw",
    ),
    path("sager/<int:pk>/sagsaabning/<slug:kind>/", row_add, name="row_add"),
    path(
        "sager/<int:pk>/sagsaabning/<slug:kind>/<int:row_pk>/slet/",
        row_delete,
        name="row_delete",
    ),
    path("log/", borger_log_search, name="borger_log"),
    path("log/<int:borger_id>/", borger_log_detail, name="borger_log_detail"),
    path("log/<int:borger_id>/log.pdf", borger_log_export, {"fmt": "pdf"}, name="borger_log_pdf"),
    path("log/<int:borger_id>/log.csv", borger_log_export, {"fmt": "csv"}, name="borger_log_csv"),
]
