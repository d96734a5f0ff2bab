from django.urls import path

from assessment.views import udredning as views

urlpatterns = [
    path("sager/<int:pk>/udredning/", views.udredning, name="udredning"),
    path("sager/<int:pk>/udredning/start/", views.udredning_start, name="udredning_start"),
    path("sager/<int:pk>/udredning/genbrug/", views.udredning_genbrug, name="udredning_genbrug"),
    path("sager/<int:pk>/udredning/temaer/<int:tema_pk>/", views.tema_save, name="tema_save"),
    path(
        "sager/<int:pk>/udredning/temaer/<int:tema_pk>/kilder/",
        views.kilde_add,
        name="kilde_add",
    ),
    path(
        "sager/<int:pk>/udredning/undertemaer/<int:undertema_pk>/vurdering/",
        views.score_add,
        name="score_add",
    ),
    path(
        "sager/<int:pk>/udredning/kategorier/<int:kategori_pk>/delanalyse/",
        views.delanalyse_save,
        name="delanalyse_save",
    ),
    path("sager/<int:pk>/indhentning/", views.indhentning_add, name="indhentning_add"),
    path("sager/<int:pk>/partshoering/", views.partshoering, name="partshoering"),
    path(
        "sager/<int:pk>/partshoering/<int:hoering_pk>/brev.pdf",
        views.partshoering_brev,
        name="partshoering_brev",
    ),
    path(
        "sager/<int:pk>/partshoering/<int:hoering_pk>/svar/",
        views.partshoering_svar,
        name="partshoering_svar",
    ),
]
