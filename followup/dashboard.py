"""The manager's dashboard: how the area is doing, without opening a case.

Two halves:

- **Collectors** read the case tables once for all teams and write `Noegletal`: one row per team,
  service, month (or "today" for a snapshot) and the panel's keys, with its counts, sums and
  distinct citizens, and for most panels the same groups for the whole area (team empty).
  `followup.services.noegletal_refresh` runs them (a beat task), so a page reads groups instead
  of cases: at 200,000 citizens a team leader's year is some 30,000 of these rows instead of
  hundreds of thousands of case rows. A leader of every team reads the whole area's groups; a
  leader of some teams reads theirs, so that cost grows with the number of teams.
- **Readers** build the panels from those rows for the leader's teams (`teams_visible_to`) and
  the filter (period in whole months, team, service, municipality), one grouped query per panel.
  Each panel is a `Tabel`: the rows a page shows as an accessible table beside its chart, and an
  export writes as CSV or Excel.

A cell knows how many distinct citizens it rests on (`Celle.borgere`), so an export can suppress
the figures under `SUPPRESS_BELOW` citizens; an aggregate never carries a CPR number or a name.
On screen, where nothing is suppressed, the count is the groups' sum; for an export
(`exact=True`) it is the size of the union of the groups' citizens. A sub-count of a row (e.g.
the cases with an overdue deadline) is suppressed when it, or its row's citizens, are under five.

Snapshot panels (caseload, overdue deadlines, support need now, cost) show the state when the
figures were last rebuilt; flow panels (waiting time, deadlines met, committee, complaints,
follow-ups) count what happened in the months of the period. The drill-down from a figure to its
cases reads the live case tables.
"""

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from assessment.models import (
    Afgoerelse,
    AfgoerelsesResultat,
    Dagsordenspunkt,
    Indsats,
    Klage,
    Prislinje,
    VurderingMaalgruppe,
)
from cases.lifecycle import Fase
from cases.models import Henvendelse, Sag
from followup.models import Noegletal, NoegletalOpgoerelse, Opfoelgningsskema, SkemaMaal
from orders.content import granted_indsats_ids, granting_decisions
from vum.access import sager_visible_to, teams_visible_to
from vum.accounts.models import Organisation, Team, User
from vum.catalog.models import (
    KommunalYdelse,
    Kommune,
    Maalgruppe,
    Maaltype,
    Stoettebehov,
    Tilbudstype,
    Undertema,
    Visitationsudfald,
)
from vum.deadlines.models import Frist

SUPPRESS_BELOW = 5
# The rows a long ranked table shows on the overview (see `Tabel.shown_rows`).
OVERVIEW_ROWS = 20
# Flow figures are kept this far back: the filter's longest period.
HISTORY_MONTHS = 60
OPEN_PHASES = [f for f in Fase.values if f != Fase.AFSLUTTET]
# The phases in which granted services are in force and cost money.
IN_FORCE_PHASES = [Fase.BESTILLING, Fase.LEVERING, Fase.OPFOELGNING]
PERIODS_PER_YEAR = {"dag": 365, "uge": 52, "maaned": 12, "aar": 1}
OVERDUE_ARTS = [
    Frist.Art.SAGSBEHANDLINGSFRIST,
    Frist.Art.PARTSHOERING,
    Frist.Art.SKRIFTLIG_AFGOERELSE,
    Frist.Art.KLAGE,
    Frist.Art.STATUSNOTAT,
    Frist.Art.STATUSNOTAT_GENNEMGANG,
    Frist.Art.OPFOELGNING,
    Frist.Art.OPFOELGNINGSSKEMA,
    Frist.Art.HANDLEPLAN,
    Frist.Art.ANMODNING,
]
# The panels that are also kept for the whole area (team empty), which a leader of every team
# reads instead of each team's groups: some forty times fewer rows for a head of department.
# Not the caseload, whose tables show the teams, nor the cost, whose groups are per citizen (the
# cost's whole-area rows are its own panel, `udgift_omraade`).
WHOLE_AREA_PANELS = {
    "ventetid",
    "frist",
    "overskredet",
    "udvalg",
    "klage",
    "afgoerelse",
    "stoettebehov",
    "bevaegelse",
    "funktionsevne",
}
# The whole area's cost rows (`udgift_omraade`) for all services, or for one service.
COST_ALL_SERVICES = "alle"
COST_ONE_SERVICE = "ydelse"
CHANGED_AT_REASSESSMENT = {Klage.Genvurdering.MEDHOLD, Klage.Genvurdering.DELVIST_MEDHOLD}
CHANGED_BY_ANKESTYRELSEN = {
    Klage.Ankestyrelsen.AENDRET,
    Klage.Ankestyrelsen.HJEMVIST,
    Klage.Ankestyrelsen.OPHAEVET,
}


# The filter and the shapes a page renders


def month_start(day: date) -> date:
    return day.replace(day=1)


def first_kept_month(today: date | None = None) -> date:
    """The earliest month the flow figures are kept for."""
    return month_start(today or timezone.localdate()) - relativedelta(months=HISTORY_MONTHS)


@dataclass(frozen=True)
class Filter:
    """What the leader narrows the dashboard to: whole months from `fra` to `til` (each the
    first day of its month), and optionally one of their teams, one service, one municipality."""

    fra: date
    til: date
    team: Team | None = None
    ydelse: KommunalYdelse | None = None
    kommune: Kommune | None = None

    @classmethod
    def default(cls, today: date | None = None) -> "Filter":
        """The last twelve months, this one included."""
        this_month = month_start(today or timezone.localdate())
        return cls(fra=this_month - relativedelta(months=11), til=this_month)

    def params(self) -> dict[str, str]:
        params = {"fra": f"{self.fra:%Y-%m}", "til": f"{self.til:%Y-%m}"}
        if self.team:
            params["team"] = str(self.team.pk)
        if self.ydelse:
            params["ydelse"] = str(self.ydelse.pk)
        if self.kommune:
            params["kommune"] = str(self.kommune.pk)
        return params

    @property
    def last_day(self) -> date:
        return self.til + relativedelta(months=1) - timedelta(days=1)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.fra, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last_day + timedelta(days=1), time.min))


@dataclass(frozen=True)
class Celle:
    """One value; `borgere` is how many distinct citizens it rests on (None: not a count of
    citizens, e.g. a label); `link` is the drill-down's query for the cases behind it."""

    value: int | Decimal | str | None
    borgere: int | None = None
    link: str = ""

    @property
    def suppressed(self) -> bool:
        return self.borgere is not None and 0 < self.borgere < SUPPRESS_BELOW


@dataclass(frozen=True)
class Soejle:
    label: str
    value: float
    text: str


@dataclass
class Tabel:
    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[Celle]] = field(default_factory=list)
    chart: list[Soejle] = field(default_factory=list)
    chart_title: str = ""
    # A ranked table that can run to thousands of rows (a head of department's caseworkers,
    # providers) shows its first rows on the overview; the whole table is a page of its own
    # (`whole_table`) and in the exports.
    shown_rows: int | None = None
    # The rows an overview's table left out without building them.
    hidden_rows: int = 0

    @property
    def chart_max(self) -> float:
        return max((bar.value for bar in self.chart), default=0) or 1

    @property
    def row_count(self) -> int:
        return len(self.rows) + self.hidden_rows

    @property
    def shortened(self) -> bool:
        return self.shown_rows is not None and self.row_count > self.shown_rows

    @property
    def overview_rows(self) -> list[list[Celle]]:
        return self.rows[: self.shown_rows] if self.shown_rows is not None else self.rows


@dataclass
class Sektion:
    key: str
    title: str
    tabeller: list[Tabel]


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(Decimal("0.1"))


def fmt_percent(value: Decimal | None) -> str:
    return "-" if value is None else f"{value} %".replace(".", ",")


def fmt_kroner(value: Decimal) -> str:
    return f"{value:,.0f}".replace(",", ".") + " kr."


# Collectors: the case tables to Noegletal, for all teams at once


@dataclass
class _Group:
    antal: int = 0
    sum1: Decimal = Decimal(0)
    sum2: Decimal = Decimal(0)
    sum3: Decimal = Decimal(0)
    borgere: set[int] = field(default_factory=set)
    vaerdier: list[int] = field(default_factory=list)
    # For sums that count rows (0 or 1 each): the citizens each sum counts, by its number.
    delmaengder: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def merge(self, other: "_Group") -> None:
        self.antal += other.antal
        self.sum1 += other.sum1
        self.sum2 += other.sum2
        self.sum3 += other.sum3
        self.borgere |= other.borgere
        self.vaerdier.extend(other.vaerdier)
        for number, members in other.delmaengder.items():
            self.delmaengder[number] |= members


# team (None: the whole area), service, month, the panel's three keys, citizen.
GroupKey = tuple[int | None, int | None, date | None, str, str, str, int | None]


class _Facts:
    """One panel's groups as they are collected; `per_citizen` makes the citizen a key too.
    Panels in `WHOLE_AREA_PANELS` get the whole area's groups as well."""

    def __init__(self, emne: str, *, per_citizen: bool = False) -> None:
        self.emne = emne
        self.per_citizen = per_citizen
        self.whole_area = emne in WHOLE_AREA_PANELS
        self.groups: dict[GroupKey, _Group] = defaultdict(_Group)

    def add(
        self,
        team: int | None,
        ydelse: int | None,
        maaned: date | None,
        *keys: object,
        borger: int,
        sums: tuple[Decimal | int, ...] = (),
        vaerdi: int | None = None,
        counts: bool = False,
    ) -> None:
        """One row of the panel. `counts`: the sums are 0 or 1, each counting the row, so the
        citizens behind each sum are kept for the exports' suppression."""
        padded = [("" if k is None else str(k)) for k in keys] + ["", "", ""]
        citizen = borger if self.per_citizen else None
        group = self.groups[(team, ydelse, maaned, padded[0], padded[1], padded[2], citizen)]
        group.antal += 1
        group.borgere.add(borger)
        for number, (name, value) in enumerate(zip(("sum1", "sum2", "sum3"), sums, strict=False)):
            setattr(group, name, getattr(group, name) + Decimal(value))
            if counts and value:
                group.delmaengder[str(number + 1)].add(borger)
        if vaerdi is not None:
            group.vaerdier.append(vaerdi)

    def rows(self) -> Iterator[Noegletal]:
        """Each team's groups, then (for a whole-area panel) the area's, each team's group
        folded into the area's as it is written and then let go."""
        area: dict[GroupKey, _Group] = defaultdict(_Group)
        # Written in the order a page reads them (one team's months together), so a leader's
        # groups sit on few pages of the table.
        for key in sorted(self.groups, key=lambda k: (k[0] or 0, k[2] or date.min)):
            group = self.groups.pop(key)
            yield self._row(key, group)
            if self.whole_area:
                area[(None, *key[1:])].merge(group)
        for key in sorted(area, key=lambda k: k[2] or date.min):
            yield self._row(key, area.pop(key))

    def _row(self, key: GroupKey, g: _Group) -> Noegletal:
        team, ydelse, maaned, k1, k2, k3, citizen = key
        return Noegletal(
            emne=self.emne,
            team_id=team,
            kommunal_ydelse_id=ydelse,
            maaned=maaned,
            noegle=k1,
            noegle2=k2,
            noegle3=k3,
            borger_id=citizen,
            antal=g.antal,
            borgere=len(g.borgere),
            sum1=g.sum1,
            sum2=g.sum2,
            sum3=g.sum3,
            vaerdier=sorted(g.vaerdier),
            borger_ids=sorted(g.borgere),
            delmaengder={k: sorted(v) for k, v in g.delmaengder.items()},
        )


def _month(value: date | datetime | None) -> date:
    # Only ever called on a field the collector's query requires to be set.
    assert value is not None
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.replace(day=1)


@dataclass(frozen=True)
class Linje:
    """One price line of a granted service in force, with what the cost panel groups it by."""

    sag_id: int
    team_id: int
    borger_id: int
    kommunal_ydelse_id: int | None
    maalgruppe_id: int | None
    tilbudstype_id: int | None
    udfoerer_id: int | None
    aarligt: Decimal


def granted_lines(sager: QuerySet[Sag]) -> Iterator[Linje]:
    """The price lines of the services in force: for cases in bestilling, levering or
    opfølgning, the indsatser their latest granting decision grants, by the rule of
    `orders.content.granted_indsats_ids` (alternatives are never bought).
    Read in four set-wide queries and matched here, however many cases there are."""
    latest = granting_decisions().filter(sag=OuterRef("pk")).values("pk")[:1]
    grant_ids = sager.filter(fase__in=IN_FORCE_PHASES).annotate(a=Subquery(latest)).values("a")
    grants = {
        vurdering: (pk, fuldt)
        for pk, vurdering, fuldt in Afgoerelse.objects.filter(pk__in=grant_ids).values_list(
            "pk", "vurdering_id", "fuldt_medhold"
        )
        if vurdering is not None
    }
    results: dict[int, list[tuple[str, int | None, int | None]]] = defaultdict(list)
    for afgoerelse, resultat, indsats, ydelse in AfgoerelsesResultat.objects.filter(
        afgoerelse__in=grant_ids
    ).values_list("afgoerelse_id", "resultat", "indsats_id", "kommunal_ydelse_id"):
        results[afgoerelse].append((resultat, indsats, ydelse))
    candidates: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for pk, vurdering, ydelse in Indsats.objects.filter(
        vurdering_id__in=grants, alternativ=False
    ).values_list("pk", "vurdering_id", "kommunal_ydelse_id"):
        candidates[vurdering].append((pk, ydelse))
    chosen: set[int] = set()
    for vurdering, (afgoerelse, fuldt) in grants.items():
        chosen |= granted_indsats_ids(
            candidates[vurdering], results[afgoerelse], fuldt_medhold=fuldt
        )
    primary = VurderingMaalgruppe.objects.filter(
        vurdering=OuterRef("indsats__vurdering_id"), primaer=True
    ).values("maalgruppe_id")[:1]
    lines = (
        Prislinje.objects.filter(indsats__vurdering_id__in=grants, indsats__alternativ=False)
        .annotate(maalgruppe=Subquery(primary), faktor=_yearly_factor())
        .values_list(
            "indsats_id",
            "indsats__vurdering__sag_id",
            "indsats__vurdering__sag__team_id",
            "indsats__vurdering__sag__borger_id",
            # The paragraph is the indsats's own service, else the case's.
            Coalesce("indsats__kommunal_ydelse_id", "indsats__vurdering__sag__kommunal_ydelse_id"),
            "maalgruppe",
            "indsats__tilbudstype_id",
            "indsats__udfoerer_id",
            "antal_pr_periode",
            "enhedspris",
            "faktor",
        )
    )
    for (
        indsats,
        sag,
        team,
        borger,
        ydelse,
        maalgruppe,
        tilbud,
        udfoerer,
        antal,
        pris,
        faktor,
    ) in lines.iterator(chunk_size=5000):
        if indsats in chosen:
            # To the øre per line, as the figures keep it: a sum of lines is then the same
            # whether it is added up per team or for the whole area.
            yearly = (antal * pris * faktor).quantize(Decimal("0.01"))
            yield Linje(sag, team, borger, ydelse, maalgruppe, tilbud, udfoerer, yearly)


def _yearly_factor() -> Case:
    return Case(
        *[When(frekvens=k, then=Value(v)) for k, v in PERIODS_PER_YEAR.items()],
        output_field=IntegerField(),
    )


def collect_caseload(now: datetime, since: date) -> Iterable[_Facts]:
    """fase: noegle = phase. sagsbehandler: noegle = caseworker id ("" unassigned), sum1 = the
    cases with an overdue deadline. sagsbehandler_alle: the same for all services (no service),
    what the table reads unless the filter names a service or a municipality: a head of
    department's caseworkers are some 2,000 rows so, instead of 16,000."""
    phases, caseworkers = _Facts("fase"), _Facts("sagsbehandler")
    all_services = _Facts("sagsbehandler_alle")
    overdue = Exists(Frist.objects.overdue(now).filter(sag=OuterRef("pk")))
    rows = (
        Sag.objects.exclude(fase=Fase.AFSLUTTET)
        .annotate(o=overdue)
        .values_list("team_id", "kommunal_ydelse_id", "fase", "sagsbehandler_id", "borger_id", "o")
    )
    for team, ydelse, fase, sagsbehandler, borger, o in rows.iterator(chunk_size=5000):
        phases.add(team, ydelse, None, fase, borger=borger)
        caseworkers.add(
            team, ydelse, None, sagsbehandler, borger=borger, sums=(int(o),), counts=True
        )
        all_services.add(
            team, None, None, sagsbehandler, borger=borger, sums=(int(o),), counts=True
        )
    return [phases, caseworkers, all_services]


def collect_waiting_time(now: datetime, since: date) -> Iterable[_Facts]:
    """ventetid: a case's first decision in the month; vaerdier = the days from the enquiry
    that opened the case."""
    facts = _Facts("ventetid")
    earlier = Afgoerelse.objects.filter(sag=OuterRef("sag_id"), truffet__lt=OuterRef("truffet"))
    enquiry = (
        Henvendelse.objects.filter(sag=OuterRef("sag_id"))
        .order_by("modtaget", "pk")
        .values("modtaget")[:1]
    )
    first = (
        Afgoerelse.objects.filter(truffet__gte=since)
        .exclude(Exists(earlier))
        .annotate(modtaget=Subquery(enquiry))
        .filter(modtaget__isnull=False)
        .values_list(
            "sag_id",
            "sag__team_id",
            "sag__kommunal_ydelse_id",
            "truffet",
            "modtaget",
            "sag__borger_id",
        )
    )
    seen: set[int] = set()  # two decisions on a case's first day count once
    for sag, team, ydelse, truffet, modtaget, borger in first.iterator(chunk_size=5000):
        if sag not in seen:
            seen.add(sag)
            facts.add(
                team, ydelse, _month(truffet), borger=borger, vaerdi=(truffet - modtaget).days
            )
    return [facts]


def collect_deadlines(now: datetime, since: date) -> Iterable[_Facts]:
    """frist: processing deadlines whose time has come, by the month they fell due: met, or
    missed (closed late, or still open); sum1 = met, sum2 = missed. One not yet due is counted
    when it falls due, met early or not, so the running month is not counted only by its early
    successes. overskredet (today): noegle = the deadline's kind."""
    met_or_missed, overdue = _Facts("frist"), _Facts("overskredet")
    due = Frist.objects.filter(
        art=Frist.Art.SAGSBEHANDLINGSFRIST,
        frist__gte=_aware(since),
        frist__lt=now,
        status__in=[Frist.Status.OVERHOLDT, Frist.Status.OVERSKREDET, Frist.Status.AABEN],
    ).values_list("sag__team_id", "sag__kommunal_ydelse_id", "frist", "status", "sag__borger_id")
    for team, ydelse, frist, status, borger in due.iterator(chunk_size=5000):
        met = status == Frist.Status.OVERHOLDT
        met_or_missed.add(
            team, ydelse, _month(frist), borger=borger, sums=(int(met), int(not met)), counts=True
        )
    late = (
        Frist.objects.overdue(now)
        .filter(art__in=OVERDUE_ARTS)
        .values_list("sag__team_id", "sag__kommunal_ydelse_id", "art", "sag__borger_id")
    )
    for team, ydelse, art, borger in late.iterator(chunk_size=5000):
        overdue.add(team, ydelse, None, art, borger=borger)
    return [met_or_missed, overdue]


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def collect_committee_and_complaints(now: datetime, since: date) -> Iterable[_Facts]:
    """udvalg: agenda items decided in the month, noegle = outcome. klage: complaints received
    in the month; sum1 = changed at reassessment, sum2 = sent to Ankestyrelsen, sum3 = changed
    by Ankestyrelsen. afgoerelse: decisions made in the month."""
    committee, complaints, decisions = _Facts("udvalg"), _Facts("klage"), _Facts("afgoerelse")
    items = Dagsordenspunkt.objects.filter(
        behandlet__gte=_aware(since), udfald__isnull=False
    ).values_list(
        "sag__team_id", "sag__kommunal_ydelse_id", "behandlet", "udfald_id", "sag__borger_id"
    )
    for team, ydelse, behandlet, udfald, borger in items.iterator(chunk_size=5000):
        committee.add(team, ydelse, _month(behandlet), udfald, borger=borger)
    klager = Klage.objects.filter(modtaget__gte=_aware(since)).values_list(
        "sag__team_id",
        "sag__kommunal_ydelse_id",
        "modtaget",
        "genvurdering",
        "sendt_til_ankestyrelsen",
        "ankestyrelsens_afgoerelse",
        "sag__borger_id",
    )
    for team, ydelse, modtaget, genvurdering, sendt, anke, borger in klager.iterator(
        chunk_size=5000
    ):
        sums = (
            int(genvurdering in CHANGED_AT_REASSESSMENT),
            int(sendt is not None),
            int(anke in CHANGED_BY_ANKESTYRELSEN),
        )
        complaints.add(team, ydelse, _month(modtaget), borger=borger, sums=sums, counts=True)
    made = Afgoerelse.objects.filter(truffet__gte=since).values_list(
        "sag__team_id", "sag__kommunal_ydelse_id", "truffet", "sag__borger_id"
    )
    for team, ydelse, truffet, borger in made.iterator(chunk_size=5000):
        decisions.add(team, ydelse, _month(truffet), borger=borger)
    return [committee, complaints, decisions]


def collect_support_need(now: datetime, since: date) -> Iterable[_Facts]:
    """stoettebehov (today): cases with services in force by support need, noegle = the level's
    id ("" not assessed): the last completed follow-up's, unless a newer granting decision's
    assessment set one since. bevaegelse: follow-up forms completed in the month, noegle = the
    level before, noegle2 = after."""
    now_facts, moves = _Facts("stoettebehov"), _Facts("bevaegelse")
    last_followup = Opfoelgningsskema.objects.filter(
        opfoelgning__sag=OuterRef("pk"),
        afsluttet__isnull=False,
        stoettebehov_efter__isnull=False,
    ).order_by("-afsluttet")
    grant = granting_decisions().filter(sag=OuterRef("pk"))
    in_force = (
        Sag.objects.filter(fase__in=IN_FORCE_PHASES)
        .annotate(
            opfoelgning_niveau=Subquery(last_followup.values("stoettebehov_efter_id")[:1]),
            opfoelgning_dato=Subquery(last_followup.values("afsluttet")[:1]),
            bevilling_niveau=Subquery(grant.values("vurdering__stoettebehov_id")[:1]),
            bevilling_dato=Subquery(grant.values("truffet")[:1]),
        )
        .values_list(
            "team_id",
            "kommunal_ydelse_id",
            "borger_id",
            "opfoelgning_niveau",
            "opfoelgning_dato",
            "bevilling_niveau",
            "bevilling_dato",
        )
    )
    for team, ydelse, borger, followed, followed_at, granted, granted_on in in_force.iterator(
        chunk_size=5000
    ):
        # A follow-up's level stands until a newer decision (after a revisitation) sets one.
        newer_grant = granted_on is not None and (
            followed_at is None or timezone.localtime(followed_at).date() < granted_on
        )
        niveau = granted if newer_grant or followed is None else followed
        now_facts.add(team, ydelse, None, niveau, borger=borger)
    completed = Opfoelgningsskema.objects.filter(
        afsluttet__gte=_aware(since),
        stoettebehov_foer__isnull=False,
        stoettebehov_efter__isnull=False,
    ).values_list(
        "opfoelgning__sag__team_id",
        "opfoelgning__sag__kommunal_ydelse_id",
        "afsluttet",
        "stoettebehov_foer_id",
        "stoettebehov_efter_id",
        "opfoelgning__sag__borger_id",
    )
    for team, ydelse, afsluttet, foer, efter, borger in completed.iterator(chunk_size=5000):
        moves.add(team, ydelse, _month(afsluttet), foer, efter, borger=borger)
    return [now_facts, moves]


def collect_progression(now: datetime, since: date) -> Iterable[_Facts]:
    """funktionsevne: goals assessed at follow-ups completed in the month, noegle = måltype id,
    noegle2 = the goal's primary sub-theme id; sum1 = the levels improved (the level carried in
    minus the new one; FFB levels run from 0, no limitation, to 4, complete), sum2 = on track
    for the måltype, sum3 = reached the expected level."""
    facts = _Facts("funktionsevne")
    kinds = {m.pk: m.navn for m in Maaltype.objects.all()}
    maal = SkemaMaal.objects.filter(
        skema__afsluttet__gte=_aware(since),
        nyt_niveau__isnull=False,
        overfoert_niveau__isnull=False,
    ).values_list(
        "skema__opfoelgning__sag__team_id",
        "skema__opfoelgning__sag__kommunal_ydelse_id",
        "skema__afsluttet",
        "indsatsmaal__maaltype_id",
        "indsatsmaal__primaert_undertema_id",
        "overfoert_niveau",
        "nyt_niveau",
        "overfoert_forventet",
        "skema__opfoelgning__sag__borger_id",
    )
    for team, ydelse, afsluttet, kind, undertema, before, after, expected, borger in maal.iterator(
        chunk_size=5000
    ):
        # The query requires both levels.
        assert before is not None
        assert after is not None
        reached = expected is not None and after <= expected
        track = on_track(kinds.get(kind, ""), before, after, expected)
        facts.add(
            team,
            ydelse,
            _month(afsluttet),
            kind,
            undertema,
            borger=borger,
            sums=(before - after, int(track), int(reached)),
        )
    return [facts]


def on_track(maaltype: str, before: int, after: int, expected: int | None) -> bool:
    """Progress read against the goal's type: Udvikle succeeds when the level improves,
    Fastholde when it holds, Begrænse tab when the decline is no larger than expected (a
    smaller decline is success) or there is none."""
    if maaltype.startswith("Udvikle"):
        return after < before
    if maaltype.startswith("Fastholde"):
        return after <= before
    if maaltype.startswith("Begrænse"):
        return after <= before or (expected is not None and after <= expected)
    return False


def collect_cost(now: datetime, since: date) -> Iterable[_Facts]:
    """udgift (today): the yearly cost of the services in force per citizen (see
    `granted_lines`), kommunal_ydelse = the indsats's service, noegle = primary target group
    id, noegle2 = tilbudstype id, noegle3 = provider id; sum1 = kroner a year (each price line's
    amount per period times the periods in a year).

    udgift_omraade (today), the same for the whole area, per cost table (`COST_DIMENSIONS`) and
    filter, so that a leader of every team reads a table's rows, not every citizen's: noegle =
    the table, noegle2 = its row (service id, target group id, ...), noegle3 = the filter: all
    services, one municipality's (`kommune:<id>`) or one service's (kommunal_ydelse)."""
    facts = _Facts("udgift", per_citizen=True)
    area = _Facts("udgift_omraade")
    municipality: dict[int | None, int] = dict(
        KommunalYdelse.objects.values_list("pk", "kommune_id")
    )
    for line in granted_lines(Sag.objects.all()):
        facts.add(
            line.team_id,
            line.kommunal_ydelse_id,
            None,
            line.maalgruppe_id,
            line.tilbudstype_id,
            line.udfoerer_id,
            borger=line.borger_id,
            sums=(line.aarligt,),
        )
        filters = [
            (None, COST_ALL_SERVICES),
            (None, f"kommune:{municipality.get(line.kommunal_ydelse_id)}"),
            (line.kommunal_ydelse_id, COST_ONE_SERVICE),
        ]
        for table, value in [
            ("paragraf", line.kommunal_ydelse_id),
            ("maalgruppe", line.maalgruppe_id),
            ("tilbud", line.tilbudstype_id),
            ("udfoerer", line.udfoerer_id),
        ]:
            for ydelse, scope in filters:
                area.add(
                    None,
                    ydelse,
                    None,
                    table,
                    value,
                    scope,
                    borger=line.borger_id,
                    sums=(line.aarligt,),
                )
    return [facts, area]


COLLECTORS: list[Callable[[datetime, date], Iterable[_Facts]]] = [
    collect_caseload,
    collect_waiting_time,
    collect_deadlines,
    collect_committee_and_complaints,
    collect_support_need,
    collect_progression,
    collect_cost,
]


def collect_all(now: datetime) -> Iterator[Noegletal]:
    since = first_kept_month(timezone.localtime(now).date())
    for collector in COLLECTORS:
        for facts in collector(now, since):
            yield from facts.rows()


# Readers: Noegletal to the panels, for one leader and filter


class Udsnit:
    """The figures one leader may see under one filter."""

    def __init__(
        self, user: User, f: Filter, *, exact: bool = False, overview: bool = False
    ) -> None:
        """`exact`: count citizens exactly (an export); `overview`: a long table may build only
        the rows the overview shows (`Tabel.shown_rows`)."""
        self.f = f
        self.exact = exact
        self.overview = overview
        qs = Noegletal.objects.all()
        if f.ydelse:
            qs = qs.filter(kommunal_ydelse=f.ydelse)
        if f.kommune:
            qs = qs.filter(kommunal_ydelse__kommune=f.kommune)
        teams = teams_visible_to(user)
        self.per_team = qs.filter(team__in=teams)
        if f.team:
            self.per_team = self.per_team.filter(team=f.team)
        self.whole_area = qs.filter(team__isnull=True)
        # A leader of every team (a head of department) reads the whole area's groups.
        self.every_team = f.team is None and not Team.objects.exclude(pk__in=teams).exists()

    def _groups(self, emne: str) -> QuerySet[Noegletal]:
        whole = self.every_team and emne in WHOLE_AREA_PANELS
        return (self.whole_area if whole else self.per_team).filter(emne=emne)

    def snapshot(self, emne: str) -> QuerySet[Noegletal]:
        return self._groups(emne).filter(maaned__isnull=True)

    def flow(self, emne: str) -> QuerySet[Noegletal]:
        return self._groups(emne).filter(maaned__gte=self.f.fra, maaned__lte=self.f.til)

    def grouped(self, qs: QuerySet[Noegletal], *keys: str) -> list[dict[str, Any]]:
        """The groups summed by `keys`; `borgere` is exact (the union of the groups' citizens)
        for an export, else the groups' sum (an upper bound)."""
        rows: list[dict[str, Any]] = list(
            qs.values(*keys)
            .annotate(
                n=Sum("antal"),
                b=Sum("borgere"),
                s1=Sum("sum1"),
                s2=Sum("sum2"),
                s3=Sum("sum3"),
            )
            # Unordered, so the database can group by hashing; the few groups are sorted here.
            .order_by()
        )
        rows.sort(
            key=lambda row: tuple((row[k] is None, "" if row[k] is None else row[k]) for k in keys)
        )
        if self.exact:
            citizens: dict[tuple[Any, ...], set[int]] = defaultdict(set)
            parts: dict[tuple[Any, ...], dict[str, set[int]]] = defaultdict(
                lambda: defaultdict(set)
            )
            for *key, ids, subsets in qs.values_list(*keys, "borger_ids", "delmaengder"):
                citizens[tuple(key)].update(ids)
                for number, members in subsets.items():
                    parts[tuple(key)][number].update(members)
            for row in rows:
                key = tuple(row[k] for k in keys)
                row["b"] = len(citizens[key])
                for number in ("1", "2", "3"):
                    row[f"b{number}"] = len(parts[key][number])
        return rows

    def whole_area_cost(self, table: str) -> QuerySet[Noegletal] | None:
        """The rows of one cost table for a leader of every team (None for other leaders):
        the whole area's, for the filter's service or municipality or all services."""
        if not self.every_team:
            return None
        f = self.f
        qs = Noegletal.objects.filter(
            emne="udgift_omraade", team__isnull=True, maaned__isnull=True, noegle=table
        )
        if f.ydelse:
            qs = qs.filter(noegle3=COST_ONE_SERVICE, kommunal_ydelse=f.ydelse)
            return qs.filter(kommunal_ydelse__kommune=f.kommune) if f.kommune else qs
        if f.kommune:
            return qs.filter(noegle3=f"kommune:{f.kommune.pk}")
        return qs.filter(noegle3=COST_ALL_SERVICES)

    def part(self, row: dict[str, Any], number: int) -> Celle:
        """The count of sum `number` of a grouped row, resting on its own citizens (exact for
        an export; on screen, where nothing is suppressed, bounded by the row's)."""
        count = int(row[f"s{number}"])
        citizens = row.get(f"b{number}")
        return Celle(count, citizens if citizens is not None else min(count, row["b"]))


def _names(qs: QuerySet[Any], ids: Iterable[Any]) -> dict[str, str]:
    wanted = {int(pk) for pk in ids if str(pk).isdigit()}
    return {str(pk): navn for pk, navn in qs.filter(pk__in=wanted).values_list("pk", "navn")}


def _ydelse_names(ids: Iterable[Any]) -> dict[Any, str]:
    wanted = {pk for pk in ids if pk is not None}
    return {y.pk: f"{y.kode} {y.navn}" for y in KommunalYdelse.objects.filter(pk__in=wanted)}


def caseload(u: Udsnit) -> list[Tabel]:
    labels = dict(Fase.choices)
    rows = u.grouped(u.snapshot("fase"), "team_id", "team__navn", "noegle")
    teams: dict[int, str] = {}
    counts: dict[tuple[int, str], tuple[int, int]] = {}
    for row in rows:
        teams[row["team_id"]] = row["team__navn"]
        counts[(row["team_id"], row["noegle"])] = (row["n"], row["b"])
    by_phase = Tabel(
        key="sager_fase",
        title="Åbne sager pr. team og fase",
        description="Sager, der ikke er afsluttet.",
        columns=["Team", *[labels[p] for p in OPEN_PHASES], "I alt"],
        chart_title="Åbne sager pr. fase",
    )
    totals: dict[str, int] = defaultdict(int)
    for team_id, navn in sorted(teams.items(), key=lambda kv: kv[1]):
        cells = [Celle(navn)]
        for phase in OPEN_PHASES:
            n, borgere = counts.get((team_id, phase), (0, 0))
            totals[phase] += n
            cells.append(Celle(n, borgere, f"fase={phase}&sag_team={team_id}" if n else ""))
        row_counts = [counts.get((team_id, p), (0, 0)) for p in OPEN_PHASES]
        # A citizen can have cases in two phases: the row has at least its largest cell's.
        cells.append(
            Celle(
                sum(n for n, _b in row_counts),
                max(b for _n, b in row_counts),
                f"sag_team={team_id}",
            )
        )
        by_phase.rows.append(cells)
    by_phase.chart = [Soejle(labels[p], totals[p], str(totals[p])) for p in OPEN_PHASES]

    # A caseworker's team has open cases, so it is among the teams above (the same rebuild).
    emne = "sagsbehandler" if u.f.ydelse or u.f.kommune else "sagsbehandler_alle"
    per_worker = sorted(u.grouped(u.snapshot(emne), "noegle", "team_id"), key=lambda r: -r["n"])
    shown = per_worker
    if u.overview and len(per_worker) > OVERVIEW_ROWS:
        # The overview shows the caseworkers with the most cases (and names only them): those
        # down to the count of the last row shown, ties included, as the whole table orders
        # them.
        shown = [r for r in per_worker if r["n"] >= per_worker[OVERVIEW_ROWS - 1]["n"]]
    names = {
        str(pk): f"{first} {last}".strip() or username
        for pk, first, last, username in User.objects.filter(
            pk__in={int(r["noegle"]) for r in shown if r["noegle"]}
        ).values_list("pk", "first_name", "last_name", "username")
    }
    shown = sorted(shown, key=lambda r: (-r["n"], names.get(r["noegle"], "")))
    if u.overview:
        shown = shown[:OVERVIEW_ROWS]
    by_worker = Tabel(
        key="sager_sagsbehandler",
        title="Åbne sager pr. sagsbehandler",
        description="Sager, der ikke er afsluttet, og hvor mange af dem der har en overskredet "
        "frist.",
        columns=["Sagsbehandler", "Team", "Åbne sager", "Med overskredet frist"],
        chart_title="Åbne sager pr. sagsbehandler (de 15 største)",
        shown_rows=OVERVIEW_ROWS,
        hidden_rows=len(per_worker) - len(shown),
    )
    for row in shown:
        if row["noegle"]:
            navn, who = names.get(row["noegle"], "Ukendt"), f"sagsbehandler={row['noegle']}"
        else:
            navn, who = "Ikke tildelt", "uden_sagsbehandler=1"
        by_worker.rows.append(
            [
                Celle(navn),
                Celle(teams.get(row["team_id"], "")),
                Celle(row["n"], row["b"], f"{who}&sag_team={row['team_id']}"),
                u.part(row, 1),
            ]
        )
        if len(by_worker.chart) < 15:
            by_worker.chart.append(Soejle(navn, row["n"], str(row["n"])))
    return [by_phase, by_worker]


def waiting_time(u: Udsnit) -> Tabel:
    """The median and 90th percentile need every case's days, which the groups keep."""
    days: dict[int | None, list[int]] = defaultdict(list)
    citizens: dict[int | None, set[int]] = defaultdict(set)
    upper: dict[int | None, int] = defaultdict(int)
    fields = ["kommunal_ydelse_id", "vaerdier", "borgere"] + (["borger_ids"] if u.exact else [])
    for row in u.flow("ventetid").values(*fields):
        days[row["kommunal_ydelse_id"]].extend(row["vaerdier"])
        upper[row["kommunal_ydelse_id"]] += row["borgere"]
        citizens[row["kommunal_ydelse_id"]].update(row.get("borger_ids", []))
    labels = _ydelse_names(days)
    tabel = Tabel(
        key="ventetid",
        title="Ventetid fra henvendelse til afgørelse",
        description="Sager, hvis første afgørelse blev truffet i perioden: dage fra den "
        "henvendelse, der åbnede sagen, til afgørelsen.",
        columns=[
            "Ydelse",
            "Afgjorte sager",
            "Median (dage)",
            "90 % afgjort inden (dage)",
            "Afgjort inden for 30 dage",
        ],
        chart_title="Median ventetid i dage",
    )
    for service in sorted(days, key=lambda pk: labels.get(pk, "")):
        values = sorted(days[service])
        n = len(values)
        median = Decimal(str(statistics.median(values))).quantize(Decimal("0.1"))
        p90 = values[min(n - 1, math.ceil(0.9 * n) - 1)]
        within = percent(sum(1 for d in values if d <= 30), n)
        label = labels.get(service, "Ingen ydelse angivet")
        borgere = len(citizens[service]) if u.exact else upper[service]
        tabel.rows.append(
            [
                Celle(label),
                Celle(n, borgere),
                Celle(median, borgere),
                Celle(p90, borgere),
                Celle(fmt_percent(within), borgere),
            ]
        )
        tabel.chart.append(Soejle(label, float(median), f"{median} dage".replace(".", ",")))
    return tabel


def deadlines_met(u: Udsnit) -> Tabel:
    rows = u.grouped(
        u.flow("frist"),
        "kommunal_ydelse_id",
        "kommunal_ydelse__kode",
        "kommunal_ydelse__navn",
        "kommunal_ydelse__kommune__fristmaal_procent",
    )
    tabel = Tabel(
        key="frister_overholdt",
        title="Overholdte sagsbehandlingsfrister pr. ydelse",
        description="Sagsbehandlingsfrister med frist i perioden. Ikke overholdt: afsluttet for "
        "sent eller stadig åben efter fristen. Målet er kommunens (fx Viborg: 90 %).",
        columns=["Ydelse", "Frister", "Overholdt", "Ikke overholdt", "Andel overholdt", "Mål"],
        chart_title="Andel overholdte frister",
    )
    for row in rows:
        label = (
            f"{row['kommunal_ydelse__kode']} {row['kommunal_ydelse__navn']}"
            if row["kommunal_ydelse_id"]
            else "Ingen ydelse angivet"
        )
        met, missed, total = int(row["s1"]), int(row["s2"]), row["n"]
        share = percent(met, total)
        target = row["kommunal_ydelse__kommune__fristmaal_procent"]
        under = target is not None and share is not None and share < target
        link = (
            f"frist_ikke_overholdt={row['kommunal_ydelse_id']}"
            if missed and row["kommunal_ydelse_id"]
            else ""
        )
        tabel.rows.append(
            [
                Celle(label),
                Celle(total, row["b"]),
                u.part(row, 1),
                Celle(missed, u.part(row, 2).borgere, link),
                Celle(fmt_percent(share) + (" (under målet)" if under else ""), row["b"]),
                Celle(f"{target} %" if target is not None else "Intet mål"),
            ]
        )
        tabel.chart.append(Soejle(label, float(share or 0), fmt_percent(share)))
    return tabel


def overdue(u: Udsnit) -> Tabel:
    rows = {row["noegle"]: row for row in u.grouped(u.snapshot("overskredet"), "noegle")}
    labels = dict(Frist.Art.choices)
    tabel = Tabel(
        key="frister_overskredne",
        title="Overskredne frister",
        description="Åbne frister, hvis tidspunkt er passeret: partshøringer, opfølgninger, "
        "opfølgningsskemaer, statusnotater og de øvrige.",
        columns=["Frist", "Overskredne"],
        chart_title="Overskredne frister pr. art",
    )
    for art in OVERDUE_ARTS:
        row = rows.get(art, {"n": 0, "b": 0})
        link = f"overskredet={art}" if row["n"] else ""
        tabel.rows.append([Celle(labels[art]), Celle(row["n"], row["b"], link)])
        tabel.chart.append(Soejle(labels[art], row["n"], str(row["n"])))
    return tabel


def _quarter(day: date) -> str:
    return f"{day.year} K{(day.month - 1) // 3 + 1}"


def _by_quarter(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    quarters: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        quarters[_quarter(row["maaned"])].append(row)
    return quarters


def committee(u: Udsnit) -> Tabel:
    udfald = list(Visitationsudfald.objects.order_by("pk"))
    quarters = _by_quarter(u.grouped(u.flow("udvalg"), "maaned", "noegle"))
    exact = (
        {
            (q, row["noegle"]): row["b"]
            for q, rows in _by_quarter_exact(u, "udvalg", "noegle").items()
            for row in rows
        }
        if u.exact
        else {}
    )
    tabel = Tabel(
        key="visitationsudvalg",
        title="Visitationsudvalgets udfald pr. kvartal",
        description="Indstillinger, som udvalget har behandlet i perioden.",
        columns=["Kvartal", *[x.navn for x in udfald], "I alt"],
        chart_title="Behandlede indstillinger pr. udfald",
    )
    totals: dict[str, int] = defaultdict(int)
    for quarter, rows in quarters.items():
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in rows:
            counts[row["noegle"]][0] += row["n"]
            counts[row["noegle"]][1] += row["b"]
        cells = [Celle(quarter)]
        for x in udfald:
            n, borgere = counts[str(x.pk)]
            totals[str(x.pk)] += n
            cells.append(Celle(n, exact.get((quarter, str(x.pk)), borgere)))
        # The distinct citizens of the row are at least its largest cell's: suppress on that.
        cells.append(
            Celle(sum(c[0] for c in counts.values()), max(c.borgere or 0 for c in cells[1:]))
        )
        tabel.rows.append(cells)
    tabel.chart = [Soejle(x.navn, totals[str(x.pk)], str(totals[str(x.pk)])) for x in udfald]
    return tabel


def _by_quarter_exact(u: Udsnit, emne: str, *keys: str) -> dict[str, list[dict[str, Any]]]:
    """For an export: the distinct citizens per quarter (and keys), of the rows ("b") and of
    each counting sum ("b1".."b3"), from the groups' ids."""
    citizens: dict[tuple[Any, ...], dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for maaned, *key, ids, subsets in u.flow(emne).values_list(
        "maaned", *keys, "borger_ids", "delmaengder"
    ):
        found = citizens[(_quarter(maaned), *key)]
        found["b"].update(ids)
        for number, members in subsets.items():
            found[f"b{number}"].update(members)
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (quarter, *key), found in citizens.items():
        counts = {name: len(found[name]) for name in ("b", "b1", "b2", "b3")}
        out[quarter].append({**dict(zip(keys, key, strict=True)), **counts})
    return out


def complaints(u: Udsnit) -> Tabel:
    """Complaints received in the period per quarter, and how many of the decisions complained
    about were changed: by the municipality's own reassessment, or by Ankestyrelsen."""
    klager = _by_quarter(u.grouped(u.flow("klage"), "maaned"))
    decided = _by_quarter(u.grouped(u.flow("afgoerelse"), "maaned"))
    exact = {q: rows[0] for q, rows in _by_quarter_exact(u, "klage").items()} if u.exact else {}
    exact_decided = (
        {q: rows[0]["b"] for q, rows in _by_quarter_exact(u, "afgoerelse").items()}
        if u.exact
        else {}
    )
    tabel = Tabel(
        key="klager",
        title="Klager og ændrede afgørelser pr. kvartal",
        description="Klager modtaget i perioden. Ændret ved genvurdering: kommunen gav helt "
        "eller delvist medhold. Ændret af Ankestyrelsen: ændret, hjemvist eller ophævet.",
        columns=[
            "Kvartal",
            "Afgørelser truffet",
            "Klager",
            "Ændret ved genvurdering",
            "Sendt til Ankestyrelsen",
            "Ændret af Ankestyrelsen",
            "Andel af klagerne ændret",
        ],
        chart_title="Andel af klagerne, der førte til en ændret afgørelse",
    )
    for quarter in sorted(set(klager) | set(decided)):
        rows = klager.get(quarter, [])
        n = sum(r["n"] for r in rows)
        merged = {
            "n": n,
            "b": sum(r["b"] for r in rows),
            **{f"s{i}": sum(r[f"s{i}"] for r in rows) for i in (1, 2, 3)},
            **exact.get(quarter, {}),
        }
        borgere = merged["b"]
        reassessed, changed = int(merged["s1"]), int(merged["s3"])
        share = percent(reassessed + changed, n)
        decisions = sum(r["n"] for r in decided.get(quarter, []))
        tabel.rows.append(
            [
                Celle(quarter),
                Celle(decisions, exact_decided.get(quarter, decisions)),
                Celle(n, borgere),
                u.part(merged, 1),
                u.part(merged, 2),
                u.part(merged, 3),
                Celle(fmt_percent(share), borgere),
            ]
        )
        tabel.chart.append(Soejle(quarter, float(share or 0), fmt_percent(share)))
    return tabel


def support_need(u: Udsnit) -> list[Tabel]:
    levels = list(Stoettebehov.objects.order_by("vaerdi"))
    now_rows = {row["noegle"]: row for row in u.grouped(u.snapshot("stoettebehov"), "noegle")}
    now = Tabel(
        key="stoettebehov",
        title="Støttebehov",
        description="Sager med indsatser i kraft (bestilling, levering, opfølgning): det "
        "støttebehov, den seneste opfølgning eller ellers sagsvurderingen fastsatte.",
        columns=["Støttebehov", "Sager"],
        chart_title="Sager pr. støttebehov",
    )
    for key, label in [*[(str(lvl.pk), lvl.navn) for lvl in levels], ("", "Ikke vurderet")]:
        row = now_rows.get(key)
        if key == "" and row is None:
            continue
        n, borgere = (row["n"], row["b"]) if row else (0, 0)
        now.rows.append([Celle(label), Celle(n, borgere)])
        now.chart.append(Soejle(label, n, str(n)))

    moves = {
        (row["noegle"], row["noegle2"]): row
        for row in u.grouped(u.flow("bevaegelse"), "noegle", "noegle2")
    }
    matrix = Tabel(
        key="stoettebehov_bevaegelse",
        title="Støttebehov før og efter opfølgning",
        description="Opfølgninger afsluttet i perioden: støttebehovet ved opfølgningens start "
        "(rækker) og efter den (kolonner).",
        columns=["Før \\ efter", *[lvl.navn for lvl in levels]],
        chart_title="Opfølgninger efter ændring i støttebehov",
    )
    direction = {"Lavere": 0, "Uændret": 0, "Højere": 0}
    for before in levels:
        cells = [Celle(before.navn)]
        for after in levels:
            row = moves.get((str(before.pk), str(after.pk)), {"n": 0, "b": 0})
            cells.append(Celle(row["n"], row["b"]))
            if after.vaerdi == before.vaerdi:
                direction["Uændret"] += row["n"]
            else:
                direction["Lavere" if after.vaerdi < before.vaerdi else "Højere"] += row["n"]
        matrix.rows.append(cells)
    matrix.chart = [Soejle(k, v, str(v)) for k, v in direction.items()]
    return [now, matrix]


def progression(u: Udsnit) -> list[Tabel]:
    rows = u.grouped(u.flow("funktionsevne"), "noegle", "noegle2")
    maaltyper = _names(Maaltype.objects.all(), (r["noegle"] for r in rows))
    undertemaer = _names(Undertema.objects.all(), (r["noegle2"] for r in rows))
    detail = Tabel(
        key="funktionsevne",
        title="Funktionsevne pr. undertema og måltype",
        description="Indsatsmål vurderet ved opfølgninger afsluttet i perioden. Forbedring: "
        "hvor mange niveauer funktionsevnen i gennemsnit er blevet bedre (negativ: et tab). På "
        "rette spor efter måltypen: Udvikle forbedret, Fastholde fastholdt, Begrænse tab intet "
        "eller højst det forventede tab.",
        columns=["Måltype", "Undertema", "Mål", "Gns. forbedring", "På rette spor", "Nået"],
    )
    per_type: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in sorted(rows, key=lambda r: (r["noegle"], -r["n"])):
        n, borgere = row["n"], row["b"]
        totals = per_type[row["noegle"]]
        totals[0] += n
        totals[1] += int(row["s2"])
        totals[2] += int(row["s3"])
        # A citizen has goals under several sub-themes: the type has at least its largest row's.
        totals[3] = max(totals[3], borgere)
        average = (Decimal(row["s1"]) / n).quantize(Decimal("0.01"))
        detail.rows.append(
            [
                Celle(maaltyper.get(row["noegle"], "Ukendt")),
                Celle(undertemaer.get(row["noegle2"], "Ukendt")),
                Celle(n, borgere),
                Celle(f"{average:+}".replace(".", ","), borgere),
                Celle(fmt_percent(percent(row["s2"], n)), borgere),
                Celle(fmt_percent(percent(row["s3"], n)), borgere),
            ]
        )
    summary = Tabel(
        key="maal_naaet",
        title="Mål på rette spor og nåede mål pr. måltype",
        description="Samme mål som nedenfor, lagt sammen pr. måltype.",
        columns=["Måltype", "Mål", "På rette spor", "Nået forventet niveau"],
        chart_title="Andel på rette spor pr. måltype",
    )
    for kind, (n, on, done, borgere) in per_type.items():
        label = maaltyper.get(kind, "Ukendt")
        share = percent(on, n)
        summary.rows.append(
            [
                Celle(label),
                Celle(n, borgere),
                Celle(fmt_percent(share), borgere),
                Celle(fmt_percent(percent(done, n)), borgere),
            ]
        )
        summary.chart.append(Soejle(label, float(share or 0), fmt_percent(share)))
    return [summary, detail]


COST_DIMENSIONS = {
    "paragraf": ("Ydelse (paragraf)", "kommunal_ydelse_id"),
    "maalgruppe": ("Primær målgruppe", "noegle"),
    "tilbud": ("Tilbudstype", "noegle2"),
    "udfoerer": ("Udfører", "noegle3"),
}


def cost(u: Udsnit) -> list[Tabel]:
    """The page shows each group's citizens: the cost facts have a row per citizen, so the
    database counts them exactly."""
    tables = []
    for key, (title, path) in COST_DIMENSIONS.items():
        rows = _cost_rows(u, key, path)
        names = _cost_names(key, [row[path] for row in rows])
        tabel = Tabel(
            key=f"udgift_{key}",
            title=f"Årlig udgift pr. {title.lower()}",
            description="Indsatser i kraft (sager i bestilling, levering eller opfølgning) "
            "efter den seneste bevilling, omregnet til et år ud fra prislinjerne.",
            columns=[title, "Borgere", "Årlig udgift"],
            chart_title=f"Årlig udgift pr. {title.lower()}"
            + (f" (de {OVERVIEW_ROWS} største)" if len(rows) > OVERVIEW_ROWS else ""),
            shown_rows=OVERVIEW_ROWS,
        )
        for row in rows:
            value, amount, borgere = row[path], Decimal(row["beloeb"]), row["borgere_i_alt"]
            label = names.get(value, "Ikke angivet")
            link = f"udfoerer={value}" if key == "udfoerer" and value else ""
            tabel.rows.append(
                [
                    Celle(label),
                    Celle(borgere, borgere, link),
                    Celle(amount.quantize(Decimal(1)), borgere),
                ]
            )
            if len(tabel.chart) < OVERVIEW_ROWS:
                tabel.chart.append(Soejle(label, float(amount), fmt_kroner(amount)))
        tables.append(tabel)
    return tables


def _cost_rows(u: Udsnit, table: str, path: str) -> list[dict[str, Any]]:
    """A cost table's rows by amount: each row's value (at `path`), amount and citizens."""
    area = u.whole_area_cost(table)
    rows: list[dict[str, Any]]
    if area is None:
        rows = list(
            u.snapshot("udgift")
            .values(path)
            .annotate(beloeb=Sum("sum1"), borgere_i_alt=Count("borger_id", distinct=True))
            .order_by()
        )
    else:
        rows = [
            {path: value, "beloeb": amount, "borgere_i_alt": citizens}
            for value, amount, citizens in area.values_list("noegle2", "sum1", "borgere")
        ]
        if path == "kommunal_ydelse_id":
            for row in rows:
                row[path] = int(row[path]) if row[path] else None
    return sorted(rows, key=lambda row: (-row["beloeb"], str(row[path] or "")))


def _cost_names(key: str, ids: list[Any]) -> dict[Any, str]:
    if key == "paragraf":
        ydelser = KommunalYdelse.objects.filter(pk__in=[i for i in ids if i]).prefetch_related(
            "hjemler__lovhenvisning"
        )
        return {y.pk: _paragraf_label(y) for y in ydelser}
    names: QuerySet[Any] = {
        "maalgruppe": Maalgruppe.objects.all(),
        "tilbud": Tilbudstype.objects.all(),
        "udfoerer": Organisation.objects.all(),
    }[key]
    return _names(names, ids)


def _paragraf_label(ydelse: KommunalYdelse) -> str:
    paragraphs = sorted(
        {h.lovhenvisning.paragraf for h in ydelse.hjemler.all() if h.lovhenvisning.paragraf}
    )
    law = f" (§ {', '.join(paragraphs)})" if paragraphs else ""
    return f"{ydelse.kode} {ydelse.navn}{law}"


SECTIONS = {
    "sager": "Sagsbelastning og ventetid",
    "frister": "Frister",
    "udvalg": "Visitationsudvalg og klager",
    "progression": "Støttebehov og funktionsevne",
    "oekonomi": "Økonomi",
}


def opgoerelse() -> NoegletalOpgoerelse | None:
    """When the figures were last rebuilt (None: never)."""
    return NoegletalOpgoerelse.objects.filter(opgjort__isnull=False).first()


def dashboard(
    *, user: User, f: Filter, exact: bool = False, overview: bool = False
) -> list[Sektion]:
    return panels(Udsnit(user, f, exact=exact, overview=overview))


def panels(u: Udsnit) -> list[Sektion]:
    return [
        Sektion("sager", SECTIONS["sager"], [*caseload(u), waiting_time(u)]),
        Sektion("frister", SECTIONS["frister"], [deadlines_met(u), overdue(u)]),
        Sektion("udvalg", SECTIONS["udvalg"], [committee(u), complaints(u)]),
        Sektion("progression", SECTIONS["progression"], [*support_need(u), *progression(u)]),
        Sektion("oekonomi", SECTIONS["oekonomi"], cost(u)),
    ]


# The long tables the overview shortens, by the panel that builds each.
LONG_TABLES: dict[str, Callable[[Udsnit], list[Tabel]]] = {
    "sager_sagsbehandler": caseload,
    **{f"udgift_{key}": cost for key in COST_DIMENSIONS},
}


def whole_table(*, user: User, f: Filter, key: str) -> Tabel:
    """One of the `LONG_TABLES` with all its rows."""
    (found,) = [t for t in LONG_TABLES[key](Udsnit(user, f)) if t.key == key]
    return found


# Drill-down: the live cases behind a figure


def scope(user: User, f: Filter) -> QuerySet[Sag]:
    """The leader's cases, narrowed by the filter's team, service and municipality."""
    qs = sager_visible_to(user)
    if f.team:
        qs = qs.filter(team=f.team)
    if f.ydelse:
        qs = qs.filter(kommunal_ydelse=f.ydelse)
    if f.kommune:
        qs = qs.filter(kommunal_ydelse__kommune=f.kommune)
    return qs


def _id(criteria: dict[str, str], key: str) -> int | None:
    """A primary key from the drill-down's query, or None for anything else (also digits that
    `int` refuses, like "²", and numbers no key reaches)."""
    value = criteria.get(key, "")
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def _open_only(criteria: dict[str, str]) -> bool:
    """A figure counts open cases, except deadlines missed in the period, whose cases may have
    been closed since."""
    return "frist_ikke_overholdt" not in criteria


def drilldown(user: User, f: Filter, criteria: dict[str, str]) -> QuerySet[Sag]:
    """The cases behind one cell of the dashboard, read live, inside the leader's scope.
    Unknown criteria are ignored, so a hand-edited link never widens what is shown."""
    provider = _id(criteria, "udfoerer")
    # The cost figures are by each indsats's own service, not the case's: a provider's cases
    # are chosen by their lines below, so the case's service must not narrow them first.
    qs = scope(user, replace(f, ydelse=None) if provider is not None else f)
    fase = criteria.get("fase")
    if fase in Fase.values:
        qs = qs.filter(fase=fase)
    elif _open_only(criteria):
        qs = qs.exclude(fase=Fase.AFSLUTTET)
    if (worker_id := _id(criteria, "sagsbehandler")) is not None:
        qs = qs.filter(sagsbehandler_id=worker_id)
    if criteria.get("uden_sagsbehandler") == "1":
        qs = qs.filter(sagsbehandler__isnull=True)
    if (team_id := _id(criteria, "sag_team")) is not None:
        qs = qs.filter(team_id=team_id)
    now = timezone.now()
    if criteria.get("overskredet") in Frist.Art.values:
        late = Frist.objects.overdue(now).filter(sag=OuterRef("pk"), art=criteria["overskredet"])
        qs = qs.filter(Exists(late))
    if (service_id := _id(criteria, "frist_ikke_overholdt")) is not None:
        missed = Frist.objects.filter(
            Q(status=Frist.Status.OVERSKREDET) | Q(status=Frist.Status.AABEN, frist__lt=now),
            sag=OuterRef("pk"),
            art=Frist.Art.SAGSBEHANDLINGSFRIST,
            frist__gte=f.start,
            frist__lt=f.end,
        )
        qs = qs.filter(Exists(missed), kommunal_ydelse_id=service_id)
    if provider is not None:
        service = f.ydelse.pk if f.ydelse else None
        ids = {
            line.sag_id
            for line in granted_lines(qs)
            if line.udfoerer_id == provider
            and (service is None or line.kommunal_ydelse_id == service)
        }
        qs = qs.filter(pk__in=ids)
    return qs


def describe(user: User, criteria: dict[str, str]) -> str:
    """The drill-down's criteria in words, for the heading of the case list. Teams and
    caseworkers are named only inside the leader's own teams."""
    teams = teams_visible_to(user)
    parts = []
    if criteria.get("fase") in Fase.values:
        parts.append(f"Fase: {Fase(criteria['fase']).label}")
    if (team_id := _id(criteria, "sag_team")) is not None:
        team = teams.filter(pk=team_id).first()
        parts.append(f"Team: {team.navn if team else 'ukendt'}")
    if (worker_id := _id(criteria, "sagsbehandler")) is not None:
        worker = User.objects.filter(pk=worker_id, teams__in=teams).distinct().first()
        parts.append(f"Sagsbehandler: {worker.get_full_name() if worker else 'ukendt'}")
    if criteria.get("uden_sagsbehandler") == "1":
        parts.append("Uden sagsbehandler")
    if criteria.get("overskredet") in Frist.Art.values:
        parts.append(f"Med overskredet frist: {Frist.Art(criteria['overskredet']).label}")
    if (service_id := _id(criteria, "frist_ikke_overholdt")) is not None:
        ydelse = KommunalYdelse.objects.filter(pk=service_id).first()
        parts.append(
            f"Sagsbehandlingsfrist ikke overholdt i perioden: {ydelse.kode if ydelse else 'ukendt'}"
        )
    if (provider := _id(criteria, "udfoerer")) is not None:
        org = Organisation.objects.filter(pk=provider).first()
        parts.append(f"Indsats i kraft hos: {org.navn if org else 'ukendt'}")
    if criteria.get("fase") not in Fase.values and _open_only(criteria):
        parts.append("Kun åbne sager")
    return "; ".join(parts) + "."
