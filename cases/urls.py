from django.contrib.auth import views as auth_views
from django.urls import path

from cases import views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    # Django's LogoutView accepts POST only, so a link or a prefetch cannot log the user out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("mine-sager/", views.inbox, name="inbox"),
    path("frister/", views.frister, name="frister"),
    path("sager/", views.sager, name="sager"),
    path("borgere/", views.borgere, name="borgere"),
    path("borgere/soeg/", views.borger_search, name="borger_search"),
    path("borgere/opret/", views.borger_create, name="borger_create"),
    path("borgere/<int:pk>/", views.borger_detail, name="borger_detail"),
    path("borgere/<int:pk>/relationer/", views.relation_add, name="relation_add"),
    path("borgere/<int:pk>/henvendelse/", views.henvendelse_create, name="henvendelse_create"),
    path("sager/<int:pk>/", views.sag_detail, name="sag_detail"),
    path("sager/<int:pk>/faseskift/", views.sag_transition, name="sag_transition"),
    path("sager/<int:pk>/journal/", views.journal_add, name="journal_add"),
    path("sager/<int:pk>/frister/<int:frist_pk>/flyt/", views.frist_flyt, name="frist_flyt"),
    path(
        "sager/<int:pk>/frister/<int:frist_pk>/overholdt/",
        views.frist_overhold,
        name="frist_overhold",
    ),
    path(
        "sager/<int:pk>/frister/<int:frist_pk>/annuller/",
        views.frist_annuller,
        name="frist_annuller",
    ),
    path(
        "sager/<int:pk>/journal/<int:notat_pk>/ret/",
        views.journal_correct,
        name="journal_correct",
    ),
    path("sager/<int:pk>/sagsaabning/", views.sagsaabning, name="sagsaabning"),
    path("sager/<int:pk>/sagsaabning/ansoegning/", views.ansoegning_set, name="ansoegning_set"),
    path("sager/<int:pk>/sagsaabning/formaal/", views.formaal_add, name="formaal_add"),
    path("sager/<int:pk>/sagsaabning/samtykker/", views.samtykke_add, name="samtykke_add"),
    path(
        "sager/<int:pk>/sagsaabning/samtykker/<int:samtykke_pk>/tilbagekald/",
        views.samtykke_withdraw,
        name="samtykke_withdraw",
    ),
    path("sager/<int:pk>/sagsaabning/<slug:kind>/", views.row_add, name="row_add"),
    path(
        "sager/<int:pk>/sagsaabning/<slug:kind>/<int:row_pk>/slet/",
        views.row_delete,
        name="row_delete",
    ),
    path("log/", views.borger_log_search, name="borger_log"),
    path("log/<int:borger_id>/", views.borger_log_detail, name="borger_log_detail"),
]
