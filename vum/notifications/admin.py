from typing import Any, cast

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from vum.access import Action, may
from vum.notifications.models import UdgaaendeEmail, UdgaaendeEmailQuerySet
from vum.notifications.services import email_resend


class EmailStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("venter", "Venter"),
            ("sendt", "Sendt"),
            ("i_tvivl", "I tvivl (afsendelse afbrudt)"),
            ("fejl", "Afvist af mailserveren"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        match self.value():
            case "venter":
                return queryset.filter(afsendelse_paabegyndt__isnull=True)
            case "sendt":
                return queryset.filter(afsendt__isnull=False)
            case "i_tvivl":
                # Not re-sent automatically, because the mail server may have taken it: the
                # administrator checks and sends it again by hand.
                return cast(UdgaaendeEmailQuerySet, queryset).in_doubt(timezone.now())
            case "fejl":
                return queryset.filter(~Q(fejl=""))
        return queryset


@admin.register(UdgaaendeEmail)
class UdgaaendeEmailAdmin(admin.ModelAdmin):
    """The outbox, read-only: who was written to and whether it went out. An e-mail in doubt can
    be sent again, one at a time, after a confirmation."""

    list_display = (
        "oprettet", "til", "emne", "afsendelse_paabegyndt", "afsendt", "fejl", "send_igen",
    )  # fmt: skip
    list_filter = (EmailStatusFilter,)
    search_fields = ("til", "emne", "message_id")
    readonly_fields = [f.name for f in UdgaaendeEmail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="handling")
    def send_igen(self, email: UdgaaendeEmail) -> str:
        if not email.is_in_doubt(timezone.now()):
            return ""
        url = reverse("admin:notifications_udgaaendeemail_resend", args=[email.pk])
        return format_html('<a href="{}">Send igen …</a>', url)

    def get_urls(self) -> list[URLPattern]:
        resend = path(
            "<int:pk>/send-igen/",
            self.admin_site.admin_view(self.resend_view),
            name="notifications_udgaaendeemail_resend",
        )
        return [resend, *super().get_urls()]

    def resend_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Ask the administrator to confirm (GET), then put the e-mail back in the outbox."""
        if not may(request.user, Action.RESEND_EMAIL):
            raise Http404
        email = get_object_or_404(UdgaaendeEmail, pk=pk)
        changelist = reverse("admin:notifications_udgaaendeemail_changelist") + "?status=i_tvivl"
        if request.method == "POST":
            try:
                email_resend(actor=request.user, email_id=email.pk)  # type: ignore[arg-type]
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request, f"E-mailen til {email.til} sendes igen.", messages.SUCCESS
                )
            return HttpResponseRedirect(changelist)
        context = {
            **self.admin_site.each_context(request),
            "title": "Send e-mailen igen?",
            "opts": self.model._meta,
            "email": email,
            "in_doubt": email.is_in_doubt(timezone.now()),
            "changelist": changelist,
        }
        return TemplateResponse(
            request, "admin/notifications/udgaaendeemail/resend_confirm.html", context
        )
