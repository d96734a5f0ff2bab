"""The collectors: each reads the case tables once for all teams and yields the `Noegletal` groups
of one panel (per team, service and month, and for most panels the whole area)."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
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
from followup.dashboard.figures import (
    CHANGED_AT_REASSESSMENT,
    CHANGED_BY_ANKESTYRELSEN,
    COST_ALL_SERVICES,
    COST_ONE_SERVICE,
    IN_FORCE_PHASES,
    OVERDUE_ARTS,
    PERIODS_PER_YEAR,
    WHOLE_AREA_PANELS,
    first_kept_month,
)
from followup.models import Noegletal, Opfoelgningsskema, SkemaMaal
from orders.content import granted_indsats_ids, granting_decisions
from vum.catalog.models import (
    KommunalYdelse,
    Maaltype,
)
from vum.deadlines.models import Frist

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
