from celery import shared_task
from django.utils import timezone

from vum.deadlines.services import frist_close_passed_meetings, varsler_deliver_due


@shared_task(name="vum.deadlines.close_passed_meetings")
def close_passed_meetings() -> int:
    return frist_close_passed_meetings(now=timezone.now())


@shared_task(name="vum.deadlines.deliver_due_warnings")
def deliver_due_warnings() -> int:
    return varsler_deliver_due(now=timezone.now())
