"""A full caseload (issue 20): the search shows a citizen's open cases and their phases, and the
citizen's page is the overview across their cases: open and closed, the next deadlines,
relatives and consents, and what the later phases add (services granted, orders in force,
letters sent). All within the access policy, and at a number of queries that does not grow with
the hits or the cases.

Dates are relative to the suite's instant (tests/clock.py): a deadline five days on, a grant in
force since a month ago; what is checked does not depend on the day."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.models import Afgoerelse, AfgoerelsesResultat, Brev, Forsendelse
from cases.lifecycle import Fase
from cases.models import Borger, Sag, Samtykke
from orders.models import Bestilling
from tests.factories import (
    BestillingFactory,
    BorgerFactory,
    OrganisationFactory,
    RelationFactory,
    TeamFactory,
    UserFactory,
    sag_in_phase,
)
from vum.accounts.models import Team, User
from vum.deadlines.models import Frist

SURNAME = "Overbliksen"


@dataclass
class Office:
    team: Team
    other_team: Team
    caseworker: User


@pytest.fixture
def office(db: None) -> Office:
    team = TeamFactory()
    return Office(team=team, other_team=TeamFactory(), caseworker=UserFactory(teams=[team]))


@pytest.fixture
def client_for(office: Office, login) -> Client:  # type: ignore[no-untyped-def]
    return login(office.caseworker)


@dataclass
class FullCase:
    sag: Sag
    frist: Frist
    samtykke: Samtykke
    bevilling: AfgoerelsesResultat
    brev: Brev
    bestilling: Bestilling


def full_case(borger: Borger, team: Team, fase: str = Fase.LEVERING, tag: str = "") -> FullCase:
    """A case with everything the citizen's page gathers: an open deadline, a consent, a grant
    in force, its letter sent and an order to a provider. `tag` tells the cases apart."""
    today = timezone.localdate()
    sag = sag_in_phase(fase, borger=borger, team=team, aarsag=f"Støtte i hjemmet {tag}")
    actor = UserFactory(teams=[team])
    frist = Frist.objects.create(
        sag=sag,
        art=Frist.Art.PARTSHOERING,
        beskrivelse=f"Svar på partshøring {tag}",
        frist=timezone.now() + timedelta(days=5),
    )
    samtykke = Samtykke.objects.create(
        sag=sag,
        retning=Samtykke.Retning.INDHENTELSE,
        part=Samtykke.Part.EGEN_LAEGE,
        specifikation=f"Lægehuset {tag}",
        form=Samtykke.Form.SKRIFTLIGT,
        givet=today - timedelta(days=60),
        registreret_af=actor,
    )
    afgoerelse = Afgoerelse.objects.create(
        sag=sag,
        truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
        form=Afgoerelse.Form.SKRIFTLIG,
        truffet=today - timedelta(days=30),
        fuldt_medhold=True,
        oprettet_af=actor,
    )
    bevilling = AfgoerelsesResultat.objects.create(
        afgoerelse=afgoerelse,
        beskrivelse=f"Socialpædagogisk støtte {tag}",
        resultat=AfgoerelsesResultat.Resultat.BEVILGET,
        omfang="6 timer om ugen",
        virkningsdato=today - timedelta(days=30),
    )
    brev = Brev.objects.create(
        sag=sag,
        art=Brev.Art.AFGOERELSE,
        afgoerelse=afgoerelse,
        modtager_navn=borger.navn,
        pdf=b"%PDF",
        sha256="0" * 64,
        oprettet_af=actor,
    )
    Forsendelse.objects.create(
        brev=brev,
        modtager_navn=borger.navn,
        kanal="Digital Post",
        reference=f"ref-{sag.pk}",
        sendt=timezone.now() - timedelta(days=29),
    )
    bestilling = BestillingFactory(
        sag=sag,
        udfoerer=OrganisationFactory(navn=f"Bostøtten {tag}"),
        afgoerelse=afgoerelse,
        indhold={
            "maal": [{"nr": 1, "formulering": f"Jeg handler selv ind {tag}"}],
            "indsatser": [{"ydelser": [f"Bostøtte {tag}"], "tilbud": "Ambulant tilbud"}],
        },
    )
    return FullCase(sag, frist, samtykke, bevilling, brev, bestilling)


def _count(client: Client, method: str, url: str, data: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200
    return len(captured)


def badge(fase: str) -> str:
    return f'<span class="phase-badge">{fase}</span>'


# The search


def _search(client: Client) -> str:
    response = client.post(reverse("borger_search"), {"q": SURNAME, "formaal": "ny-henvendelse"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_search_shows_open_cases_and_phases_only_for_citizens_in_scope(
    office: Office, client_for: Client
) -> None:
    mine = BorgerFactory(efternavn=SURNAME)
    aaben = sag_in_phase(Fase.SAGSOPLYSNING, borger=mine, team=office.team)
    lukket = sag_in_phase(Fase.AFSLUTTET, borger=mine, team=office.team)
    andet_team = sag_in_phase(Fase.BESTILLING, borger=mine, team=office.other_team)
    fremmed = BorgerFactory(fornavn="Karin", efternavn=SURNAME)
    fremmed_sag = sag_in_phase(Fase.LEVERING, borger=fremmed, team=office.other_team)

    html = _search(client_for)

    assert f'href="{reverse("sag_detail", args=[aaben.pk])}"' in html
    assert badge("Sagsoplysning") in html
    # A closed case is not open; a case in a team the user is not in is not theirs to see.
    assert f'href="{reverse("sag_detail", args=[lukket.pk])}"' not in html
    assert f'href="{reverse("sag_detail", args=[andet_team.pk])}"' not in html
    assert badge("Bestilling") not in html
    # A citizen outside the user's scope is identified only: no case, no phase.
    assert fremmed.navn in html
    assert f'href="{reverse("sag_detail", args=[fremmed_sag.pk])}"' not in html
    assert badge("Levering") not in html


def test_the_search_costs_the_same_queries_for_one_hit_and_three(
    office: Office, client_for: Client
) -> None:
    def citizen_in_scope() -> None:
        borger = BorgerFactory(efternavn=SURNAME)
        sag_in_phase(Fase.SAGSVURDERING, borger=borger, team=office.team)
        sag_in_phase(Fase.LEVERING, borger=borger, team=office.team)

    citizen_in_scope()
    BorgerFactory(efternavn=SURNAME)  # out of scope: identification only
    _search(client_for)  # warm the caches a first request fills
    data = {"q": SURNAME, "formaal": "ny-henvendelse"}
    one = _count(client_for, "post", reverse("borger_search"), data)
    citizen_in_scope()
    citizen_in_scope()
    three = _count(client_for, "post", reverse("borger_search"), data)

    assert _search(client_for).count(badge("Sagsvurdering")) == 3
    assert one == three


# The citizen's page


def test_the_citizen_page_is_the_overview_across_the_cases_in_scope(
    office: Office, client_for: Client
) -> None:
    borger = BorgerFactory()
    aaben = full_case(borger, office.team, tag="A")
    lukket = sag_in_phase(Fase.AFSLUTTET, borger=borger, team=office.team, aarsag="Gammel sag")
    skjult = full_case(borger, office.other_team, tag="SKJULT")
    relation = RelationFactory(borger=borger, navn="Søster Hansen")

    response = client_for.get(reverse("borger_detail", args=[borger.pk]))
    assert response.status_code == 200
    html = response.content.decode()

    # Open and closed cases, each linked, the open one with its phase.
    assert f'href="{reverse("sag_detail", args=[aaben.sag.pk])}"' in html
    assert badge("Levering") in html
    assert "Afsluttede sager" in html
    assert f'href="{reverse("sag_detail", args=[lukket.pk])}"' in html
    # The next deadline, linked to itself on its case's page.
    assert f"{reverse('sag_detail', args=[aaben.sag.pk])}#frist-{aaben.frist.pk}" in html
    assert "Svar på partshøring A" in html
    # Relatives and consents.
    assert relation.navn in html
    assert "Indhentelse fra egen læge (Lægehuset A)" in html
    assert f"{reverse('sagsaabning', args=[aaben.sag.pk])}#samtykker" in html
    # The assessment's panels: the service granted and in force, the letter sent with its PDF.
    assert "Bevilgede ydelser i kraft" in html
    assert "Socialpædagogisk støtte A" in html
    pdf = reverse("afgoerelse_brev", args=[aaben.sag.pk, aaben.brev.afgoerelse_id, aaben.brev.pk])
    assert f'href="{pdf}"' in html
    assert "Digital Post" in html
    # The orders' panel: the order in force with its provider, indsatser and goals.
    assert "Bostøtten A" in html
    assert "Bostøtte A" in html
    assert "Jeg handler selv ind A" in html
    bestillinger = reverse("orders:sag-bestillinger", args=[aaben.sag.pk])
    assert f"{bestillinger}#bestilling-{aaben.bestilling.pk}" in html
    assert f'href="{reverse("orders:handleplan", args=[borger.pk])}"' in html
    # Nothing of the case in the team the caseworker is not in.
    assert f'href="{reverse("sag_detail", args=[skjult.sag.pk])}' not in html
    assert "SKJULT" not in html


def test_services_ended_or_not_yet_in_force_are_not_shown(
    office: Office, client_for: Client
) -> None:
    borger = BorgerFactory()
    case = full_case(borger, office.team, tag="A")
    later = timezone.localdate() + timedelta(days=10)
    AfgoerelsesResultat.objects.filter(pk=case.bevilling.pk).update(virkningsdato=later)
    Bestilling.objects.filter(pk=case.bestilling.pk).update(status=Bestilling.Status.OPHOERT)

    html = client_for.get(reverse("borger_detail", args=[borger.pk])).content.decode()

    assert "Bevilgede ydelser i kraft" not in html
    assert "Bestillinger i kraft" not in html
    # The letter was sent all the same.
    assert "Sendte breve" in html


def test_the_citizen_page_costs_the_same_queries_for_one_case_and_three(
    office: Office, client_for: Client
) -> None:
    borger = BorgerFactory()
    RelationFactory(borger=borger)
    full_case(borger, office.team, tag="A")
    url = reverse("borger_detail", args=[borger.pk])
    client_for.get(url)  # warm the caches a first request fills
    one = _count(client_for, "get", url)
    full_case(borger, office.team, tag="B")
    full_case(borger, office.team, fase=Fase.AFSLUTTET, tag="C")
    three = _count(client_for, "get", url)

    html = client_for.get(url).content.decode()
    assert all(f"Svar på partshøring {tag}" in html for tag in "ABC")
    assert one == three
