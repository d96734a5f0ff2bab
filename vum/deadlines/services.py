"""Writes to deadlines. The deadline engine (rules, working days, warnings) grows here."""

from datetime import datetime

from django.db import transaction

from vum.audit.models import AuditAction
from vum.audit.services import audit_record_many
from vum.deadlines.models import Frist


@transaction.atomic
def frist_close_passed_meetings(*, now: datetime) -> int:
    """An agreed meeting is kept by taking place: once its time has passed it no longer is the
    case's next deadline. Returns how many were closed; running it again closes none."""
    passed = list(
        Frist.objects.select_for_update(skip_locked=True)
        .filter(art=Frist.Art.AFTALE, status=Frist.Status.AABEN, frist__lt=now)
        .select_related("sag")
    )
    if not passed:
        return 0
    Frist.objects.filter(pk__in=[f.pk for f in passed]).update(status=Frist.Status.OVERHOLDT)
    audit_record_many(
        actor=None,
        action=AuditAction.UPDATE,
        objects=passed,
        summary="Aftalt møde afholdt; fristen er lukket",
    )
    return len(passed)
