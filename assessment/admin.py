from django.contrib import admin

from assessment.models import Dagsordenspunkt, Udvalgsmoede, Visitationsudvalg


@admin.register(Visitationsudvalg)
class VisitationsudvalgAdmin(admin.ModelAdmin):
    filter_horizontal = ("medlemmer",)


class DagsordenspunktInline(admin.TabularInline):
    model = Dagsordenspunkt
    raw_id_fields = ("sag",)
    extra = 0


@admin.register(Udvalgsmoede)
class UdvalgsmoedeAdmin(admin.ModelAdmin):
    list_display = ("udvalg", "dato")
    inlines = [DagsordenspunktInline]
