from celery import shared_task

from cases.services.borger import CPR_RECHECK_BATCH, borgere_cpr_recheck
from vum.queue import enqueue
from vum.serviceplatformen.cpr import lookup_enabled


@shared_task(name="cases.recheck_cpr")
def recheck_cpr(after_id: int = 0) -> int:
    """Read the citizens due a re-check from CPR again (beat, each night), a batch at a time:
    while a batch is full, the next is queued from where it ended. Safe to run twice: a citizen
    read moments ago is not due. Returns how many were read."""
    if not lookup_enabled():
        return 0
    batch = borgere_cpr_recheck(after_id=after_id)
    if not batch.stopped and batch.checked == CPR_RECHECK_BATCH:
        enqueue(recheck_cpr, batch.last_id)
    return batch.checked
