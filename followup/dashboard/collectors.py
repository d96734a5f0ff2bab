"""The collectors: each reads the case tables, for all cases or for some, and yields their facts
for one or more panels; `fold` groups facts into the `Noegletal` rows (per team, service and
month, and for most panels the whole area)."""

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar

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

# Collectors: the case tables to facts, for all cases or for some


@dataclass(frozen=True, slots=True)
class Fact:
    """One case's contribution to one panel: what a collector reads from one row of the case
    tables. The figures (`Noegletal`) are the facts folded into groups (`group_keys`); the facts
    are kept (`NoegletalBidrag`) so that a change to a case replaces that case's facts and
    updates only the groups they fall in.

    `per_borger`: the citizen is a key of the group too (the cost panel). `taeller`: the sums
    are 0 or 1, each counting the fact, so the citizens behind each sum are kept for the
    exports' suppression."""

    emne: str
    sag_id: int
    borger_id: int
    team_id: int | None
    kommunal_ydelse_id: int | None
    maaned: date | None
    noegle: str = ""
    noegle2: str = ""
    noegle3: str = ""
    per_borger: bool = False
    sum1: Decimal = Decimal(0)
    sum2: Decimal = Decimal(0)
    sum3: Decimal = Decimal(0)
    vaerdi: int | None = None
    taeller: bool = False

    def sums(self) -> tuple[Decimal, Decimal, Decimal]:
        return (self.sum1, self.sum2, self.sum3)


def _fact(
    emne: str,
    sag: int,
    borger: int,
    team: int | None,
    ydelse: int | None,
    maaned: date | None,
    *keys: object,
    sums: tuple[Decimal | int, ...] = (),
    vaerdi: int | None = None,
    counts: bool = False,
    per_borger: bool = False,
) -> Fact:
    padded = [("" if k is None else str(k)) for k in keys] + ["", "", ""]
    total = [Decimal(v) for v in sums] + [Decimal(0)] * 3
    return Fact(
        emne,
        sag,
        borger,
        team,
        ydelse,
        maaned,
        padded[0],
        padded[1],
        padded[2],
        per_borger,
        total[0],
        total[1],
        total[2],
        vaerdi,
        counts,
    )


# emne, team (None: the whole area), service, month, the panel's three keys, citizen.
GroupKey = tuple[str, int | None, int | None, date | None, str, str, str, int | None]


def group_keys(fact: Fact, municipality_of: Mapping[int | None, int | None]) -> list[GroupKey]:
    """The groups a fact is counted in: its team's; for a panel in `WHOLE_AREA_PANELS` the
    whole area's too; for a cost fact, the whole area's cost tables (`cost_area_keys`)."""
    own: GroupKey = (
        fact.emne,
        fact.team_id,
        fact.kommunal_ydelse_id,
        fact.maaned,
        fact.noegle,
        fact.noegle2,
        fact.noegle3,
        fact.borger_id if fact.per_borger else None,
    )
    keys = [own]
    if fact.emne in WHOLE_AREA_PANELS:
        keys.append((fact.emne, None, *own[2:]))
    elif fact.emne == "udgift":
        keys.extend(cost_area_keys(fact, municipality_of))
    return keys


def cost_area_keys(fact: Fact, municipality_of: Mapping[int | None, int | None]) -> list[GroupKey]:
    """udgift_omraade: the whole area's cost per table (`COST_DIMENSIONS`) and filter, so that a
    leader of every team reads a table's rows, not every citizen's: noegle = the table, noegle2
    = its row (service id, target group id, ...), noegle3 = the filter: all services, one
    municipality's (`kommune:<id>`) or one service's (kommunal_ydelse)."""
    ydelse = fact.kommunal_ydelse_id
    filters = [
        (None, COST_ALL_SERVICES),
        (None, f"kommune:{municipality_of.get(ydelse)}"),
        (ydelse, COST_ONE_SERVICE),
    ]
    tables = [
        ("paragraf", "" if ydelse is None else str(ydelse)),
        ("maalgruppe", fact.noegle),
        ("tilbud", fact.noegle2),
        ("udfoerer", fact.noegle3),
    ]
    return [
        ("udgift_omraade", None, scoped, None, table, value, scope, None)
        for table, value in tables
        for scoped, scope in filters
    ]


def municipalities() -> dict[int | None, int | None]:
    """Each service's municipality, for the cost's municipality filter."""
    return dict(KommunalYdelse.objects.values_list("pk", "kommune_id"))


@dataclass
class Group:
    """The facts of one group, folded: what a `Noegletal` row holds."""

    antal: int = 0
    sum1: Decimal = Decimal(0)
    sum2: Decimal = Decimal(0)
    sum3: Decimal = Decimal(0)
    borgere: set[int] = field(default_factory=set)
    vaerdier: list[int] = field(default_factory=list)
    # For sums that count facts: the citizens each sum counts, by its number.
    delmaengder: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def add(self, fact: Fact) -> None:
        self.antal += 1
        self.sum1 += fact.sum1
        self.sum2 += fact.sum2
        self.sum3 += fact.sum3
        self.borgere.add(fact.borger_id)
        if fact.taeller:
            for number, value in enumerate(fact.sums(), start=1):
                if value:
                    self.delmaengder[str(number)].add(fact.borger_id)
        if fact.vaerdi is not None:
            self.vaerdier.append(fact.vaerdi)

    def row(self, key: GroupKey) -> Noegletal:
        emne, team, ydelse, maaned, k1, k2, k3, citizen = key
        return Noegletal(
            emne=emne,
            team_id=team,
            kommunal_ydelse_id=ydelse,
            maaned=maaned,
            noegle=k1,
            noegle2=k2,
            noegle3=k3,
            borger_id=citizen,
            antal=self.antal,
            borgere=len(self.borgere),
            sum1=self.sum1,
            sum2=self.sum2,
            sum3=self.sum3,
            vaerdier=sorted(self.vaerdier),
            borger_ids=sorted(self.borgere),
            delmaengder={k: sorted(v) for k, v in sorted(self.delmaengder.items()) if v},
        )


def fold(
    facts: Iterable[Fact], municipality_of: Mapping[int | None, int | None]
) -> Iterator[Noegletal]:
    """The facts' groups as `Noegletal` rows, in the order a page reads them (one team's
    months together, the whole area's last), so a leader's groups sit on few pages of the
    table."""
    groups: dict[GroupKey, Group] = defaultdict(Group)
    for fact in facts:
        for key in group_keys(fact, municipality_of):
            groups[key].add(fact)
    order = sorted(groups, key=lambda k: (k[0], k[1] is None, k[1] or 0, k[3] or date.min))
    for key in order:
        yield groups.pop(key).row(key)


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


# Which cases a collector reads: all (None), or those whose figures are being brought up to date.
Cases = Collection[int] | None
_Q = TypeVar("_Q", bound=QuerySet[Any])


def _of_cases(qs: _Q, path: str, sager: Cases) -> _Q:
    return qs if sager is None else qs.filter(**{f"{path}__in": sager})


def collect_caseload(now: datetime, since: date, sager: Cases) -> Iterator[Fact]:
    """fase: noegle = phase. sagsbehandler: noegle = caseworker id ("" unassigned), sum1 = the
    cases with an overdue deadline. sagsbehandler_alle: the same for all services (no service),
    what the table reads unless the filter names a service or a municipality: a head of
    department's caseworkers are some 2,000 rows so, instead of 16,000."""
    overdue = Exists(Frist.objects.overdue(now).filter(sag=OuterRef("pk")))
    rows = (
        _of_cases(Sag.objects.exclude(fase=Fase.AFSLUTTET), "pk", sager)
        .annotate(o=overdue)
        .values_list(
            "pk", "team_id", "kommunal_ydelse_id", "fase", "sagsbehandler_id", "borger_id", "o"
        )
    )
    for sag, team, ydelse, fase, sagsbehandler, borger, o in rows.iterator(chunk_size=5000):
        yield _fact("fase", sag, borger, team, ydelse, None, fase)
        late = (int(o),)
        yield _fact(
            "sagsbehandler", sag, borger, team, ydelse, None, sagsbehandler, sums=late, counts=True
        )
        yield _fact(
            "sagsbehandler_alle",
            sag,
            borger,
            team,
            None,
            None,
            sagsbehandler,
            sums=late,
            counts=True,
        )


def collect_waiting_time(now: datetime, since: date, sager: Cases) -> Iterator[Fact]:
    """ventetid: a case's first decision in the month; vaerdier = the days from the enquiry
    that opened the case."""
    earlier = Afgoerelse.objects.filter(sag=OuterRef("sag_id"), truffet__lt=OuterRef("truffet"))
    enquiry = (
        Henvendelse.objects.filter(sag=OuterRef("sag_id"))
        .order_by("modtaget", "pk")
        .values("modtaget")[:1]
    )
    first = (
        _of_cases(Afgoerelse.objects.filter(truffet__gte=since), "sag", sager)
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
            days = (truffet - modtaget).days
            yield _fact("ventetid", sag, borger, team, ydelse, _month(truffet), vaerdi=days)


def collect_deadlines(now: datetime, since: date, sager: Cases) -> Iterator[Fact]:
    """frist: processing deadlines whose time has come, by the month they fell due: met, or
    missed (closed late, or still open); sum1 = met, sum2 = missed. One not yet due is counted
    when it falls due, met early or not, so the running month is not counted only by its early
    successes. overskredet (today): noegle = the deadline's kind."""
    due = _of_cases(
        Frist.objects.filter(
            art=Frist.Art.SAGSBEHANDLINGSFRIST,
            frist__gte=_aware(since),
            frist__lt=now,
            status__in=[Frist.Status.OVERHOLDT, Frist.Status.OVERSKREDET, Frist.Status.AABEN],
        ),
        "sag",
        sager,
    ).values_list(
        "sag_id", "sag__team_id", "sag__kommunal_ydelse_id", "frist", "status", "sag__borger_id"
    )
    for sag, team, ydelse, frist, status, borger in due.iterator(chunk_size=5000):
        met = int(status == Frist.Status.OVERHOLDT)
        yield _fact(
            "frist", sag, borger, team, ydelse, _month(frist), sums=(met, 1 - met), counts=True
        )
    late = _of_cases(
        Frist.objects.overdue(now).filter(art__in=OVERDUE_ARTS), "sag", sager
    ).values_list("sag_id", "sag__team_id", "sag__kommunal_ydelse_id", "art", "sag__borger_id")
    for sag, team, ydelse, art, borger in late.iterator(chunk_size=5000):
        yield _fact("overskredet", sag, borger, team, ydelse, None, art)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def collect_committee_and_complaints(now: datetime, since: date, sager: Cases) -> Iterator[Fact]:
    """udvalg: agenda items decided in the month, noegle = outcome. klage: complaints received
    in the month; sum1 = changed at reassessment, sum2 = sent to Ankestyrelsen, sum3 = changed
    by Ankestyrelsen. afgoerelse: decisions made in the month."""
    items = _of_cases(
        Dagsordenspunkt.objects.filter(behandlet__gte=_aware(since), udfald__isnull=False),
        "sag",
        sager,
    ).values_list(
        "sag_id",
        "sag__team_id",
        "sag__kommunal_ydelse_id",
        "behandlet",
        "udfald_id",
        "sag__borger_id",
    )
    for sag, team, ydelse, behandlet, udfald, borger in items.iterator(chunk_size=5000):
        yield _fact("udvalg", sag, borger, team, ydelse, _month(behandlet), udfald)
    klager = _of_cases(Klage.objects.filter(modtaget__gte=_aware(since)), "sag", sager).values_list(
        "sag_id",
        "sag__team_id",
        "sag__kommunal_ydelse_id",
        "modtaget",
        "genvurdering",
        "sendt_til_ankestyrelsen",
        "ankestyrelsens_afgoerelse",
        "sag__borger_id",
    )
    for sag, team, ydelse, modtaget, genvurdering, sendt, anke, borger in klager.iterator(
        chunk_size=5000
    ):
        sums = (
            int(genvurdering in CHANGED_AT_REASSESSMENT),
            int(sendt is not None),
            int(anke in CHANGED_BY_ANKESTYRELSEN),
        )
        yield _fact("klage", sag, borger, team, ydelse, _month(modtaget), sums=sums, counts=True)
    made = _of_cases(Afgoerelse.objects.filter(truffet__gte=since), "sag", sager).values_list(
        "sag_id", "sag__team_id", "sag__kommunal_ydelse_id", "truffet", "sag__borger_id"
    )
    for sag, team, ydelse, truffet, borger in made.iterator(chunk_size=5000):
        yield _fact("afgoerelse", sag, borger, team, ydelse, _month(truffet))


def collect_support_need(now: datetime, since: date, sager: Cases) -> Iterator[Fact]:
    """stoettebehov (today): cases with services in force by support need, noegle = the level's
    id ("" not assessed): the last completed follow-up's, unless a newer granting decision's
    assessment set one since. bevaegelse: follow-up forms completed in the month, noegle = the
    level before, noegle2 = after."""
    last_followup = Opfoelgningsskema.objects.filter(
        opfoelgning__sag=OuterRef("pk"),
        afsluttet__isnull=False,
        stoettebehov_efter__isnull=False,
    ).order_by("-afsluttet")
    grant = granting_decisions().filter(sag=OuterRef("pk"))
    in_force = (
        _of_cases(Sag.objects.filter(fase__in=IN_FORCE_PHASES), "pk", sager)
        .annotate(
            opfoelgning_niveau=Subquery(last_followup.values("stoettebehov_efter_id")[:1]),
            opfoelgning_dato=Subquery(last_followup.values("afsluttet")[:1]),
            bevilling_niveau=Subquery(grant.values("vurdering__stoettebehov_id")[:1]),
            bevilling_dato=Subquery(grant.values("truffet")[:1]),
        )
        .values_list(
            "pk",
            "team_id",
            "kommunal_ydelse_id",
            "borger_id",
            "opfoelgning_niveau",
            "opfoelgning_dato",
            "bevilling_niveau",
            "bevilling_dato",
        )
    )
    for sag, team, ydelse, borger, followed, followed_at, granted, granted_on in in_force.iterator(
        chunk_size=5000
    ):
        # A follow-up's level stands until a newer decision (after a revisitation) sets one.
        newer_grant = granted_on is not None and (
            followed_at is None or timezone.localtime(followed_at).date() < granted_on
        )
        niveau = granted if newer_grant or followed is None else followed
        yield _fact("stoettebehov", sag, borger, team, ydelse, None, niveau)
    completed = _of_cases(
        Opfoelgningsskema.objects.filter(
            afsluttet__gte=_aware(since),
            stoettebehov_foer__isnull=False,
            stoettebehov_efter__isnull=False,
        ),
        "opfoelgning__sag",
        sager,
    ).values_list(
        "opfoelgning__sag_id",
        "opfoelgning__sag__team_id",
        "opfoelgning__sag__kommunal_ydelse_id",
        "afsluttet",
        "stoettebehov_foer_id",
        "stoettebehov_efter_id",
        "opfoelgning__sag__borger_id",
    )
    for sag, team, ydelse, afsluttet, foer, efter, borger in completed.iterator(chunk_size=5000):
        yield _fact("bevaegelse", sag, borger, team, ydelse, _month(afsluttet), foer, efter)


def collect_progression(now: datetime, since: date, sager: Cases) -> Iterator[Fact]:
    """funktionsevne: goals assessed at follow-ups completed in the month, noegle = måltype id,
    noegle2 = the goal's primary sub-theme id; sum1 = the levels improved (the level carried in
    minus the new one; FFB levels run from 0, no limitation, to 4, complete), sum2 = on track
    for the måltype, sum3 = reached the expected level."""
    kinds = {m.pk: m.navn for m in Maaltype.objects.all()}
    maal = _of_cases(
        SkemaMaal.objects.filter(
            skema__afsluttet__gte=_aware(since),
            nyt_niveau__isnull=False,
            overfoert_niveau__isnull=False,
        ),
        "skema__opfoelgning__sag",
        sager,
    ).values_list(
        "skema__opfoelgning__sag_id",
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
    for row in maal.iterator(chunk_size=5000):
        sag, team, ydelse, afsluttet, kind, undertema, before, after, expected, borger = row
        # The query requires both levels.
        assert before is not None
        assert after is not None
        reached = expected is not None and after <= expected
        track = on_track(kinds.get(kind, ""), before, after, expected)
        yield _fact(
            "funktionsevne",
            sag,
            borger,
            team,
            ydelse,
            _month(afsluttet),
            kind,
            undertema,
            sums=(before - after, int(track), int(reached)),
        )


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


def collect_cost(now: datetime, since: date, sager: Cases) -> Iterator[Fact]:
    """udgift (today): the yearly cost of the services in force per citizen (see
    `granted_lines`), kommunal_ydelse = the indsats's service, noegle = primary target group
    id, noegle2 = tilbudstype id, noegle3 = provider id; sum1 = kroner a year (each price line's
    amount per period times the periods in a year). Its facts are also counted in the whole
    area's cost tables (`cost_area_keys`)."""
    for line in granted_lines(_of_cases(Sag.objects.all(), "pk", sager)):
        yield _fact(
            "udgift",
            line.sag_id,
            line.borger_id,
            line.team_id,
            line.kommunal_ydelse_id,
            None,
            line.maalgruppe_id,
            line.tilbudstype_id,
            line.udfoerer_id,
            sums=(line.aarligt,),
            per_borger=True,
        )


# Each collector with the panels (emner) its facts make.
COLLECTORS: list[tuple[Callable[[datetime, date, Cases], Iterator[Fact]], tuple[str, ...]]] = [
    (collect_caseload, ("fase", "sagsbehandler", "sagsbehandler_alle")),
    (collect_waiting_time, ("ventetid",)),
    (collect_deadlines, ("frist", "overskredet")),
    (collect_committee_and_complaints, ("udvalg", "klage", "afgoerelse")),
    (collect_support_need, ("stoettebehov", "bevaegelse")),
    (collect_progression, ("funktionsevne",)),
    (collect_cost, ("udgift", "udgift_omraade")),
]


def collect_facts(now: datetime, sager: Cases = None) -> Iterator[Fact]:
    """Every fact of the cases (all of them: None), as of `now`."""
    since = first_kept_month(timezone.localtime(now).date())
    for collector, _emner in COLLECTORS:
        yield from collector(now, since, sager)
