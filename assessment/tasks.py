from celery import shared_task
from django.conf import settings

from assessment.models import Visitationsudvalg
from assessment.services.forsendelse import (
    brev_dispatch,
    breve_dispatch_pending,
    forsendelse_receipt_handle,
    parked_receipts_apply,
    pending_letters,
    receipts_overdue_alert,
)
from assessment.services.udvalg import udvalgsmoeder_plan
from vum.queue import enqueue
from vum.serviceplatformen.beskedfordeler import receipts_enabled, receipts_fetch

# Letters a sweep sends before it hands the rest to the next.
LETTER_BATCH = 100


@shared_task(name="assessment.plan_committee_meetings")
def plan_committee_meetings(months: int = 3) -> int:
    """Keep each committee's monthly meetings planned ahead; safe to run again."""
    return sum(
        len(udvalgsmoeder_plan(udvalg=udvalg, months=months))
        for udvalg in Visitationsudvalg.objects.all()
    )


@shared_task(name="assessment.dispatch_letter", autoretry_for=(OSError,), max_retries=5)
def dispatch_letter(brev_id: int) -> int | None:
    """Send a frozen letter (queued after its send commits, a shortcut); a second run finds it
    sent and does nothing, and the sweep sends it if this never runs."""
    forsendelse = brev_dispatch(brev_id=brev_id)
    return forsendelse.pk if forsendelse else None


@shared_task(name="assessment.dispatch_pending_letters")
def dispatch_pending_letters() -> int:
    """Send the letters frozen but not sent (beat, every minute); while a batch leaves more,
    queue the next at once."""
    sent = breve_dispatch_pending(limit=LETTER_BATCH)
    if sent == LETTER_BATCH and pending_letters().exists():
        enqueue(dispatch_pending_letters)
    return sent


@shared_task(name="assessment.fetch_digital_post_receipts")
def fetch_digital_post_receipts() -> int:
    """Digital Post's receipts from Beskedfordeleren (beat, every minute, when a dueslag is set
    up), a batch at a time; while a batch comes full, the next is queued at once. Then the
    parked receipts whose dispatch has since been recorded are applied. Safe to run twice, or
    two at once: each receipt is acknowledged after it is recorded (or parked), and one recorded
    already changes nothing. Returns how many were taken off the queue and recorded."""
    if not receipts_enabled():
        return 0
    batch = settings.VUM_BESKEDFORDELER_BATCH
    try:
        fetched = receipts_fetch(handle=forsendelse_receipt_handle, limit=batch)
    finally:
        # Receipts that came before their dispatch was recorded, whose dispatch is now:
        # applied whether or not Beskedfordeleren answered this time; and receipts that do
        # not come are told.
        parked_receipts_apply(limit=batch)
        receipts_overdue_alert()
    if fetched.handled + fetched.rejected == batch:
        enqueue(fetch_digital_post_receipts)
    return fetched.handled
