"""The leader's dashboard pages (/ledelse/ and /ledelse/sager/) through the test client: who may
see them, the filter and its errors, the CSV and Excel exports with small cells suppressed and no
citizen in them, the audited drill-down list, and a query count that does not grow with the
area. Where a test uses `timezone.now()`, it is the suite's frozen instant (tests/clock.py) and
every date is counted from it, so the test holds at any instant."""

import csv
import html
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

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
from followup.dashboard import panels
from followup.dashboard.figures import Celle, Filter, Tabel, first_kept_month
from followup.dashboard.refresh import noegletal_refresh
from followup.models import Opfoelgning, Opfoelgningsskema, SkemaMaal
from followup.templatetags.dashboard_tags import dashboard_table
from followup.views import ledelse
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
from vum.accounts.models import Role, Team, User
from vum.audit.models import AuditAction, AuditEvent
from vum.catalog.models import (
    KommunalYdelse,
    Maalgruppe,
    Maaltype,
    Stoettebehov,
    Tilbudstype,
    Undertema,
    Visitationsudfald,
    Ydelse,
)
from vum.deadlines.models import Frist

pytestmark = pytest.mark.django_db
# Tests that name months read figures of 2019-2026 in November 2026: 2025 lies inside the 60
# months the dashboard keeps, 2019 before them, and the months after November 2026 are to come.
figures_of_2025 = pytest.mark.now("2026-11-18 10:00")

DASHBOARD = reverse("followup:dashboard")
DRILLDOWN = reverse("followup:dashboard-sager")
CASEWORKERS = reverse("followup:dashboard-tabel", args=["sager_sagsbehandler"])
SUMMARY = "Ledelsesoverblik: sager bag et tal"


@dataclass
class Area:
    leder: User
    a: Team
    b: Team
    other: Team
    anna: User
    bo: User


@pytest.fixture
def area(db: None) -> Area:
    a = TeamFactory(navn="Handicap")
    b = TeamFactory(navn="Psykiatri")
    return Area(
        leder=UserFactory(leder=True, teams=[a, b]),
        a=a,
        b=b,
        other=TeamFactory(navn="Særlig Social Indsats"),
        anna=UserFactory(teams=[a], first_name="Anna", last_name="Sagsbehandler"),
        bo=UserFactory(teams=[b], first_name="Bo", last_name="Sagsbehandler"),
    )


@pytest.fixture
def catalog(db: None, settings: Any) -> None:
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def borger(n: int) -> Borger:
    # Names no staff member has, so that a search of the exports for them finds only citizens.
    return BorgerFactory(fornavn="Karla", efternavn=f"Borgersen{n}")


# Who may see it


@pytest.mark.parametrize("url", [DASHBOARD, DRILLDOWN, f"{DASHBOARD}?format=csv", CASEWORKERS])
def test_only_a_leader_sees_the_dashboard(area: Area, url: str) -> None:
    assert logged_in(area.leder).get(url).status_code == 200
    for user in [
        area.anna,
        UserFactory(udfoerer=True),
        UserFactory(udvalgsmedlem=True),
        UserFactory(role=Role.OEKONOMI),
        UserFactory(administrator=True),
    ]:
        assert logged_in(user).get(url).status_code == 404, user.role
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_sends_a_leader_to_the_dashboard_and_the_nav_links_it(area: Area) -> None:
    client = logged_in(area.leder)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    page = client.get(DASHBOARD).content.decode()
    assert re.search(rf'<a href="{DASHBOARD}" aria-current="page">Overblik</a>', page)
    assert ">Overblik</a>" not in logged_in(area.anna).get(reverse("inbox")).content.decode()
    udvalg = logged_in(UserFactory(udvalgsmedlem=True)).get(reverse("udvalg_moeder"))
    assert ">Overblik</a>" not in udvalg.content.decode()


def test_a_first_visit_shows_the_last_twelve_months(area: Area) -> None:
    response = logged_in(area.leder).get(DASHBOARD)

    default = Filter.default()
    assert response.context["filter"] == default
    page = response.content.decode()
    assert f'value="{default.fra:%Y-%m}"' in page
    assert f'value="{default.til:%Y-%m}"' in page
    assert f"?fra={default.fra:%Y-%m}&amp;til={default.til:%Y-%m}&amp;format=csv" in page


@figures_of_2025
def test_the_team_filter_offers_only_the_leaders_teams(area: Area) -> None:
    sag_in_phase(Fase.LEVERING, team=area.a, borger=borger(1))
    sag_in_phase(Fase.LEVERING, team=area.b, borger=borger(2))
    noegletal_refresh()
    client = logged_in(area.leder)

    form = client.get(DASHBOARD).context["form"]
    assert list(form.fields["team"].queryset) == [area.a, area.b]
    response = client.get(DASHBOARD, {"fra": "2025-01", "til": "2025-12", "team": area.b.pk})
    assert response.status_code == 200
    (caseload,) = [
        t for s in response.context["sections"] for t in s.tabeller if t.key == "sager_fase"
    ]
    assert [row[0].value for row in caseload.rows] == ["Psykiatri"]


@figures_of_2025
def test_the_page_says_when_the_figures_were_made_and_starts_the_first_rebuild(
    area: Area, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    started: list[str] = []

    def task(name: str) -> object:
        class Task:
            @staticmethod
            def delay() -> None:
                started.append(name)

        return Task

    monkeypatch.setattr(ledelse, "refresh_dashboard", task("refresh"))
    monkeypatch.setattr(ledelse, "update_dashboard", task("update"))
    client = logged_in(area.leder)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(DASHBOARD).content.decode()
    assert "Tallene er ved at blive opgjort for første gang." in page
    assert started == ["refresh"]
    # A rebuild takes minutes on a large database: the views meanwhile queue no more.
    with django_capture_on_commit_callbacks(execute=True):
        client.get(DASHBOARD)
    assert started == ["refresh"]

    noegletal_refresh(now=timezone.make_aware(datetime(2026, 3, 2, 14, 30)))
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(DASHBOARD).content.decode()
    assert "senest opdateret 02.03.2026 kl. 14:30:00" in page
    assert started == ["refresh"]

    # A change not yet in the figures: the view asks for an update at once.
    sag_in_phase(Fase.SAGSAABNING, team=area.a, sagsbehandler=area.anna, borger=borger(1))
    with django_capture_on_commit_callbacks(execute=True):
        client.get(DASHBOARD)
    assert started == ["refresh", "update"]


@figures_of_2025
def test_a_period_before_the_kept_history_is_not_silently_empty(area: Area) -> None:
    """The figures keep HISTORY_MONTHS of flows: a period further back is refused with a
    reason, not shown as "no data"."""
    sag = sag_in_phase(Fase.LEVERING, team=area.a, sagsbehandler=area.anna, borger=borger(1))
    HenvendelseFactory(
        borger=sag.borger, team=area.a, sag=sag, modtaget=date(2019, 3, 1), registreret_af=area.anna
    )
    Afgoerelse.objects.create(
        sag=sag,
        truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
        form=Afgoerelse.Form.SKRIFTLIG,
        truffet=date(2019, 4, 1),
        fuldt_medhold=True,
        oprettet_af=area.anna,
    )
    noegletal_refresh()

    response = logged_in(area.leder).get(DASHBOARD, {"fra": "2019-01", "til": "2019-12"})

    assert response.status_code == 400
    assert "Overblikket går 60 måneder tilbage" in response.context["form"].errors["fra"][0]


# A bad filter


BAD_FILTERS = [
    ({"fra": "2025-06", "til": "2025-01"}, "Slutmåneden skal ligge efter startmåneden."),
    ({"fra": "2020-01", "til": "2025-01"}, "Perioden kan højst være fem år (60 måneder)."),
    ({"fra": "i går", "til": "2025-13"}, "Angiv en måned som ÅÅÅÅ-MM."),
    ({"fra": "2025-01-01", "til": "2025-12-31"}, "Angiv en måned som ÅÅÅÅ-MM."),
    ({"fra": "2025-01"}, "Dette felt er påkrævet."),
    ({"team": "abc"}, "Marker en gyldig valgmulighed."),
    ({"ydelse": "999999"}, "Marker en gyldig valgmulighed."),
]


@figures_of_2025
@pytest.mark.parametrize(("query", "error"), BAD_FILTERS)
def test_a_bad_filter_is_400_with_the_danish_error(
    area: Area, query: dict[str, str], error: str
) -> None:
    client = logged_in(area.leder)
    for fmt in ({}, {"format": "csv"}, {"format": "xlsx"}):
        response = client.get(DASHBOARD, query | fmt)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert error in response.content.decode()
        assert "Hent som CSV" not in response.content.decode()
    assert client.get(DRILLDOWN, query | {"fase": "levering"}).status_code == 400


@figures_of_2025
def test_another_leaders_team_is_a_bad_filter(area: Area) -> None:
    sag_in_phase(Fase.LEVERING, team=area.other, borger=borger(1))
    query = {"fra": "2025-01", "til": "2025-12", "team": area.other.pk}
    client = logged_in(area.leder)

    response = client.get(DASHBOARD, query)
    assert response.status_code == 400
    assert "Marker en gyldig valgmulighed." in response.content.decode()
    response = client.get(DRILLDOWN, query)
    assert response.status_code == 400
    assert "Borgersen1" not in response.content.decode()


def test_five_years_is_allowed(area: Area) -> None:
    first = first_kept_month()
    last = first + relativedelta(months=59)
    response = logged_in(area.leder).get(
        DASHBOARD, {"fra": f"{first:%Y-%m}", "til": f"{last:%Y-%m}"}
    )
    assert response.status_code == 200


@figures_of_2025
def test_the_drilldown_with_a_bad_filter_says_what_is_wrong(area: Area) -> None:
    """The list has no filter fields to mark, so the message must say what is wrong."""
    response = logged_in(area.leder).get(DRILLDOWN, {"fra": "2025-06", "til": "2025-01"})
    assert response.status_code == 400
    assert "Slutmåneden skal ligge efter startmåneden." in response.content.decode()


# Exports


@pytest.fixture
def small_and_large(area: Area) -> list[Borger]:
    """Handicap: five citizens in levering (shown) and two in sagsåbning (suppressed)."""
    citizens = [borger(n) for n in range(7)]
    for citizen in citizens[:5]:
        sag_in_phase(Fase.LEVERING, team=area.a, sagsbehandler=area.anna, borger=citizen)
    for citizen in citizens[5:]:
        sag_in_phase(Fase.SAGSAABNING, team=area.a, sagsbehandler=area.anna, borger=citizen)
    noegletal_refresh()
    return citizens


def no_citizen_in(text: str, citizens: list[Borger]) -> None:
    for citizen in citizens:
        for shown in (citizen.cpr, citizen.cpr_masked, citizen.cpr_formatted, citizen.efternavn):
            assert shown not in text


# One phase rests on fewer than five citizens, so the whole row is hidden: its total and the
# other phases would give the small one away (7 - 5 = 2).
CASELOAD_ROW = ["Handicap", "<5", "<5", "<5", "<5", "<5", "<5", "<5", "<5"]


@figures_of_2025
def test_csv_export(area: Area, small_and_large: list[Borger]) -> None:
    response = logged_in(area.leder).get(
        DASHBOARD, {"fra": "2025-01", "til": "2025-12", "format": "csv"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="ledelsesoverblik-202501-202512.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Ledelsesoverblik 01.01.2025-31.12.2025"]
    assert rows[1] == [
        "Tal, der bygger på færre end 5 borgere, vises som <5, og det gør deres rækkes øvrige tal."
    ]
    start = rows.index(["Sagsbelastning og ventetid: Åbne sager pr. team og fase"])
    assert rows[start + 1] == [
        "Team",
        "Sagsåbning",
        "Sagsoplysning",
        "Sagsvurdering",
        "Afgørelse",
        "Bestilling",
        "Levering",
        "Opfølgning",
        "I alt",
    ]
    assert rows[start + 2] == [str(v) for v in CASELOAD_ROW]
    start = rows.index(["Sagsbelastning og ventetid: Åbne sager pr. sagsbehandler"])
    assert rows[start + 2] == ["Anna Sagsbehandler", "Handicap", "7", "0"]
    titles = [r[0] for r in rows if len(r) == 1 and ": " in r[0]]
    assert len(titles) == 15
    no_citizen_in(text, small_and_large)


def test_the_page_shows_no_citizen_either(area: Area, small_and_large: list[Borger]) -> None:
    page = logged_in(area.leder).get(DASHBOARD).content.decode()
    assert ">5</a>" in page  # the page itself shows the leader's figures unsuppressed
    assert ">2</a>" in page
    no_citizen_in(page, small_and_large)


@figures_of_2025
def test_excel_export(area: Area, small_and_large: list[Borger]) -> None:
    response = logged_in(area.leder).get(
        DASHBOARD, {"fra": "2025-01", "til": "2025-12", "format": "xlsx"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].endswith('ledelsesoverblik-202501-202512.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert len(workbook.sheetnames) == 15
    assert all(len(name) <= 31 for name in workbook.sheetnames)
    sheet = [list(r) for r in workbook["Åbne sager pr. team og fase"].iter_rows(values_only=True)]
    assert sheet[0][0] == "Åbne sager pr. team og fase"
    assert sheet[1][0] == "Ledelsesoverblik 01.01.2025-31.12.2025"
    assert sheet[3][:2] == ["Team", "Sagsåbning"]
    assert sheet[4] == CASELOAD_ROW
    every_cell = " ".join(
        str(value)
        for name in workbook.sheetnames
        for row in workbook[name].iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    no_citizen_in(every_cell, small_and_large)


# The drill-down list


def test_the_drilldown_lists_the_cases_behind_a_figure_and_audits_them(area: Area) -> None:
    shown = [
        sag_in_phase(Fase.LEVERING, team=area.a, sagsbehandler=area.anna, borger=borger(n))
        for n in range(2)
    ]
    hidden = [
        sag_in_phase(Fase.SAGSAABNING, team=area.a, borger=borger(2)),
        sag_in_phase(Fase.LEVERING, team=area.b, borger=borger(3)),
        sag_in_phase(Fase.LEVERING, team=area.other, borger=borger(4)),
    ]
    Frist.objects.create(
        sag=shown[0],
        art=Frist.Art.OPFOELGNING,
        beskrivelse="Opfølgning senest",
        frist=timezone.now() + timedelta(days=3),
    )
    noegletal_refresh()
    client = logged_in(area.leder)
    page = client.get(DASHBOARD).content.decode()
    # The Levering cell of Handicap's row links to the list with the page's filter.
    (link,) = re.findall(
        rf'href="({DRILLDOWN}\?fase=levering&amp;sag_team={area.a.pk}&amp;[^"]*)"', page
    )
    before = AuditEvent.objects.count()

    response = client.get(html.unescape(link))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Fase: Levering; Team: Handicap." in text
    assert "2 sager." in text
    assert "Opfølgning senest" in text
    for sag in shown:
        assert sag.borger.navn in text
        assert sag.borger.cpr_masked in text
        assert sag.borger.cpr not in text
        assert sag.borger.cpr_formatted not in text
        assert reverse("sag_detail", args=[sag.pk]) in text
    for sag in hidden:
        assert sag.borger.navn not in text
    events = AuditEvent.objects.order_by("id")[before:]
    assert {(e.action, e.actor_id, e.object_type, e.summary) for e in events} == {
        (AuditAction.LIST, area.leder.pk, "cases.Sag", SUMMARY)
    }
    assert sorted((e.object_id, e.borger_id) for e in events) == sorted(
        (str(s.pk), s.borger_id) for s in shown
    )
    assert f'href="{DASHBOARD}?fra=' in text  # back to the dashboard, same filter


def test_a_hand_edited_drilldown_shows_nothing_outside_the_area(area: Area) -> None:
    outside = sag_in_phase(Fase.LEVERING, team=area.other, borger=borger(1))
    before = AuditEvent.objects.count()

    response = logged_in(area.leder).get(
        DRILLDOWN, {"sag_team": area.other.pk, "sagsbehandler": "x", "fase": "levering"}
    )

    assert response.status_code == 200
    assert outside.borger.navn not in response.content.decode()
    assert "Der er ingen sager bag tallet." in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_a_long_list_is_cut_and_only_the_rows_shown_are_audited(
    area: Area, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledelse, "DRILLDOWN_LIMIT", 2)
    cases = [sag_in_phase(Fase.LEVERING, team=area.a, borger=borger(n)) for n in range(3)]
    before = AuditEvent.objects.count()

    response = logged_in(area.leder).get(DRILLDOWN, {"fase": "levering"})

    assert "3 sager; de første 2 vises." in response.content.decode()
    shown = {str(s.pk) for s in response.context["sager"]}
    assert len(shown) == 2
    assert shown < {str(s.pk) for s in cases}
    events = AuditEvent.objects.order_by("id")[before:]
    assert {e.object_id for e in events} == shown


# Query counts do not grow with the area


def full_case(team: Team, caseworker: User, kode: str, n: int) -> Sag:
    """A case in delivery that appears in every panel: a first decision this year after its
    enquiry, a met processing deadline, an overdue hearing, a committee outcome, a complaint, a
    completed follow-up with a scored goal, and a priced grant in force."""
    today = timezone.localdate()
    moment = timezone.make_aware(datetime.combine(today - timedelta(days=30), time(12)))
    kommunal_ydelse = KommunalYdelse.objects.current().get(kode=kode)
    sag = sag_in_phase(
        Fase.LEVERING,
        team=team,
        sagsbehandler=caseworker,
        borger=borger(n),
        kommunal_ydelse=kommunal_ydelse,
    )
    HenvendelseFactory(
        borger=sag.borger,
        team=team,
        sag=sag,
        modtaget=today - timedelta(days=60),
        registreret_af=caseworker,
    )
    vurdering = Sagsvurdering.objects.create(
        sag=sag,
        oprettet_af=caseworker,
        stoettebehov=Stoettebehov.objects.current().get(vaerdi=2),
    )
    VurderingMaalgruppe.objects.create(
        vurdering=vurdering,
        maalgruppe=Maalgruppe.objects.current().get(navn="Angst"),
        primaer=True,
    )
    indsats = Indsats.objects.create(
        vurdering=vurdering,
        kommunal_ydelse=kommunal_ydelse,
        tilbudstype=Tilbudstype.objects.current().get(navn="Ambulant tilbud til voksne"),
        udfoerer=OrganisationFactory(),
    )
    Prislinje.objects.create(
        indsats=indsats,
        ydelse=Ydelse.objects.current().first(),
        enhed=Prislinje.Enhed.TIME,
        antal_pr_periode=Decimal(5),
        frekvens=Prislinje.Frekvens.UGE,
        gentagelser=26,
        enhedspris=Decimal(500),
    )
    afgoerelse = Afgoerelse.objects.create(
        sag=sag,
        vurdering=vurdering,
        truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
        form=Afgoerelse.Form.SKRIFTLIG,
        truffet=today - timedelta(days=30),
        fuldt_medhold=False,
        oprettet_af=caseworker,
    )
    AfgoerelsesResultat.objects.create(
        afgoerelse=afgoerelse,
        indsats=indsats,
        beskrivelse="Støtte",
        resultat=AfgoerelsesResultat.Resultat.BEVILGET,
        virkningsdato=today,
    )
    Frist.objects.create(
        sag=sag,
        art=Frist.Art.SAGSBEHANDLINGSFRIST,
        beskrivelse="Sagsbehandlingsfrist",
        frist=moment,
        status=Frist.Status.OVERHOLDT,
    )
    Frist.objects.create(
        sag=sag, art=Frist.Art.PARTSHOERING, beskrivelse="Partshøring", frist=moment
    )
    moede, _ = Udvalgsmoede.objects.get_or_create(
        udvalg=VisitationsudvalgFactory(), dato=moment.date()
    )
    Dagsordenspunkt.objects.create(
        moede=moede, sag=sag, udfald=Visitationsudfald.objects.first(), behandlet=moment
    )
    Klage.objects.create(
        sag=sag,
        afgoerelse=afgoerelse,
        modtaget=moment,
        kanal=Klage.Kanal.SKRIFTLIG,
        tekst="Uenig",
        genvurdering=Klage.Genvurdering.FASTHOLDT,
        registreret_af=caseworker,
    )
    opfoelgning = Opfoelgning.objects.create(sag=sag, dato=moment.date(), grundlag="3 måneder")
    skema = Opfoelgningsskema.objects.create(
        opfoelgning=opfoelgning,
        stoettebehov_foer=Stoettebehov.objects.current().get(vaerdi=2),
        stoettebehov_efter=Stoettebehov.objects.current().get(vaerdi=1),
        afsluttet=moment,
    )
    goal = Indsatsmaal.objects.create(
        vurdering=vurdering,
        maalformulering="Jeg gør selv rent",
        maaltype=Maaltype.objects.current().first(),
        primaert_undertema=Undertema.objects.current().get(navn="Gøre rent"),
    )
    SkemaMaal.objects.create(
        skema=skema, indsatsmaal=goal, overfoert_niveau=3, overfoert_forventet=2, nyt_niveau=2
    )
    return sag


def queries(client: Client, url: str, query: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(captured)


def test_the_dashboard_costs_the_same_queries_for_one_case_and_many(
    area: Area, catalog: None
) -> None:
    client = logged_in(area.leder)
    full_case(area.a, area.anna, "R-85", 0)
    noegletal_refresh()
    client.get(DASHBOARD)  # warm the caches a first request fills
    one = queries(client, DASHBOARD, {})
    csv_one = queries(client, DASHBOARD, {"format": "csv"})

    for n, (team, caseworker, kode) in enumerate(
        [
            (area.a, area.anna, "R-85"),
            (area.a, area.anna, "R-BO"),
            (area.b, area.bo, "V-85"),
            (area.b, area.bo, "V-107"),
            (area.b, area.bo, "V-85"),
            (area.other, UserFactory(teams=[area.other]), "R-85"),
        ],
        start=1,
    ):
        full_case(team, caseworker, kode, n)
    noegletal_refresh()
    many = queries(client, DASHBOARD, {})

    sections = client.get(DASHBOARD).context["sections"]
    caseload = next(t for s in sections for t in s.tabeller if t.key == "sager_fase")
    assert sum(row[-1].value for row in caseload.rows) == 6  # the data did grow
    assert many == one
    assert queries(client, DASHBOARD, {"format": "csv"}) == csv_one


def test_the_drilldown_costs_the_same_queries_for_one_case_and_many(area: Area) -> None:
    client = logged_in(area.leder)
    query = {"fase": "levering", "sag_team": area.a.pk}

    def case(n: int) -> None:
        sag = sag_in_phase(Fase.LEVERING, team=area.a, sagsbehandler=area.anna, borger=borger(n))
        Frist.objects.create(
            sag=sag,
            art=Frist.Art.OPFOELGNING,
            beskrivelse="Opfølgning",
            frist=timezone.now() + timedelta(days=n + 1),
        )

    case(0)
    client.get(DRILLDOWN, query)
    one = queries(client, DRILLDOWN, query)
    for n in range(1, 9):
        case(n)
    assert "9 sager." in client.get(DRILLDOWN, query).content.decode()

    assert queries(client, DRILLDOWN, query) == one


@pytest.mark.parametrize(
    "query",
    [
        {"sag_team": "²"},
        {"sagsbehandler": "٣"},
        {"udfoerer": "99999999999999999999999"},
        {"frist_ikke_overholdt": "1e3"},
    ],
)
def test_odd_ids_in_a_drilldown_link_are_ignored_not_a_500(
    area: Area, query: dict[str, str]
) -> None:
    response = logged_in(area.leder).get(reverse("followup:dashboard-sager"), query)
    assert response.status_code == 200


@figures_of_2025
def test_a_period_ending_after_this_month_is_refused(area: Area) -> None:
    for url in (DASHBOARD, reverse("followup:dashboard-sager")):
        response = logged_in(area.leder).get(
            url, {"fra": "2026-01", "til": "9999-12", "format": "csv"}
        )
        assert response.status_code == 400
        assert "Slutmåneden kan ikke ligge efter denne måned." in response.content.decode()


def test_an_export_hides_a_part_that_rests_on_one_citizen(area: Area) -> None:
    """Six overdue cases of one citizen among 20 citizens' cases: the count is 6, but it rests
    on one citizen, so the export hides it (and the rest of the row with it)."""
    past = timezone.now() - timedelta(days=3)
    citizens = [borger(n) for n in range(20)]
    for citizen in citizens:
        sag_in_phase(Fase.LEVERING, team=area.a, sagsbehandler=area.anna, borger=citizen)
    for _ in range(6):
        sag = sag_in_phase(Fase.LEVERING, team=area.a, sagsbehandler=area.anna, borger=citizens[0])
        Frist.objects.create(
            sag=sag, art=Frist.Art.OPFOELGNING, beskrivelse="Opfølgning", frist=past
        )
    noegletal_refresh()

    page = logged_in(area.leder).get(DASHBOARD)
    worker_row = next(
        row
        for s in page.context["sections"]
        for t in s.tabeller
        if t.key == "sager_sagsbehandler"
        for row in t.rows
        if row[0].value == area.anna.get_full_name()
    )
    assert [c.value for c in worker_row[2:]] == [26, 6]

    export = logged_in(area.leder).get(DASHBOARD, {"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(export), delimiter=";"))
    assert [area.anna.get_full_name(), area.a.navn, "<5", "<5"] in rows


# A long table: its first rows on the overview, the whole table a page of its own


def test_a_long_table_shows_its_first_rows_and_links_the_whole_table(
    area: Area, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(panels, "OVERVIEW_ROWS", 2)  # where the caseload panel reads it
    cases = {"Dorte": 3, "Carl": 2, "Berit": 2, "Erik": 1, "Frida": 1}
    for name, count in cases.items():
        worker = UserFactory(teams=[area.a], first_name=name, last_name="Sagsbehandlersen")
        for _ in range(count):
            sag_in_phase(Fase.SAGSOPLYSNING, team=area.a, sagsbehandler=worker)
    noegletal_refresh()
    client = logged_in(area.leder)

    page = client.get(DASHBOARD).content.decode()
    panel = page.split('id="sager_sagsbehandler"')[1].split('class="card dashboard-panel"')[0]
    # The most cases first; of the two with two cases, the first by name.
    shown = re.findall(r'<th scope="row">(\w+) Sagsbehandlersen</th>', panel)
    assert shown == ["Dorte", "Berit"]
    assert "Viser de 2 første af 5 rækker." in panel
    link = html.unescape(re.search(r'href="([^"]*/ledelse/tabel/[^"]*)"', panel)[1])
    assert link.startswith(CASEWORKERS)

    whole = client.get(link)
    assert whole.status_code == 200
    rows = re.findall(r'<th scope="row">(\w+) Sagsbehandlersen</th>', whole.content.decode())
    assert rows == ["Dorte", "Berit", "Carl", "Erik", "Frida"]
    # The export has every row too.
    csv_text = client.get(DASHBOARD, {"format": "csv"}).content.decode()
    assert all(f"{name} Sagsbehandlersen" in csv_text for name in cases)


@figures_of_2025
def test_the_whole_table_page_refuses_a_bad_filter_and_an_unknown_table(area: Area) -> None:
    client = logged_in(area.leder)
    bad = client.get(CASEWORKERS, {"fra": "2020-13", "til": "2021-01"})
    assert bad.status_code == 400
    assert "Filteret bag tabellen er ugyldigt" in bad.content.decode()
    unknown = reverse("followup:dashboard-tabel", args=["sager_fase"])
    assert client.get(unknown).status_code == 404


# Readable: Danish numbers, the deployment's own services, tables a keyboard reaches


def test_the_tables_show_numbers_as_the_charts_do(area: Area, catalog: None) -> None:
    for n in range(2):
        full_case(area.a, area.anna, "R-85", n)
    noegletal_refresh()

    page = logged_in(area.leder).get(DASHBOARD).content.decode()
    panel = page.split('id="udgift_paragraf"')[1].split('class="card dashboard-panel"')[0]
    chart, table = panel.split("<table", 1)
    # Two cases of 130.000 kr. a year: the same amount in the chart and in the table.
    assert '<span class="chart__value">260.000 kr.</span>' in chart
    assert '<td class="num nowrap">260.000 kr.</td>' in table
    assert "260000" not in panel


def test_a_table_cell_has_thousands_separators_and_a_decimal_comma() -> None:
    tabel = Tabel(
        key="t",
        title="Tal",
        description="",
        columns=["Ydelse", "Sager", "Median (dage)", "Andel", "Årlig udgift"],
        rows=[
            [
                Celle("R-85 Mestringsvejledning"),
                Celle(12345, 12345, "fase=levering"),
                Celle(Decimal("1234.5"), 3),
                Celle("12,5 %", 3),
                Celle(Decimal(104000), 3),
            ]
        ],
    )
    table = str(dashboard_table(tabel, "/ledelse/sager/", "fra=2026-01&til=2026-11"))
    assert '<th scope="row">R-85 Mestringsvejledning</th>' in table
    assert ">12.345</a></td>" in table
    assert '<td class="num">1.234,5</td>' in table
    assert '<td class="num">12,5 %</td>' in table
    assert '<td class="num nowrap">104.000 kr.</td>' in table


def test_the_service_filter_offers_only_the_deployments_catalog(
    area: Area, catalog: None, settings: Any
) -> None:
    # Both municipalities' catalogs are loaded; the deployment is Randers.
    assert KommunalYdelse.objects.filter(kommune__slug="viborg").exists()
    client = logged_in(area.leder)
    offered = client.get(DASHBOARD).context["form"].fields["ydelse"].queryset
    assert offered.exists()
    assert {y.kommune.slug for y in offered} == {"randers"}
    assert set(offered) == set(KommunalYdelse.objects.current().filter(kommune__slug="randers"))
    page = client.get(DASHBOARD).content.decode()
    r85 = KommunalYdelse.objects.current().get(kode="R-85")
    v85 = KommunalYdelse.objects.current().get(kode="V-85")
    assert f'<option value="{r85.pk}">R-85 {html.escape(r85.navn)}</option>' in page
    assert f'value="{v85.pk}"' not in page
    # Another municipality's service is not a choice.
    assert client.get(DASHBOARD, {"ydelse": v85.pk}).status_code == 400

    settings.VUM_MUNICIPALITY = "viborg"
    offered = client.get(DASHBOARD).context["form"].fields["ydelse"].queryset
    assert {y.kommune.slug for y in offered} == {"viborg"}


def test_without_a_loaded_catalog_the_service_filter_offers_all_services_only(
    area: Area, settings: Any
) -> None:
    settings.VUM_MUNICIPALITY = "viborg"  # nothing loaded
    response = logged_in(area.leder).get(DASHBOARD)
    assert response.status_code == 200
    assert list(response.context["form"].fields["ydelse"].queryset) == []
    assert '<option value="" selected>Alle ydelser</option>' in response.content.decode()


def test_each_table_is_in_a_region_the_keyboard_reaches(area: Area) -> None:
    sag_in_phase(Fase.LEVERING, team=area.a, sagsbehandler=area.anna, borger=borger(1))
    noegletal_refresh()
    client = logged_in(area.leder)
    page = client.get(DASHBOARD).content.decode()
    regions = re.findall(
        r'<div class="table-scroll" tabindex="0" role="region" aria-label="([^"]+)"><table', page
    )
    assert len(regions) == page.count("<table")
    assert "Åbne sager pr. team og fase" in regions
    assert '<link rel="stylesheet" href="/static/vum/dashboard.css">' in page

    whole = client.get(CASEWORKERS).content.decode()
    assert 'role="region" aria-label="Åbne sager pr. sagsbehandler"' in whole
    drilled = client.get(DRILLDOWN, {"fase": "levering"}).content.decode()
    assert 'tabindex="0" role="region" aria-label="Sager bag tallet"' in drilled
