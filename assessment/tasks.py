from celery import shared_task

from assessment.models import Visitationsudvalg
from assessment.services.forsendelse import brev_dispatch
from assessment.services.udvalg import udvalgsmoeder_plan


@shared_task(name="assessment.plan_committee_meetings")
def plan_committee_meetings(months: int = 3) -> int:
    """Keep each committee's monthly meetings planned ahead; safe to run again."""
    return sum(
        len(udvalgsmoeder_plan(udvalg=udvalg, months=months))
        for udvalg in Visitationsudvalg.objects.all()
    )


@shared_task(name="assessment.dispatch_letter", autoretry_for=(OSError,), max_retries=5)
def dispatch_letter(brev_id: int) -> int:
    """Send a frozen letter; a second run finds it sent and does nothing."""
    return brev_dispatch(brev_id=brev_id).pk
