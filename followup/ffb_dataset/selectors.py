"""The reads of the manager's page on the FFB data set: the last runs, and the citizens refused
by the validation and not delivered since, by case number and rule (no citizen's data)."""

from django.db.models import Exists, OuterRef, QuerySet

from followup.models import FfbAfvisning, FfbBorgerlevering, FfbLevering
from vum.access import sager_visible_to
from vum.accounts.models import Role, User

LATEST_RUNS = 20
OPEN_REFUSALS = 200


def ffb_leveringer_latest(*, limit: int = LATEST_RUNS) -> list[FfbLevering]:
    return list(FfbLevering.objects.order_by("-startet", "-id")[:limit])


def ffb_afvisninger_open(*, user: User, limit: int = OPEN_REFUSALS) -> QuerySet[FfbAfvisning]:
    """Each citizen's latest refusal that no later delivery or refusal has overtaken, newest
    first. A leader sees those of the cases in their area; an administrator all of them."""
    later_delivery = FfbBorgerlevering.objects.filter(
        borger_id=OuterRef("borger_id"), levering_id__gt=OuterRef("levering_id")
    )
    later_refusal = FfbAfvisning.objects.filter(
        borger_id=OuterRef("borger_id"), pk__gt=OuterRef("pk")
    )
    refusals = (
        FfbAfvisning.objects.filter(~Exists(later_delivery), ~Exists(later_refusal))
        .select_related("levering")
        .order_by("-levering__startet", "-pk")
    )
    if user.role != Role.ADMINISTRATOR:
        refusals = refusals.filter(borger_id__in=sager_visible_to(user).values("borger_id"))
    return refusals[:limit]
