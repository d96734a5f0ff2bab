"""Template helpers for deadlines: how urgent a due time is, as a badge."""

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone

from vum.deadlines.models import Frist

register = template.Library()

# "Soon" matches the first warning step (seven days before), so the badge and the bell agree.
SOON_DAYS = 7


def urgency(due: datetime | None, status: str = Frist.Status.AABEN) -> tuple[str, str] | None:
    """(css modifier, Danish label) for an open deadline that is overdue, due today or due
    within a week; None otherwise. Days are local days."""
    if due is None or status != Frist.Status.AABEN:
        return None
    now = timezone.now()
    if due < now:
        return ("overskredet", "Overskredet")
    today = timezone.localdate(now)
    day = timezone.localdate(due)
    if day == today:
        return ("i-dag", "I dag")
    if day <= today + timedelta(days=SOON_DAYS):
        return ("snart", f"Inden for {SOON_DAYS} dage")
    return None


@register.inclusion_tag("cases/_frist_badge.html")
def frist_badge(due: datetime | None, status: str = Frist.Status.AABEN) -> dict[str, Any]:
    """`{% frist_badge frist.frist frist.status %}` or `{% frist_badge sag.naeste_frist %}`."""
    found = urgency(due, status)
    return {"kind": found[0] if found else "", "label": found[1] if found else ""}
