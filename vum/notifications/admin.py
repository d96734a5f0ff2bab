from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from vum.notifications.models import UdgaaendeEmail


class EmailStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    STATES = {
        "venter": Q(afsendelse_paabegyndt__isnull=True),
        "sendt": Q(afsendt__isnull=False),
        # Claimed but never marked sent: the process stopped while sending. Not re-sent
        # automatically, because the mail server may have taken it; check and resend by hand.
        "i_tvivl": Q(afsendelse_paabegyndt__isnull=False, afsendt__isnull=True),
        "fejl": ~Q(fejl=""),
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("venter", "Venter"),
            ("sendt", "Sendt"),
            ("i_tvivl", "I tvivl (afsendelse afbrudt)"),
            ("fejl", "Afvist af mailserveren"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        condition = self.STATES.get(self.value() or "")
        return queryset.filter(condition) if condition is not None else queryset


@admin.register(UdgaaendeEmail)
class UdgaaendeEmailAdmin(admin.ModelAdmin):
    """The outbox, read-only: who was written to and whether it went out."""

    list_display = ("oprettet", "til", "emne", "afsendelse_paabegyndt", "afsendt", "fejl")
    list_filter = (EmailStatusFilter,)
    search_fields = ("til", "emne", "message_id")
    readonly_fields = [f.name for f in UdgaaendeEmail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
