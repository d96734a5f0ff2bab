"""Documents frozen with a citizen's address before CPR protected it (vum/protected_documents.py):
the decision letter, the hearing's letter and the handleplan version stay the case's record as
sent, and the municipality's staff get them only on a confirmed request, audited; the page
and the API ask first, and nothing frozen after the protection, or addressed to someone else,
is held back."""

import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from django.db import connections
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from assessment.models import Brev, Partshoering
from assessment.services.afgoerelse import afgoerelse_send
from assessment.services.partshoering import minimum_answer_date, partshoering_send
from cases.models import Borger
from cases.services.borger import borger_cpr_refresh
from orders.models import Bestilling, HandleplanVersion
from orders.services import handleplan as handleplan_services
from orders.services.bestilling import bestillinger_send
from orders.services.handleplan import handleplan_finalise, handleplan_update
from tests.clock import local_instant
from tests.factories import SamtykkeFactory, UserFactory
from tests.mads import Mads, mads_decided, mads_time
from tests.pdf import pdf_text
from tests.peers.cpr import Person
from tests.test_cpr_lookup import Cpr

# The fixtures: the fake platform with CPR, the settings pointing at it, the catalog.
from tests.test_cpr_lookup import cpr as cpr
from tests.test_cpr_lookup import lookup_on as lookup_on
from tests.web.test_cpr_pages import catalog as catalog
from vum.accounts.models import User
from vum.audit.models import AuditEvent
from vum.protected_documents import CONFIRM_HEADER

STREET, POSTCODE, TOWN = "Skjulestien 4", "8999", "Gemmeby"
ASKED = "viser en beskyttet adresse"


def _frozen_with_address(caseworker: User) -> tuple[Mads, dict[str, tuple[str, str]]]:
    """Mads with a decision letter, a hearing's letter and a handleplan version, each frozen
    with his address; per document its web address and its API address."""
    mads = mads_decided(caseworker)
    borger = mads.sag.borger
    Borger.objects.filter(pk=borger.pk).update(adresse=STREET, postnummer=POSTCODE, by=TOWN)
    borger.refresh_from_db()
    # The decision letter went out in mads_decided; its correction is frozen with the address.
    (first,) = Brev.objects.filter(sag=mads.sag)
    brev = afgoerelse_send(actor=caseworker, afgoerelse=mads.afgoerelse, tekster={}, retter=first)
    hoering = partshoering_send(
        actor=caseworker,
        sag=mads.sag,
        hvad_hoeres="Statusnotat fra X-Hus om stoppet for støtten.",
        modtager=Partshoering.Modtager.BORGER,
        svarfrist=minimum_answer_date(),
    )
    handleplan_update(actor=caseworker, borger=borger, formaal="Egen bolig og uddannelse.")
    # A colleague finalises it; it is signed by the case's caseworker, as letters are.
    colleague = UserFactory(first_name="Kirsten", last_name="Kollega", teams=[mads.sag.team])
    handleplan_finalise(actor=colleague, borger=borger)
    sag = mads.sag.pk
    documents = {
        "brev": (
            reverse("afgoerelse_brev", args=[sag, mads.afgoerelse.pk, brev.pk]),
            reverse("api-brev-pdf", args=[sag, brev.pk]),
        ),
        "hoering": (
            reverse("partshoering_brev", args=[sag, hoering.pk]),
            reverse("api-partshoering-brev", args=[sag, hoering.pk]),
        ),
        "handleplan": (
            reverse("orders:handleplan-pdf", args=[borger.pk, 1]),
            reverse("api-handleplan-pdf", args=[borger.pk, 1]),
        ),
    }
    version = HandleplanVersion.objects.get(nummer=1)
    for frozen in (brev, hoering, version):
        # Each says it printed the address: no time need decide it.
        assert frozen.viser_adresse is True
    for pdf in (brev.pdf, hoering.brev_pdf, version.pdf):
        assert STREET in pdf_text(bytes(pdf))
    return mads, documents


PROTECTED = "2026-11-25 09:00"


@dataclass
class Protected:
    mads: Mads
    documents: dict[str, tuple[str, str]]
    borger: Borger


def _protect(lookup_on: Cpr, caseworker: User, borger: Borger) -> Borger:
    """A week later CPR protects Mads's address, and vum reads it."""
    lookup_on.fake.people[borger.cpr] = Person(
        fornavn="Mads", efternavn="Madsen", adressebeskyttet=True, vejnavn="Nyvej", husnummer="1"
    )
    with time_machine.travel(local_instant(PROTECTED), tick=False):
        return borger_cpr_refresh(actor=caseworker, borger=borger)


def _consent_to_x_hus(caseworker: User, mads: Mads) -> None:
    SamtykkeFactory(sag=mads.sag, til_tilbud=True, tilbud=mads.x_hus, registreret_af=caseworker)


@pytest.fixture
def protected(catalog: None, caseworker: User, lookup_on: Cpr) -> Protected:
    """The documents frozen with Mads's address; a week later CPR protects it."""
    mads, documents = _frozen_with_address(caseworker)
    borger = _protect(lookup_on, caseworker, mads.sag.borger)
    return Protected(mads=mads, documents=documents, borger=borger)


@mads_time
def test_a_document_frozen_before_the_protection_is_handed_out_only_when_confirmed(
    protected: Protected, caseworker: User, client: Client
) -> None:
    borger, documents = protected.borger, protected.documents
    assert borger.adressebeskyttet
    assert borger.adressebeskyttet_siden == local_instant(PROTECTED)

    client.force_login(caseworker)
    api = APIClient()
    api.force_authenticate(caseworker)
    for name, (page, endpoint) in documents.items():
        # The page asks first, and hands out nothing: nor is anything recorded as handed out.
        audited = AuditEvent.objects.count()
        asked = client.get(page)
        assert AuditEvent.objects.count() == audited, name
        assert asked.status_code == 200, name
        assert asked["Content-Type"].startswith("text/html"), name
        html = asked.content.decode()
        assert ASKED in html, name
        assert f'<form method="post" action="{page}"' in html, name
        assert "Hent dokumentet med adressen" in html
        assert STREET not in html
        # Confirmed, the record as it was sent.
        served = client.post(page)
        assert served.status_code == 200, name
        assert served["Content-Type"] == "application/pdf", name
        assert STREET in pdf_text(served.content), name
        # The API says what to send; with it, the same record.
        refused = api.get(endpoint)
        assert refused.status_code == 409, name
        assert refused.json()["header"] == CONFIRM_HEADER
        assert "navne- og adressebeskyttelse" in refused.json()["detail"]
        # A link cannot confirm: only the header does.
        assert api.get(endpoint, {"bekraeft_adressebeskyttelse": "ja"}).status_code == 409
        by_api = api.get(endpoint, headers={CONFIRM_HEADER: "ja"})
        assert by_api.status_code == 200, name
        assert by_api.content == served.content, name

    confirmed = AuditEvent.objects.filter(
        actor=caseworker,
        summary__endswith="med adresse fra før navne- og adressebeskyttelsen (bekræftet)",
    )
    assert confirmed.count() == 6  # each document, on the page and by the API
    assert {event.borger_id for event in confirmed} == {borger.pk}


@mads_time
def test_what_cannot_show_the_protected_address_is_handed_out_as_before(
    protected: Protected, caseworker: User, client: Client, lookup_on: Cpr
) -> None:
    borger, documents = protected.borger, protected.documents
    # A version finalised after the protection has no address to show.
    with time_machine.travel(local_instant("2026-11-26 09:00"), tick=False):
        client.force_login(caseworker)
        handleplan_update(actor=caseworker, borger=borger, formaal="Egen bolig, uddannelse, job.")
        handleplan_finalise(actor=caseworker, borger=borger)
        later = client.get(reverse("orders:handleplan-pdf", args=[borger.pk, 2]))
    assert later["Content-Type"] == "application/pdf"
    assert STREET not in pdf_text(later.content)

    # Lifted, the address is no longer protected: the records are handed out as before.
    lookup_on.fake.people[borger.cpr] = Person(fornavn="Mads", efternavn="Madsen")
    borger = borger_cpr_refresh(actor=caseworker, borger=borger)
    assert (borger.adressebeskyttet, borger.adressebeskyttet_siden) == (False, None)
    client.force_login(caseworker)
    for page, _ in documents.values():
        assert client.get(page)["Content-Type"] == "application/pdf", page


def test_a_document_from_before_it_said_whether_it_printed_the_address_goes_by_its_time() -> None:
    """Borger.shows_protected_address: a document says whether it printed the address; one from
    before that was kept (None) shows it when frozen before vum learned of the protection, or
    when that day is not known either."""
    before, learned, after = (
        local_instant("2026-11-01 10:00"),
        local_instant("2026-11-02 10:00"),
        local_instant("2026-11-03 10:00"),
    )
    free = Borger(adressebeskyttet=False)
    protected = Borger(adressebeskyttet=True, adressebeskyttet_siden=learned)
    protected_long = Borger(adressebeskyttet=True, adressebeskyttet_siden=None)
    assert not free.shows_protected_address(printed_address=True, frozen=before)
    assert protected.shows_protected_address(printed_address=True, frozen=after)
    assert not protected.shows_protected_address(printed_address=False, frozen=before)
    assert protected.shows_protected_address(printed_address=None, frozen=before)
    assert not protected.shows_protected_address(printed_address=None, frozen=after)
    assert protected_long.shows_protected_address(printed_address=None, frozen=after)


@mads_time
def test_a_letter_to_the_guardian_holds_the_guardians_address_and_is_not_held_back(
    catalog: None, caseworker: User, client: Client
) -> None:
    mads = mads_decided(caseworker)
    relation = mads.sag.borger.relationer.create(
        type="vaerge",
        navn="Malene Madsen",
        relation="Mor",
        adresse="Værgevej 2, 8900 Randers C",
        varetager_partsrettigheder=True,
    )
    hoering = partshoering_send(
        actor=caseworker,
        sag=mads.sag,
        hvad_hoeres="Statusnotat fra X-Hus om stoppet for støtten.",
        modtager=Partshoering.Modtager.VAERGE,
        modtager_relation=relation,
        svarfrist=minimum_answer_date(),
    )
    Borger.objects.filter(pk=mads.sag.borger_id).update(
        adressebeskyttet=True, adressebeskyttet_siden=local_instant("2026-11-25 09:00")
    )
    with time_machine.travel(local_instant("2026-11-26 09:00"), tick=False):
        client.force_login(caseworker)
        served = client.get(reverse("partshoering_brev", args=[mads.sag.pk, hoering.pk]))
    assert hoering.viser_adresse is False  # the guardian's address, not the citizen's
    assert served["Content-Type"] == "application/pdf"
    assert "Værgevej 2" in pdf_text(served.content)


@pytest.mark.now("2026-11-18 10:00")
def test_a_provider_cannot_reach_the_citizens_own_documents(
    catalog: None, caseworker: User
) -> None:
    mads, documents = _frozen_with_address(caseworker)
    Borger.objects.filter(pk=mads.sag.borger_id).update(adressebeskyttet=True)
    provider = UserFactory(udfoerer=True, organisation=mads.x_hus)
    client = Client()
    client.force_login(provider)
    api = APIClient()
    api.force_authenticate(provider)
    for page, endpoint in documents.values():
        # Confirming does not open the caseworker's documents to them, on the page or the API.
        assert client.post(page).status_code in (403, 404), page
        refused = api.get(endpoint, headers={CONFIRM_HEADER: "ja"})
        assert refused.status_code in (403, 404), endpoint
        assert refused["Content-Type"] == "application/json", endpoint


def _provider_gets_the_plan_without_the_address(
    caseworker: User, mads: Mads, bestilling: Bestilling
) -> bytes:
    """The provider's download of the plan sent with the order, on the page and by the API (the
    same document), without the address: version 1 as it was frozen otherwise."""
    provider = UserFactory(udfoerer=True, organisation=mads.x_hus)
    client = Client()
    client.force_login(provider)
    api = APIClient()
    api.force_authenticate(provider)
    served = [
        client.get(reverse("orders:udfoerer-bestilling-bilag", args=[bestilling.pk])),
        api.get(reverse("api-bestilling-bilag", args=[bestilling.pk])),
    ]
    for response in served:
        assert response.status_code == 200
        text = pdf_text(response.content)
        assert STREET not in text
        assert "Mads Madsen" in text
        assert "Egen bolig og uddannelse." in text  # version 1's purpose, as frozen
        assert "18. november 2026" in text  # dated as version 1 was finalised
        assert caseworker.get_full_name() in text  # signed as it was
        assert "Kollega" not in text
    assert served[0].content == served[1].content
    return served[0].content


@mads_time
def test_an_order_sent_before_the_protection_gives_the_provider_the_plan_without_it(
    catalog: None, caseworker: User, lookup_on: Cpr
) -> None:
    mads, _ = _frozen_with_address(caseworker)
    _consent_to_x_hus(caseworker, mads)
    (bestilling,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    assert bestilling.vedlagt_handleplan == Bestilling.Vedlaeg.HELE
    assert bestilling.bilag_viser_adresse is True
    assert STREET in pdf_text(bytes(bestilling.bilag_pdf))  # the record, as it was sent
    _protect(lookup_on, caseworker, mads.sag.borger)
    # The plan changes after the order went: the provider still gets version 1.
    handleplan_update(actor=caseworker, borger=mads.sag.borger, formaal="Noget helt andet.")

    served = _provider_gets_the_plan_without_the_address(caseworker, mads, bestilling)
    downloads = AuditEvent.objects.filter(
        summary="Vedlagt handleplan hentet, uden adresse (adressebeskyttelse)"
    )
    assert downloads.count() == 2
    # Rendered on the first download, then kept; the attachment stays the record.
    assert AuditEvent.objects.filter(summary__contains="udskrevet uden adresse").count() == 1
    bestilling.refresh_from_db()
    assert bytes(bestilling.bilag_uden_adresse) == served
    assert STREET in pdf_text(bytes(bestilling.bilag_pdf))


@mads_time
def test_an_order_sent_after_the_protection_attaches_the_plan_without_it(
    protected: Protected, caseworker: User
) -> None:
    _consent_to_x_hus(caseworker, protected.mads)
    (bestilling,) = bestillinger_send(actor=caseworker, afgoerelse=protected.mads.afgoerelse)
    assert bestilling.vedlagt_handleplan == Bestilling.Vedlaeg.HELE
    assert bestilling.bilag_viser_adresse is False
    assert bestilling.handleplan_version.nummer == 1
    attached = pdf_text(bytes(bestilling.bilag_pdf))
    assert STREET not in attached
    assert "Egen bolig og uddannelse." in attached
    _provider_gets_the_plan_without_the_address(caseworker, protected.mads, bestilling)


def _in_thread(work: Callable[[], object]) -> threading.Thread:
    """`work` started in a thread of its own, with its own database connection."""

    def run() -> None:
        try:
            work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@mads_time
@pytest.mark.django_db(transaction=True)  # two real transactions, each in a thread
def test_a_protection_found_while_a_version_is_rendered_still_covers_it(
    catalog: None, caseworker: User, client: Client, lookup_on: Cpr, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The version says itself whether it printed the address, from the reading it rendered:
    no timestamp decides it, so a protection committed between the reading and the version's
    timestamp cannot slip between them (no lock is needed, nor agreeing clocks)."""
    mads = mads_decided(caseworker)
    borger = mads.sag.borger
    street = borger.adresse
    handleplan_update(actor=caseworker, borger=borger, formaal="Egen bolig og uddannelse.")
    lookup_on.fake.people[borger.cpr] = Person(
        fornavn="Mads", efternavn="Madsen", adressebeskyttet=True, vejnavn="Nyvej", husnummer="1"
    )
    rendering, go = threading.Event(), threading.Event()
    render = handleplan_services.handleplan_pdf

    def slow_render(**kwargs):  # type: ignore[no-untyped-def]
        rendering.set()  # the citizen's address is read; the version is not yet frozen
        assert go.wait(10)
        return render(**kwargs)

    monkeypatch.setattr(handleplan_services, "handleplan_pdf", slow_render)
    finalising = _in_thread(lambda: handleplan_finalise(actor=caseworker, borger=borger))
    assert rendering.wait(10)
    looking_up = _in_thread(lambda: borger_cpr_refresh(actor=caseworker, borger=borger))
    looking_up.join(10)
    go.set()
    finalising.join(10)
    assert not looking_up.is_alive()
    assert not finalising.is_alive()

    version = HandleplanVersion.objects.get(handleplan__borger=borger)
    borger.refresh_from_db()
    assert borger.adressebeskyttet
    assert borger.adressebeskyttet_siden < version.endelig  # the protection came first in time
    assert street in pdf_text(bytes(version.pdf))  # yet the version printed the address read
    assert version.viser_adresse is True
    assert version.shows_protected_address
    client.force_login(caseworker)
    page = client.get(reverse("orders:handleplan-pdf", args=[borger.pk, version.nummer]))
    assert ASKED in page.content.decode()
