from django.urls import path

from assessment.views import afgoerelse as afgoerelse_views
from assessment.views import udredning as views
from assessment.views import udvalg as udvalg_views
from assessment.views import vurdering as vurdering_views

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

urlpatterns += [
    path("sager/<int:pk>/sagsvurdering/", vurdering_views.sagsvurdering, name="sagsvurdering"),
    path(
        "sager/<int:pk>/sagsvurdering/start/",
        vurdering_views.sagsvurdering_start,
        name="sagsvurdering_start",
    ),
    path(
        "sager/<int:pk>/sagsvurdering/gem/",
        vurdering_views.sagsvurdering_save,
        name="sagsvurdering_save",
    ),
    path("sager/<int:pk>/sagsvurdering/maal/", vurdering_views.maal_add, name="vurdering_maal"),
    path(
        "sager/<int:pk>/sagsvurdering/indsatser/",
        vurdering_views.indsats_add,
        name="vurdering_indsats",
    ),
    path(
        "sager/<int:pk>/sagsvurdering/indsatser/<int:indsats_pk>/prislinjer/",
        vurdering_views.prislinje_add,
        name="vurdering_prislinje",
    ),
]

# The indstilling and the visitationsudvalg's meetings.
urlpatterns += [
    path("sager/<int:pk>/indstilling/", udvalg_views.indstilling, name="indstilling"),
    path(
        "sager/<int:pk>/indstilling/<int:indstilling_pk>/tilbud/",
        udvalg_views.indstilling_tilbud,
        name="indstilling_tilbud",
    ),
    path(
        "sager/<int:pk>/indstilling/<int:indstilling_pk>/send/",
        udvalg_views.indstilling_send,
        name="indstilling_send",
    ),
    path(
        "sager/<int:pk>/indstilling/<int:indstilling_pk>/indstilling.pdf",
        udvalg_views.indstilling_pdf,
        name="indstilling_pdf",
    ),
    path("udvalg/", udvalg_views.udvalg_moeder, name="udvalg_moeder"),
    path("udvalg/moeder/<int:moede_pk>/", udvalg_views.udvalgsmoede, name="udvalgsmoede"),
    path(
        "udvalg/moeder/<int:moede_pk>/afslut/",
        udvalg_views.udvalgsmoede_afslut,
        name="udvalgsmoede_afslut",
    ),
    path(
        "udvalg/moeder/<int:moede_pk>/referat.pdf",
        udvalg_views.udvalgsmoede_referat,
        name="udvalgsmoede_referat",
    ),
    path(
        "udvalg/moeder/<int:moede_pk>/punkter/<int:punkt_pk>/",
        udvalg_views.udvalg_punkt,
        name="udvalg_punkt",
    ),
    path(
        "udvalg/moeder/<int:moede_pk>/punkter/<int:punkt_pk>/udfald/",
        udvalg_views.udvalg_udfald,
        name="udvalg_udfald",
    ),
    path(
        "udvalg/moeder/<int:moede_pk>/punkter/<int:punkt_pk>/indstilling.pdf",
        udvalg_views.udvalg_indstilling_pdf,
        name="udvalg_indstilling_pdf",
    ),
]

# The afgørelse, its letter and complaints.
urlpatterns += [
    path("sager/<int:pk>/afgoerelse/", afgoerelse_views.afgoerelse, name="afgoerelse"),
    path(
        "sager/<int:pk>/afgoerelse/ny/",
        afgoerelse_views.afgoerelse_create,
        name="afgoerelse_create",
    ),
    path(
        "sager/<int:pk>/afgoerelse/<int:afgoerelse_pk>/forhaandsvisning/",
        afgoerelse_views.afgoerelse_preview,
        name="afgoerelse_preview",
    ),
    path(
        "sager/<int:pk>/afgoerelse/<int:afgoerelse_pk>/send/",
        afgoerelse_views.afgoerelse_send,
        name="afgoerelse_send",
    ),
    path(
        "sager/<int:pk>/forsendelser/<int:forsendelse_pk>/send-igen/",
        afgoerelse_views.forsendelse_resend,
        name="forsendelse_resend",
    ),
    path(
        "sager/<int:pk>/afgoerelse/<int:afgoerelse_pk>/breve/<int:brev_pk>/brev.pdf",
        afgoerelse_views.afgoerelse_brev,
        name="afgoerelse_brev",
    ),
    path(
        "sager/<int:pk>/afgoerelse/<int:afgoerelse_pk>/klager/",
        afgoerelse_views.klage_register,
        name="klage_register",
    ),
    path(
        "sager/<int:pk>/afgoerelse/<int:afgoerelse_pk>/klager/<int:klage_pk>/genvurdering/",
        afgoerelse_views.klage_genvurder,
        name="klage_genvurder",
    ),
    path(
        "sager/<int:pk>/afgoerelse/<int:afgoerelse_pk>/klager/<int:klage_pk>/ankestyrelsen/",
        afgoerelse_views.klage_ankestyrelsen,
        name="klage_ankestyrelsen",
    ),
    path(
        "sager/<int:pk>/afgoerelse/<int:afgoerelse_pk>/klager/<int:klage_pk>/ankestyrelsens-afgoerelse/",
        afgoerelse_views.klage_ankestyrelsens_afgoerelse,
        name="klage_ankestyrelsens_afgoerelse",
    ),
]
