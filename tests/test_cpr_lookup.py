"""CPR lookup (SF1520 PersonBaseDataExtended) through the Serviceplatformen client against the
fake Serviceplatformen with a fake CPR (tests/peers/cpr.py), and the citizen register's services
that store what CPR says: registration from CPR and refresh on demand."""

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Borger, Relation
from cases.services.borger import borger_cpr_refresh, borger_create_from_cpr, borger_update
from tests.factories import BorgerFactory, SagFactory
from tests.peers.certificates import make_certificate
from tests.peers.cpr import FakeCpr, Person
from tests.peers.serviceplatformen import FakeServiceplatformen, Fault, point_settings_at
from vum.accounts.models import User
from vum.audit.models import AuditEvent
from vum.serviceplatformen.client import Config, ServiceplatformenClient, ServiceplatformenError
from vum.serviceplatformen.cpr import (
    SF1520,
    SOAP_ACTION,
    PersonIkkeFundet,
    lookup_enabled,
    person_lookup,
    request_envelope,
)
from vum.versions import StaleVersion

CVR = "29189846"
ANNA = "0503824128"
SKJULT = "1107794012"
DOED = "2309414117"
UMYNDIG = "1402884235"
UKENDT = "0101901111"
FEJL = "0202902222"
PEOPLE = {
    ANNA: Person(
        fornavn="Anna",
        mellemnavn="Marie",
        efternavn="Holm",
        vejnavn="Vestergade",
        husnummer="12",
        etage="2",
        sidedoer="th",
        civilstand="G",
    ),
    SKJULT: Person(
        fornavn="Sofie",
        efternavn="Lund",
        vejnavn="Hemmeligvej",
        husnummer="7",
        postnummer="8940",
        postdistrikt="Randers SV",
        adressebeskyttet=True,
    ),
    DOED: Person(
        fornavn="Karl",
        efternavn="Berg",
        civilstand="E",
        status="90",
        statusdato=date(2026, 10, 30),
    ),
    UMYNDIG: Person(
        fornavn="Jonas",
        efternavn="Dahl",
        vaerge_navn="Birthe Dahl",
        vaerge_cpr="1206604321",
        umyndiggjort=True,
    ),
}


@dataclass
class Cpr:
    platform: FakeServiceplatformen
    fake: FakeCpr
    config: Config


@pytest.fixture
def cpr(tmp_path: Path) -> Iterator[Cpr]:
    cert, key = make_certificate("kommunen-foces", tmp_path / "kommunen")
    fake = FakeCpr(people=dict(PEOPLE), faults={FEJL})
    with FakeServiceplatformen(
        tmp_path / "platform",
        municipality_cert=cert,
        cvr=CVR,
        services={SF1520.entity_id: SF1520.path},
        handlers={SF1520.path: fake},
    ) as platform:
        config = Config(
            base_url=platform.base_url,
            sts_url=platform.sts_url,
            cvr=CVR,
            cert_file=str(cert),
            key_file=str(key),
            verify=str(platform.cert_path),
            timeout=1.0,
            attempts=2,
            backoff=0.01,
        )
        yield Cpr(platform=platform, fake=fake, config=config)


@pytest.fixture
def lookup_on(cpr: Cpr, settings: Any) -> Cpr:
    """The settings a deployment would have, pointed at the fake platform."""
    settings.VUM_CPR_LOOKUP = True
    point_settings_at(
        settings,
        cpr.platform,
        cvr=CVR,
        cert=Path(cpr.config.cert_file),
        key=Path(cpr.config.key_file),
    )
    settings.VUM_SERVICEPLATFORMEN_ATTEMPTS = cpr.config.attempts  # the faults queued count on it
    return cpr


def lookup(cpr: Cpr, number: str) -> object:
    return person_lookup(number, client=ServiceplatformenClient(cpr.config))


# The lookup


def test_a_person_is_read_with_name_address_and_civil_status(cpr: Cpr) -> None:
    person = person_lookup(ANNA, client=ServiceplatformenClient(cpr.config))

    assert (person.fornavne, person.efternavn) == ("Anna Marie", "Holm")
    assert (person.adresse, person.postnummer, person.by) == (
        "Vestergade 12, 2. th",
        "8900",
        "Randers C",
    )
    assert person.civilstand == "Gift"
    assert person.doedsdato is None
    assert not person.adressebeskyttet
    assert person.vaerge is None
    assert cpr.fake.asked == [ANNA]
    assert [(c.endpoint, c.status) for c in cpr.platform.calls] == [
        ("sts", 200),
        ("token", 200),
        (SF1520.path, 200),
    ]


def test_protection_death_and_guardianship_are_read(cpr: Cpr) -> None:
    client = ServiceplatformenClient(cpr.config)

    skjult = person_lookup(SKJULT, client=client)
    doed = person_lookup(DOED, client=client)
    umyndig = person_lookup(UMYNDIG, client=client)

    assert skjult.adressebeskyttet
    assert doed.doedsdato == date(2026, 10, 30)
    assert doed.civilstand == "Enke/enkemand"
    assert umyndig.vaerge is not None
    assert (umyndig.vaerge.navn, umyndig.vaerge.cpr) == ("Birthe Dahl", "1206604321")
    assert umyndig.vaerge.frataget_handleevne


def test_the_fake_refuses_a_request_outside_the_service_contract(cpr: Cpr) -> None:
    """What vum sends passes the contract's schema (the tests above); this shows the fake
    checks it: a request with the number in the wrong element is refused."""
    bad = request_envelope(ANNA).replace("<PNR ", "<CPR ").replace("</PNR>", "</CPR>")

    with pytest.raises(ServiceplatformenError) as refused:
        ServiceplatformenClient(cpr.config).call(
            SF1520,
            "PersonLookup",
            idempotent=True,
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{SOAP_ACTION}"'},
            data=bad.encode(),
        )

    assert refused.value.status == 400
    assert "ugyldig forespørgsel" in cpr.platform.calls[-1].detail
    assert cpr.fake.asked == []


def test_a_number_cpr_does_not_know_is_its_own_error(cpr: Cpr) -> None:
    with pytest.raises(PersonIkkeFundet) as unknown:
        lookup(cpr, UKENDT)

    assert unknown.value.reason == "CPR kender ikke dette CPR-nummer. Tjek nummeret."
    assert UKENDT not in unknown.value.reason


def test_a_soap_fault_is_a_clear_error_without_the_number(cpr: Cpr) -> None:
    with pytest.raises(ServiceplatformenError) as fault:
        lookup(cpr, FEJL)

    assert not isinstance(fault.value, PersonIkkeFundet)
    assert fault.value.reason == "CPR-opslag (SF1520) afviste opslaget (SOAP-fejl, 500)."
    assert not fault.value.retryable


def test_a_500_is_a_clear_error(cpr: Cpr) -> None:
    cpr.platform.fail_next(SF1520.path, Fault(status=500))

    with pytest.raises(ServiceplatformenError) as failed:
        lookup(cpr, ANNA)

    assert failed.value.reason == "CPR-opslag (SF1520) er ikke til rådighed lige nu (500)."


def test_a_malformed_reply_is_a_clear_error(cpr: Cpr) -> None:
    cpr.platform.fail_next(SF1520.path, Fault(malformed=True))

    with pytest.raises(ServiceplatformenError) as unreadable:
        lookup(cpr, ANNA)

    assert unreadable.value.reason == "CPR-opslag (SF1520) gav et svar, vum ikke kan læse."


def test_a_timeout_is_retried_and_then_a_clear_error(cpr: Cpr) -> None:
    cpr.platform.fail_next(SF1520.path, Fault(delay=1.5))
    assert lookup(cpr, ANNA).efternavn == "Holm"  # type: ignore[attr-defined]

    cpr.platform.fail_next(SF1520.path, Fault(delay=1.5), Fault(delay=1.5))
    with pytest.raises(ServiceplatformenError) as slow:
        lookup(cpr, ANNA)

    assert slow.value.reason == "CPR-opslag (SF1520) svarede ikke inden for 1 sekunder."
    assert slow.value.retryable


def test_no_cpr_number_in_the_log(cpr: Cpr, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="vum.serviceplatformen.client"):
        lookup(cpr, ANNA)
        with pytest.raises(PersonIkkeFundet):
            lookup(cpr, UKENDT)

    lines = [record.getMessage() for record in caplog.records]
    assert lines
    assert not any(ANNA in line or UKENDT in line for line in lines)


def test_the_lookup_is_off_unless_switched_on_with_the_platform(
    settings: Any,
) -> None:
    assert not lookup_enabled()
    settings.VUM_CPR_LOOKUP = True
    assert not lookup_enabled()  # VUM_SERVICEPLATFORMEN is still "off"
    with pytest.raises(ServiceplatformenError) as off:
        person_lookup(ANNA)
    assert "ikke slået til" in off.value.reason
    settings.VUM_SERVICEPLATFORMEN = "test"
    assert lookup_enabled()


# The services


@pytest.mark.django_db
@pytest.mark.now("2026-11-18 10:00", tick=False)
def test_a_citizen_registered_from_cpr_is_verified_now(lookup_on: Cpr, caseworker: User) -> None:
    borger = borger_create_from_cpr(actor=caseworker, cpr="050382-4128")

    borger.refresh_from_db()
    assert (borger.fornavn, borger.efternavn, borger.adresse) == (
        "Anna Marie",
        "Holm",
        "Vestergade 12, 2. th",
    )
    assert borger.civilstand == "Gift"
    assert borger.cpr_opslag is not None
    assert borger.cpr_opslag.isoformat() == "2026-11-18T09:00:00+00:00"
    event = AuditEvent.objects.get(borger_id=borger.pk, summary="Borger oprettet fra CPR")
    assert "Holm" not in event.summary
    assert "Vestergade" not in event.summary


@pytest.mark.django_db
def test_a_protected_citizens_address_is_not_kept(lookup_on: Cpr, caseworker: User) -> None:
    borger = borger_create_from_cpr(actor=caseworker, cpr=SKJULT)

    assert borger.adressebeskyttet
    assert (borger.adresse, borger.postnummer, borger.by) == ("", "", "")
    assert borger.visible_address == "Navne- og adressebeskyttet"
    with pytest.raises(ValidationError, match="adressebeskyttelse"):
        borger_update(actor=caseworker, borger=borger, adresse="Hemmeligvej 7")
    assert Borger.objects.get(pk=borger.pk).adresse == ""


@pytest.mark.django_db
def test_details_typed_over_what_cpr_gave_are_no_longer_verified(
    lookup_on: Cpr, caseworker: User
) -> None:
    borger = borger_create_from_cpr(actor=caseworker, cpr=ANNA)
    borger = borger_update(actor=caseworker, borger=borger, telefon="12345678")
    assert borger.cpr_opslag is not None  # a phone number is not CPR's

    borger = borger_update(actor=caseworker, borger=borger, efternavn="Holm-Jensen")
    assert Borger.objects.get(pk=borger.pk).cpr_opslag is None


@pytest.mark.django_db
def test_the_guardian_cpr_holds_becomes_a_relation(lookup_on: Cpr, caseworker: User) -> None:
    borger = borger_create_from_cpr(actor=caseworker, cpr=UMYNDIG)

    vaerge = Relation.objects.get(borger=borger)
    assert (vaerge.type, vaerge.navn, vaerge.cpr) == ("vaerge", "Birthe Dahl", "1206604321")
    assert vaerge.vaergemaalsform == Relation.Vaergemaalsform.PARAGRAF_6
    assert vaerge.fra_cpr
    # Whether the guardian holds the rights in the case is the caseworker's call.
    assert not vaerge.varetager_partsrettigheder


@pytest.mark.django_db
def test_registration_from_cpr_refuses_a_duplicate_before_asking(
    lookup_on: Cpr, caseworker: User
) -> None:
    BorgerFactory(cpr=ANNA)

    with pytest.raises(ValidationError) as duplicate:
        borger_create_from_cpr(actor=caseworker, cpr=ANNA)

    assert duplicate.value.message_dict["cpr"] == [
        "Der findes allerede en borger med dette CPR-nummer."
    ]
    assert lookup_on.fake.asked == []


@pytest.mark.django_db
def test_registration_from_cpr_stores_nothing_when_cpr_cannot_answer(
    lookup_on: Cpr, caseworker: User
) -> None:
    lookup_on.platform.fail_next(SF1520.path, Fault(status=500))

    with pytest.raises(ServiceplatformenError):
        borger_create_from_cpr(actor=caseworker, cpr=ANNA)
    with pytest.raises(PersonIkkeFundet):
        borger_create_from_cpr(actor=caseworker, cpr=UKENDT)

    assert not Borger.objects.exists()


@pytest.mark.django_db
def test_a_refresh_stores_what_cpr_says_now(lookup_on: Cpr, caseworker: User) -> None:
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    borger = sag.borger
    borger.cpr = DOED
    borger.save()
    assert borger.cpr_opslag is None

    refreshed = borger_cpr_refresh(actor=caseworker, borger=borger, expected_version=borger.version)

    assert refreshed.doedsdato == date(2026, 10, 30)
    assert (refreshed.fornavn, refreshed.efternavn) == ("Karl", "Berg")
    assert refreshed.cpr_opslag is not None
    assert refreshed.version == borger.version + 1
    event = AuditEvent.objects.filter(borger_id=borger.pk).latest("id")
    assert event.summary == "Borger opdateret fra CPR"


@pytest.mark.django_db
def test_a_refresh_on_an_old_page_is_refused(lookup_on: Cpr, caseworker: User) -> None:
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    borger = sag.borger
    borger.cpr = ANNA
    borger.version = 3
    borger.save()

    with pytest.raises(StaleVersion):
        borger_cpr_refresh(actor=caseworker, borger=borger, expected_version=2)

    borger.refresh_from_db()
    assert borger.cpr_opslag is None


@pytest.mark.django_db
def test_a_refresh_ends_a_guardian_cpr_no_longer_holds(lookup_on: Cpr, caseworker: User) -> None:
    borger = borger_create_from_cpr(actor=caseworker, cpr=UMYNDIG)
    lookup_on.fake.people[UMYNDIG] = Person(fornavn="Jonas", efternavn="Dahl")

    borger_cpr_refresh(actor=caseworker, borger=borger)

    assert not borger.relationer.current().exists()
    assert borger.relationer.count() == 1


# The API


@pytest.mark.django_db
def test_the_api_registers_from_cpr_and_says_when_cpr_cannot(
    lookup_on: Cpr, caseworker: User
) -> None:
    api = APIClient()
    api.force_authenticate(caseworker)
    url = reverse("api-borger-fra-cpr")

    created = api.post(url, {"cpr": "050382-4128"}, format="json")
    unknown = api.post(url, {"cpr": UKENDT}, format="json")
    lookup_on.platform.fail_next(SF1520.path, Fault(status=500))
    away = api.post(url, {"cpr": SKJULT}, format="json")

    assert created.status_code == 201
    assert (created.data["navn"], created.data["civilstand"]) == ("Anna Marie Holm", "Gift")
    assert created.data["cpr_opslag"] is not None
    assert unknown.status_code == 400
    assert unknown.data == {"cpr": ["CPR kender ikke dette CPR-nummer. Tjek nummeret."]}
    assert away.status_code == 503
    assert away.data == {"detail": "CPR-opslag (SF1520) er ikke til rådighed lige nu (500)."}


@pytest.mark.django_db
def test_the_api_refreshes_from_cpr_with_if_match(lookup_on: Cpr, caseworker: User) -> None:
    borger = borger_create_from_cpr(actor=caseworker, cpr=SKJULT)
    lookup_on.fake.people[SKJULT] = Person(fornavn="Sofie", efternavn="Lund-Berg")
    api = APIClient()
    api.force_authenticate(caseworker)
    url = reverse("api-borger-cpr", args=[borger.pk])

    missing = api.post(url)
    stale = api.post(url, headers={"If-Match": '"7"'})
    fresh = api.post(url, headers={"If-Match": f'"{borger.version}"'})

    assert missing.status_code == 428
    assert stale.status_code == 412
    assert fresh.status_code == 200
    assert fresh.data["efternavn"] == "Lund-Berg"
    assert not fresh.data["adressebeskyttet"]
    assert fresh["ETag"] == f'"{borger.version + 1}"'


@pytest.mark.django_db
def test_with_the_lookup_off_the_api_has_no_cpr_endpoints(caseworker: User) -> None:
    borger = BorgerFactory(oprettet_af=caseworker)
    api = APIClient()
    api.force_authenticate(caseworker)

    create = api.post(reverse("api-borger-fra-cpr"), {"cpr": ANNA}, format="json")
    refresh = api.post(reverse("api-borger-cpr", args=[borger.pk]), headers={"If-Match": "*"})

    assert (create.status_code, refresh.status_code) == (404, 404)
    assert create.data == {"detail": "Opslag i CPR er ikke slået til i denne installation."}
