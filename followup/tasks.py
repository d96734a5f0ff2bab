from celery import shared_task

from followup.dashboard.refresh import noegletal_refresh
from followup.services.opfoelgning import plan_missing_follow_ups


@shared_task(name="followup.plan_follow_ups")
def plan_follow_ups() -> int:
    """Every case in delivery gets its next follow-up planned; safe to run again."""
    return plan_missing_follow_ups()


@shared_task(name="followup.refresh_dashboard")
def refresh_dashboard() -> int:
    """Rebuild the leaders' dashboard figures; a second run rebuilds them again."""
    return noegletal_refresh().grupper
