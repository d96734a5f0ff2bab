from django.contrib import admin

from assessment.models import Dagsordenspunkt, Kompetenceregel, Udvalgsmoede, Visitationsudvalg


@admin.register(Visitationsudvalg)
class VisitationsudvalgAdmin(admin.ModelAdmin):
    list_display = ("navn", "moede_ugedag", "moede_uge")
    filter_horizontal = ("medlemmer",)


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
