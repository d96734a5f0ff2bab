"""Writing audit events. Call these inside the same transaction as the change they describe."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from django.db import models
from django.forms.models import model_to_dict

from vum.accounts.models import User
from vum.audit.context import current_origin
from vum.audit.models import AuditAction, AuditEvent
from vum.audit.redaction import redact


class CitizenData(Protocol):
    """A model instance that knows which citizen it is about."""

    pk: Any

    @property
    def audit_borger_id(self) -> int | None: ...


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited values of an instance, JSON-ready, for an old/new comparison."""
    data = model_to_dict(instance, fields=list(fields) if fields is not None else None)
    return {name: _json_value(value) for name, value in data.items()}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Only the fields that changed, as {field: {"old": ..., "new": ...}}."""
    return {
        name: {"old": before.get(name), "new": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def _event(
    *,
    actor: User | None,
    action: AuditAction,
    obj: CitizenData | models.Model | None,
    borger_id: int | None,
    summary: str,
    changes: Mapping[str, Any] | None,
) -> AuditEvent:
    origin = current_origin.get()
    if borger_id is None and obj is not None:
        borger_id = getattr(obj, "audit_borger_id", None)
    return AuditEvent(
        actor=actor,
        actor_label=(actor.username if actor is not None else "system"),
        action=action,
        borger_id=borger_id,
        object_type=obj._meta.label if isinstance(obj, models.Model) else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        summary=summary[:500],
        # Field names and codes only: content is replaced by a marker (vum/audit/redaction.py).
        changes=redact(dict(changes or {})),
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
    )


def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    obj: CitizenData | models.Model | None = None,
    borger_id: int | None = None,
    summary: str = "",
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    event = _event(
        actor=actor, action=action, obj=obj, borger_id=borger_id, summary=summary, changes=changes
    )
    event.save()
    return event


def audit_record_many(
    *,
    actor: User | None,
    action: AuditAction,
    objects: Iterable[CitizenData | models.Model],
    summary: str = "",
) -> None:
    """One event per object in a single INSERT, for list pages that show many citizens."""
    events = [
        _event(actor=actor, action=action, obj=o, borger_id=None, summary=summary, changes=None)
        for o in objects
    ]
    AuditEvent.objects.bulk_create(events)
