"""Admin for the reference data. Validation lives in the models' clean(), which the admin runs.

Rows are versioned: to change the catalog for new cases, add a new version (load_catalog) or end a
row's validity; editing a row in place also changes what old cases show.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from vum.catalog import models as m

VERSION_FIELDS = ("katalog", "version", "gyldig_fra", "gyldig_til")


class VersionedAdmin(admin.ModelAdmin):
    list_display = ["navn", "slug", "version", "gyldig_fra", "gyldig_til"]
    list_filter = ["katalog", "version"]
    search_fields = ["navn", "slug"]
    readonly_fields = ["katalog"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The identity of a loaded row (slug, version) does not change; cases may point at it.
        identity = ("slug", "version") if obj is not None else ()
        return (*super().get_readonly_fields(request, obj), *identity)


class FfbAdmin(VersionedAdmin):
    list_display = ["navn", "slug", "ffb_kode", "version", "gyldig_fra", "gyldig_til"]
    search_fields = ["navn", "slug", "ffb_kode"]


@admin.register(m.Katalogversion)
class KatalogversionAdmin(admin.ModelAdmin):
    list_display = ["katalog", "version", "gyldig_fra", "fil", "indlaest"]
    list_filter = ["katalog"]
    readonly_fields = ["katalog", "version", "gyldig_fra", "fil", "sha256", "indlaest"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions are registered by load_catalog


@admin.register(m.Kategori)
class KategoriAdmin(FfbAdmin):
    list_display = ["navn", "scores", "ffb_kode", "version", "gyldig_fra", "gyldig_til"]


@admin.register(m.Tema)
class TemaAdmin(FfbAdmin):
    list_display = ["navn", "kategori", "ffb_kode", "version", "gyldig_fra", "gyldig_til"]
    list_filter = ["katalog", "version", "kategori__navn"]
    list_select_related = ("kategori",)


@admin.register(m.Undertema)
class UndertemaAdmin(FfbAdmin):
    list_display = ["navn", "tema", "scores", "ffb_kode", "version", "gyldig_til"]
    list_filter = ["version", "scores", "tema__kategori__navn", "tema__navn"]
    list_select_related = ("tema",)


@admin.register(m.Funktionsevneniveau, m.Stoettebehov)
class ScaleAdmin(FfbAdmin):
    list_display = ["vaerdi", "navn", "ffb_kode", "version", "gyldig_fra", "gyldig_til"]


admin.site.register([m.Maaltype, m.Fremadrettet, m.StatusPaaIndsats, m.Visitationsudfald], FfbAdmin)


@admin.register(m.Maalgruppe, m.Ydelse, m.Tilbudstype)
class TreeAdmin(FfbAdmin):
    list_display = ["navn", "parent", "ffb_kode", "version", "gyldig_fra", "gyldig_til"]
    list_select_related = ("parent",)
    autocomplete_fields = ["parent"]


@admin.register(m.Kommune)
class KommuneAdmin(admin.ModelAdmin):
    list_display = ["navn", "slug", "klagefrist_uger", "fristmaal_procent"]
    search_fields = ["navn", "slug"]


@admin.register(m.Lovhenvisning)
class LovhenvisningAdmin(VersionedAdmin):
    list_display = ["navn", "kommune", "nummer", "dato", "version", "gyldig_til"]
    list_filter = ["kommune", "version"]
    search_fields = ["navn", "slug", "lov", "paragraf"]


@admin.register(m.Hjemmel)
class HjemmelAdmin(VersionedAdmin):
    list_display = ["navn", "kommune", "pligt", "klageadgang", "varsel_uger", "version"]
    list_filter = ["kommune", "version", "pligt"]
    autocomplete_fields = ["lovhenvisning"]


class NiveauInline(admin.TabularInline):
    model = m.Niveau
    extra = 0


class SagsbehandlingsfristInline(admin.TabularInline):
    model = m.Sagsbehandlingsfrist
    extra = 0


class TakstInline(admin.TabularInline):
    model = m.Takst
    extra = 0


@admin.register(m.KommunalYdelse)
class KommunalYdelseAdmin(VersionedAdmin):
    list_display = ["kode", "navn", "kommune", "standard_foreligger", "version", "gyldig_til"]
    list_filter = ["kommune", "version", "standard_foreligger"]
    search_fields = ["kode", "navn", "slug"]
    autocomplete_fields = ["hjemler", "ffb_ydelser"]
    inlines = (NiveauInline, SagsbehandlingsfristInline, TakstInline)
