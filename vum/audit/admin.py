from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from vum.audit.models import AuditAction, AuditEvent
from vum.audit.services import audit_record


class ObjectTypeFilter(admin.SimpleListFilter):
    """The kinds of object the events are about; events about none (a login) get a name too,
    where Django's own filter shows a link without text."""

    title = "objekttype"
    parameter_name = "object_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        kinds = AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True)
        return [(kind, kind or "(ingen)") for kind in kinds.distinct()]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[AuditEvent]
    ) -> QuerySet[AuditEvent]:
        kind = self.value()
        return queryset if kind is None else queryset.filter(object_type=kind)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log can be searched but never edited or deleted. Its events point to data
    (vum/audit/redaction.py), and reading them here is itself audited, as on /log/."""

    list_display = ("occurred_at", "actor_label", "action", "borger_id", "object_type", "summary")
    list_filter = ("action", ObjectTypeFilter)
    search_fields = ("=borger_id", "actor_label", "summary")
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            # The filters' names, not their values: a search term may be a citizen's id or name.
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action=AuditAction.LIST,
                summary="Revisionssporet vist i administrationen",
                changes={"filtre": dict.fromkeys(sorted(request.GET), True)},
            )
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        event = AuditEvent.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if response.status_code == 200 and event is not None:
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action=AuditAction.VIEW,
                obj=event,
                borger_id=event.borger_id,
                summary="Revisionshændelse vist i administrationen",
            )
        return response
