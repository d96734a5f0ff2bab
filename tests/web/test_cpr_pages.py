"""The citizen register's pages with CPR lookup (SF1520) against the fake Serviceplatformen:
registration from CPR and its typed fallback, "Hent fra CPR" on the citizen page, a relation's
CPR number, and name and address protection across every page, API answer and PDF a
caseworker or provider can open for a protected citizen."""

from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Borger, Sag
from orders.models import Bestilling
from orders.services.bestilling import bestilling_pdf_without_address, bestillinger_send
from orders.services.handleplan import handleplan_finalise, handleplan_update
from tests import test_cpr_lookup
from tests.clock import local_instant
from tests.factories import SagFactory, UserFactory
from tests.mads import mads_decided, mads_time
from tests.pdf import pdf_text
from tests.peers.serviceplatformen import Fault
from tests.test_cpr_lookup import ANNA, FEJL, UKENDT, Cpr
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.serviceplatformen.cpr import SF1520

OPRET = reverse("borger_create")
# The fake platform with CPR, and the settings that point vum at it.
cpr = test_cpr_lookup.cpr
lookup_on = test_cpr_lookup.lookup_on


def _verified_page(client: Client, borger: Borger) -> str:
    return client.get(reverse("borger_detail", args=[borger.pk])).content.decode()


# Registration


@pytest.mark.now("2026-11-18 10:00", tick=False)
def test_with_lookup_on_the_caseworker_types_the_number_and_cpr_gives_the_rest(
    lookup_on: Cpr, caseworker: User, client: Client
) -> None:
    client.force_login(caseworker)
    form = client.get(OPRET).content.decode()
    assert 'name="hent_fra_cpr"' in form
    assert 'name="fornavn"' not in form

    response = client.post(OPRET, {"cpr": "050382-4128", "hent_fra_cpr": "1"})

    borger = Borger.objects.get(cpr=ANNA)
    assert response["Location"] == reverse("borger_detail", args=[borger.pk])
    page = _verified_page(client, borger)
    assert "Anna Marie Holm" in page
    assert "Vestergade 12, 2. th, 8900 Randers C" in page
    assert "Verificeret i CPR 18.11.2026 10:00" in page
    assert "Hent fra CPR" in page


@pytest.mark.parametrize(
    "fault", [Fault(status=500), Fault(malformed=True), Fault(delay=1.5)], ids=str
)
def test_when_cpr_cannot_answer_the_typed_form_keeps_the_number(
    lookup_on: Cpr, caseworker: User, client: Client, fault: Fault
) -> None:
    client.force_login(caseworker)
    # A timeout is retried once (VUM_SERVICEPLATFORMEN_ATTEMPTS = 2): both must fail.
    lookup_on.platform.fail_next(SF1520.path, fault, fault)

    fallback = client.post(OPRET, {"cpr": "050382-4128", "hent_fra_cpr": "1"}).content.decode()

    assert "CPR kunne ikke svare:" in fallback
    assert "markeret som ikke verificeret i CPR" in fallback
    assert 'value="050382-4128"' in fallback
    assert 'name="fornavn"' in fallback
    response = client.post(
        OPRET, {"cpr": "050382-4128", "fornavn": "Anna", "efternavn": "Holm", "postnummer": ""}
    )
    borger = Borger.objects.get(cpr=ANNA)
    assert response["Location"] == reverse("borger_detail", args=[borger.pk])
    assert borger.cpr_opslag is None
    assert "Ikke verificeret i CPR" in _verified_page(client, borger)


def test_a_number_cpr_does_not_know_is_said_at_the_field(
    lookup_on: Cpr, caseworker: User, client: Client
) -> None:
    client.force_login(caseworker)

    page = client.post(OPRET, {"cpr": UKENDT, "hent_fra_cpr": "1"}).content.decode()
    fault = client.post(OPRET, {"cpr": FEJL, "hent_fra_cpr": "1"}).content.decode()

    assert "CPR kender ikke dette CPR-nummer. Tjek nummeret." in page
    assert 'name="fornavn"' not in page
    assert "CPR kunne ikke svare:" in fault
    assert not Borger.objects.exists()


def test_with_lookup_off_the_typed_form_as_before(caseworker: User, client: Client) -> None:
    client.force_login(caseworker)

    form = client.get(OPRET).content.decode()
    client.post(OPRET, {"cpr": ANNA, "fornavn": "Anna", "efternavn": "Holm"})

    assert 'name="fornavn"' in form
    assert "Hent fra CPR" not in form
    page = _verified_page(client, Borger.objects.get(cpr=ANNA))
    assert "Ikke verificeret i CPR" in page
    assert "Hent fra CPR" not in page  # the lookup is off


# "Hent fra CPR" on the citizen page


@pytest.mark.now("2026-11-18 10:00", tick=False)
def test_hent_fra_cpr_replaces_the_typed_details(
    lookup_on: Cpr, caseworker: User, client: Client
) -> None:
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    Borger.objects.filter(pk=sag.borger_id).update(cpr=ANNA, fornavn="Ane", adresse="Gammelvej 1")
    borger = Borger.objects.get(pk=sag.borger_id)
    client.force_login(caseworker)

    response = client.post(
        reverse("borger_cpr_refresh", args=[borger.pk]), {"version": borger.version}
    )

    assert response.status_code == 302
    page = _verified_page(client, borger)
    assert "Oplysningerne er hentet fra CPR." in page
    assert "Anna Marie Holm" in page
    assert "Gammelvej" not in page
    assert "Verificeret i CPR 18.11.2026 10:00" in page


def test_hent_fra_cpr_on_an_old_page_changes_nothing(
    lookup_on: Cpr, caseworker: User, client: Client
) -> None:
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    Borger.objects.filter(pk=sag.borger_id).update(cpr=ANNA, version=4)
    client.force_login(caseworker)

    stale = client.post(reverse("borger_cpr_refresh", args=[sag.borger_id]), {"version": 3})
    lookup_on.platform.fail_next(SF1520.path, Fault(status=500))
    failed = client.post(reverse("borger_cpr_refresh", args=[sag.borger_id]), {"version": 4})

    assert stale.status_code == 409
    assert "ændret af en anden" in stale.content.decode()
    assert "CPR kunne ikke svare:" in failed.content.decode()
    assert Borger.objects.get(pk=sag.borger_id).cpr_opslag is None


def test_only_who_may_edit_the_citizen_may_fetch_from_cpr(
    lookup_on: Cpr, caseworker: User, client: Client
) -> None:
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    client.force_login(UserFactory())  # a caseworker of another team

    response = client.post(reverse("borger_cpr_refresh", args=[sag.borger_id]), {"version": 1})

    assert response.status_code == 404
    assert lookup_on.fake.asked == []


# A relation's CPR number


def test_a_relation_takes_a_cpr_number_and_refuses_a_wrong_one(
    caseworker: User, client: Client
) -> None:
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    client.force_login(caseworker)
    url = reverse("relation_add", args=[sag.borger_id])
    fields = {"type": "paaroerende", "navn": "Birthe Dahl", "relation": "mor"}

    wrong = client.post(url, {**fields, "cpr": "3202601234"}).content.decode()
    client.post(url, {**fields, "cpr": "120660-4321"})

    assert "CPR-nummeret indeholder ikke en gyldig fødselsdato." in wrong
    assert sag.borger.relationer.get().cpr == "1206604321"


# Name and address protection

SECRET_STREET = "Hemmelig Allé 99"
SECRET_TOWN = "Skjulby"


@pytest.fixture
def catalog(db: None, settings: Any, tmp_path: Path) -> None:
    settings.VUM_MUNICIPALITY = "randers"
    settings.VUM_LETTER_DIR = tmp_path / "breve"
    call_command("load_catalog", verbosity=0)


def _hidden(text: str) -> bool:
    return SECRET_STREET not in text and SECRET_TOWN not in text and "8999" not in text


@mads_time
def test_a_protected_address_is_on_no_page_api_answer_or_pdf(
    catalog: None, caseworker: User, client: Client
) -> None:
    mads = mads_decided(caseworker)
    borger = mads.sag.borger
    # Protected since before anything was frozen (with an address vum should not hold).
    Borger.objects.filter(pk=borger.pk).update(
        adressebeskyttet=True,
        adressebeskyttet_siden=local_instant("2026-11-01 00:00"),
        adresse=SECRET_STREET,
        postnummer="8999",
        by=SECRET_TOWN,
    )
    (bestilling,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    handleplan_update(actor=caseworker, borger=borger, formaal="Egen bolig og uddannelse.")
    handleplan_finalise(actor=caseworker, borger=borger)
    provider = UserFactory(udfoerer=True, organisation=mads.x_hus)
    administrator = UserFactory(administrator=True)

    client.force_login(caseworker)
    caseworker_pages = [
        reverse("borger_detail", args=[borger.pk]),
        reverse("sag_detail", args=[mads.sag.pk]),
        reverse("sag_udskrift", args=[mads.sag.pk]),
        reverse("sag_journal_udskrift", args=[mads.sag.pk]),
        reverse("orders:handleplan", args=[borger.pk]),
        reverse("orders:sag-bestillinger", args=[mads.sag.pk]),
    ]
    caseworker_pdfs = [
        reverse("orders:sag-bestilling-pdf", args=[mads.sag.pk, bestilling.pk]),
        reverse("orders:handleplan-pdf", args=[borger.pk, 1]),
    ]
    for url in caseworker_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _hidden(response.content.decode()), url
    assert "Navne- og adressebeskyttet" in client.get(caseworker_pages[0]).content.decode()
    for url in caseworker_pdfs:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _hidden(pdf_text(response.content)), url

    # A bestilling frozen before CPR protected the address still holds it: not shown either.
    bestilling.indhold["baggrund"]["adresse"] = f"{SECRET_STREET}, 8999 {SECRET_TOWN}"
    type(bestilling).objects.filter(pk=bestilling.pk).update(indhold=bestilling.indhold)

    client.force_login(provider)
    for url in [
        reverse("orders:udfoerer-borgere"),
        reverse("orders:udfoerer-borger", args=[borger.pk]),
        reverse("orders:udfoerer-bestilling", args=[bestilling.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _hidden(response.content.decode()), url
    provider_pdf = client.get(reverse("orders:udfoerer-bestilling-pdf", args=[bestilling.pk]))
    assert _hidden(pdf_text(provider_pdf.content))

    api = APIClient()
    for user, url in [
        (caseworker, reverse("api-borger-detail", args=[borger.pk])),
        (provider, reverse("api-bestilling-detail", args=[bestilling.pk])),
    ]:
        api.force_authenticate(user)
        response = api.get(url)
        assert response.status_code == 200, url
        assert _hidden(response.content.decode()), url

    client.force_login(administrator)
    log_pdf = client.get(reverse("borger_log_pdf", args=[borger.pk]))
    log_csv = client.get(reverse("borger_log_csv", args=[borger.pk]))
    assert _hidden(pdf_text(log_pdf.content))
    assert _hidden(log_csv.content.decode())


@mads_time
def test_an_order_sent_before_cpr_protected_the_address_is_served_without_it(
    catalog: None, caseworker: User, client: Client
) -> None:
    mads = mads_decided(caseworker)
    borger = mads.sag.borger
    Borger.objects.filter(pk=borger.pk).update(
        adresse=SECRET_STREET, postnummer="8999", by=SECRET_TOWN
    )
    # A colleague sends the order; it is signed by the case's caseworker, as letters are.
    colleague = UserFactory(first_name="Kirsten", last_name="Kollega", teams=[mads.sag.team])
    (bestilling,) = bestillinger_send(actor=colleague, afgoerelse=mads.afgoerelse)
    frozen = bytes(bestilling.pdf)
    assert not _hidden(pdf_text(frozen))  # the order went out with the address
    assert caseworker.get_full_name() in pdf_text(frozen)
    # CPR protects the citizen since (a lookup clears the address).
    Borger.objects.filter(pk=borger.pk).update(
        adressebeskyttet=True, adresse="", postnummer="", by=""
    )
    provider = UserFactory(udfoerer=True, organisation=mads.x_hus)
    # Another caseworker has the case by now; the order stays signed by the one who sent it.
    successor = UserFactory(first_name="Tove", last_name="Efterfølger", teams=[mads.sag.team])
    Sag.objects.filter(pk=mads.sag.pk).update(sagsbehandler=successor)

    with time_machine.travel(local_instant("2026-12-01 10:00"), tick=False):  # weeks later
        client.force_login(provider)
        served = client.get(reverse("orders:udfoerer-bestilling-pdf", args=[bestilling.pk]))
        client.force_login(caseworker)
        to_caseworker = client.get(
            reverse("orders:sag-bestilling-pdf", args=[mads.sag.pk, bestilling.pk])
        )
        api = APIClient()
        api.force_authenticate(provider)
        by_api = api.get(reverse("api-bestilling-pdf", args=[bestilling.pk]))

    for response in (served, to_caseworker, by_api):
        assert response.status_code == 200
        text = pdf_text(response.content)
        assert _hidden(text)
        assert "Navne- og adressebeskyttet" in text
        assert borger.navn in text
        assert "Dato: 18. november 2026" in text  # dated as it was sent
        assert caseworker.get_full_name() in text  # signed as it was sent
        assert "Efterfølger" not in text
        assert "Kollega" not in text
    assert by_api["X-Content-SHA256"] != bestilling.sha256  # not the frozen bytes
    # Rendered once, on the first download, then kept: everyone gets the same document.
    assert served.content == to_caseworker.content == by_api.content
    (rendered,) = AuditEvent.objects.filter(summary__contains="udskrevet uden adresse")
    assert (rendered.actor, rendered.action) == (provider, AuditAction.PRINT)
    bestilling.refresh_from_db()
    assert bytes(bestilling.pdf) == frozen  # the record is kept as it was sent
    assert bytes(bestilling.pdf_uden_adresse) == served.content
    # A second first download that rendered meanwhile (it read the order before the first was
    # saved) gets the one kept, and keeps no second.
    stale = Bestilling.objects.get(pk=bestilling.pk)
    stale.pdf_uden_adresse = None
    with time_machine.travel(local_instant("2026-12-02 10:00"), tick=False):
        late = bestilling_pdf_without_address(actor=caseworker, bestilling=stale)
    assert late.content == served.content
    assert AuditEvent.objects.filter(summary__contains="udskrevet uden adresse").count() == 1
    assert AuditEvent.objects.filter(
        actor=caseworker, summary="Bestilling (PDF) hentet, uden adresse (adressebeskyttelse)"
    ).exists()
