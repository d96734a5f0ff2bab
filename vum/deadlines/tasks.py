from celery import shared_task
from django.utils import timezone

from vum.deadlines.services import frist_close_passed_meetings


@shared_task(name="vum.deadlines.close_passed_meetings")
def close_passed_meetings() -> int:
    return frist_close_passed_meetings(now=timezone.now())
