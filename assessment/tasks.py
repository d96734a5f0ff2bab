from celery import shared_task

from assessment.models import Visitationsudvalg
from assessment.services import udvalgsmoeder_plan


@shared_task(name="assessment.plan_committee_meetings")
def plan_committee_meetings(months: int = 3) -> int:
    """Keep each committee's monthly meetings planned ahead; safe to run again."""
    return sum(
        len(udvalgsmoeder_plan(udvalg=udvalg, months=months))
        for udvalg in Visitationsudvalg.objects.all()
    )
