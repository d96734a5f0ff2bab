from celery import shared_task
from django.utils import timezone

from vum.idempotency.services import idempotent_requests_purge


@shared_task(name="vum.idempotency.purge")
def purge_idempotent_requests() -> int:
    return idempotent_requests_purge(now=timezone.now())
