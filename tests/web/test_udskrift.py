"""The printable case summary and journal (issue 20): what they show, who may open them (those
who may open the case page, audited as it is), their query counts, and the print stylesheet."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.models import Brev, Forsendelse
from cases.models import Journalnotat, Sag
from cases.services.sag import journalnotat_create, sag_transition
from tests.web.conftest import World
from vum.audit.models import AuditAction, AuditEvent
from vum.deadlines.models import Frist

PAGES = ["sag_udskrift", "sag_journal_udskrift"]


def _client(world: World, role: str = "sagsbehandler_ind") -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _url(name: str, sag: Sag) -> str:
    return reverse(name, args=[sag.pk])


def _notes(world: World) -> tuple[Journalnotat, Journalnotat, Journalnotat]:
    """Three notes written out of date order: the first noted, a later one, and a correction of
    the first written last."""
    user = world.users["sagsbehandler_ind"]
    today = timezone.localdate()
    later = journalnotat_create(
        actor=user, sag=world.sag, emne="Hjemmebesøg", tekst="Besøg i hjemmet.", dato=today
    )
    first = journalnotat_create(
        actor=user,
        sag=world.sag,
        emne="Telefonsamtale",
        tekst="Borgeren ringede om sin ansøgning.",
        dato=today - timedelta(days=7),
    )
    correction = journalnotat_create(
        actor=user,
        sag=world.sag,
        emne="Rettelse af telefonsamtale",
        tekst="Det var borgerens søster, der ringede.",
        dato=today,
        retter=first,
    )
    return first, later, correction


@pytest.mark.now("2026-11-18 10:00", tick=False)
def test_the_summary_shows_the_case_as_its_page_does(world: World) -> None:
    user = world.users["sagsbehandler_ind"]
    sag = world.sag
    sag_transition(actor=user, sag=sag, name="afslut", begrundelse="Borgeren er flyttet.")
    now = timezone.now()
    Frist.objects.create(
        sag=sag, art=Frist.Art.STATUSNOTAT, beskrivelse="Statusnotat fra bostedet", frist=now
    )
    Frist.objects.create(
        sag=sag,
        art=Frist.Art.PARTSHOERING,
        beskrivelse="Partshøring er sendt",
        frist=now,
        status=Frist.Status.OVERHOLDT,
    )
    brev = Brev.objects.create(
        sag=sag,
        art=Brev.Art.PARTSHOERING,
        modtager_navn=world.borger.navn,
        pdf=b"",
        sha256="0" * 64,
        oprettet_af=user,
    )
    forsendelse = Forsendelse.objects.create(
        brev=brev, kanal="Digital Post", reference="ref-1", sendt=now - timedelta(days=1)
    )

    html = _client(world).get(_url("sag_udskrift", sag)).content.decode()

    assert f"Sagsoversigt: {world.borger.navn}" in html
    assert world.borger.cpr_masked in html
    assert world.borger.cpr not in html
    assert "<dt>Fase</dt><dd>Afsluttet</dd>" in html
    assert sag.team.navn in html
    # The phase change, with its date.
    assert '<td class="nowrap">18.11.2026 10:00</td><td>Sagsåbning</td><td>Afsluttet</td>' in html
    assert "Borgeren er flyttet." in html
    assert "Statusnotat fra bostedet" in html
    assert "Partshøring er sendt" not in html  # met: not an open deadline
    # The later phases' panels, as on the citizen's page for this case.
    assert f'id="forsendelse-{forsendelse.pk}"' in html
    assert sag.aarsag in html
    assert f"Udskrevet 18.11.2026 10:00 af {user.get_full_name() or user.username}" in html


def test_the_journal_lists_every_note_oldest_first_with_its_corrections(world: World) -> None:
    first, later, correction = _notes(world)

    html = _client(world).get(_url("sag_journal_udskrift", world.sag)).content.decode()

    positions = [html.index(f'id="notat-{n.pk}"') for n in (first, later, correction)]
    assert positions == sorted(positions)
    for note in (first, later, correction):
        assert note.tekst in html
        assert f"Underskrevet: {note.underskrift}" in html
    assert f'Rettet ved <a href="#notat-{correction.pk}">' in html
    assert f'Retter <a href="#notat-{first.pk}">' in html
    assert "Skriv rettelse" not in html  # a print has no controls
    assert f"Journal: {world.borger.navn}" in html
    assert "Udskrevet " in html


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ["sagsbehandler_ind", "leder_ind", "udvalg_ind"])
def test_those_who_may_open_the_case_page_may_print_it(world: World, name: str, role: str) -> None:
    response = _client(world, role).get(_url(name, world.sag))
    assert response.status_code == 200
    assert world.borger.navn in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    "role", ["sagsbehandler_ude", "leder_ude", "udvalg_ude", "udfoerer_ind", "administrator"]
)
def test_others_get_404_as_on_the_case_page_and_nothing_is_audited(
    world: World, name: str, role: str
) -> None:
    client = _client(world, role)
    assert client.get(reverse("sag_detail", args=[world.sag.pk])).status_code == 404
    before = AuditEvent.objects.count()
    assert client.get(_url(name, world.sag)).status_code == 404
    assert AuditEvent.objects.count() == before


def test_unknown_case_is_404_and_anonymous_is_sent_to_login(world: World) -> None:
    client = _client(world)
    for name in PAGES:
        assert client.get(reverse(name, args=[999999])).status_code == 404
        response = Client().get(_url(name, world.sag))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
def test_a_print_is_audited_as_a_view_of_the_case(world: World, name: str) -> None:
    user = world.users["sagsbehandler_ind"]
    assert _client(world).get(_url(name, world.sag)).status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("id")
    assert event.actor == user
    assert event.borger_id == world.borger.pk
    assert event.object_type == "cases.Sag"
    assert event.object_id == str(world.sag.pk)
    assert event.summary == "Sag vist"


def _more_of_everything(world: World) -> None:
    """Three more notes and an open deadline, so that a page that read them row by row would
    show it in its query count."""
    _notes(world)
    Frist.objects.create(
        sag=world.sag, art=Frist.Art.STATUSNOTAT, beskrivelse="Statusnotat", frist=timezone.now()
    )


@pytest.mark.parametrize(("name", "limit"), [("sag_udskrift", 14), ("sag_journal_udskrift", 8)])
def test_query_count_does_not_grow_with_the_case(
    world: World, name: str, limit: int, django_assert_max_num_queries: Any
) -> None:
    client = _client(world)
    _more_of_everything(world)
    with django_assert_max_num_queries(limit) as few:
        assert client.get(_url(name, world.sag)).status_code == 200
    _more_of_everything(world)
    _more_of_everything(world)
    with django_assert_max_num_queries(limit) as more:
        assert client.get(_url(name, world.sag)).status_code == 200
    assert len(more.captured_queries) == len(few.captured_queries)


def test_every_page_links_the_print_stylesheet_and_the_case_page_links_the_prints(
    world: World,
) -> None:
    client = _client(world)
    case_page = client.get(reverse("sag_detail", args=[world.sag.pk])).content.decode()
    assert '<link rel="stylesheet" media="print" href="/static/vum/print.css">' in case_page
    for name in PAGES:
        assert f'href="{_url(name, world.sag)}"' in case_page
        html = client.get(_url(name, world.sag)).content.decode()
        assert '<link rel="stylesheet" media="print" href="/static/vum/print.css">' in html
        # The print button is wired by a script file (the CSP allows no inline script).
        assert '<button type="button" class="button" data-print hidden>Udskriv</button>' in html
        assert '<script src="/static/vum/print.js" defer></script>' in html
        assert f'href="{reverse("sag_detail", args=[world.sag.pk])}">Tilbage til sagen' in html


def test_the_journal_print_says_when_there_are_no_notes(world: World) -> None:
    html = _client(world).get(_url("sag_journal_udskrift", world.sag)).content.decode()
    assert "Ingen journalnotater." in html
