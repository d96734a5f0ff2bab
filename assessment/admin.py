from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from assessment.models import Dagsordenspunkt, Kompetenceregel, Udvalgsmoede, Visitationsudvalg
from assessment.services.udvalg import udvalgsmoeder_plan


@admin.register(Visitationsudvalg)
class VisitationsudvalgAdmin(admin.ModelAdmin):
    list_display = ("navn", "moede_ugedag", "moede_uge")
    filter_horizontal = ("medlemmer",)

    def save_model(
        self, request: HttpRequest, obj: Visitationsudvalg, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        # A new committee (or a new pattern) has its meetings at once, not after the night's
        # planning task: caseworkers can send to it the same day.
        udvalgsmoeder_plan(udvalg=obj)


class DagsordenspunktInline(admin.TabularInline):
    """The agenda as the committee left it; outcomes are recorded in the meeting view."""

    model = Dagsordenspunkt
    fields = ("sag", "indstilling", "udfald", "behandlet")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Udvalgsmoede)
class UdvalgsmoedeAdmin(admin.ModelAdmin):
    list_display = ("udvalg", "dato", "afsluttet")
    list_filter = ("udvalg",)
    readonly_fields = ("afsluttet", "referat_sha256")
    exclude = ("referat_pdf",)
    inlines = [DagsordenspunktInline]


@admin.register(Kompetenceregel)
class KompetenceregelAdmin(admin.ModelAdmin):
    list_display = (
        "kommune",
        "kommunal_ydelse",
        "altid_visitationsudvalg",
        "beloebsgraense_pr_aar",
    )
    list_filter = ("kommune", "altid_visitationsudvalg")
    raw_id_fields = ("kommunal_ydelse",)
