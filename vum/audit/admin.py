from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from vum.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log can be searched but never edited or deleted."""

    list_display = ("occurred_at", "actor_label", "action", "borger_id", "object_type", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("=borger_id", "actor_label", "summary")
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
