"""The reads of the FFB data set's pages: the manager's (the last runs, and the citizens refused
by the validation and not delivered since, by case number and rule: no citizen's data), and the
caseworker's (why a case is not delivered)."""

from django.db.models import Exists, OuterRef, QuerySet

from cases.models import Sag
from followup.models import FfbAfvisning, FfbBorgerlevering, FfbLevering
from vum.access import sager_visible_to
from vum.accounts.models import Role, User

LATEST_RUNS = 20
OPEN_REFUSALS = 200


def ffb_leveringer_latest(*, limit: int = LATEST_RUNS) -> list[FfbLevering]:
    return list(FfbLevering.objects.order_by("-startet", "-id")[:limit])


def _open_refusals() -> QuerySet[FfbAfvisning]:
    """Each citizen's latest refusal that no later delivery or refusal has overtaken."""
    later_delivery = FfbBorgerlevering.objects.filter(
        borger_id=OuterRef("borger_id"), levering_id__gt=OuterRef("levering_id")
    )
    later_refusal = FfbAfvisning.objects.filter(
        borger_id=OuterRef("borger_id"), pk__gt=OuterRef("pk")
    )
    return FfbAfvisning.objects.filter(~Exists(later_delivery), ~Exists(later_refusal))


def sag_ffb_afvisning(*, sag: Sag) -> FfbAfvisning | None:
    """The refusal that keeps the case out of the data set now, if any: the citizen's open one,
    when it names the case. The follow-up page lists its rules and reasons for the caseworker."""
    refusal = _open_refusals().filter(borger_id=sag.borger_id).select_related("levering").first()
    return refusal if refusal is not None and sag.pk in refusal.sager else None


def ffb_afvisninger_open(*, user: User, limit: int = OPEN_REFUSALS) -> list[FfbAfvisning]:
    """The open refusals, newest first, with `synlige_sager`: the refused cases the user may
    see. A leader gets those of the cases in their area only (a citizen's other cases may
    belong to other teams); an administrator all of them, as case numbers without case data."""
    refusals = _open_refusals().select_related("levering").order_by("-levering__startet", "-pk")
    if user.role == Role.ADMINISTRATOR:
        shown = list(refusals[:limit])
        for refusal in shown:
            refusal.synlige_sager = list(refusal.sager)
        return shown
    visible = sager_visible_to(user)
    shown = list(refusals.filter(borger_id__in=visible.values("borger_id"))[:limit])
    refused_cases = {pk for refusal in shown for pk in refusal.sager}
    mine = set(visible.filter(pk__in=refused_cases).values_list("pk", flat=True))
    for refusal in shown:
        refusal.synlige_sager = [pk for pk in refusal.sager if pk in mine]
    return [refusal for refusal in shown if refusal.synlige_sager]
