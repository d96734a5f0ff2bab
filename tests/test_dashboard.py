"""The manager's dashboard (followup/dashboard/) on small hand-built areas: each panel's
figures are checked against what the data says, the leader sees only their teams' cases, the
filter narrows them, and a drill-down returns exactly the cases behind a figure."""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.utils import timezone

from assessment.models import (
    Afgoerelse,
    AfgoerelsesResultat,
    Dagsordenspunkt,
    Indsats,
    Indsatsmaal,
    Klage,
    Prislinje,
    Sagsvurdering,
    Udvalgsmoede,
    VurderingMaalgruppe,
)
from cases.lifecycle import Fase
from cases.models import Borger, Sag
from followup.dashboard import (
    drilldown,
    panels,
    progression,
    udgift,
    udsnit,
    udvalg_klager,
)
from followup.dashboard.figures import (
    OPEN_PHASES,
    OVERDUE_ARTS,
    WHOLE_AREA_PANELS,
    Celle,
    Filter,
    Sektion,
    Tabel,
    month_start,
)
from followup.dashboard.refresh import noegletal_refresh
from followup.models import Noegletal, Opfoelgning, Opfoelgningsskema, SkemaMaal
from tests.catalogs import load_catalog
from tests.factories import (
    BorgerFactory,
    HenvendelseFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
    VisitationsudvalgFactory,
    sag_in_phase,
)
from tests.mads import mads_decided
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
    Ydelse,
)
from vum.deadlines.models import Frist

# The areas' figures are built in 2024-2025 and read in November 2026, inside the 60 months the
# dashboard keeps.
pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-11-18 10:00")]

YEAR_2025 = Filter(fra=date(2025, 1, 1), til=date(2025, 12, 1))
BEVILGET = AfgoerelsesResultat.Resultat.BEVILGET
AFSLAG = AfgoerelsesResultat.Resultat.AFSLAG
LABEL = dict(Fase.choices)
OPEN = [LABEL[f] for f in OPEN_PHASES]


@pytest.fixture
def catalog(db: None, settings: Any) -> None:
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


@dataclass
class Area:
    """A leader of Handicap and Psykiatri, a caseworker in each, and another leader's team."""

    leder: User
    a: Team
    b: Team
    other: Team
    anna: User
    bo: User
    outsider: User


@pytest.fixture
def area(db: None) -> Area:
    a = TeamFactory(navn="Handicap")
    b = TeamFactory(navn="Psykiatri")
    other = TeamFactory(navn="Særlig Social Indsats")
    return Area(
        leder=UserFactory(leder=True, teams=[a, b]),
        a=a,
        b=b,
        other=other,
        anna=UserFactory(teams=[a], first_name="Anna", last_name="Andersen"),
        bo=UserFactory(teams=[b], first_name="Bo", last_name="Berg"),
        outsider=UserFactory(teams=[other], first_name="Ulla", last_name="Ude"),
    )


# Building blocks


def local(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def ydelse(kode: str) -> KommunalYdelse:
    return KommunalYdelse.objects.current().get(kode=kode)


def level(vaerdi: int) -> Stoettebehov:
    return Stoettebehov.objects.current().get(vaerdi=vaerdi)


def sag(team: Team, fase: str = Fase.LEVERING, **kwargs: Any) -> Sag:
    return sag_in_phase(fase, team=team, **kwargs)


def vurdering(sag: Sag, stoettebehov: Stoettebehov | None = None) -> Sagsvurdering:
    return Sagsvurdering.objects.create(
        sag=sag, oprettet_af=UserFactory(teams=[sag.team]), stoettebehov=stoettebehov
    )


def decide(
    sag: Sag,
    truffet: date,
    *,
    vurdering: Sagsvurdering | None = None,
    resultater: list[tuple[str, Indsats | None]] | None = None,
) -> Afgoerelse:
    afgoerelse = Afgoerelse.objects.create(
        sag=sag,
        vurdering=vurdering,
        truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
        form=Afgoerelse.Form.SKRIFTLIG,
        truffet=truffet,
        fuldt_medhold=True,
        oprettet_af=vurdering.oprettet_af if vurdering else UserFactory(teams=[sag.team]),
    )
    for resultat, indsats in resultater or [(BEVILGET, None)]:
        AfgoerelsesResultat.objects.create(
            afgoerelse=afgoerelse,
            indsats=indsats,
            beskrivelse="Socialpædagogisk støtte",
            resultat=resultat,
            virkningsdato=truffet,
        )
    return afgoerelse


def frist(sag: Sag, art: str, when: datetime, status: str = Frist.Status.AABEN) -> Frist:
    return Frist.objects.create(sag=sag, art=art, beskrivelse=art, frist=when, status=status)


def indsats(
    vurdering: Sagsvurdering,
    lines: list[tuple[str, str, str]],
    *,
    kommunal_ydelse: KommunalYdelse | None = None,
    tilbud: str = "Ambulant tilbud til voksne",
    udfoerer: Organisation | None = None,
    alternativ: bool = False,
) -> Indsats:
    """An indsats priced by (antal pr. periode, frekvens, enhedspris) lines."""
    created = Indsats.objects.create(
        vurdering=vurdering,
        kommunal_ydelse=kommunal_ydelse,
        tilbudstype=Tilbudstype.objects.current().get(navn=tilbud),
        udfoerer=udfoerer,
        alternativ=alternativ,
    )
    some_ydelse = Ydelse.objects.current().first()
    for antal, frekvens, pris in lines:
        Prislinje.objects.create(
            indsats=created,
            ydelse=some_ydelse,
            enhed=Prislinje.Enhed.TIME,
            antal_pr_periode=Decimal(antal),
            frekvens=frekvens,
            gentagelser=1,
            enhedspris=Decimal(pris),
        )
    return created


def primary_group(vurdering: Sagsvurdering, navn: str) -> None:
    VurderingMaalgruppe.objects.create(
        vurdering=vurdering, maalgruppe=Maalgruppe.objects.current().get(navn=navn), primaer=True
    )


def completed_skema(
    sag: Sag,
    afsluttet: datetime | None,
    foer: Stoettebehov | None = None,
    efter: Stoettebehov | None = None,
) -> Opfoelgningsskema:
    opfoelgning = Opfoelgning.objects.create(
        sag=sag, dato=(afsluttet or local(date(2025, 6, 1))).date(), grundlag="Fælles opfølgning"
    )
    return Opfoelgningsskema.objects.create(
        opfoelgning=opfoelgning,
        stoettebehov_foer=foer,
        stoettebehov_efter=efter,
        afsluttet=afsluttet,
    )


def figures(user: User, f: Filter | None = None, *, exact: bool = False) -> udsnit.Udsnit:
    """Rebuild the figures from the case tables, as the beat task does, and read them."""
    noegletal_refresh()
    return udsnit.Udsnit(user, f or Filter.default(), exact=exact)


def table(tables: list[Tabel], key: str) -> Tabel:
    (found,) = [t for t in tables if t.key == key]
    return found


def cells(tabel: Tabel) -> dict[str, dict[str, Celle]]:
    """The rows by their first cell's value, each row's cells by column."""
    out: dict[str, dict[str, Celle]] = {}
    for row in tabel.rows:
        assert str(row[0].value) not in out, f"two rows named {row[0].value}"
        out[str(row[0].value)] = dict(zip(tabel.columns[1:], row[1:], strict=True))
    return out


def values(tabel: Tabel) -> dict[str, dict[str, Any]]:
    return {name: {c: cell.value for c, cell in row.items()} for name, row in cells(tabel).items()}


def chart(tabel: Tabel) -> dict[str, float]:
    return {bar.label: bar.value for bar in tabel.chart}


def pks(qs: Any) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def phases(**counts: int) -> dict[str, int]:
    """A caseload row: every open phase 0 except those given (by Fase name), and the total."""
    row = dict.fromkeys(OPEN, 0)
    for name, n in counts.items():
        row[LABEL[Fase[name]]] = n
    row["I alt"] = sum(counts.values())
    return row


# Caseload


@dataclass
class Caseload:
    aabning: Sag
    levering: Sag
    levering_overdue: Sag
    closed: Sag
    unassigned: Sag
    psykiatri: Sag
    outside: Sag


@pytest.fixture
def caseload(area: Area) -> Caseload:
    now = timezone.now()
    mette = BorgerFactory()  # one citizen, two cases in delivery
    cl = Caseload(
        aabning=sag(area.a, Fase.SAGSAABNING, sagsbehandler=area.anna),
        levering=sag(area.a, Fase.LEVERING, sagsbehandler=area.anna, borger=mette),
        levering_overdue=sag(area.a, Fase.LEVERING, sagsbehandler=area.anna, borger=mette),
        closed=sag(area.a, Fase.AFSLUTTET, sagsbehandler=area.anna),
        unassigned=sag(area.a, Fase.SAGSOPLYSNING),
        psykiatri=sag(area.b, Fase.SAGSVURDERING, sagsbehandler=area.bo),
        outside=sag(area.other, Fase.LEVERING, sagsbehandler=area.outsider),
    )
    # Two overdue deadlines on one case: it counts once.
    frist(cl.levering_overdue, Frist.Art.PARTSHOERING, now - timedelta(days=2))
    frist(cl.levering_overdue, Frist.Art.OPFOELGNING, now - timedelta(hours=1))
    # Not overdue: due later, or met.
    frist(cl.psykiatri, Frist.Art.PARTSHOERING, now + timedelta(days=3))
    frist(cl.psykiatri, Frist.Art.STATUSNOTAT, now - timedelta(days=3), Frist.Status.OVERHOLDT)
    frist(cl.outside, Frist.Art.PARTSHOERING, now - timedelta(days=2))
    return cl


def test_caseload_per_team_and_phase(area: Area, caseload: Caseload) -> None:
    tabel = table(panels.caseload(figures(area.leder)), "sager_fase")

    assert tabel.columns == ["Team", *OPEN, "I alt"]
    assert values(tabel) == {
        "Handicap": phases(SAGSAABNING=1, SAGSOPLYSNING=1, LEVERING=2),
        "Psykiatri": phases(SAGSVURDERING=1),
    }
    row = cells(tabel)["Handicap"]
    # Two cases of one citizen: two cases, one citizen.
    assert row["Levering"].borgere == 1
    assert row["Levering"].link == f"fase=levering&sag_team={area.a.pk}"
    assert row["Afgørelse"].link == ""
    assert row["I alt"].link == f"sag_team={area.a.pk}"
    assert chart(tabel) == dict.fromkeys(OPEN, 0) | {
        "Sagsåbning": 1,
        "Sagsoplysning": 1,
        "Sagsvurdering": 1,
        "Levering": 2,
    }


def test_caseload_per_caseworker_with_overdue_cases(area: Area, caseload: Caseload) -> None:
    tabel = table(panels.caseload(figures(area.leder)), "sager_sagsbehandler")

    assert values(tabel) == {
        "Anna Andersen": {"Team": "Handicap", "Åbne sager": 3, "Med overskredet frist": 1},
        "Ikke tildelt": {"Team": "Handicap", "Åbne sager": 1, "Med overskredet frist": 0},
        "Bo Berg": {"Team": "Psykiatri", "Åbne sager": 1, "Med overskredet frist": 0},
    }
    assert tabel.rows[0][0].value == "Anna Andersen"  # the largest caseload first
    anna = cells(tabel)["Anna Andersen"]
    assert anna["Åbne sager"].borgere == 2
    assert anna["Åbne sager"].link == f"sagsbehandler={area.anna.pk}&sag_team={area.a.pk}"
    assert cells(tabel)["Ikke tildelt"]["Åbne sager"].link == (
        f"uden_sagsbehandler=1&sag_team={area.a.pk}"
    )
    assert chart(tabel) == {"Anna Andersen": 3, "Ikke tildelt": 1, "Bo Berg": 1}


def test_drilldown_returns_the_cases_behind_each_caseload_figure(
    area: Area, caseload: Caseload
) -> None:
    f, cl = Filter.default(), caseload

    def drill(**criteria: str) -> set[int]:
        return pks(drilldown.drilldown(area.leder, f, criteria))

    open_in_scope = {cl.aabning.pk, cl.levering.pk, cl.levering_overdue.pk}
    open_in_scope |= {cl.unassigned.pk, cl.psykiatri.pk}
    assert drill() == open_in_scope
    assert drill(fase="levering", sag_team=str(area.a.pk)) == {
        cl.levering.pk,
        cl.levering_overdue.pk,
    }
    assert drill(fase="afsluttet") == {cl.closed.pk}
    assert drill(fase="ukendt") == open_in_scope
    assert drill(sagsbehandler=str(area.anna.pk), sag_team=str(area.a.pk)) == {
        cl.aabning.pk,
        cl.levering.pk,
        cl.levering_overdue.pk,
    }
    assert drill(uden_sagsbehandler="1", sag_team=str(area.a.pk)) == {cl.unassigned.pk}
    assert drill(overskredet=Frist.Art.PARTSHOERING) == {cl.levering_overdue.pk}
    assert drill(overskredet="noget_andet") == open_in_scope
    assert drill(sagsbehandler="abc", sag_team="1 OR 1=1") == open_in_scope


def test_drilldown_never_leaves_the_leaders_scope(area: Area, caseload: Caseload) -> None:
    f = Filter.default()

    def drill(f: Filter = f, **criteria: str) -> set[int]:
        return pks(drilldown.drilldown(area.leder, f, criteria))

    # Hand-edited links to another leader's team, its caseworker or its provider find nothing.
    assert drill(sag_team=str(area.other.pk)) == set()
    assert drill(fase="levering", sag_team=str(area.other.pk)) == set()
    assert drill(sagsbehandler=str(area.outsider.pk)) == set()
    assert drill(overskredet=Frist.Art.PARTSHOERING, sag_team=str(area.other.pk)) == set()
    # Nor does a filter on another leader's team, or a team outside the filter's.
    assert drill(Filter(fra=f.fra, til=f.til, team=area.other)) == set()
    assert drill(Filter(fra=f.fra, til=f.til, team=area.a), sag_team=str(area.b.pk)) == set()
    # Another leader, of the other team, sees only that team's case.
    other_leader = UserFactory(leder=True, teams=[area.other])
    assert pks(drilldown.drilldown(other_leader, f, {})) == {caseload.outside.pk}
    # A caseworker is no leader, but the function still answers only inside their scope.
    assert pks(drilldown.drilldown(area.bo, f, {})) == {caseload.psykiatri.pk}


def test_describe_says_what_the_drilldown_shows(area: Area) -> None:
    leder = area.leder
    assert drilldown.describe(leder, {"fase": "levering", "sag_team": str(area.a.pk)}) == (
        "Fase: Levering; Team: Handicap."
    )
    assert drilldown.describe(leder, {"sagsbehandler": str(area.anna.pk)}) == (
        "Sagsbehandler: Anna Andersen; Kun åbne sager."
    )
    assert drilldown.describe(leder, {"overskredet": "partshoering"}) == (
        "Med overskredet frist: Partshøring; Kun åbne sager."
    )
    # A hand-edited link names no team outside the leader's own.
    assert drilldown.describe(leder, {"sag_team": str(area.other.pk)}) == (
        "Team: ukendt; Kun åbne sager."
    )


def test_team_service_and_municipality_filters_narrow_the_area(area: Area, catalog: None) -> None:
    r85, v85 = ydelse("R-85"), ydelse("V-85")
    sag(area.a, kommunal_ydelse=r85)
    sag(area.b, kommunal_ydelse=v85)
    sag(area.other, kommunal_ydelse=v85)
    viborg = Kommune.objects.get(slug="viborg")
    year = Filter.default()
    noegletal_refresh()

    def teams(**narrow: Any) -> set[str]:
        f = Filter(fra=year.fra, til=year.til, **narrow)
        rows = table(panels.caseload(udsnit.Udsnit(area.leder, f)), "sager_fase").rows
        return {str(row[0].value) for row in rows}

    assert teams() == {"Handicap", "Psykiatri"}
    assert teams(team=area.b) == {"Psykiatri"}
    assert teams(ydelse=r85) == {"Handicap"}
    assert teams(kommune=viborg) == {"Psykiatri"}
    assert teams(team=area.a, kommune=viborg) == set()
    assert teams(team=area.other) == set()


def test_the_default_filter_is_the_last_twelve_months() -> None:
    f = Filter.default(today=date(2026, 3, 15))
    assert (f.fra, f.til, f.last_day) == (date(2025, 4, 1), date(2026, 3, 1), date(2026, 3, 31))
    assert f.params() == {"fra": "2025-04", "til": "2026-03"}
    # The period is whole local months: from midnight on the first to the month after the last.
    assert timezone.localtime(f.start) == local(date(2025, 4, 1), 0)
    assert timezone.localtime(f.end) == local(date(2026, 4, 1), 0)


def test_the_figures_are_those_of_the_last_rebuild(area: Area) -> None:
    sag(area.a, Fase.LEVERING)
    assert panels.opgoerelse() is None
    moment = timezone.now() - timedelta(minutes=5)
    noegletal_refresh(now=moment)
    opgoerelse = panels.opgoerelse()
    assert opgoerelse is not None
    assert opgoerelse.opgjort == moment

    def in_levering() -> Any:
        u = udsnit.Udsnit(area.leder, Filter.default())
        return cells(table(panels.caseload(u), "sager_fase"))["Handicap"]["Levering"].value

    # A new case shows at the next rebuild, not before; a rebuild replaces, never adds.
    sag(area.a, Fase.LEVERING)
    assert in_levering() == 1
    noegletal_refresh()
    assert in_levering() == 2
    groups = Noegletal.objects.count()
    noegletal_refresh()
    assert Noegletal.objects.count() == groups
    assert in_levering() == 2


def test_an_export_counts_each_figures_citizens_exactly(area: Area, catalog: None) -> None:
    """On screen a cell's citizens are the sum of its groups' (here one group per service);
    an export counts the distinct citizens, so five cases of four citizens are suppressed."""
    same = BorgerFactory()
    sag(area.a, Fase.LEVERING, borger=same, kommunal_ydelse=ydelse("R-85"))
    sag(area.a, Fase.LEVERING, borger=same, kommunal_ydelse=ydelse("R-BO"))
    for _ in range(3):
        sag(area.a, Fase.LEVERING, kommunal_ydelse=ydelse("R-85"))

    on_screen = cells(table(panels.caseload(figures(area.leder)), "sager_fase"))["Handicap"]
    exact = udsnit.Udsnit(area.leder, Filter.default(), exact=True)
    exported = cells(table(panels.caseload(exact), "sager_fase"))["Handicap"]

    assert on_screen["Levering"].value == exported["Levering"].value == 5
    assert on_screen["Levering"].borgere == 5
    assert exported["Levering"].borgere == 4
    assert exported["Levering"].suppressed


# Waiting time


def test_waiting_time_from_the_enquiry_to_the_first_decision_in_the_period(
    area: Area, catalog: None
) -> None:
    r85, v85 = ydelse("R-85"), ydelse("V-85")

    def decided(
        days: int, received: date, *, team: Team = area.a, kode: KommunalYdelse = r85
    ) -> Sag:
        case = sag(team, Fase.BESTILLING, kommunal_ydelse=kode)
        HenvendelseFactory(
            borger=case.borger, team=team, sag=case, modtaget=received, registreret_af=area.anna
        )
        decide(case, received + timedelta(days=days))
        return case

    for days, received in [
        (10, date(2025, 1, 1)),
        (30, date(2025, 3, 1)),
        (40, date(2025, 4, 1)),
        (100, date(2025, 5, 1)),
    ]:
        decided(days, received)
    # The enquiry that opened the case counts, not a later one.
    second_enquiry = decided(20, date(2025, 2, 1))
    HenvendelseFactory(
        borger=second_enquiry.borger,
        team=area.a,
        sag=second_enquiry,
        modtaget=date(2025, 2, 15),
        registreret_af=area.anna,
    )
    # A case first decided before the period does not count with its later decision.
    earlier = decided(19, date(2024, 12, 1))
    decide(earlier, date(2025, 3, 1))
    # Nor one first decided after the period, nor another leader's case.
    decided(60, date(2025, 11, 15))
    decided(5, date(2025, 6, 1), team=area.other)
    decided(7, date(2025, 6, 1), team=area.b, kode=v85)
    # A decision on a case without an enquiry has no waiting time.
    decide(sag(area.a, kommunal_ydelse=r85), date(2025, 6, 1))

    tabel = panels.waiting_time(figures(area.leder, YEAR_2025))

    assert values(tabel) == {
        "R-85 Mestringsvejledning": {
            "Afgjorte sager": 5,
            "Median (dage)": Decimal("30.0"),
            "90 % afgjort inden (dage)": 100,
            "Afgjort inden for 30 dage": "60,0 %",
        },
        "V-85 Socialpædagogisk støtte": {
            "Afgjorte sager": 1,
            "Median (dage)": Decimal("7.0"),
            "90 % afgjort inden (dage)": 7,
            "Afgjort inden for 30 dage": "100,0 %",
        },
    }
    assert cells(tabel)["R-85 Mestringsvejledning"]["Afgjorte sager"].borgere == 5
    assert chart(tabel) == {"R-85 Mestringsvejledning": 30.0, "V-85 Socialpædagogisk støtte": 7.0}


def test_waiting_time_median_of_an_even_number(area: Area) -> None:
    for days in (10, 21):
        case = sag(area.a, Fase.BESTILLING)
        HenvendelseFactory(
            borger=case.borger,
            team=area.a,
            sag=case,
            modtaget=date(2025, 5, 1),
            registreret_af=area.anna,
        )
        decide(case, date(2025, 5, 1) + timedelta(days=days))

    tabel = panels.waiting_time(figures(area.leder, YEAR_2025))

    row = values(tabel)["Ingen ydelse angivet"]
    assert row["Median (dage)"] == Decimal("15.5")
    assert row["90 % afgjort inden (dage)"] == 21


# Deadlines


def test_processing_deadlines_met_per_service_against_the_target(area: Area, catalog: None) -> None:
    today = timezone.localdate()
    this_month = month_start(today)
    f = Filter(fra=this_month - relativedelta(months=3), til=this_month + relativedelta(months=1))
    due = local(today - timedelta(days=50))
    art = Frist.Art.SAGSBEHANDLINGSFRIST

    def deadline(kode: str, status: str, when: datetime = due, team: Team = area.a) -> Sag:
        case = sag(team, Fase.SAGSVURDERING, kommunal_ydelse=ydelse(kode))
        frist(case, art, when, status)
        return case

    # Viborg's target is 90 %: 9 of 10 is on target.
    for _ in range(9):
        deadline("V-85", Frist.Status.OVERHOLDT)
    v85_missed = deadline("V-85", Frist.Status.OVERSKREDET)
    # 3 of 4 met: an open deadline past due is missed; a cancelled one and one not yet due are
    # not counted, nor one due before the period, nor one of another leader's team.
    for _ in range(3):
        deadline("V-107", Frist.Status.OVERHOLDT)
    v107_open = deadline("V-107", Frist.Status.AABEN, local(today - timedelta(days=10)))
    deadline("V-107", Frist.Status.ANNULLERET)
    deadline("V-107", Frist.Status.AABEN, local(today + timedelta(days=10)))
    # Nor one met early that is not due yet: it counts when it falls due, so the running month
    # is not counted only by its early successes.
    deadline("V-107", Frist.Status.OVERHOLDT, local(today + timedelta(days=10)))
    deadline("V-107", Frist.Status.OVERHOLDT, local(today - timedelta(days=200)))
    deadline("V-107", Frist.Status.OVERSKREDET, team=area.other)
    # Randers sets no target.
    deadline("R-85", Frist.Status.OVERHOLDT)
    # Other kinds of deadline are not processing deadlines.
    frist(sag(area.a, kommunal_ydelse=ydelse("R-85")), Frist.Art.PARTSHOERING, due)

    tabel = panels.deadlines_met(figures(area.leder, f))

    assert values(tabel) == {
        "R-85 Mestringsvejledning": {
            "Frister": 1,
            "Overholdt": 1,
            "Ikke overholdt": 0,
            "Andel overholdt": "100,0 %",
            "Mål": "Intet mål",
        },
        "V-107 Midlertidigt botilbud": {
            "Frister": 4,
            "Overholdt": 3,
            "Ikke overholdt": 1,
            "Andel overholdt": "75,0 % (under målet)",
            "Mål": "90 %",
        },
        "V-85 Socialpædagogisk støtte": {
            "Frister": 10,
            "Overholdt": 9,
            "Ikke overholdt": 1,
            "Andel overholdt": "90,0 %",
            "Mål": "90 %",
        },
    }
    v107 = cells(tabel)["V-107 Midlertidigt botilbud"]
    assert v107["Frister"].borgere == 4
    assert v107["Ikke overholdt"].link == f"frist_ikke_overholdt={ydelse('V-107').pk}"
    assert cells(tabel)["R-85 Mestringsvejledning"]["Ikke overholdt"].link == ""
    assert chart(tabel)["V-107 Midlertidigt botilbud"] == 75.0

    def drill(kode: str) -> set[int]:
        criteria = {"frist_ikke_overholdt": str(ydelse(kode).pk)}
        return pks(drilldown.drilldown(area.leder, f, criteria))

    assert drill("V-107") == {v107_open.pk}
    assert drill("V-85") == {v85_missed.pk}
    assert drill("R-85") == set()


def test_drilldown_of_missed_deadlines_includes_cases_closed_since(
    area: Area, catalog: None
) -> None:
    """A processing deadline missed in the period is counted in the panel whatever the case's
    phase today; the list behind "Ikke overholdt" must show the same case."""
    today = timezone.localdate()
    f = Filter(fra=month_start(today) - relativedelta(months=3), til=today.replace(day=1))
    closed = sag(area.a, Fase.AFSLUTTET, kommunal_ydelse=ydelse("V-85"))
    frist(
        closed,
        Frist.Art.SAGSBEHANDLINGSFRIST,
        local(today - timedelta(days=50)),
        Frist.Status.OVERSKREDET,
    )
    row = cells(panels.deadlines_met(figures(area.leder, f)))["V-85 Socialpædagogisk støtte"]
    assert row["Ikke overholdt"].value == 1

    criteria = dict(pair.split("=") for pair in row["Ikke overholdt"].link.split("&"))
    assert pks(drilldown.drilldown(area.leder, f, criteria)) == {closed.pk}


def test_overdue_deadlines_per_kind(area: Area, caseload: Caseload) -> None:
    now = timezone.now()
    frist(caseload.aabning, Frist.Art.PARTSHOERING, now - timedelta(days=1))
    frist(caseload.psykiatri, Frist.Art.OPFOELGNINGSSKEMA, now - timedelta(days=5))
    # An agreed meeting past its time is not an overdue obligation of the area.
    frist(caseload.psykiatri, Frist.Art.AFTALE, now - timedelta(days=1))

    tabel = panels.overdue(figures(area.leder))

    labels = dict(Frist.Art.choices)
    assert [str(row[0].value) for row in tabel.rows] == [labels[a] for a in OVERDUE_ARTS]
    counts = {name: row["Overskredne"] for name, row in values(tabel).items()}
    assert counts == dict.fromkeys(counts, 0) | {
        "Partshøring": 2,  # two cases; the caseload's met and future ones don't count
        "Opfølgning": 1,
        "Opfølgningsskema": 1,
    }
    partshoering = cells(tabel)["Partshøring"]["Overskredne"]
    assert (partshoering.borgere, partshoering.link) == (2, "overskredet=partshoering")
    assert cells(tabel)["Klagebehandling"]["Overskredne"].link == ""
    drilled = drilldown.drilldown(area.leder, Filter.default(), {"overskredet": "partshoering"})
    assert pks(drilled) == {caseload.aabning.pk, caseload.levering_overdue.pk}


# The committee and complaints


def test_committee_outcomes_per_quarter(area: Area, catalog: None) -> None:
    udvalg = VisitationsudvalgFactory()
    outcomes = {
        u.navn.split()[0]: u for u in Visitationsudfald.objects.exclude(navn__contains=" med ")
    }
    cases = [sag(area.a, Fase.AFGOERELSE) for _ in range(4)]

    def point(case: Sag, outcome: str | None, behandlet: datetime | None) -> None:
        moede, _ = Udvalgsmoede.objects.get_or_create(
            udvalg=udvalg, dato=(behandlet or local(date(2025, 6, 1))).date()
        )
        Dagsordenspunkt.objects.create(
            moede=moede,
            sag=case,
            udfald=outcomes[outcome] if outcome else None,
            behandlet=behandlet,
        )

    # Local time decides the quarter: 00:30 on 1 January is 2024 in UTC, but Q1 2025 here.
    point(cases[0], "Godkendes", local(date(2025, 1, 1), 0, 30))
    point(cases[1], "Godkendes", local(date(2025, 2, 10)))
    point(cases[2], "Afvises", local(date(2025, 3, 31), 23, 30))
    point(cases[0], "Returneres", local(date(2025, 4, 1), 0, 30))
    point(cases[1], "Godkendes", local(date(2024, 12, 31), 23, 30))  # before the period
    point(cases[3], None, None)  # on the agenda, not yet treated
    point(sag(area.other, Fase.AFGOERELSE), "Godkendes", local(date(2025, 2, 10)))

    tabel = udvalg_klager.committee(figures(area.leder, YEAR_2025))

    assert tabel.columns == [
        "Kvartal",
        "Godkendes",
        "Godkendes med ændringer",
        "Returneres til rådgiver til yderligere belysning",
        "Afvises og der meddeles afslag",
        "I alt",
    ]
    assert [[c.value for c in row] for row in tabel.rows] == [
        ["2025 K1", 2, 0, 0, 1, 3],
        ["2025 K2", 0, 0, 1, 0, 1],
    ]
    assert [c.borgere for c in tabel.rows[0][1:]] == [2, 0, 0, 1, 2]
    assert [bar.value for bar in tabel.chart] == [2, 0, 1, 1]


def test_complaints_and_decisions_changed(area: Area) -> None:
    def complaint(received: datetime, team: Team = area.a, **outcome: Any) -> None:
        case = sag(team, Fase.LEVERING)
        afgoerelse = decide(case, received.date() - timedelta(days=20))
        Klage.objects.create(
            sag=case,
            afgoerelse=afgoerelse,
            modtaget=received,
            kanal=Klage.Kanal.SKRIFTLIG,
            tekst="Jeg er uenig.",
            registreret_af=area.anna,
            **outcome,
        )

    sent = {"sendt_til_ankestyrelsen": date(2025, 3, 30)}
    fastholdt = Klage.Genvurdering.FASTHOLDT
    # Q1: decisions made 12 Jan, 9 Feb and 23 Feb (20 days before each complaint).
    complaint(local(date(2025, 2, 1)), genvurdering=Klage.Genvurdering.MEDHOLD)
    complaint(
        local(date(2025, 3, 1)),
        genvurdering=fastholdt,
        ankestyrelsens_afgoerelse=Klage.Ankestyrelsen.AENDRET,
        **sent,
    )
    complaint(
        local(date(2025, 3, 15)),
        genvurdering=fastholdt,
        ankestyrelsens_afgoerelse=Klage.Ankestyrelsen.STADFAESTET,
        **sent,
    )
    # Q2: one decision (11 May) and a partial medhold.
    complaint(local(date(2025, 5, 31)), genvurdering=Klage.Genvurdering.DELVIST_MEDHOLD)
    # Not counted: a complaint before the period (its decision too), another leader's.
    complaint(local(date(2024, 12, 1)), genvurdering=Klage.Genvurdering.MEDHOLD)
    complaint(local(date(2025, 3, 1)), team=area.other, genvurdering=Klage.Genvurdering.MEDHOLD)
    # A decision without a complaint counts among the decisions made.
    decide(sag(area.b), date(2025, 8, 1))

    tabel = udvalg_klager.complaints(figures(area.leder, YEAR_2025))

    assert values(tabel) == {
        "2025 K1": {
            "Afgørelser truffet": 3,
            "Klager": 3,
            "Ændret ved genvurdering": 1,
            "Sendt til Ankestyrelsen": 2,
            "Ændret af Ankestyrelsen": 1,
            "Andel af klagerne ændret": "66,7 %",
        },
        "2025 K2": {
            "Afgørelser truffet": 1,
            "Klager": 1,
            "Ændret ved genvurdering": 1,
            "Sendt til Ankestyrelsen": 0,
            "Ændret af Ankestyrelsen": 0,
            "Andel af klagerne ændret": "100,0 %",
        },
        "2025 K3": {
            "Afgørelser truffet": 1,
            "Klager": 0,
            "Ændret ved genvurdering": 0,
            "Sendt til Ankestyrelsen": 0,
            "Ændret af Ankestyrelsen": 0,
            "Andel af klagerne ændret": "-",
        },
    }
    assert cells(tabel)["2025 K1"]["Klager"].borgere == 3
    assert chart(tabel) == {"2025 K1": 66.7, "2025 K2": 100.0, "2025 K3": 0.0}


# Support need and functional ability


def test_support_need_now_and_how_it_moved(area: Area, catalog: None) -> None:
    intet, let, moderat, hoejt, fuldt = (level(v) for v in range(5))

    def granted(fase: str, need: Stoettebehov | None, team: Team = area.a) -> Sag:
        case = sag(team, fase)
        decide(case, date(2024, 6, 1), vurdering=vurdering(case, need))
        return case

    # The last completed follow-up wins over an earlier one and over the assessment.
    followed = granted(Fase.LEVERING, hoejt)
    completed_skema(followed, local(date(2025, 3, 1)), hoejt, let)
    completed_skema(followed, local(date(2025, 9, 1)), let, moderat)
    # Without a follow-up, the assessment's level.
    granted(Fase.OPFOELGNING, let)
    # An assessment without a level.
    granted(Fase.BESTILLING, None)
    # A form not completed does not count.
    draft = granted(Fase.LEVERING, hoejt)
    completed_skema(draft, None, hoejt, fuldt)
    # Only the latest granting decision's assessment; a later refusal doesn't count.
    regranted = sag(area.a, Fase.LEVERING)
    decide(regranted, date(2024, 1, 1), vurdering=vurdering(regranted, intet))
    decide(regranted, date(2024, 6, 1), vurdering=vurdering(regranted, moderat))
    decide(
        regranted,
        date(2024, 9, 1),
        vurdering=vurdering(regranted, fuldt),
        resultater=[(AFSLAG, None)],
    )
    # A follow-up completed before the period still sets today's level.
    before = granted(Fase.LEVERING, hoejt)
    completed_skema(before, local(date(2024, 10, 1)), moderat, intet)
    # Unchanged at a follow-up in the period.
    same = granted(Fase.LEVERING, let)
    completed_skema(same, local(date(2025, 6, 1)), let, let)
    # Not in force (no services yet, or closed), or not the leader's.
    granted(Fase.SAGSVURDERING, fuldt)
    granted(Fase.AFSLUTTET, fuldt)
    granted(Fase.LEVERING, fuldt, team=area.other)

    now, matrix = progression.support_need(figures(area.leder, YEAR_2025))

    assert values(now) == {
        "Intet støttebehov": {"Sager": 1},
        "Let støttebehov": {"Sager": 2},
        "Moderat støttebehov": {"Sager": 2},
        "Højt støttebehov": {"Sager": 1},
        "Fuldstændigt støttebehov": {"Sager": 0},
        "Ikke vurderet": {"Sager": 1},
    }
    names = [lvl.navn for lvl in (intet, let, moderat, hoejt, fuldt)]
    moves = {
        (before_name, after_name): n
        for before_name, row in values(matrix).items()
        for after_name, n in row.items()
        if n
    }
    assert moves == {
        ("Højt støttebehov", "Let støttebehov"): 1,
        ("Let støttebehov", "Moderat støttebehov"): 1,
        ("Let støttebehov", "Let støttebehov"): 1,
    }
    assert list(values(matrix)) == names
    assert chart(matrix) == {"Lavere": 1, "Uændret": 1, "Højere": 1}


def test_support_need_now_a_reassessment_after_the_follow_up_wins(
    area: Area, catalog: None
) -> None:
    """Revisitation: a follow-up found a low need, the case went back to sagsoplysning and a new
    assessment granted more. Today's level is the new assessment's, not the older follow-up's."""
    case = sag(area.a, Fase.LEVERING)
    decide(case, date(2024, 1, 10), vurdering=vurdering(case, level(2)))
    completed_skema(case, local(date(2024, 6, 1)), level(2), level(1))
    decide(case, date(2024, 9, 1), vurdering=vurdering(case, level(4)))

    now, _matrix = progression.support_need(figures(area.leder, YEAR_2025))

    assert {name: n for name, row in values(now).items() if (n := row["Sager"])} == {
        "Fuldstændigt støttebehov": 1
    }


def test_progression_is_read_against_the_goal_type(area: Area, catalog: None) -> None:
    udvikle, fastholde, begraense = (
        Maaltype.objects.current().get(navn__startswith=prefix)
        for prefix in ("Udvikle", "Fastholde", "Begrænse")
    )
    goere_rent = Undertema.objects.current().get(navn="Gøre rent")
    sundhed = Undertema.objects.current().get(navn="Varetage egen sundhed")
    rows: list[tuple[Sag, Any, Undertema, int, int | None, int | None]] = []
    first, second = sag(area.a), sag(area.b)
    # (case, måltype, sub-theme, level carried in, expected, new level); 0 best, 4 worst.
    rows += [
        (first, udvikle, goere_rent, 3, 2, 2),  # improved and reached
        (second, udvikle, goere_rent, 2, 1, 2),  # held: not on track for Udvikle
        (first, fastholde, sundhed, 2, 2, 2),  # held: on track and reached
        (second, fastholde, sundhed, 2, 2, 3),  # declined
        (first, begraense, sundhed, 2, 3, 3),  # declined as expected: on track
        (second, begraense, sundhed, 2, 3, 4),  # declined more than expected
        (second, begraense, sundhed, 3, 4, 3),  # held: a smaller decline than expected
    ]
    skemaer = {case.pk: completed_skema(case, local(date(2025, 6, 1))) for case in (first, second)}

    def goal(case: Sag, maaltype: Any, undertema: Undertema) -> Indsatsmaal:
        return Indsatsmaal.objects.create(
            vurdering=vurdering(case),
            maalformulering="Jeg klarer det selv",
            maaltype=maaltype,
            primaert_undertema=undertema,
        )

    for case, maaltype, undertema, carried, expected, new in rows:
        SkemaMaal.objects.create(
            skema=skemaer[case.pk],
            indsatsmaal=goal(case, maaltype, undertema),
            overfoert_niveau=carried,
            overfoert_forventet=expected,
            nyt_niveau=new,
        )
    # Not counted: a goal without a new level, a form not completed, one before the period.
    SkemaMaal.objects.create(
        skema=skemaer[first.pk],
        indsatsmaal=goal(first, udvikle, goere_rent),
        overfoert_niveau=3,
        nyt_niveau=None,
    )
    for afsluttet in (None, local(date(2024, 12, 31), 23, 30)):
        SkemaMaal.objects.create(
            skema=completed_skema(first, afsluttet),
            indsatsmaal=goal(first, udvikle, goere_rent),
            overfoert_niveau=3,
            overfoert_forventet=2,
            nyt_niveau=4,
        )

    summary, detail = progression.progression(figures(area.leder, YEAR_2025))

    assert values(summary) == {
        "Udvikle funktionsevne": {
            "Mål": 2,
            "På rette spor": "50,0 %",
            "Nået forventet niveau": "50,0 %",
        },
        "Fastholde funktionsevne": {
            "Mål": 2,
            "På rette spor": "50,0 %",
            "Nået forventet niveau": "50,0 %",
        },
        "Begrænse tab af funktionsevne": {
            "Mål": 3,
            "På rette spor": "66,7 %",
            "Nået forventet niveau": "66,7 %",
        },
    }
    assert chart(summary) == {
        "Udvikle funktionsevne": 50.0,
        "Fastholde funktionsevne": 50.0,
        "Begrænse tab af funktionsevne": 66.7,
    }
    by_goal = {
        (str(row[0].value), str(row[1].value)): [c.value for c in row[2:]] for row in detail.rows
    }
    assert by_goal == {
        ("Udvikle funktionsevne", "Gøre rent"): [2, "+0,50", "50,0 %", "50,0 %"],
        ("Fastholde funktionsevne", "Varetage egen sundhed"): [2, "-0,50", "50,0 %", "50,0 %"],
        ("Begrænse tab af funktionsevne", "Varetage egen sundhed"): [
            3,
            "-1,00",
            "66,7 %",
            "66,7 %",
        ],
    }


# Cost


@dataclass
class Costs:
    x_hus: Organisation
    ydre: Organisation
    levering: Sag
    bestilling: Sag
    opfoelgning: Sag


@pytest.fixture
def costs(area: Area, catalog: None) -> Costs:
    r85, rbo = ydelse("R-85"), ydelse("R-BO")
    x_hus = OrganisationFactory(navn="X-Hus")
    ydre = OrganisationFactory(navn="Ydre Støtte")
    dag, uge, maaned, aar = (f.value for f in Prislinje.Frekvens)

    # In delivery: 7 hours a week at 500 kr. and 2,000 kr. a month = 206,000 kr. a year.
    levering = sag(area.a, Fase.LEVERING, kommunal_ydelse=r85)
    old = vurdering(levering)
    indsats(old, [("1", dag, "1000")], kommunal_ydelse=r85, udfoerer=x_hus)
    decide(levering, date(2024, 1, 1), vurdering=old)
    current = vurdering(levering)
    primary_group(current, "Autismespektrum")
    indsats(
        current,
        [("7", uge, "500"), ("1", maaned, "2000")],
        kommunal_ydelse=r85,
        tilbud="Ambulant tilbud til voksne",
        udfoerer=x_hus,
    )
    # An alternative is not bought.
    indsats(current, [("1", dag, "1000")], kommunal_ydelse=r85, udfoerer=ydre, alternativ=True)
    decide(levering, date(2025, 1, 1), vurdering=current)
    # A later refusal does not replace the grant in force.
    refused = vurdering(levering)
    indsats(refused, [("1", dag, "5000")], kommunal_ydelse=r85, udfoerer=x_hus)
    decide(levering, date(2025, 6, 1), vurdering=refused, resultater=[(AFSLAG, None)])

    # Ordered: 2 hours a day at 100 kr. = 73,000 kr. a year.
    bestilling = sag(area.b, Fase.BESTILLING, kommunal_ydelse=r85)
    ordered = vurdering(bestilling)
    primary_group(ordered, "Angst")
    indsats(ordered, [("2", dag, "100")], kommunal_ydelse=r85, udfoerer=ydre)
    decide(bestilling, date(2025, 3, 1), vurdering=ordered)

    # At follow-up: 50,000 kr. a year.
    opfoelgning = sag(area.a, Fase.OPFOELGNING, kommunal_ydelse=rbo)
    botilbud = vurdering(opfoelgning)
    primary_group(botilbud, "Autismespektrum")
    indsats(
        botilbud,
        [("1", aar, "50000")],
        kommunal_ydelse=rbo,
        tilbud="Botilbud til voksne",
        udfoerer=x_hus,
    )
    decide(opfoelgning, date(2025, 3, 1), vurdering=botilbud)

    # Not in force: being assessed, closed; and another leader's.
    for team, fase in [
        (area.a, Fase.SAGSVURDERING),
        (area.a, Fase.AFSLUTTET),
        (area.other, Fase.LEVERING),
    ]:
        case = sag(team, fase, kommunal_ydelse=r85)
        v = vurdering(case)
        indsats(v, [("1", aar, "999999")], kommunal_ydelse=r85, udfoerer=x_hus)
        decide(case, date(2025, 2, 1), vurdering=v)
    return Costs(x_hus, ydre, levering, bestilling, opfoelgning)


def test_yearly_cost_per_paragraph_target_group_tilbud_and_provider(
    area: Area, costs: Costs
) -> None:
    tables = udgift.cost(figures(area.leder))

    def amounts(key: str) -> dict[str, tuple[int, Decimal]]:
        return {
            name: (row["Borgere"], row["Årlig udgift"])
            for name, row in values(table(tables, f"udgift_{key}")).items()
        }

    paragraf = {name.split()[0]: amount for name, amount in amounts("paragraf").items()}
    assert paragraf == {
        "R-85": (2, Decimal("279000")),
        "R-BO": (1, Decimal("50000")),
    }
    assert amounts("maalgruppe") == {
        "Autismespektrum": (2, Decimal("256000")),
        "Angst": (1, Decimal("73000")),
    }
    assert amounts("tilbud") == {
        "Ambulant tilbud til voksne": (2, Decimal("279000")),
        "Botilbud til voksne": (1, Decimal("50000")),
    }
    assert amounts("udfoerer") == {
        "X-Hus": (2, Decimal("256000")),
        "Ydre Støtte": (1, Decimal("73000")),
    }
    # The largest first, and the chart says it in kroner.
    udfoerer = table(tables, "udgift_udfoerer")
    assert [bar.text for bar in udfoerer.chart] == ["256.000 kr.", "73.000 kr."]
    x_hus = cells(udfoerer)["X-Hus"]["Borgere"]
    assert x_hus.link == f"udfoerer={costs.x_hus.pk}"
    drilled = drilldown.drilldown(area.leder, Filter.default(), {"udfoerer": str(costs.x_hus.pk)})
    assert pks(drilled) == {costs.levering.pk, costs.opfoelgning.pk}
    drilled = drilldown.drilldown(area.leder, Filter.default(), {"udfoerer": str(costs.ydre.pk)})
    assert pks(drilled) == {costs.bestilling.pk}


def test_cost_counts_only_the_indsatser_the_decision_grants(area: Area, catalog: None) -> None:
    """A decision that grants one indsats and refuses another (orders.content.granted_indsatser
    orders only the first): the refused indsats costs nothing."""
    r85 = ydelse("R-85")
    case = sag(area.a, Fase.LEVERING, kommunal_ydelse=r85)
    v = vurdering(case)
    granted = indsats(v, [("1", "aar", "10000")], kommunal_ydelse=r85)
    refused = indsats(v, [("1", "aar", "90000")], kommunal_ydelse=r85)
    decide(case, date(2025, 1, 1), vurdering=v, resultater=[(BEVILGET, granted), (AFSLAG, refused)])

    tables = udgift.cost(figures(area.leder))

    (row,) = table(tables, "udgift_tilbud").rows
    assert row[2].value == Decimal("10000")


def test_cost_per_paragraph_follows_each_indsats_service(area: Area, catalog: None) -> None:
    """One case, two services granted: § 85 support and a § 108 botilbud (the case was opened
    for the botilbud). Each indsats's cost belongs to its own service."""
    vbo, v85 = ydelse("V-108"), ydelse("V-85")
    case = sag(area.a, Fase.LEVERING, kommunal_ydelse=vbo)
    v = vurdering(case)
    helper = Organisation.objects.create(navn="Støttecentret")
    indsats(v, [("1", "aar", "400000")], kommunal_ydelse=vbo, tilbud="Botilbud til voksne")
    indsats(v, [("1", "aar", "30000")], kommunal_ydelse=v85, udfoerer=helper)
    decide(case, date(2025, 1, 1), vurdering=v)

    tables = udgift.cost(figures(area.leder))

    paragraf = {
        name.split()[0]: row["Årlig udgift"]
        for name, row in values(table(tables, "udgift_paragraf")).items()
    }
    assert paragraf == {"V-108": Decimal("400000"), "V-85": Decimal("30000")}

    # The provider's figure under a service filter (V-85, not the case's V-108) leads to the
    # case: the drill-down chooses by the indsats's service too.
    by_v85 = Filter(fra=Filter.default().fra, til=Filter.default().til, ydelse=v85)
    assert values(table(udgift.cost(figures(area.leder, by_v85)), "udgift_udfoerer")) == {
        "Støttecentret": {"Borgere": 1, "Årlig udgift": Decimal("30000")}
    }
    found = drilldown.drilldown(area.leder, by_v85, {"udfoerer": str(helper.pk)})
    assert pks(found) == {case.pk}


def test_the_mads_case_through_the_services(area: Area, catalog: None) -> None:
    """Mads decided through the real services (7 hours a week at 500 kr. with X-Hus): his grant
    is in force in bestilling, costs 182,000 kr. a year, and his support need is high."""
    mads = mads_decided(area.anna)
    u = figures(area.leder)

    tables = udgift.cost(u)
    assert values(table(tables, "udgift_udfoerer")) == {
        "Socialpædagogisk opholdssted X-Hus": {"Borgere": 1, "Årlig udgift": Decimal("182000")}
    }
    assert values(table(tables, "udgift_maalgruppe")) == {
        "Anden intellektuel/kognitiv forstyrrelse": {
            "Borgere": 1,
            "Årlig udgift": Decimal("182000"),
        }
    }
    now, _matrix = progression.support_need(u)
    assert values(now)["Højt støttebehov"] == {"Sager": 1}
    caseload = values(table(panels.caseload(u), "sager_fase"))
    assert caseload == {"Handicap": phases(BESTILLING=1)}
    assert pks(drilldown.drilldown(area.leder, Filter.default(), {"fase": "bestilling"})) == {
        mads.sag.pk
    }


# The whole dashboard


def test_the_dashboard_shows_no_citizen(area: Area, caseload: Caseload, costs: Costs) -> None:
    noegletal_refresh()
    sections = panels.dashboard(user=area.leder, f=Filter.default())

    keys = [t.key for s in sections for t in s.tabeller]
    assert len(keys) == len(set(keys)) == 15
    assert [s.key for s in sections] == list(panels.SECTIONS)
    shown = " ".join(
        str(cell.value) for s in sections for t in s.tabeller for row in t.rows for cell in row
    )
    shown += " ".join(bar.label for s in sections for t in s.tabeller for bar in t.chart)
    for borger in Borger.objects.all():
        assert borger.cpr not in shown
        assert borger.cpr_masked not in shown
        assert borger.navn not in shown


# A leader of every team reads the whole area's groups


def _as_read_per_team(u: udsnit.Udsnit) -> udsnit.Udsnit:
    """The same leader and filter, reading each team's groups instead of the whole area's."""
    u.every_team = False
    return u


def _shown(sections: list[Sektion], *, exact: bool) -> list[Any]:
    """Every table's cells; on screen (not exact) a cell's citizens are an upper bound that
    depends on how finely the groups were kept, so only its value and link are compared."""
    return [
        (t.key, [[c if exact else (c.value, c.link) for c in row] for row in t.rows], t.chart)
        for s in sections
        for t in s.tabeller
    ]


def test_a_leader_of_every_team_reads_the_whole_areas_figures(catalog: None) -> None:
    """A head of department's dashboard, read from the whole area's groups, shows what adding
    up every team's groups shows, on screen and in an export's exact suppression."""
    call_command("seed_scale", borgere=150, seed=11, stdout=StringIO())
    head = User.objects.get(titel="Afdelingschef")
    assert set(head.teams.all()) == set(Team.objects.all())
    noegletal_refresh()
    whole_area = Noegletal.objects.filter(team__isnull=True)
    assert set(whole_area.values_list("emne", flat=True)) == {
        *WHOLE_AREA_PANELS,
        "udgift_omraade",
    }
    # Two years, so that every flow panel has figures and no table compared is empty.
    years = Filter(fra=Filter.default().fra - relativedelta(months=12), til=Filter.default().til)
    costly = Noegletal.objects.filter(emne="udgift").values("kommunal_ydelse").distinct()
    a_service = KommunalYdelse.objects.filter(pk__in=costly).order_by("pk").first()
    assert a_service is not None
    for f in [
        years,
        # The municipality whose services cost, and the other (its tables are empty).
        *[replace(years, kommune=kommune) for kommune in Kommune.objects.all()],
        replace(years, ydelse=a_service),
        replace(years, ydelse=a_service, kommune=a_service.kommune),
    ]:
        for exact in (False, True):
            u = udsnit.Udsnit(head, f, exact=exact)
            assert u.every_team
            from_area = panels.panels(u)
            per_team = panels.panels(_as_read_per_team(udsnit.Udsnit(head, f, exact=exact)))
            assert _shown(from_area, exact=exact) == _shown(per_team, exact=exact)
            shown = {t.key: t.rows for s in from_area for t in s.tabeller}
            assert bool(shown["udgift_udfoerer"]) == (f.kommune in (None, a_service.kommune)), f
            if f == years:
                assert all(rows for key, rows in shown.items() if key != "frister_overskredne")


def test_a_leader_of_some_teams_or_of_one_team_reads_each_teams_figures(
    area: Area, caseload: Caseload
) -> None:
    noegletal_refresh()
    head = UserFactory(leder=True, teams=[area.a, area.b, area.other])

    for user, f in [
        (area.leder, Filter.default()),
        (head, replace(Filter.default(), team=area.a)),
    ]:
        u = udsnit.Udsnit(user, f)
        assert not u.snapshot("overskredet").filter(team__isnull=True).exists()
        assert u.snapshot("overskredet").exists()
    u = udsnit.Udsnit(head, Filter.default())
    assert set(u.snapshot("overskredet").values_list("team", flat=True)) == {None}
    # The caseload shows the teams: always read per team.
    assert None not in set(u.snapshot("fase").values_list("team", flat=True))


def test_the_whole_areas_cost_is_the_sum_of_the_teams_to_the_krone(
    area: Area, catalog: None
) -> None:
    """A line's yearly amount is kept to the øre, so the area's sum is the teams' sum: three
    lines of 0.1675 kr. a year are 0.51 kr. (1 kr.) however they are added up."""
    head = UserFactory(leder=True, teams=[area.a, area.b, area.other])
    aar = Prislinje.Frekvens.AAR.value
    for team in (area.a, area.b, area.other):
        case = sag(team, Fase.LEVERING, kommunal_ydelse=ydelse("R-85"))
        grant = vurdering(case)
        indsats(grant, [("0.25", aar, "0.67")], kommunal_ydelse=ydelse("R-85"))
        decide(case, date(2025, 1, 1), vurdering=grant)
    noegletal_refresh()

    u = udsnit.Udsnit(head, Filter.default())
    assert u.whole_area_cost("paragraf") is not None
    from_area = table(udgift.cost(u), "udgift_paragraf")
    per_team = table(
        udgift.cost(_as_read_per_team(udsnit.Udsnit(head, Filter.default()))),
        "udgift_paragraf",
    )
    assert [[c.value for c in row] for row in from_area.rows] == [
        [c.value for c in row] for row in per_team.rows
    ]
    assert [c.value for c in from_area.rows[0]][1:] == [3, Decimal("1")]
