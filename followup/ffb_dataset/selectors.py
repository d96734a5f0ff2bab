"""The reads of the FFB data set's pages: the manager's (the last runs, and the citizens refused
by the validation and not delivered since, by case number and rule: no citizen's data), and the
caseworker's (why a case is not delivered)."""

import itertools

from django.db.models import Exists, OuterRef, QuerySet

from cases.models import Sag
from followup.models import FfbAfvisning, FfbBorgerlevering, FfbLevering
from vum.access import sager_visible_to
from vum.accounts.models import Role, User

LATEST_RUNS = 20
OPEN_REFUSALS = 200


def ffb_leveringer_latest(*, limit: int = LATEST_RUNS) -> list[FfbLevering]:
    return list(FfbLevering.objects.order_by("-startet", "-id")[:limit])


def ffb_afvisninger_current() -> QuerySet[FfbAfvisning]:
    """Each citizen's latest refusal that no later delivery or refusal has overtaken."""
    later_delivery = FfbBorgerlevering.objects.filter(
        borger_id=OuterRef("borger_id"), levering_id__gt=OuterRef("levering_id")
    )
    later_refusal = FfbAfvisning.objects.filter(
        borger_id=OuterRef("borger_id"), pk__gt=OuterRef("pk")
    )
    return FfbAfvisning.objects.filter(~Exists(later_delivery), ~Exists(later_refusal))


def _shown(refusal: FfbAfvisning, cases: list[int]) -> FfbAfvisning:
    """The refusal as a reader who may see `cases` of it sees it: those case numbers, and the
    problems of those cases and of the citizen (a problem of another team's case is not)."""
    refusal.synlige_sager = cases
    refusal.synlige_fejl = [f for f in refusal.fejl if f.get("sag") in (None, *cases)]
    refusal.andre_sagers_fejl = len(refusal.fejl) - len(refusal.synlige_fejl)
    return refusal


def sag_ffb_afvisning(*, sag: Sag) -> FfbAfvisning | None:
    """The refusal that keeps the case out of the data set now, if any: the citizen's current
    one, when it names the case, as the case's reader sees it (`_shown`). The follow-up page
    lists its rules and reasons for the caseworker."""
    refusal = (
        ffb_afvisninger_current().filter(borger_id=sag.borger_id).select_related("levering").first()
    )
    if refusal is None or sag.pk not in refusal.sager:
        return None
    return _shown(refusal, [sag.pk])


def ffb_afvisninger_open(*, user: User, limit: int = OPEN_REFUSALS) -> list[FfbAfvisning]:
    """The current refusals, newest first, as the user sees them (`_shown`): a leader those of
    the cases in their area only (a citizen's other cases may belong to other teams); an
    administrator all of them, as case numbers without case data."""
    refusals = (
        ffb_afvisninger_current().select_related("levering").order_by("-levering__startet", "-pk")
    )
    if user.role == Role.ADMINISTRATOR:
        return [_shown(refusal, list(refusal.sager)) for refusal in refusals[:limit]]
    visible = sager_visible_to(user)
    candidates = refusals.filter(borger_id__in=visible.values("borger_id"))
    shown: list[FfbAfvisning] = []
    # A refusal of a citizen the reader can see may name only other teams' cases, and is then
    # not the reader's: read on until `limit` are shown or the refusals run out.
    for start in itertools.count(0, limit):
        chunk = list(candidates[start : start + limit])
        refused_cases = {pk for refusal in chunk for pk in refusal.sager}
        mine = set(visible.filter(pk__in=refused_cases).values_list("pk", flat=True))
        shown += [
            refusal
            for refusal in (_shown(r, [pk for pk in r.sager if pk in mine]) for r in chunk)
            if refusal.synlige_sager
        ]
        if len(shown) >= limit or len(chunk) < limit:
            break
    return shown[:limit]
