"""The indstilling page and the visitationsudvalg's pages: the caseworker writes the
recommendation, adds tilbud and sends it to a meeting; committee members see their meetings,
record outcomes and close the meeting with its minutes.

Meetings are dated relative to the suite's instant (tests/clock.py): a meeting today takes items
and outcomes on any day; planning "three months ahead" gives three meetings at any instant
(both sides of the month's meeting are pinned in tests/test_visitationsudvalg.py).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.models import (
    Dagsordenspunkt,
    IndhentetTilbud,
    Indstilling,
    Kompetenceregel,
    Sagsvurdering,
    Udvalgsmoede,
    Visitationsudvalg,
)
from assessment.services.udvalg import (
    indstilling_create,
    indstilling_send_to_committee,
    udvalg_outcome_record,
)
from cases.lifecycle import Fase
from cases.models import Sag
from tests.catalogs import load_catalog
from tests.factories import SagFactory, UserFactory, VisitationsudvalgFactory
from tests.test_visitationsudvalg import assessed_case
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.catalog.models import Kommune, Visitationsudfald

pytestmark = pytest.mark.django_db

GODKENDES = "godkendes"
MED_AENDRINGER = "godkendes-med-aendringer"
RETURNERES = "returneres-til-raadgiver-til-yderligere-belysning"


@pytest.fixture(autouse=True)
def catalog(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "viborg"
    load_catalog()


@pytest.fixture
def member(db: None) -> User:
    return UserFactory(udvalgsmedlem=True)


@pytest.fixture
def moede(member: User) -> Udvalgsmoede:
    udvalg = VisitationsudvalgFactory(navn="Visitationsudvalget Voksen")
    udvalg.medlemmer.add(member)
    return Udvalgsmoede.objects.create(
        udvalg=udvalg,
        dato=timezone.localdate(),  # today: items are sent to it, and its outcomes recorded
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def udfald(slug: str) -> Visitationsudfald:
    return Visitationsudfald.objects.current().get(slug=slug)


def _on_agenda(caseworker: User, moede: Udvalgsmoede, **kwargs: str) -> Dagsordenspunkt:
    sag = assessed_case(caseworker, **kwargs)
    indstilling = indstilling_create(
        actor=caseworker, sag=sag, indstilling="Det indstilles, at borgeren bevilges § 85-støtte."
    )
    return indstilling_send_to_committee(actor=caseworker, indstilling=indstilling, moede=moede)


def _indstilling_page(client: Client, sag: Sag) -> str:
    response = client.get(reverse("indstilling", args=[sag.pk]))
    assert response.status_code == 200
    return response.content.decode()


# The caseworker's indstilling


def test_the_caseworker_writes_sends_and_downloads_the_indstilling(
    caseworker: User, moede: Udvalgsmoede
) -> None:
    sag = assessed_case(caseworker)
    client = _client(caseworker)
    html = _indstilling_page(client, sag)
    assert "Sagsbehandleren kan afgøre sagen alene" in html
    assert "Skriv indstillingen" in html
    assert "Send til visitationsudvalget" not in html  # nothing written yet

    response = client.post(reverse("indstilling", args=[sag.pk]), {"indstilling": ""})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()

    text = "Det indstilles, at borgeren bevilges støtte efter § 85."
    response = client.post(reverse("indstilling", args=[sag.pk]), {"indstilling": text})
    assert response.status_code == 302
    indstilling = Indstilling.objects.get(sag=sag)
    html = _indstilling_page(client, sag)
    for heading in (
        "Baggrundsoplysninger",
        "Centrale oplysninger fra udredningen",
        "Indsatsformål og indsatsmål",
        "Indstilling til indsats eller afslag",
        "Handleplan, støttebehov og målgruppe",
    ):
        assert heading in html
    assert text in html
    assert "Jeg gør selv rent en gang om ugen" in html
    assert "260.000 kr." in html
    assert "Visitationsudvalget Voksen" in html  # the meeting to choose

    response = client.post(
        reverse("indstilling_send", args=[sag.pk, indstilling.pk]), {"moede": str(moede.pk)}
    )
    assert response.status_code == 302
    indstilling.refresh_from_db()
    assert indstilling.status == Indstilling.Status.PAA_DAGSORDEN
    assert Dagsordenspunkt.objects.get(moede=moede).sag == sag

    html = _indstilling_page(client, sag)
    pdf_url = reverse("indstilling_pdf", args=[sag.pk, indstilling.pk])
    assert pdf_url in html
    assert "På dagsordenen" in html
    assert "Afventer mødet" in html
    assert "Send til visitationsudvalget</button>" not in html
    response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT,
        object_type="assessment.Indstilling",
        object_id=str(indstilling.pk),
        borger_id=sag.borger_id,
    ).exists()


def test_reading_the_page_plans_no_meetings_and_says_so(caseworker: User) -> None:
    """Meetings are planned by the nightly task and when a committee is saved, never by a page
    being read."""
    udvalg = VisitationsudvalgFactory(navn="Udvalget uden møder")
    sag = assessed_case(caseworker)
    indstilling_create(actor=caseworker, sag=sag, indstilling="Støtte.")
    html = _indstilling_page(_client(caseworker), sag)
    assert not Udvalgsmoede.objects.filter(udvalg=udvalg).exists()
    assert "Der er ingen planlagte møder." in html


def test_saving_a_committee_plans_its_meetings(caseworker: User) -> None:
    admin_user = UserFactory(administrator=True, is_superuser=True)
    client = _client(admin_user)
    response = client.post(
        reverse("admin:assessment_visitationsudvalg_add"),
        {
            "navn": "Nyt udvalg",
            "moede_ugedag": 1,
            "moede_uge": 2,
            "medlemmer": [UserFactory(udvalgsmedlem=True).pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    udvalg = Visitationsudvalg.objects.get(navn="Nyt udvalg")
    planned = Udvalgsmoede.objects.filter(udvalg=udvalg, dato__gte=timezone.localdate())
    assert planned.count() == 3
    sag = assessed_case(caseworker)
    indstilling_create(actor=caseworker, sag=sag, indstilling="Støtte.")
    assert _indstilling_page(_client(caseworker), sag).count("Nyt udvalg,") == 3


def test_a_botilbud_needs_three_offers(caseworker: User, moede: Udvalgsmoede) -> None:
    sag = assessed_case(caseworker, kode="V-107", tilbud="Midlertidigt botilbud")
    client = _client(caseworker)
    html = _indstilling_page(client, sag)
    assert "V-107 afgøres af visitationsudvalget efter kataloget." in html
    client.post(reverse("indstilling", args=[sag.pk]), {"indstilling": "Midlertidigt botilbud."})
    indstilling = Indstilling.objects.get(sag=sag)
    tilbud_url = reverse("indstilling_tilbud", args=[sag.pk, indstilling.pk])

    # A missing price is tied to its field, the input kept.
    response = client.post(tilbud_url, {"tilbud": "Bostedet Møllebo", "pris_pr_aar": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_tilbud_pris_pr_aar_fejl"' in html
    assert 'value="Bostedet Møllebo"' in html

    for navn, pris in (("Bostedet Møllebo", "650000"), ("Sukkerdalen", "700000")):
        response = client.post(
            tilbud_url, {"tilbud": navn, "pris_pr_aar": pris, "dialog": "Har plads fra marts."}
        )
        assert response.status_code == 302
    send_url = reverse("indstilling_send", args=[sag.pk, indstilling.pk])
    response = client.post(send_url, {"moede": str(moede.pk)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "En indstilling til botilbud kræver oplysninger fra 3 relevante tilbud med pris." in html
    assert "Sukkerdalen" in html
    assert not Dagsordenspunkt.objects.exists()

    client.post(tilbud_url, {"tilbud": "Botilbuddet Åen", "pris_pr_aar": "610000"})
    assert IndhentetTilbud.objects.filter(indstilling=indstilling).count() == 3
    response = client.post(send_url, {"moede": str(moede.pk)})
    assert response.status_code == 302
    assert Dagsordenspunkt.objects.get().indstilling == indstilling


def test_sending_to_a_meeting_the_case_is_already_on_is_refused(
    caseworker: User, moede: Udvalgsmoede
) -> None:
    punkt = _on_agenda(caseworker, moede)
    udvalg_outcome_record(
        actor=moede.udvalg.medlemmer.get(),
        punkt=punkt,
        udfald=udfald(RETURNERES),
        begrundelse="Indhent lægeudtalelse.",
    )
    response = _client(caseworker).post(
        reverse("indstilling_send", args=[punkt.sag_id, punkt.indstilling_id]),
        {"moede": str(moede.pk)},
    )
    assert response.status_code == 200
    assert "Sagen er allerede på dagsordenen for dette møde." in response.content.decode()


@pytest.mark.parametrize("role", ["leder", "udvalg"])
def test_leader_and_committee_read_the_indstilling(
    caseworker: User, moede: Udvalgsmoede, member: User, role: str
) -> None:
    punkt = _on_agenda(caseworker, moede)
    sag = punkt.sag
    user = member if role == "udvalg" else UserFactory(leder=True, teams=[sag.team])
    client = _client(user)
    html = _indstilling_page(client, sag)
    assert "Du har læseadgang" in html
    assert "Baggrundsoplysninger" in html
    assert "<textarea" not in html
    response = client.post(reverse("indstilling", args=[sag.pk]), {"indstilling": "x"})
    assert response.status_code == 404
    assert Indstilling.objects.count() == 1


@pytest.mark.parametrize("role", ["sagsbehandler_ude", "udfoerer", "udvalg_ude"])
def test_users_outside_the_case_get_404_on_the_indstilling(
    caseworker: User, moede: Udvalgsmoede, role: str
) -> None:
    punkt = _on_agenda(caseworker, moede)
    user = {
        "sagsbehandler_ude": lambda: UserFactory(),
        "udfoerer": lambda: UserFactory(udfoerer=True),
        "udvalg_ude": lambda: UserFactory(udvalgsmedlem=True),
    }[role]()
    client = _client(user)
    sag_pk, ind_pk = punkt.sag_id, punkt.indstilling_id
    assert client.get(reverse("indstilling", args=[sag_pk])).status_code == 404
    assert client.get(reverse("indstilling_pdf", args=[sag_pk, ind_pk])).status_code == 404
    assert client.post(reverse("indstilling", args=[sag_pk]), {"indstilling": "x"}).status_code == (
        404
    )


# The committee's pages


def test_the_member_sees_mine_moeder_and_the_meeting(
    caseworker: User, moede: Udvalgsmoede, member: User
) -> None:
    first = _on_agenda(caseworker, moede)
    _on_agenda(caseworker, moede)
    udvalg_outcome_record(actor=member, punkt=first, udfald=udfald(GODKENDES))
    client = _client(member)

    response = client.get(reverse("home"))
    assert response["Location"] == reverse("udvalg_moeder")
    html = client.get(reverse("udvalg_moeder")).content.decode()
    assert "Visitationsudvalget Voksen" in html
    assert reverse("udvalgsmoede", args=[moede.pk]) in html
    assert "1 af 2" in html
    assert ">Møder</a>" in html

    before = AuditEvent.objects.count()
    response = client.get(reverse("udvalgsmoede", args=[moede.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    borger = first.sag.borger
    assert borger.navn in html
    assert borger.cpr_masked in html
    assert borger.cpr not in html
    assert reverse("udvalg_punkt", args=[moede.pk, first.pk]) in html
    assert html.count("Registrér udfald<") == 1  # the decided item shows its outcome instead
    listed = AuditEvent.objects.filter(action=AuditAction.LIST, summary__startswith="Dagsorden")
    assert listed.count() == 2
    assert AuditEvent.objects.count() == before + 2

    # The indstilling as a page inside the meeting, and its frozen PDF.
    page = client.get(reverse("udvalg_punkt", args=[moede.pk, first.pk]))
    assert page.status_code == 200
    assert "Indstilling til indsats eller afslag" in page.content.decode()
    pdf = client.get(reverse("udvalg_indstilling_pdf", args=[moede.pk, first.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_id=str(first.indstilling_id), actor=member
    ).exists()


def test_approval_moves_the_case_to_afgoerelse_with_a_deadline(
    caseworker: User, moede: Udvalgsmoede, member: User
) -> None:
    punkt = _on_agenda(caseworker, moede)
    response = _client(member).post(
        reverse("udvalg_udfald", args=[moede.pk, punkt.pk]),
        {"udfald": str(udfald(GODKENDES).pk), "aendringer": "", "begrundelse": ""},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#punkt-{punkt.pk}")
    sag = Sag.objects.get(pk=punkt.sag_id)
    assert sag.fase == Fase.AFGOERELSE
    html = _client(caseworker).get(reverse("sag_detail", args=[sag.pk])).content.decode()
    assert 'id="aktuel-fase">Afgørelse<' in html
    assert "Skriftlig afgørelse efter visitationsudvalget" in html
    assert reverse("indstilling", args=[sag.pk]) in html
    assert "Godkendt" in _indstilling_page(_client(caseworker), sag)


def test_a_returned_indstilling_shows_the_reasons_to_the_caseworker(
    caseworker: User, moede: Udvalgsmoede, member: User
) -> None:
    punkt = _on_agenda(caseworker, moede)
    response = _client(member).post(
        reverse("udvalg_udfald", args=[moede.pk, punkt.pk]),
        {"udfald": str(udfald(RETURNERES).pk), "begrundelse": "Indhent udtalelse fra egen læge."},
    )
    assert response.status_code == 302
    sag = Sag.objects.get(pk=punkt.sag_id)
    assert sag.fase == Fase.SAGSVURDERING
    html = _indstilling_page(_client(caseworker), sag)
    assert "Returneret" in html
    assert "Indhent udtalelse fra egen læge." in html
    assert "Send til visitationsudvalget</button>" in html  # it may go to a later meeting


def test_an_outcome_without_its_explanation_keeps_the_input(
    caseworker: User, moede: Udvalgsmoede, member: User
) -> None:
    punkt = _on_agenda(caseworker, moede)
    response = _client(member).post(
        reverse("udvalg_udfald", args=[moede.pk, punkt.pk]),
        {"udfald": str(udfald(MED_AENDRINGER).pk), "begrundelse": "Timetallet er for højt."},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Angiv hvad udvalget ændrede." in html
    assert f'id="id_p{punkt.pk}_aendringer_fejl"' in html
    assert 'aria-invalid="true"' in html
    assert "Timetallet er for højt." in html
    assert Dagsordenspunkt.objects.get(pk=punkt.pk).udfald is None


def test_before_the_meeting_day_the_page_offers_no_outcome_forms(
    caseworker: User, moede: Udvalgsmoede, member: User
) -> None:
    punkt = _on_agenda(caseworker, moede)
    day = timezone.localdate() + timedelta(days=7)
    Udvalgsmoede.objects.filter(pk=moede.pk).update(dato=day)
    client = _client(member)
    html = client.get(reverse("udvalgsmoede", args=[moede.pk])).content.decode()
    assert reverse("udvalg_udfald", args=[moede.pk, punkt.pk]) not in html
    assert reverse("udvalgsmoede_afslut", args=[moede.pk]) not in html
    assert f"Udfaldet registreres på mødet {day:%d.%m.%Y}." in html
    response = client.post(
        reverse("udvalg_udfald", args=[moede.pk, punkt.pk]),
        {"udfald": str(udfald(MED_AENDRINGER).pk), "aendringer": "Færre timer."},
    )
    assert "registreres på mødet eller derefter" in response.content.decode()
    assert Dagsordenspunkt.objects.get(pk=punkt.pk).udfald is None


@pytest.mark.parametrize("role", ["other_member", "caseworker", "udfoerer"])
def test_others_get_404_on_the_meeting(caseworker: User, moede: Udvalgsmoede, role: str) -> None:
    punkt = _on_agenda(caseworker, moede)
    if role == "other_member":
        user = UserFactory(udvalgsmedlem=True)
        VisitationsudvalgFactory().medlemmer.add(user)
    elif role == "udfoerer":
        user = UserFactory(udfoerer=True)
    else:
        user = caseworker
    client = _client(user)
    for url in (
        reverse("udvalgsmoede", args=[moede.pk]),
        reverse("udvalg_punkt", args=[moede.pk, punkt.pk]),
        reverse("udvalg_indstilling_pdf", args=[moede.pk, punkt.pk]),
        reverse("udvalgsmoede_referat", args=[moede.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("udvalg_udfald", args=[moede.pk, punkt.pk]), {"udfald": str(udfald(GODKENDES).pk)}
    )
    assert response.status_code == 404
    assert client.post(reverse("udvalgsmoede_afslut", args=[moede.pk])).status_code == 404
    assert Dagsordenspunkt.objects.get(pk=punkt.pk).udfald is None
    if role != "other_member":
        assert client.get(reverse("udvalg_moeder")).status_code == 404


def test_an_item_of_another_meeting_is_404(
    caseworker: User, moede: Udvalgsmoede, member: User
) -> None:
    punkt = _on_agenda(caseworker, moede)
    later = Udvalgsmoede.objects.create(udvalg=moede.udvalg, dato=moede.dato + timedelta(days=28))
    client = _client(member)
    assert client.get(reverse("udvalg_punkt", args=[later.pk, punkt.pk])).status_code == 404
    assert client.get(reverse("udvalgsmoede", args=[999999])).status_code == 404


def test_closing_the_meeting_needs_every_outcome_then_gives_the_minutes(
    caseworker: User, moede: Udvalgsmoede, member: User
) -> None:
    punkt = _on_agenda(caseworker, moede)
    client = _client(member)
    response = client.post(reverse("udvalgsmoede_afslut", args=[moede.pk]))
    assert response.status_code == 200
    assert "Alle punkter på dagsordenen skal have et udfald." in response.content.decode()
    assert Udvalgsmoede.objects.get(pk=moede.pk).afsluttet is None

    client.post(
        reverse("udvalg_udfald", args=[moede.pk, punkt.pk]), {"udfald": str(udfald(GODKENDES).pk)}
    )
    response = client.post(reverse("udvalgsmoede_afslut", args=[moede.pk]))
    assert response.status_code == 302
    html = client.get(reverse("udvalgsmoede", args=[moede.pk])).content.decode()
    referat_url = reverse("udvalgsmoede_referat", args=[moede.pk])
    assert referat_url in html
    assert "Afslut møde" not in html
    response = client.get(referat_url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, actor=member, borger_id=punkt.sag.borger_id
    ).exists()


def _agenda_of(n: int, caseworker: User, member: User) -> Udvalgsmoede:
    """A meeting with n items, half of them decided; built directly (no assessment) as only the
    page's queries are measured."""
    udvalg = Visitationsudvalg.objects.create(navn=f"Udvalg med {n} punkter")
    udvalg.medlemmer.add(member)
    moede = Udvalgsmoede.objects.create(udvalg=udvalg, dato=timezone.localdate())
    godkendes = udfald(GODKENDES)
    for i in range(n):
        sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
        vurdering = Sagsvurdering.objects.create(sag=sag, oprettet_af=caseworker)
        indstilling = Indstilling.objects.create(
            sag=sag,
            vurdering=vurdering,
            indstilling=f"Indstilling {i}",
            status=Indstilling.Status.PAA_DAGSORDEN,
            pdf=b"%PDF-1.7",
            pdf_sha256="a" * 64,
            oprettet_af=caseworker,
        )
        decided = i % 2 == 0
        Dagsordenspunkt.objects.create(
            moede=moede,
            sag=sag,
            indstilling=indstilling,
            udfald=godkendes if decided else None,
            begrundelse="Godkendt." if decided else "",
            behandlet=timezone.now() if decided else None,
            behandlet_af=member if decided else None,
        )
    return moede


def test_the_meeting_page_costs_the_same_queries_for_2_and_8_items(
    caseworker: User, member: User
) -> None:
    client = _client(member)
    counts = []
    for n in (2, 8):
        moede = _agenda_of(n, caseworker, member)
        client.get(reverse("udvalgsmoede", args=[moede.pk]))  # warm the session and caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("udvalgsmoede", args=[moede.pk]))
        assert response.status_code == 200
        assert response.content.decode().count('<li class="agenda-item') == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_decision_route_shows_the_amount_rule(caseworker: User) -> None:
    """The decision route's reasons are shown as the service words them."""
    Kompetenceregel.objects.create(
        kommune=Kommune.objects.get(slug="viborg"), beloebsgraense_pr_aar=Decimal(200000)
    )
    sag = assessed_case(caseworker)
    html = _indstilling_page(_client(caseworker), sag)
    assert "Afgøres af visitationsudvalget" in html
    assert "overstiger grænsen på 200.000 kr." in html
