"""Alerts that the audit trail itself raises: a user who looks up far more citizens than a day's
work needs is reported to the administrators, once per user per hour."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from vum.access import SEARCH_RESULT_SUMMARY
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.notifications.models import Notifikation
from vum.notifications.services import administrators_notify


def bulk_lookup_alert(*, user: User) -> list[Notifikation]:
    """Call in the transaction of a search, after its results are audited."""
    since = timezone.now() - timedelta(hours=1)
    shown = AuditEvent.objects.filter(
        actor=user,
        action=AuditAction.LIST,
        summary=SEARCH_RESULT_SUMMARY,
        occurred_at__gte=since,
    ).count()
    if shown < settings.VUM_BULK_LOOKUP_ALERT_PER_HOUR:
        return []
    return administrators_notify(
        titel="Mange opslag i borgerregistret",
        tekst=(
            f"{user.get_full_name() or user.username} har fået vist {shown} borgere ved "
            "søgninger den seneste time. Se brugerens søgninger i revisionssporet."
        ),
        link=reverse("admin:audit_auditevent_changelist") + f"?actor__id__exact={user.pk}",
        kilde=f"masseopslag-{user.pk}-{timezone.localtime():%Y%m%d%H}",
    )
