"""The FFB facts of a batch of citizens, read in bulk: a fixed number of queries for the whole
batch, whatever its size, so that the day's delta (thousands of citizens) and a full load (every
citizen) cost the same per citizen. Codes only: no free text is read, so none can leak into a
bundle."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from assessment.models import (
    GRANTING_RESULTS,
    Afgoerelse,
    AfgoerelsesResultat,
    Funktionsevnevurdering,
    Indsats,
    Indsatsmaal,
    Sagsvurdering,
    TemaOplysning,
    Udredning,
    VurderingMaalgruppe,
)
from cases.lifecycle import Fase
from cases.models import Borger, Sag
from followup.models import Opfoelgning, Opfoelgningsskema, SkemaMaal
from orders.models import Bestilling
from vum.catalog.models import Funktionsevneniveau


def _code(value: object) -> str | None:
    return str(value) if value else None


@dataclass
class Score:
    """A dated level of one sub-theme: a score in the udredning, or a new level at a follow-up."""

    undertema: str
    niveau: str | None
    dato: date


@dataclass
class Goal:
    pk: int
    maaltype: str | None
    forventet: str | None
    primaert: str | None
    relaterede: list[str] = field(default_factory=list)


@dataclass
class Vurdering:
    pk: int
    udredning_id: int | None
    oprettet: datetime
    stoettebehov: str | None
    goals: list[Goal] = field(default_factory=list)
    # (målgruppe code or None when the catalog has none, primary?)
    maalgrupper: list[tuple[str | None, bool]] = field(default_factory=list)


@dataclass
class Grant:
    """One granted indsats: its decision, its first day, and when it ended, if it has."""

    indsats_id: int
    vurdering_id: int | None
    truffet: date
    start: date
    tilbud: str | None
    ydelser: list[str]
    slut: date | None = None
    maal_ids: set[int] = field(default_factory=set)


@dataclass
class FollowUp:
    pk: int
    dato: date
    planned: bool
    afsluttet: datetime | None = None
    status_paa_indsats: str | None = None
    stoettebehov: str | None = None


@dataclass
class CaseFacts:
    pk: int
    open: bool
    udredninger: list[tuple[int, datetime]] = field(default_factory=list)
    highlighted: dict[int, set[str]] = field(default_factory=dict)
    scores: list[Score] = field(default_factory=list)
    vurderinger: list[Vurdering] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)


@dataclass
class CitizenFacts:
    pk: int
    cpr: str
    cases: list[CaseFacts] = field(default_factory=list)


def levels() -> dict[int, str]:
    """The FFB code of each functional level (0-4) in the current catalog."""
    return {
        row["vaerdi"]: str(row["ffb_kode"])
        for row in Funktionsevneniveau.objects.current()
        .exclude(ffb_kode=None)
        .values("vaerdi", "ffb_kode")
    }


def ffb_facts(borger_ids: Iterable[int], *, niveauer: dict[int, str]) -> list[CitizenFacts]:
    """The FFB facts of these citizens, in the order of their ids: 19 queries for the batch,
    however many citizens it holds.
    `niveauer` is `levels()`, read once per run."""
    ids = sorted(set(borger_ids))
    citizens = {
        pk: CitizenFacts(pk=pk, cpr=cpr)
        for pk, cpr in Borger.objects.filter(pk__in=ids).values_list("pk", "cpr")
    }
    cases: dict[int, CaseFacts] = {}
    for pk, borger_id, fase in (
        Sag.objects.filter(borger_id__in=ids).order_by("pk").values_list("pk", "borger_id", "fase")
    ):
        cases[pk] = CaseFacts(pk=pk, open=fase != Fase.AFSLUTTET)
        citizens[borger_id].cases.append(cases[pk])
    sag_ids = list(cases)

    for pk, sag_id, oprettet in (
        Udredning.objects.filter(sag_id__in=sag_ids)
        .order_by("oprettet", "pk")
        .values_list("pk", "sag_id", "oprettet")
    ):
        cases[sag_id].udredninger.append((pk, oprettet))
    # Sub-themes the caseworker highlighted in a theme that takes no score (F&F, Omgivelser).
    for sag_id, udredning_id, code in TemaOplysning.fremhaevede_undertemaer.through.objects.filter(
        temaoplysning__udredning__sag_id__in=sag_ids, undertema__scores=False
    ).values_list(
        "temaoplysning__udredning__sag_id",
        "temaoplysning__udredning_id",
        "undertema__ffb_kode",
    ):
        if code:
            cases[sag_id].highlighted.setdefault(udredning_id, set()).add(str(code))
    for sag_id, code, niveau, dato in (
        Funktionsevnevurdering.objects.filter(udredning__sag_id__in=sag_ids)
        .order_by("vurderingsdato", "pk")
        .values_list(
            "udredning__sag_id", "undertema__ffb_kode", "niveau__ffb_kode", "vurderingsdato"
        )
    ):
        if code:
            cases[sag_id].scores.append(Score(str(code), _code(niveau), dato))

    vurderinger: dict[int, Vurdering] = {}
    vurdering_sag: dict[int, int] = {}
    for pk, sag_id, udredning_id, oprettet, stoettebehov in (
        Sagsvurdering.objects.filter(sag_id__in=sag_ids)
        .order_by("oprettet", "pk")
        .values_list("pk", "sag_id", "udredning_id", "oprettet", "stoettebehov__ffb_kode")
    ):
        vurderinger[pk] = Vurdering(pk, udredning_id, oprettet, _code(stoettebehov))
        vurdering_sag[pk] = sag_id
        cases[sag_id].vurderinger.append(vurderinger[pk])
    goals: dict[int, Goal] = {}
    for pk, vurdering_id, maaltype, forventet, primaert in (
        Indsatsmaal.objects.filter(vurdering_id__in=vurderinger)
        .order_by("raekkefoelge", "pk")
        .values_list(
            "pk",
            "vurdering_id",
            "maaltype__ffb_kode",
            "forventet_niveau",
            "primaert_undertema__ffb_kode",
        )
    ):
        goals[pk] = Goal(
            pk,
            _code(maaltype),
            niveauer.get(forventet) if forventet is not None else None,
            _code(primaert),
        )
        vurderinger[vurdering_id].goals.append(goals[pk])
    for goal_id, code in (
        Indsatsmaal.relaterede_undertemaer.through.objects.filter(indsatsmaal_id__in=goals)
        .order_by("undertema__raekkefoelge", "pk")
        .values_list("indsatsmaal_id", "undertema__ffb_kode")
    ):
        if code:
            goals[goal_id].relaterede.append(str(code))
    for vurdering_id, code, primaer in (
        VurderingMaalgruppe.objects.filter(vurdering_id__in=vurderinger)
        .order_by("-primaer", "maalgruppe__raekkefoelge", "pk")
        .values_list("vurdering_id", "maalgruppe__ffb_kode", "primaer")
    ):
        vurderinger[vurdering_id].maalgrupper.append((_code(code), primaer))

    _grants(cases, sag_ids)
    _follow_ups(cases, sag_ids, niveauer)
    return [citizens[pk] for pk in ids if pk in citizens]


def _grants(cases: dict[int, CaseFacts], sag_ids: list[int]) -> None:
    """Each granted indsats with its first day; it ends on the day a decision ends it, on the
    day its orders end, or when a later decision of the case grants anew without it."""
    decisions = {
        pk: (sag_id, vurdering_id, truffet)
        for pk, sag_id, vurdering_id, truffet in Afgoerelse.objects.filter(
            sag_id__in=sag_ids
        ).values_list("pk", "sag_id", "vurdering_id", "truffet")
    }
    results = list(
        AfgoerelsesResultat.objects.filter(afgoerelse_id__in=decisions, indsats__isnull=False)
        .order_by("afgoerelse__truffet", "afgoerelse_id", "pk")
        .values_list("afgoerelse_id", "indsats_id", "resultat", "virkningsdato")
    )
    indsats_ids = {indsats_id for _, indsats_id, _, _ in results}
    tilbud = dict(
        Indsats.objects.filter(pk__in=indsats_ids).values_list("pk", "tilbudstype__ffb_kode")
    )
    ydelser: dict[int, list[str]] = defaultdict(list)
    for indsats_id, code in (
        Indsats.ydelser.through.objects.filter(indsats_id__in=indsats_ids)
        .order_by("ydelse__raekkefoelge", "pk")
        .values_list("indsats_id", "ydelse__ffb_kode")
    ):
        if code:
            ydelser[indsats_id].append(str(code))

    grants: dict[int, Grant] = {}
    granting_days: dict[int, list[tuple[date, set[int]]]] = defaultdict(list)
    by_decision: dict[int, set[int]] = defaultdict(set)
    for afgoerelse_id, indsats_id, resultat, virkningsdato in results:
        sag_id, vurdering_id, truffet = decisions[afgoerelse_id]
        if resultat in GRANTING_RESULTS:
            by_decision[afgoerelse_id].add(indsats_id)
            if indsats_id not in grants:
                grants[indsats_id] = Grant(
                    indsats_id,
                    vurdering_id,
                    truffet,
                    virkningsdato,
                    _code(tilbud.get(indsats_id)),
                    ydelser[indsats_id],
                )
                cases[sag_id].grants.append(grants[indsats_id])
        elif resultat in (AfgoerelsesResultat.Resultat.OPHOER, AfgoerelsesResultat.Resultat.AFSLAG):
            grant = grants.get(indsats_id)
            if grant is not None and grant.slut is None:
                grant.slut = virkningsdato
    for afgoerelse_id, granted in by_decision.items():
        sag_id, _vurdering_id, truffet = decisions[afgoerelse_id]
        granting_days[sag_id].append((truffet, granted))
    # A later grant of the case that leaves an indsats out replaces it from that decision's day.
    for sag_id, days in granting_days.items():
        for grant in cases[sag_id].grants:
            later = [
                d for d, granted in days if d > grant.truffet and grant.indsats_id not in granted
            ]
            if later and grant.slut is None:
                grant.slut = min(later)

    # The orders: their end, and the goals each carried to the provider.
    orders: dict[int, tuple[str, date | None]] = {}
    for pk, status, slutdato in Bestilling.objects.filter(indsatser__in=indsats_ids).values_list(
        "pk", "status", "slutdato"
    ):
        orders[pk] = (status, slutdato)
    ordered: dict[int, set[int]] = defaultdict(set)
    for bestilling_id, indsats_id in Bestilling.indsatser.through.objects.filter(
        bestilling_id__in=orders
    ).values_list("bestilling_id", "indsats_id"):
        ordered[indsats_id].add(bestilling_id)
    goals_of: dict[int, set[int]] = defaultdict(set)
    for bestilling_id, maal_id in Bestilling.maal.through.objects.filter(
        bestilling_id__in=orders
    ).values_list("bestilling_id", "indsatsmaal_id"):
        goals_of[bestilling_id].add(maal_id)
    for grant in grants.values():
        own = [orders[b] for b in ordered[grant.indsats_id]]
        for bestilling_id in ordered[grant.indsats_id]:
            grant.maal_ids |= goals_of[bestilling_id]
        current = [o for o in own if o[0] != Bestilling.Status.ERSTATTET]
        if (
            grant.slut is None
            and current
            and all(
                status in (Bestilling.Status.OPHOERT, Bestilling.Status.AFVIST) or slutdato
                for status, slutdato in current
            )
        ):
            ends = [slutdato for _status, slutdato in current if slutdato]
            grant.slut = max(ends) if ends else None


def _follow_ups(cases: dict[int, CaseFacts], sag_ids: list[int], niveauer: dict[int, str]) -> None:
    follow_ups: dict[int, FollowUp] = {}
    for pk, sag_id, dato, status in (
        Opfoelgning.objects.filter(sag_id__in=sag_ids)
        .order_by("dato", "pk")
        .values_list("pk", "sag_id", "dato", "status")
    ):
        planned = status in (Opfoelgning.Status.PLANLAGT, Opfoelgning.Status.INDKALDT)
        follow_ups[pk] = FollowUp(pk, dato, planned)
        cases[sag_id].follow_ups.append(follow_ups[pk])
    for opfoelgning_id, afsluttet, outcome, stoettebehov in Opfoelgningsskema.objects.filter(
        opfoelgning_id__in=follow_ups, afsluttet__isnull=False
    ).values_list(
        "opfoelgning_id",
        "afsluttet",
        "status_paa_indsats__ffb_kode",
        "stoettebehov_efter__ffb_kode",
    ):
        follow_up = follow_ups[opfoelgning_id]
        follow_up.afsluttet = afsluttet
        follow_up.status_paa_indsats = _code(outcome)
        follow_up.stoettebehov = _code(stoettebehov)
    # A goal's sub-theme re-scored at a follow-up is a new level of that condition.
    for sag_id, code, nyt, vurderet in SkemaMaal.objects.filter(
        skema__opfoelgning__sag_id__in=sag_ids,
        skema__afsluttet__isnull=False,
        nyt_niveau__isnull=False,
        vurderet__isnull=False,
    ).values_list(
        "skema__opfoelgning__sag_id",
        "indsatsmaal__primaert_undertema__ffb_kode",
        "nyt_niveau",
        "vurderet",
    ):
        if code and nyt is not None and vurderet is not None:  # the query's filter: for mypy
            cases[sag_id].scores.append(Score(str(code), niveauer.get(nyt), vurderet))
    for case in cases.values():
        case.scores.sort(key=lambda s: s.dato)
