import logging
from datetime import date

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from followup.dashboard.refresh import noegletal_pending, noegletal_refresh, noegletal_update
from followup.services.ffb_levering import ffb_days_due, ffb_levering_run
from followup.services.opfoelgning import plan_missing_follow_ups

logger = logging.getLogger(__name__)

# At most this many rounds of `noegletal_update` in one run: a steady stream of changes is left
# to the next run rather than holding a worker.
UPDATE_ROUNDS = 20


@shared_task(name="followup.plan_follow_ups")
def plan_follow_ups() -> int:
    """Every case in delivery gets its next follow-up planned; safe to run again."""
    return plan_missing_follow_ups()


@shared_task(name="followup.refresh_dashboard")
def refresh_dashboard() -> int:
    """Rebuild the leaders' dashboard figures from scratch (nightly, as a check of the
    updates); a second run rebuilds them again."""
    return noegletal_refresh().grupper


@shared_task(name="followup.update_dashboard")
def update_dashboard() -> int:
    """Bring the dashboard's figures up to date with the cases changed since the last run; safe
    to run twice, or at once (the second finds the figures held and leaves)."""
    updated = 0
    for _round in range(UPDATE_ROUNDS):
        done = noegletal_update()
        if done is None:
            break
        updated += done
        if not noegletal_pending():
            break
    return updated


@shared_task(name="followup.deliver_ffb_data_set")
def deliver_ffb_data_set(dag: str | None = None) -> int:
    """Deliver KL's FFB data set for `dag` (ISO date), or else for each whole day since the last
    day delivered, oldest first, up to yesterday: a night the worker was down is caught up the
    next night, a report per day as the IG asks. Safe to run twice: a citizen is delivered once
    per day and only when their data changed. Returns how many citizens were delivered."""
    if not settings.VUM_FFB_KOMMUNE:
        # Not set up (the demo, or a municipality not yet reporting): said in the log each
        # night rather than failing each night. The command and the service say it too.
        logger.warning("FFB-datasættet leveres ikke: VUM_FFB_KOMMUNE er ikke sat.")
        return 0
    days = [date.fromisoformat(dag)] if dag else ffb_days_due(today=timezone.localdate())
    return sum(ffb_levering_run(dag=day).leveret for day in days)
