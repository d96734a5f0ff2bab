"""The bestilling as KL's FHIR OrderMessage (orders.fhir, issue 24): the Mads bestilling to X-Hus
as a message Bundle that fhir.resources' R4B models accept, its FFB codes checked against KL's
CSVs and asserted by value, one primary target group, no free text beyond the IG's own fields,
no address for a protected citizen, the guardian, a clear 409 when the content cannot make a
valid message, the API's scope (own provider, another provider, the caseworker) with its audit
row, and the download links on both bestilling pages."""

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from rest_framework.test import APIClient

from assessment.models import Indsats
from cases.models import Borger, Relation, Sagsaabning
from orders.fhir import (
    FFB,
    FFB_OLD,
    FFB_VALUE_SETS,
    OrderMessageError,
    build_order_message,
    order_message,
    order_message_problems,
)
from orders.models import Bestilling
from orders.services.bestilling import bestillinger_send
from tests.catalogs import load_catalog
from tests.factories import UserFactory
from tests.mads import Mads, mads_decided, mads_time
from vum.accounts.models import Organisation, Team, User
from vum.audit.models import AuditAction, AuditEvent

pytestmark = [pytest.mark.django_db, mads_time]

CODES = Path(__file__).resolve().parents[2] / "shared" / "domain" / "ffb-codes"
EAN = "5798000416604"
KONTO = "5.38.50.1"
BASE = "http://testserver"

# KL's codes for what the Mads bestilling holds (ffb-codes/*.csv).
PRIMARY = "17ce646b-4469-4a73-82a9-9628436f6c70"  # Anden intellektuel/kognitiv forstyrrelse
STOFMISBRUG = "0e25a2ec-4f04-4d14-a5ad-a6519a7d1d5f"
UDVIKLE = "d41c8072-52f8-42b5-9375-ddbea454d27f"
INGEN = "b508ff66-6326-4862-a6d7-7bbf184c9823"
LET = "8328ce4a-6238-4f73-bf1a-74aadb68eff8"
YDELSER = {
    "638f44df-6bf2-47f8-9935-b8fdc83e5bf5",  # Støtte til daglige opgaver i hjemmet
    "d473dea2-4f6d-4f36-a8f0-260f0213f50a",  # Støtte til administration
    "1a2daf63-0510-4bf3-8578-662d4300c965",  # Støtte til uddannelse
    "05cd5e81-1a3a-4bdd-901b-7ec96c12d990",  # Støtte til sociale relationer
}
MOBILT_TILBUD = "d90f4da6-f87a-43b5-833f-646b4baf16d6"
GOAL_THEMES = [
    "8f32c948-41c4-49d7-8913-cdeede2e7fe1",  # Gøre rent
    "3f9da5ac-9686-4eeb-b517-b46e17fcb1d7",  # Indgå i samspil og kontakt
    "4a58417e-9a75-43f2-9763-66505050159f",  # Varetage egen sundhed
    "8888edfa-642b-4329-9fe3-a9b180e6d3f4",  # Varetage uddannelse
]
# Where the IG carries text: goals' descriptions and a ydelse FFB cannot code.
FREE_TEXT_ALLOWED = {("Goal", "description.text"), ("CarePlan", "activity.detail.code.text")}
FREE_TEXT_KEYS = {"text", "description", "note", "comment", "valueString"}


def _csv(name: str) -> dict[str, str]:
    if not CODES.is_dir():
        pytest.skip("the shared domain folder with KL's FFB CSVs is not beside the checkout")
    with (CODES / f"{name}.csv").open(encoding="utf-8") as f:
        return {row["code"]: row["display"] for row in csv.DictReader(f)}


@pytest.fixture(autouse=True)
def catalog(db: None, settings: Any) -> None:
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


def _send(caseworker: User, *, ean: str = EAN, konto: str = KONTO, **before: Any) -> Mads:
    """Mads decided, with the team's EAN and the indsats' account, and sent to X-Hus."""
    mads = mads_decided(caseworker)
    Team.objects.filter(pk=mads.sag.team_id).update(ean_nummer=ean)
    Indsats.objects.filter(pk=mads.indsats.pk).update(konto=konto)
    if before:
        Sagsaabning.objects.filter(sag=mads.sag).update(**before)
    mads.sag.team.refresh_from_db()
    return mads


def _sent(mads: Mads, caseworker: User) -> Bestilling:
    (bestilling,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    return Bestilling.objects.select_related("sag__borger", "sag__team", "udfoerer").get(
        pk=bestilling.pk
    )


@pytest.fixture
def mads(caseworker: User) -> Mads:
    return _send(caseworker)


@pytest.fixture
def bestilling(mads: Mads, caseworker: User) -> Bestilling:
    return _sent(mads, caseworker)


def _resources(message: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in message["entry"] if e["resource"]["resourceType"] == kind]


def _by_url(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["fullUrl"]: e["resource"] for e in message["entry"]}


def _codes(concept: dict[str, Any]) -> list[str]:
    return [c["code"] for c in concept.get("coding", []) if "code" in c]


def _rank(reference: dict[str, Any]) -> int:
    (extension,) = reference["extension"]
    return int(extension["valuePositiveInt"])


def _walk(node: Any, path: tuple[str, ...] = ()) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key), value
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for value in node:
            yield path, value
            yield from _walk(value, path)


# The message


def test_the_mads_order_message_is_valid_fhir_r4_with_the_ffb_order_event(
    bestilling: Bestilling,
) -> None:
    message = build_order_message(bestilling, base_url=BASE)
    bundle = Bundle.model_validate(message)
    assert bundle.type == "message"
    assert order_message_problems(message) == []
    header = message["entry"][0]["resource"]
    assert header["resourceType"] == "MessageHeader"
    assert header["eventCoding"]["code"] == "ffb-order"
    assert header["eventCoding"]["system"] == (
        "http://ffb/messaging/kl.dk/1.0/CodeSystem/kl-messaging-ffb-messageEventSystem"
    )
    resources = _by_url(message)
    assert resources[header["sender"]["reference"]]["name"] == bestilling.sag.team.navn
    (destination,) = header["destination"]
    assert resources[destination["receiver"]["reference"]]["name"] == (
        "Socialpædagogisk opholdssted X-Hus"
    )
    assert destination["endpoint"] == f"{BASE}/udfoerer/bestillinger/{bestilling.pk}/"
    (plan,) = [p for p in _resources(message, "CarePlan") if "basedOn" not in p]
    assert resources[header["focus"][0]["reference"]] is plan
    assert plan["intent"] == "order"
    assert plan["status"] == "active"
    assert _codes(plan["category"][0]) == ["e459386d-1474-4c31-89c5-c8bc7a25e3d4"]
    assert plan["period"] == {"start": "2026-10-01"}
    (patient,) = _resources(message, "Patient")
    assert resources[plan["subject"]["reference"]] is patient
    assert patient["identifier"] == [
        {
            "use": "official",
            "system": "urn:oid:1.2.208.176.1.2",
            "value": bestilling.sag.borger.cpr,
        }
    ]
    assert patient["name"][0]["family"] == "Madsen"
    assert patient["name"][0]["given"] == ["Mads"]
    # The same bestilling gives the same message.
    assert build_order_message(bestilling, base_url=BASE) == message


def test_target_groups_goals_and_ydelser_carry_the_expected_ffb_codes(
    bestilling: Bestilling,
) -> None:
    message = build_order_message(bestilling, base_url=BASE)
    resources = _by_url(message)
    (plan,) = [p for p in _resources(message, "CarePlan") if "basedOn" not in p]
    targets = {
        _codes(resources[ref["reference"]]["code"])[0]: _rank(ref) for ref in plan["addresses"]
    }
    assert targets == {PRIMARY: 1, STOFMISBRUG: 2}
    assert [rank for rank in targets.values() if rank == 1] == [1]

    goals = [resources[ref["reference"]] for ref in plan["goal"]]
    kinds = [_codes(g["category"][0])[0] for g in goals]
    assert kinds == [
        "424827b1-23aa-4848-962b-56ee47def560",  # Indsatsformål
        "416fe27d-3ccf-4390-8742-8b52a9d8dc78",  # FFB borgers mål og ønsker
        *["0bb3daef-538d-45dc-b444-abdbcb63f6bc"] * 4,  # FFB indsatsmål
    ]
    assert goals[0]["description"]["text"] == (
        "Jeg har stadig min lejlighed, og jeg har taget en uddannelse."
    )
    targets_by_goal = [
        {_codes(t["measure"])[0]: _codes(t["detailCodeableConcept"])[0] for t in g["target"]}
        for g in goals[2:]
    ]
    måltype, niveau = (
        "90c48f03-f194-4b2f-ad7d-6cba1069ae48",
        "66959f77-6e2a-4574-8423-3ff097f8b9fa",
    )
    assert targets_by_goal == [
        {måltype: UDVIKLE, niveau: LET},
        {måltype: UDVIKLE, niveau: INGEN},
        {måltype: UDVIKLE, niveau: LET},
        {måltype: UDVIKLE, niveau: LET},
    ]
    themes = []
    for goal in goals[2:]:
        (addressed,) = goal["addresses"]
        assert _rank(addressed) == 1
        condition = resources[addressed["reference"]]
        themes.append(_codes(condition["code"])[0])
        assert _codes(condition["severity"]) != []
    assert themes == GOAL_THEMES

    interventions = [p for p in _resources(message, "CarePlan") if "basedOn" in p]
    assert {_codes(i["activity"][0]["detail"]["code"])[0] for i in interventions} == YDELSER
    assert len(interventions) == 4
    for intervention in interventions:
        assert intervention["basedOn"] == [{"reference": plan_url(message)}]
        assert intervention["intent"] == "order"
        assert intervention["period"] == {"start": "2026-10-01"}

    (team,) = _resources(message, "CareTeam")
    assert [_codes(c)[0] for c in team["category"]] == [MOBILT_TILBUD]
    roles = [_codes(p["role"][0])[0] for p in team["participant"]]
    assert roles == ["koordinerende-myndighed", "koordinerende-udfører"]

    (activity,) = plan["activity"]
    assert _codes(activity["detail"]["code"]) == ["9f03dfbb-7a97-45a5-94db-d4c3501714a9"]
    assert activity["detail"]["scheduledTiming"]["repeat"] == {
        "boundsPeriod": {"start": "2026-10-01"},
        "frequency": 1,
        "period": 3,
        "periodUnit": "mo",
    }

    (account,) = _resources(message, "Account")
    assert account["identifier"] == [{"system": "urn:accountno", "value": KONTO}]
    owner = resources[account["owner"]["reference"]]
    assert owner["identifier"] == [{"system": "urn:oid:1.3.88", "value": EAN}]
    assert {"reference": _url_of(message, account)} in message["entry"][0]["resource"]["focus"]
    # No guardian in the content, so none in the message.
    assert _resources(message, "RelatedPerson") == []


def plan_url(message: dict[str, Any]) -> str:
    (url,) = [
        e["fullUrl"]
        for e in message["entry"]
        if e["resource"]["resourceType"] == "CarePlan" and "basedOn" not in e["resource"]
    ]
    return url


def _url_of(message: dict[str, Any], resource: dict[str, Any]) -> str:
    (url,) = [e["fullUrl"] for e in message["entry"] if e["resource"] is resource]
    return url


def test_every_ffb_code_is_kls_own_and_in_the_value_set_it_is_bound_to(
    bestilling: Bestilling,
) -> None:
    full = _csv("ffb_codesystem_full")
    for name, codes in FFB_VALUE_SETS.items():
        assert codes == _csv(name), f"orders.fhir's copy of {name} differs from KL's CSV"
    message = build_order_message(bestilling, base_url=BASE)
    codings = [
        value
        for _path, value in _walk(message)
        if isinstance(value, dict) and value.get("system") in (FFB, FFB_OLD)
    ]
    assert len(codings) == 2 + 4 * 4 + 4 + 1  # groups, goals (2 targets, theme, level), ydelser
    for coding in codings:
        assert coding["system"] == "urn:oid:1.2.208.176.2.22"
        assert full[coding["code"]] == coding["display"]
    used = {c["code"] for c in codings}
    assert {PRIMARY, STOFMISBRUG} <= used & _csv("KLTargetGroupsFFB").keys()
    assert used & _csv("KLInterventionsFFB").keys() == YDELSER
    assert used & _csv("KLServiceCodesFFB").keys() == {MOBILT_TILBUD}
    assert set(GOAL_THEMES) <= _csv("KLConditionADCodesFFB").keys()
    care_social = _csv("kl_caresocialcodes_full")
    for _path, value in _walk(message):
        if isinstance(value, dict) and value.get("system", "").endswith("CareSocialCodes"):
            assert care_social[value["code"]] == value["display"]


def test_no_free_text_beyond_the_igs_own_fields(bestilling: Bestilling) -> None:
    message = build_order_message(bestilling, base_url=BASE)
    found = set()
    for entry in message["entry"]:
        resource = entry["resource"]
        for path, value in _walk(resource):
            if path[-1] in FREE_TEXT_KEYS and isinstance(value, str):
                found.add((resource["resourceType"], ".".join(path)))
    assert found <= FREE_TEXT_ALLOWED
    assert ("Goal", "description.text") in found
    # What the frozen content holds as free text, and the IG does not carry, stays out.
    content = bestilling.indhold
    dumped = json.dumps(message, ensure_ascii=False)
    for text in (
        content["fund"]["situation"],
        content["baggrund"]["diagnoser"][0]["diagnose"],
        content["baggrund"]["fuldmagt"],
        "Betydelig nedsat funktionsevne",
    ):
        assert text
        assert text not in dumped


def test_a_protected_citizens_address_is_not_in_the_patient(caseworker: User, mads: Mads) -> None:
    Borger.objects.filter(pk=mads.sag.borger_id).update(
        adresse="Skjultvej 3", postnummer="8900", by="Randers C"
    )
    open_bestilling = _sent(mads, caseworker)
    (patient,) = _resources(build_order_message(open_bestilling, base_url=BASE), "Patient")
    assert patient["address"] == [
        {"line": ["Skjultvej 3"], "postalCode": "8900", "city": "Randers C"}
    ]

    # CPR protects the address after the bestilling was frozen with it.
    Borger.objects.filter(pk=mads.sag.borger_id).update(adressebeskyttet=True)
    protected = Bestilling.objects.select_related("sag__borger", "sag__team", "udfoerer").get(
        pk=open_bestilling.pk
    )
    assert "Skjultvej" in json.dumps(protected.indhold, ensure_ascii=False)
    message = build_order_message(protected, base_url=BASE)
    assert order_message_problems(message) == []
    (patient,) = _resources(message, "Patient")
    assert "address" not in patient
    dumped = json.dumps(message, ensure_ascii=False)
    assert "Skjultvej" not in dumped
    assert "8900" not in dumped


def test_a_guardian_goes_as_related_person_with_the_form_of_guardianship(
    caseworker: User,
) -> None:
    mads = _send(caseworker, vaergemaal=True, vaergemaalsform="par6")
    Relation.objects.create(
        borger=mads.sag.borger,
        type=Relation.Type.VAERGE,
        navn="Vera Værge",
        vaergemaalsform="par6",
        telefon="12345678",
    )
    message = build_order_message(_sent(mads, caseworker), base_url=BASE)
    assert order_message_problems(message) == []
    (guardian,) = _resources(message, "RelatedPerson")
    assert _codes(guardian["relationship"][0]) == ["GUARD"]
    (form,) = guardian["extension"]
    assert form["url"] == (
        "http://ffb/messaging/kl.dk/1.0/StructureDefinition/kl-messaging-ffb-guardianshipForm"
    )
    assert form["valueCoding"]["code"] == "6"
    assert guardian["name"] == [{"use": "official", "family": "Værge", "given": ["Vera"]}]
    (team,) = _resources(message, "CareTeam")
    assert {"member": {"reference": _url_of(message, guardian)}} in team["participant"]


def test_two_primary_target_groups_or_a_code_outside_its_value_set_is_caught(
    bestilling: Bestilling,
) -> None:
    message = build_order_message(bestilling, base_url=BASE)
    (plan,) = [p for p in _resources(message, "CarePlan") if "basedOn" not in p]
    for reference in plan["addresses"]:
        reference["extension"][0]["valuePositiveInt"] = 1
    assert "Bestillingen har 2 primære målgrupper; der skal være én." in (
        order_message_problems(message)
    )
    message = build_order_message(bestilling, base_url=BASE)
    (team,) = _resources(message, "CareTeam")
    team["category"][0]["coding"][0]["code"] = PRIMARY  # a målgruppe where a tilbud belongs
    assert any("KLServiceCodesFFB" in p for p in order_message_problems(message))
    message = build_order_message(bestilling, base_url=BASE)
    (patient,) = _resources(message, "Patient")
    patient["birthDate"] = "01.01.2000"  # not FHIR's date
    (problem,) = order_message_problems(message)
    assert problem.startswith("Beskeden er ikke gyldig FHIR")


def test_a_bestilling_without_the_teams_ean_cannot_make_a_message(caseworker: User) -> None:
    bestilling = _sent(_send(caseworker, ean=""), caseworker)
    with pytest.raises(OrderMessageError, match="EAN-nummer"):
        build_order_message(bestilling, base_url=BASE)


# The API and the pages


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _exports(bestilling: Bestilling) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=AuditAction.EXPORT, summary="Bestilling (FHIR) hentet"
        ).filter(borger_id=bestilling.sag.borger_id)
    )


def test_the_provider_fetches_its_own_bestilling_and_the_fetch_is_audited(
    bestilling: Bestilling,
) -> None:
    staff = UserFactory(udfoerer=True, organisation=bestilling.udfoerer)
    response = _api(staff).get(f"/api/v1/bestillinger/{bestilling.pk}/fhir/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Cache-Control"] == "no-store"
    message = json.loads(response.content)
    assert order_message_problems(message) == []
    assert message["entry"][0]["resource"]["source"]["endpoint"] == (
        f"{BASE}/api/v1/bestillinger/{bestilling.pk}/fhir/"
    )
    (event,) = _exports(bestilling)
    assert event.actor_id == staff.pk
    assert (event.object_type, event.object_id) == ("orders.Bestilling", str(bestilling.pk))


def test_another_provider_gets_404_and_nothing_is_audited(bestilling: Bestilling) -> None:
    other = Organisation.objects.create(navn="Et andet bosted")
    staff = UserFactory(udfoerer=True, organisation=other)
    response = _api(staff).get(f"/api/v1/bestillinger/{bestilling.pk}/fhir/")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Bestillingen findes ikke eller er ikke tilgængelig for dig."
    }
    assert _exports(bestilling) == []


def test_the_caseworker_of_the_case_fetches_it(bestilling: Bestilling, caseworker: User) -> None:
    response = _api(caseworker).get(f"/api/v1/bestillinger/{bestilling.pk}/fhir/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    (event,) = _exports(bestilling)
    assert event.actor_id == caseworker.pk
    other_caseworker = UserFactory()
    assert (
        _api(other_caseworker).get(f"/api/v1/bestillinger/{bestilling.pk}/fhir/").status_code == 404
    )


def test_content_that_cannot_make_a_message_answers_409_in_danish(caseworker: User) -> None:
    bestilling = _sent(_send(caseworker, konto=""), caseworker)
    response = _api(caseworker).get(f"/api/v1/bestillinger/{bestilling.pk}/fhir/")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Bestillingen kan ikke gives som FHIR-besked: Bestillingens indsatser har intet "
        "kontonummer; FFB-beskeden kræver betalerens konto."
    )
    assert _exports(bestilling) == []


def test_both_bestilling_pages_link_the_fhir_download(
    bestilling: Bestilling, caseworker: User, login: Any
) -> None:
    staff = UserFactory(udfoerer=True, organisation=bestilling.udfoerer)
    provider: Client = login(staff)
    page = provider.get(f"/udfoerer/bestillinger/{bestilling.pk}/")
    link = f"/udfoerer/bestillinger/{bestilling.pk}/fhir/"
    assert f'href="{link}"' in page.content.decode()
    assert "Hent som FHIR (JSON)" in page.content.decode()
    download = provider.get(link)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/fhir+json"
    assert "attachment" in download["Content-Disposition"]
    assert order_message_problems(json.loads(download.content)) == []

    case_page = login(caseworker).get(f"/sager/{bestilling.sag_id}/bestillinger/")
    case_link = f"/sager/{bestilling.sag_id}/bestillinger/{bestilling.pk}/fhir/"
    assert f'href="{case_link}"' in case_page.content.decode()
    assert login(caseworker).get(case_link).status_code == 200
    assert len(_exports(bestilling)) == 2
    # Another case's id in the path does not reach it.
    assert (
        login(caseworker)
        .get(f"/sager/{bestilling.sag_id + 999}/bestillinger/{bestilling.pk}/fhir/")
        .status_code
        == 404
    )


def test_order_message_read_is_the_one_the_views_use(bestilling: Bestilling) -> None:
    staff = UserFactory(udfoerer=True, organisation=bestilling.udfoerer)
    found, message = order_message(user=staff, pk=bestilling.pk, base_url=BASE)
    assert found == bestilling
    assert message == build_order_message(bestilling, base_url=BASE)


def test_the_page_download_of_an_invalid_message_says_why_on_the_page(
    caseworker: User, login: Any
) -> None:
    bestilling = _sent(_send(caseworker, ean=""), caseworker)
    staff = UserFactory(udfoerer=True, organisation=bestilling.udfoerer)
    response = login(staff).get(f"/udfoerer/bestillinger/{bestilling.pk}/fhir/", follow=True)
    assert response.redirect_chain == [(f"/udfoerer/bestillinger/{bestilling.pk}/", 302)]
    assert "Bestillingen kan ikke hentes som FHIR: Bestillingen har intet gyldigt EAN-nummer" in (
        response.content.decode()
    )
    assert _exports(bestilling) == []
