"""A bestilling as KL's FHIR OrderMessage (hl7dk's kl-ffb-messaging IG, draft 0.1.0, FHIR R4).

Built from the bestilling's frozen content only (`Bestilling.shown_indhold`, which hides a
protected citizen's address), never from the case as it is today: the provider's system receives
what the provider was sent. FFB names in the content are mapped to KL's codes through the catalog
(`vum.catalog`); a name the catalog cannot code is an error, except a ydelse, which then goes as
text only, as the IG's own example does. The message is validated before it is served: its
structure by `fhir.resources` (R4B models, which read R4 4.0.1 data), every FFB code against the
value set it is bound to, and the IG's rules this builder relies on. What it holds and why:
docs/ffb-fhir.md.
"""

import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Model
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError as PydanticValidationError

from cases.models import ADRESSEBESKYTTET
from orders.models import Bestilling
from vum.access import get_bestilling_or_404
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.catalog.models import (
    Funktionsevneniveau,
    Maalgruppe,
    Maaltype,
    Tilbudstype,
    Undertema,
    Ydelse,
)

FHIR_JSON = "application/fhir+json"

# Code systems. KL's current FFB code system; the draft messaging IG still writes the old
# http://kl.dk/fhir/common/caresocial/CodeSystem/FFB for the same UUIDs.
FFB = "urn:oid:1.2.208.176.2.22"
FFB_OLD = "http://kl.dk/fhir/common/caresocial/CodeSystem/FFB"
CARE_SOCIAL = "http://fhir.kl.dk/term/CodeSystem/CareSocialCodes"
MESSAGING = "http://ffb/messaging/kl.dk/1.0"
MESSAGE_EVENT = f"{MESSAGING}/CodeSystem/kl-messaging-ffb-messageEventSystem"
GUARDIANSHIP_FORM = f"{MESSAGING}/CodeSystem/kl-messaging-ffb-guardianshipFormCodes"
PARTICIPANT_ROLE = f"{MESSAGING}/CodeSystem/kl-messaging-ffb-participantRoleCodes"
TEXT_ONLY = f"{MESSAGING}/CodeSystem/Text"
GUARDIANSHIP_FORM_EXTENSION = f"{MESSAGING}/StructureDefinition/kl-messaging-ffb-guardianshipForm"
# KL-dk's (kl.dk.fhir.core) ConditionRank: 1 = primary, 2 = secondary.
CONDITION_RANK = "http://fhir.kl.dk/core/StructureDefinition/ConditionRank"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
CPR = "urn:oid:1.2.208.176.1.2"
EAN = "urn:oid:1.3.88"
ACCOUNT_NUMBER = "urn:accountno"

# KL's CareSocialCodes the message uses (kl_caresocialcodes_full.csv).
CATEGORY_SOCIAL_INDSATS = ("e459386d-1474-4c31-89c5-c8bc7a25e3d4", "Social indsats")
GOAL_PURPOSE = ("424827b1-23aa-4848-962b-56ee47def560", "Indsatsformål")
GOAL_INTERVENTION = ("0bb3daef-538d-45dc-b444-abdbcb63f6bc", "FFB indsatsmål")
GOAL_CITIZEN = ("416fe27d-3ccf-4390-8742-8b52a9d8dc78", "FFB borgers mål og ønsker")
MEASURE_CHANGE_VALUE = ("90c48f03-f194-4b2f-ad7d-6cba1069ae48", "måltype")
MEASURE_SEVERITY = ("66959f77-6e2a-4574-8423-3ff097f8b9fa", "funktionsevneniveau")
FOLLOW_UP = ("9f03dfbb-7a97-45a5-94db-d4c3501714a9", "opfølgning")
CARE_SOCIAL_CODES = dict(
    [
        CATEGORY_SOCIAL_INDSATS,
        GOAL_PURPOSE,
        GOAL_INTERVENTION,
        GOAL_CITIZEN,
        MEASURE_CHANGE_VALUE,
        MEASURE_SEVERITY,
        FOLLOW_UP,
    ]
)
GUARDIANSHIP_FORMS = {
    "5": "Personlige og/eller økonomiske forhold, værgemålslovens § 5",
    "6": "Fratagelse af retlig handleevne, værgemålslovens § 6",
    "7": "Samværgemål, værgemålslovens § 7",
}
PARTICIPANT_ROLES = {
    "koordinerende-myndighed": "Ansvarlig for koordinering af myndighedssamarbejde",
    "koordinerende-udfører": "Ansvarlig for koordinering af udførersamarbejde",
}

# Generated from ../shared/domain/ffb-codes/<name>.csv (kl-term c32a6c2e, FFB 20240530);
# tests/test_order_message.py checks that each equals its CSV.
# Long displays are KL's own and stay on one line each.
FFB_VALUE_SETS: dict[str, dict[str, str]] = {
    "KLTargetGroupsFFB": {
        "ab4413f0-fa81-41c0-ad8c-21782c12a0fa": "Alkoholmisbrug",
        "da298aec-cd7d-436c-9927-d88d00066881": "Anden fysisk funktionsnedsættelse",
        "17ce646b-4469-4a73-82a9-9628436f6c70": "Anden intellektuel/kognitiv forstyrrelse",
        "851b2a9d-cde2-4d5d-8f33-d03789022cbb": "Anden psykisk vanskelighed",
        "5cfc9530-a193-4f66-9981-3b980ee9ea7b": "Anden udviklingsforstyrrelse",
        "905caa77-2b98-48ce-b0e1-35dc4c1cc4bd": "Andet overgreb",
        "66fac925-3488-43b3-8e50-4510d3821b37": "Andet socialt problem",
        "303deb9b-84f0-49d2-ab7a-f8b98eed40a2": "Angst",
        "9b3fd322-a75a-4ed8-9b74-425fa1e01c95": "Autismespektrum",
        "7b48f1a0-579b-4976-ae7c-4074b5981449": "Demens",
        "ee5b52bd-b839-4e69-ad04-c8b33eabfbde": "Depression",
        "0d66b364-958e-48cf-a18b-744fab284194": "Erhvervet døvblindhed",
        "d26f97e8-99ed-46a9-94db-93340f77a950": "Erhvervet hjerneskade",
        "f2ccc0c0-2a0a-49c9-9d6a-741a7cd220a3": "Forandret virkelighedsopfattelse",
        "293bf940-c075-4e3d-b5ef-6e331202e556": "Hjemløshed",
        "7ef8be83-90d1-4375-b1cb-24710bea21c7": "Hørenedsættelse",
        "6a038911-d866-4910-90ae-72ca55c641ea": "Ikke-personfarlig kriminalitet",
        "3b166cb0-df17-4002-a4c4-69e9a943645c": "Indadreagerende adfærd",
        "5cb8997c-eb10-477f-b653-b2a5ff11ce7d": "Kommunikationsnedsættelse",
        "ab7b7d7b-b7bb-4b8c-99d9-5c98a302b771": "Medfødt døvblindhed",
        "1097d07f-1dba-4cc2-ae3a-399a501c2eb6": "Medfødt hjerneskade",
        "6e155207-db12-419a-8d9c-d67756533056": "Mobilitetsnedsættelse",
        "f1c7ee41-21b4-4dba-9424-c874bf72b5e7": "Multipel funktionsnedsættelse",
        "f1f4d709-19d2-48cc-8942-231bf912323d": "Omsorgssvigt",
        "cc6a58cf-d3d2-4e5f-b7fe-98b009647eac": "Opmærksomhedsforstyrrelse",
        "df42d472-06f6-4c5f-9dcf-64aa6cc20925": "Personfarlig kriminalitet",
        "6aac5ae6-ef06-4866-9c66-16d51ebbc83b": "Personlighedsforstyrrelse",
        "122f3f8e-84a0-476f-b9c5-0e40b1dcf113": "Prostitution",
        "6fd0f315-2297-4d66-b638-3f867a0900e0": "Seksuelt krænkende adfærd",
        "c47fd846-f1e0-4786-89a4-88d00e7a86c0": "Seksuelt overgreb",
        "5e95db73-4d16-4084-93a3-595c0650b160": "Selvmordstanker eller -forsøg",
        "3e3f5ebf-82c1-401b-ab5e-e6138a31da3a": "Selvskadende adfærd",
        "1f23325e-c9c9-455b-bfe7-b4dcd1bb63e5": "Sjældent forekommende funktionsnedsættelse",
        "16075f99-3694-4878-a48d-b2f4b515cb76": "Social isolation",
        "192b7d79-415c-4f4f-9223-607938ecbe97": "Spiseforstyrrelse",
        "0e25a2ec-4f04-4d14-a5ad-a6519a7d1d5f": "Stofmisbrug",
        "afaa7e31-2b5d-4a49-9008-56aa8df8dc13": "Stressbelastning",
        "615310e8-f702-4455-910b-9d6d8aa684fb": "Synsnedsættelse",
        "d42d8f41-2d07-4391-a687-bad51172d0c9": "Tilknytningsforstyrrelse",
        "e1b59a4a-9cc2-4113-a5f1-84af588b02a2": "Udadreagerende adfærd",
        "e6a269f5-944a-4ff8-b4d8-6dc2134d9167": "Udviklingsforstyrrelse af sansemotoriske færdigheder",  # noqa: E501
        "93d52b11-faa7-4ff7-b552-11a84cce8bf1": "Udviklingsforstyrrelse af skolefærdigheder",
        "71dfe6d1-ebc1-4414-8527-edf8e605c356": "Udviklingsforstyrrelse af tale og sprog",
        "97c355cc-84e3-46d0-ac1b-00bc627d089f": "Udviklingshæmning",
        "3412d671-22bf-456c-b963-c4e05c2725a0": "Voldeligt overgreb",
    },
    "KLInterventionsFFB": {
        "a81a3fa9-6601-4d1e-a11e-f7444dfd3828": "Akut ophold",
        "f3edac43-d0d6-4cc3-96c7-4658a557257a": "Akut rådgivning, omsorg og støtte",
        "66e23d66-1c5f-4070-bed1-8827cc863dcd": "Fysisk aktivitet",
        "3459f530-7334-48c4-9037-53bf80df8851": "Gruppebaseret hjælp og støtte",
        "b6e1f331-fccf-4a33-8bb6-566546edc405": "Gruppebaseret hjælp og støtte etableret i samarbejde med frivillige",  # noqa: E501
        "fe42f8f4-d516-4bab-b006-12b0cd186603": "Individuel tidsbegrænset socialpædagogisk hjælp og støtte",  # noqa: E501
        "d580bcb7-145a-4346-8e99-d387bbf08a40": "Individuel tidsbegrænset socialpædagogisk hjælp og støtte leveret i samarbejde med frivillige",  # noqa: E501
        "f25674bf-3162-45c3-bde4-6d542bf9629b": "Kompetenceudviklende aktivitet",
        "be5d5058-ef06-42a9-b894-51e44513e717": "Kreativ aktivitet",
        "5af56051-8413-4115-aaa2-83a0767e1137": "Længerevarende ophold",
        "80aa8ea7-4ad8-405f-876a-4c0f89fde06a": "Midlertidigt ophold",
        "2c1944be-fe87-4c42-b08e-9cc075c9ef18": "Oplevelsesaktivitet",
        "c429b7a9-5085-472b-b118-a21ca90f769f": "Praktikforløb",
        "fb3d8722-90e0-4a80-ba65-490617ffeb0f": "Produktion og værksted",
        "35b593cf-724f-4058-9f31-fe1b3e8df124": "Pædagogisk udredning",
        "299af83f-586c-4c17-8af6-c8c47a847d6d": "Sansestimulerende aktivitet",
        "55b77d7c-afce-4269-9232-7731ab1ef4fc": "Service",
        "7e419926-bb04-4829-99c9-95ea20403c2c": "Social aktivitet",
        "d473dea2-4f6d-4f36-a8f0-260f0213f50a": "Støtte til administration",
        "e7c8b42e-b882-4629-8e03-65e44b1aa3e3": "Støtte til behandling",
        "cb1169ee-8969-46d3-813d-f0dd555bd838": "Støtte til beskæftigelse",
        "638f44df-6bf2-47f8-9935-b8fdc83e5bf5": "Støtte til daglige opgaver i hjemmet",
        "c56634ca-6847-4c50-b5c1-c528c1ffc1d8": "Støtte til etablering i bolig",
        "e2631dec-fd8b-420e-94db-53fd80e82766": "Støtte til kontakt til offentlige og private instanser",  # noqa: E501
        "72272d03-1774-4a14-b598-5f19b5eac83f": "Støtte til personlig hygiejne",
        "ad7755d2-11bf-468d-958b-2f0c8d9c3742": "Støtte til psykisk trivsel",
        "bd5fea9a-16ed-4e63-b6a1-8e83caaf9b0b": "Støtte til seksualitet",
        "05cd5e81-1a3a-4bdd-901b-7ec96c12d990": "Støtte til sociale relationer",
        "3c1639d0-e486-43c6-8add-448b8aff4b8f": "Støtte til sund levevis",
        "0886a1b6-4a3a-47e5-9c97-066270529e4f": "Støtte til transport",
        "1a2daf63-0510-4bf3-8578-662d4300c965": "Støtte til uddannelse",
        "ea47a198-7e24-472d-ba5d-132b8b744710": "Støtte til varetagelse af forældrerollen",
    },
    "KLServiceCodesFFB": {
        "9401777d-bdc5-4f52-9804-63c8cae9a792": "Aktivitets- og samværstilbud",
        "a7cbf55b-6906-4b2a-872e-c48b4d728837": "Almen ældre- og handicapvenlig bolig",
        "498fe92c-d7f7-41cd-9404-5b38fe113be0": "Almindeligt længerevarende botilbud til voksne",
        "a0fb02a2-367c-48bc-bacd-92e49a861a4c": "Beskyttet beskæftigelsestilbud",
        "25de7444-3919-4dab-b844-8cec6c15f30e": "Midlertidigt botilbud til voksne",
        "d90f4da6-f87a-43b5-833f-646b4baf16d6": "Mobilt tilbud",
        "070016aa-e164-4813-aca5-b75acab89d63": "Sikret længerevarende botilbud til voksne",
        "5ea75f09-8eec-4edc-aafd-a330a523c33e": "Socialt akuttilbud",
    },
    "KLSeveritiesFFB": {
        "832ae90b-23b5-4063-80aa-0b81bdce680e": "Fuldstændig nedsat funktionsevne",
        "1c327095-107f-4b96-88d0-ec562cb980be": "Ikke vurderet",
        "b508ff66-6326-4862-a6d7-7bbf184c9823": "Ingen nedsat funktionsevne",
        "8328ce4a-6238-4f73-bf1a-74aadb68eff8": "Let nedsat funktionsevne",
        "5bdde847-2837-416b-ab63-bbff8b7aa531": "Moderat nedsat funktionsevne",
        "cae545f5-2813-4d79-98fc-0a7d770af3cd": "Svært nedsat funktionsevne",
    },
    "KLChangeValueCodesFFB": {
        "e47c22bd-d88d-48ab-882b-419923e1f44e": "Begrænse tab af funktionsevne",
        "10752a63-00b4-4958-b7f4-9f3a18f74266": "Fastholde funktionsevne",
        "d41c8072-52f8-42b5-9375-ddbea454d27f": "Udvikle funktionsevne",
    },
    "KLConditionADCodesFFB": {
        "a80e8f96-18ba-4ee4-9496-d3ce882c2f85": "Anvende kommunikationsudstyr- og teknikker",
        "320c9aa6-630e-4695-bba2-29ea808fad24": "Bære, flytte og håndtere genstande",
        "dcc6bb77-45af-4625-9c4d-7d7878307220": "Deltage i sociale fællesskaber og fritidsaktiviteter",  # noqa: E501
        "14615a09-bd94-4602-b43a-f6d3d3f9801d": "Drikke",
        "3a748135-98a8-416a-808d-bff88a8e40ee": "Dyrke interesse",
        "9bbbffef-c404-4ea3-a927-cd22d8027e6d": "Forstå meddelelser",
        "2ba29098-a527-43d5-b858-4c5353669f42": "Fremstille meddelelser",
        "eff3385d-01fa-4c9c-9850-52e179243f21": "Færdes med transportmidler",
        "4977ce08-df4d-4c09-8e03-c2a563862e68": "Gå og bevæge sig",
        "94fb3ea0-92cf-43b1-929b-c95e6fb739a1": "Gå på toilettet",
        "8f32c948-41c4-49d7-8913-cdeede2e7fe1": "Gøre rent",
        "8bef71de-55b5-47fe-b438-18ac769106b3": "Håndtere post",
        "3f9da5ac-9686-4eeb-b517-b46e17fcb1d7": "Indgå i samspil og kontakt",
        "347aa085-4fe2-411f-ac56-5693d164adc3": "Klæde sig af og på",
        "01770afa-cd17-41fe-a966-b8895e4d55d8": "Købe ind",
        "b947f321-7cdb-4b33-9653-f3ff800572b0": "Lave mad",
        "4a51d7a7-61e7-48fa-a1d5-9d26337c6c38": "Passe ejendele",
        "b3939f0b-43d9-4e8c-bb2e-50ff8bb7ed03": "Pleje sin krop",
        "986898d0-e2e5-4afa-9cb3-ee7aecaa0143": "Samtale",
        "464a2ab6-a7df-4b3a-b74d-7873f4cfe668": "Spise",
        "58ef570c-1c1e-47be-8bfd-26ed99825762": "Udvise hjælp og omsorg for andre",
        "685e8517-2f5c-4ef8-a7c4-fa2d008fdd9d": "Varetage beskæftigelse",
        "fd4b8dd3-5c4b-4257-8c13-ea045617d2f6": "Varetage bolig",
        "4a58417e-9a75-43f2-9763-66505050159f": "Varetage egen sundhed",
        "4c082610-b122-4019-96f2-1061e287445e": "Varetage relationer til netværk",
        "28fbf17e-bca3-45e1-be35-553e3d91f1b7": "Varetage sin seksualitet",
        "8888edfa-642b-4329-9fe3-a9b180e6d3f4": "Varetage uddannelse",
        "70443014-3faf-402d-abcf-396bfad32eb9": "Varetage økonomi",
        "885400cc-dd71-479e-8993-3fc48fdd6710": "Vaske sig",
        "bd67597b-e80f-427f-8cf9-79d01eff91fc": "Vaske tøj",
        "759ddc8e-57c0-4aa6-8d32-14d8eb51c5dd": "Ændre og opretholde kropsstilling",
    },
}


PRIMARY = " (primær)"
FOLLOW_UP_INTERVALS = {
    "1 måned": (1, "mo"),
    "3 måneder": (3, "mo"),
    "6 måneder": (6, "mo"),
    "1 år": (1, "a"),
}
CAREPLAN_STATUS = {
    Bestilling.Status.SENDT: "active",
    Bestilling.Status.MODTAGET: "active",
    Bestilling.Status.ACCEPTERET: "active",
    Bestilling.Status.AFVIST: "revoked",
    Bestilling.Status.ERSTATTET: "revoked",
    Bestilling.Status.OPHOERT: "completed",
}
# The FFB code system's concept for a level not assessed (KLSeveritiesFFB).
NOT_ASSESSED = "Ikke vurderet"


class OrderMessageError(Exception):
    """The bestilling's content cannot make a valid OrderMessage; the message says why, in
    Danish, for the user who asked for it."""


# Mapping the frozen content's names to FFB codes


def _catalog_codes(model: type[Model], **lookup: Any) -> set[str]:
    """The FFB codes the catalog gives rows matching `lookup`, in any catalog version (a frozen
    bestilling may name a row of an earlier version)."""
    rows = model._default_manager.filter(**lookup).exclude(ffb_kode=None)
    return {str(code) for code in rows.values_list("ffb_kode", flat=True)}


def _coded(model: type[Model], value_set: str, **lookup: Any) -> tuple[str, str] | None:
    """The one code of the value set the catalog gives for `lookup`, with KL's display; None
    when there is none or more than one (an ambiguous name)."""
    codes = _catalog_codes(model, **lookup) & FFB_VALUE_SETS[value_set].keys()
    if len(codes) != 1:
        return None
    (code,) = codes
    return code, FFB_VALUE_SETS[value_set][code]


def _required(model: type[Model], value_set: str, problem: str, **lookup: Any) -> tuple[str, str]:
    coded = _coded(model, value_set, **lookup)
    if coded is None:
        raise OrderMessageError(problem)
    return coded


def _not_assessed() -> tuple[str, str]:
    for code, display in FFB_VALUE_SETS["KLSeveritiesFFB"].items():
        if display.startswith(NOT_ASSESSED):
            return code, display
    raise OrderMessageError("FFB's kode for 'Ikke vurderet' mangler.")  # pragma: no cover


# Small FHIR pieces


def _coding(system: str, code: tuple[str, str]) -> dict[str, str]:
    return {"system": system, "code": code[0], "display": code[1]}


def _concept(system: str, code: tuple[str, str]) -> dict[str, Any]:
    return {"coding": [_coding(system, code)]}


def _ref(url: str, rank: int | None = None) -> dict[str, Any]:
    reference: dict[str, Any] = {"reference": url}
    if rank is not None:
        reference["extension"] = [{"url": CONDITION_RANK, "valuePositiveInt": rank}]
    return reference


def _telecom(phone: str = "", email: str = "") -> list[dict[str, str]]:
    telecom = []
    if phone:
        telecom.append({"system": "phone", "value": phone})
    if email:
        telecom.append({"system": "email", "value": email})
    return telecom


def _human_name(full_name: str) -> dict[str, Any]:
    parts = full_name.split()
    name: dict[str, Any] = {"use": "official"}
    if parts:
        name["family"] = parts[-1]
    if len(parts) > 1:
        name["given"] = parts[:-1]
    return name


def _address(line: str) -> dict[str, Any]:
    """The frozen one-line address ("Vej 1, 8900 Randers C") as FHIR's parts."""
    parts = [p.strip() for p in line.split(",") if p.strip()]
    town = re.fullmatch(r"(\d{4})\s+(.+)", parts[-1]) if parts else None
    if town is None:
        return {"line": [line]}
    address: dict[str, Any] = {"postalCode": town.group(1), "city": town.group(2)}
    if parts[:-1]:
        address["line"] = [", ".join(parts[:-1])]
    return address


def _iso_date(value: Any) -> str | None:
    try:
        return date.fromisoformat(str(value)).isoformat() if value else None
    except ValueError:
        return None


def _period(start: Any, end: Any) -> dict[str, str]:
    period = {}
    if first := _iso_date(start):
        period["start"] = first
    if last := _iso_date(end):
        period["end"] = last
    return period


@dataclass
class _Entries:
    """The bundle's entries, each with a urn:uuid full URL derived from the bestilling and a
    label, so that the same bestilling gives the same message every time."""

    namespace: uuid.UUID
    entries: list[dict[str, Any]] = field(default_factory=list)

    def url(self, label: str) -> str:
        return f"urn:uuid:{uuid.uuid5(self.namespace, label)}"

    def add(self, label: str, resource: dict[str, Any]) -> str:
        url = self.url(label)
        self.entries.append(
            {"fullUrl": url, "resource": {**resource, "id": url.removeprefix("urn:uuid:")}}
        )
        return url


# The message


def _follow_up(label: str, start: date) -> dict[str, Any] | None:
    """The planned follow-up as a CarePlan activity: a date, or an interval from the start."""
    label = (label or "").strip()
    if not label or label == "Konkret dato":
        return None
    detail: dict[str, Any] = {
        "code": _concept(CARE_SOCIAL, FOLLOW_UP),
        "status": "not-started",
    }
    if re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", label):
        day = datetime.strptime(label, "%d.%m.%Y").date()
        detail["scheduledPeriod"] = {"start": day.isoformat()}
    elif label in FOLLOW_UP_INTERVALS:
        period, unit = FOLLOW_UP_INTERVALS[label]
        detail["scheduledTiming"] = {
            "repeat": {
                "boundsPeriod": {"start": start.isoformat()},
                "frequency": 1,
                "period": period,
                "periodUnit": unit,
            }
        }
    else:
        raise OrderMessageError(f"Opfølgningen '{label}' kan ikke læses som dato eller interval.")
    return {"detail": detail}


def _guardianship_form(vaergemaal: str) -> str | None:
    """Værgemålsloven § 5, 6 or 7 from the frozen "vaergemaal" ("Nej", "Ja" or the form)."""
    if not vaergemaal or vaergemaal == "Nej":
        return None
    found = re.search(r"§\s*([567])\b", vaergemaal)
    if found is None:
        raise OrderMessageError(
            "Borgeren har værge, men bestillingen siger ikke, om værgemålet er efter "
            "værgemålslovens § 5, 6 eller 7."
        )
    return found.group(1)


def build_order_message(bestilling: Bestilling, *, base_url: str) -> dict[str, Any]:
    """The OrderMessage (a FHIR R4 message Bundle) of the bestilling's frozen content, not yet
    validated (`validate_order_message`). `base_url` is vum's own address, for the endpoints."""
    content = bestilling.shown_indhold
    borger = bestilling.sag.borger
    baggrund: Mapping[str, Any] = content.get("baggrund") or {}
    koordinering: Mapping[str, Any] = content.get("koordinering") or {}
    caseworker: Mapping[str, Any] = koordinering.get("koordinerende_sagsbehandler") or {}
    fund: Mapping[str, Any] = content.get("fund") or {}
    betaling: Mapping[str, Any] = content.get("betaling") or {}
    status = CAREPLAN_STATUS.get(bestilling.status, "unknown")
    created = timezone.localtime(bestilling.sendt).isoformat()
    bundle = _Entries(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:vum:bestilling:{bestilling.pk}"))
    header_url = bundle.url("header")

    # Who: the citizen, the municipality's team, the provider
    cpr = re.sub(r"\D", "", str(baggrund.get("cpr") or ""))
    if len(cpr) != 10:
        raise OrderMessageError("Bestillingen mangler borgerens CPR-nummer.")
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"use": "official", "system": CPR, "value": cpr}],
        "name": [_human_name(str(baggrund.get("navn") or borger.navn))],
    }
    if telecom := _telecom(str(baggrund.get("telefon") or "")):
        patient["telecom"] = telecom
    line = str(baggrund.get("adresse") or "")
    # A protected citizen's address goes nowhere (shown_indhold has hidden it already).
    if line and not borger.adressebeskyttet and line != ADRESSEBESKYTTET:
        patient["address"] = [_address(line)]
    patient_url = bundle.add("patient", patient)
    subject = _ref(patient_url)

    team_name = str(caseworker.get("team") or bestilling.sag.team.navn)
    team: dict[str, Any] = {"resourceType": "Organization", "name": team_name}
    contact: dict[str, Any] = {}
    if caseworker.get("navn"):
        contact["name"] = _human_name(str(caseworker["navn"]))
    if telecom := _telecom(
        str(caseworker.get("telefon") or ""), str(caseworker.get("email") or "")
    ):
        contact["telecom"] = telecom
    if contact:
        team["contact"] = [contact]
    team_url = bundle.add("sender", team)
    provider_url = bundle.add(
        "receiver", {"resourceType": "Organization", "name": bestilling.udfoerer.navn}
    )

    # The target groups: FFB målgruppe codes, the primary one ranked 1
    target_groups: list[dict[str, Any]] = []
    for nr, entry in enumerate(fund.get("maalgrupper") or [], start=1):
        text = str(entry)
        primary = text.endswith(PRIMARY)
        name = text.removesuffix(PRIMARY)
        code = _required(
            Maalgruppe,
            "KLTargetGroupsFFB",
            f"Målgruppen '{name}' har ingen kode i FFB's værdisæt for målgrupper.",
            navn=name,
        )
        url = bundle.add(
            f"targetgroup-{nr}",
            {"resourceType": "Condition", "code": _concept(FFB, code), "subject": subject},
        )
        target_groups.append(_ref(url, 1 if primary else 2))
    if not target_groups:
        raise OrderMessageError("Bestillingen har ingen målgruppe.")

    # The goals: the purpose, the citizen's own wishes, each indsatsmål with its levels
    purpose = str(content.get("indsatsformaal") or "").strip()
    if not purpose:
        raise OrderMessageError("Bestillingen har intet indsatsformål.")

    def text_goal(key: str, category: tuple[str, str], text: str) -> dict[str, Any]:
        goal = {
            "resourceType": "Goal",
            "lifecycleStatus": "accepted",
            "category": [_concept(CARE_SOCIAL, category)],
            "description": {"text": text},
            "subject": subject,
        }
        return _ref(bundle.add(key, goal))

    goals = [text_goal("purpose", GOAL_PURPOSE, purpose)]
    wishes = str(content.get("oensker") or "").strip()
    if wishes:
        goals.append(text_goal("citizen-objective", GOAL_CITIZEN, wishes))
    activities: list[dict[str, Any]] = []
    plan_follow_up = str(content.get("opfoelgning") or "")
    if activity := _follow_up(plan_follow_up, bestilling.startdato):
        activities.append(activity)
    for goal in content.get("maal") or []:
        nr = goal.get("nr")
        maaltype = _required(
            Maaltype,
            "KLChangeValueCodesFFB",
            f"Måltypen '{goal.get('maaltype')}' for mål {nr} har ingen FFB-kode.",
            navn=goal.get("maaltype"),
        )
        targets = [
            {
                "measure": _concept(CARE_SOCIAL, MEASURE_CHANGE_VALUE),
                "detailCodeableConcept": _concept(FFB, maaltype),
            }
        ]
        if goal.get("forventet_niveau") is not None:
            expected = _required(
                Funktionsevneniveau,
                "KLSeveritiesFFB",
                f"Det forventede funktionsevneniveau for mål {nr} har ingen FFB-kode.",
                vaerdi=goal["forventet_niveau"],
            )
            targets.append(
                {
                    "measure": _concept(CARE_SOCIAL, MEASURE_SEVERITY),
                    "detailCodeableConcept": _concept(FFB, expected),
                }
            )
        resource: dict[str, Any] = {
            "resourceType": "Goal",
            "lifecycleStatus": "accepted",
            "category": [_concept(CARE_SOCIAL, GOAL_INTERVENTION)],
            "description": {"text": str(goal.get("formulering") or "")},
            "subject": subject,
            "target": targets,
        }
        # The goal's sub-theme as the FFB condition it addresses (A&D only, rank 1).
        theme = _coded(Undertema, "KLConditionADCodesFFB", navn=goal.get("tema"))
        if theme is not None:
            current = goal.get("aktuelt_niveau")
            severity = (
                _required(
                    Funktionsevneniveau,
                    "KLSeveritiesFFB",
                    f"Det aktuelle funktionsevneniveau for mål {nr} har ingen FFB-kode.",
                    vaerdi=current,
                )
                if current is not None
                else _not_assessed()
            )
            condition_url = bundle.add(
                f"goal-{nr}-condition",
                {
                    "resourceType": "Condition",
                    "clinicalStatus": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                "code": "active",
                            }
                        ]
                    },
                    "code": _concept(FFB, theme),
                    "severity": _concept(FFB, severity),
                    "subject": subject,
                },
            )
            resource["addresses"] = [_ref(condition_url, 1)]
        goal_url = bundle.add(f"goal-{nr}", resource)
        goals.append(_ref(goal_url))
        own_follow_up = str(goal.get("opfoelgning") or "")
        if (
            own_follow_up
            and own_follow_up != plan_follow_up
            and (activity := _follow_up(own_follow_up, bestilling.startdato))
        ):
            activity["detail"]["goal"] = [_ref(goal_url)]
            activities.append(activity)
    if len(goals) == 1 + bool(wishes):
        raise OrderMessageError("Bestillingen har ingen indsatsmål.")

    # The guardian
    guardian_url = ""
    form = _guardianship_form(str(baggrund.get("vaergemaal") or ""))
    if form is not None:
        guardian: dict[str, Any] = {
            "resourceType": "RelatedPerson",
            "extension": [
                {
                    "url": GUARDIANSHIP_FORM_EXTENSION,
                    "valueCoding": _coding(GUARDIANSHIP_FORM, (form, GUARDIANSHIP_FORMS[form])),
                }
            ],
            "patient": subject,
            "relationship": [
                {"coding": [{"system": ROLE_CODE, "code": "GUARD", "display": "guardian"}]}
            ],
        }
        named = [k for k in baggrund.get("kontakter") or [] if k.get("type") == "Værge"]
        if named:
            guardian["name"] = [_human_name(str(named[0].get("navn") or ""))]
            if telecom := _telecom(str(named[0].get("telefon") or "")):
                guardian["telecom"] = telecom
        guardian_url = bundle.add("guardian", guardian)

    # The service performer: the tilbud where FFB codes it, and who coordinates
    indsatser: list[Mapping[str, Any]] = list(content.get("indsatser") or [])
    offers = {
        coded
        for i in indsatser
        if i.get("tilbud")
        for coded in [_coded(Tilbudstype, "KLServiceCodesFFB", navn=i["tilbud"])]
        if coded is not None
    }
    care_team: dict[str, Any] = {
        "resourceType": "CareTeam",
        "subject": subject,
        "participant": [
            {
                "role": [_concept(PARTICIPANT_ROLE, (role, PARTICIPANT_ROLES[role]))],
                "member": _ref(url),
            }
            for role, url in (
                ("koordinerende-myndighed", team_url),
                ("koordinerende-udfører", provider_url),
            )
        ],
    }
    if offers:
        care_team["category"] = [_concept(FFB, code) for code in sorted(offers)]
    if guardian_url:
        care_team["participant"].append({"member": _ref(guardian_url)})
    care_team_url = bundle.add("careteam", care_team)

    # The order itself
    care_plan_url = bundle.url("careplan")
    period = _period(bestilling.startdato, bestilling.slutdato)
    care_plan: dict[str, Any] = {
        "resourceType": "CarePlan",
        "status": status,
        "intent": "order",
        "category": [_concept(CARE_SOCIAL, CATEGORY_SOCIAL_INDSATS)],
        "subject": subject,
        "period": period,
        "created": created,
        "author": _ref(team_url),
        "careTeam": [_ref(care_team_url)],
        "addresses": target_groups,
        "goal": goals,
    }
    if activities:
        care_plan["activity"] = activities
    bundle.add("careplan", care_plan)

    # One Intervention per ydelse, based on the order
    interventions = 0
    for i_nr, indsats in enumerate(indsatser, start=1):
        for y_nr, name in enumerate(indsats.get("ydelser") or [], start=1):
            coded = _coded(Ydelse, "KLInterventionsFFB", navn=name)
            ydelse: dict[str, Any] = (
                _concept(FFB, coded)
                if coded is not None
                else {"coding": [{"system": TEXT_ONLY}], "text": str(name)}
            )
            intervention: dict[str, Any] = {
                "resourceType": "CarePlan",
                "basedOn": [_ref(care_plan_url)],
                "status": status,
                "intent": "order",
                "subject": subject,
                "created": created,
                "activity": [{"detail": {"code": ydelse, "status": "not-started"}}],
            }
            if own := _period(indsats.get("start"), indsats.get("slut")):
                intervention["period"] = own
            bundle.add(f"intervention-{i_nr}-{y_nr}", intervention)
            interventions += 1
    if not interventions:
        raise OrderMessageError("Bestillingen har ingen ydelser.")

    # Who pays: the team's EAN and the indsatser's accounts
    ean = re.sub(r"\s", "", str(betaling.get("ean") or ""))
    if not re.fullmatch(r"\d{13}", ean):
        raise OrderMessageError(
            "Bestillingen har intet gyldigt EAN-nummer (13 cifre) at fakturere til; "
            "teamets EAN-nummer skal være udfyldt, før bestillingen sendes."
        )
    accounts = sorted({str(i.get("konto") or "").strip() for i in indsatser} - {""})
    if not accounts:
        raise OrderMessageError(
            "Bestillingens indsatser har intet kontonummer; FFB-beskeden kræver betalerens konto."
        )
    owner_url = bundle.add(
        "account-owner",
        {
            "resourceType": "Organization",
            "identifier": [{"system": EAN, "value": ean}],
            "name": team_name,
        },
    )
    account_urls = [
        bundle.add(
            f"account-{n}",
            {
                "resourceType": "Account",
                "status": "active",
                "identifier": [{"system": ACCOUNT_NUMBER, "value": number}],
                "subject": [subject],
                "owner": _ref(owner_url),
            },
        )
        for n, number in enumerate(accounts, start=1)
    ]

    header = {
        "resourceType": "MessageHeader",
        "id": header_url.removeprefix("urn:uuid:"),
        "eventCoding": {"system": MESSAGE_EVENT, "code": "ffb-order", "display": "order"},
        "destination": [
            {
                "endpoint": base_url + reverse("orders:udfoerer-bestilling", args=[bestilling.pk]),
                "receiver": _ref(provider_url),
            }
        ],
        "sender": _ref(team_url),
        "source": {
            "name": "vum",
            "endpoint": base_url + reverse("api-bestilling-fhir", args=[bestilling.pk]),
        },
        "focus": [_ref(care_plan_url), *(_ref(url) for url in account_urls)],
    }
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(bundle.namespace, f"message-{bestilling.version}")),
        "type": "message",
        "timestamp": created,
        "entry": [{"fullUrl": header_url, "resource": header}, *bundle.entries],
    }


# Validation


def _walk(node: Any) -> Iterable[Any]:
    yield node
    if isinstance(node, Mapping):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def codings(concept: Any) -> list[Mapping[str, Any]]:
    return list(concept.get("coding") or []) if isinstance(concept, Mapping) else []


def condition_rank(reference: Mapping[str, Any]) -> int | None:
    """The ConditionRank of a reference to a condition: 1 primary, 2 secondary."""
    for extension in reference.get("extension") or []:
        if extension.get("url") == CONDITION_RANK:
            return int(extension.get("valuePositiveInt") or 0)
    return None


def order_message_problems(message: Mapping[str, Any]) -> list[str]:
    """What keeps the message from being a valid OrderMessage, in Danish; empty when it is one.

    Checks the FHIR structure (fhir.resources' R4B models), every FFB and CareSocialCodes
    coding against the value set its place binds it to, and the IG's rules: the ffb-order
    event, references that resolve inside the bundle, an order CarePlan with target groups of
    which exactly one is primary, and a guardian's form of guardianship."""
    try:
        Bundle.model_validate(message)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return [f"Beskeden er ikke gyldig FHIR ({where}: {first.get('msg', '')})."]
    problems: list[str] = []
    entries = list(message.get("entry") or [])
    by_url = {e.get("fullUrl"): e.get("resource") or {} for e in entries}
    if message.get("type") != "message" or not entries:
        return ["Beskeden er ikke et FHIR-message-bundt."]
    header = entries[0].get("resource") or {}
    event = header.get("eventCoding") or {}
    if header.get("resourceType") != "MessageHeader" or (
        event.get("system"),
        event.get("code"),
    ) != (MESSAGE_EVENT, "ffb-order"):
        problems.append("Beskeden begynder ikke med en MessageHeader for hændelsen ffb-order.")
    for node in _walk(message):
        if (
            isinstance(node, Mapping)
            and isinstance(node.get("reference"), str)
            and node["reference"] not in by_url
        ):
            problems.append(f"Referencen {node['reference']} peger ud af beskeden.")

    checked: set[int] = set()

    def bound(concept: Any, value_set: str, what: str) -> None:
        for coding in codings(concept):
            checked.add(id(coding))
            if coding.get("system") != FFB or coding.get("code") not in FFB_VALUE_SETS[value_set]:
                problems.append(f"{what}: koden {coding.get('code')} er ikke i {value_set}.")

    care_plans = [
        r for r in by_url.values() if r.get("resourceType") == "CarePlan" and not r.get("basedOn")
    ]
    if len(care_plans) != 1:
        problems.append("Beskeden skal have netop én bestilt indsats (CarePlan).")
    for plan in care_plans:
        if plan.get("intent") != "order":
            problems.append("Den bestilte indsats har ikke intent 'order'.")
        targets = list(plan.get("addresses") or [])
        primary = [t for t in targets if condition_rank(t) == 1]
        if not targets:
            problems.append("Bestillingen har ingen målgruppe.")
        elif len(primary) != 1:
            problems.append(
                f"Bestillingen har {len(primary)} primære målgrupper; der skal være én."
            )
        for target in targets:
            condition = by_url.get(target.get("reference"), {})
            bound(condition.get("code"), "KLTargetGroupsFFB", "Målgruppe")
        if not plan.get("goal"):
            problems.append("Bestillingen har ingen mål.")
    for resource in by_url.values():
        kind = resource.get("resourceType")
        if kind == "Goal":
            for target in resource.get("target") or []:
                measure = [c.get("code") for c in codings(target.get("measure"))]
                value_set = (
                    "KLChangeValueCodesFFB"
                    if MEASURE_CHANGE_VALUE[0] in measure
                    else "KLSeveritiesFFB"
                )
                bound(target.get("detailCodeableConcept"), value_set, "Måltype/niveau")
            addressed = list(resource.get("addresses") or [])
            if addressed and len([a for a in addressed if condition_rank(a) == 1]) != 1:
                problems.append("Et indsatsmål skal have netop én tilstand med rang 1.")
            for reference in addressed:
                condition = by_url.get(reference.get("reference"), {})
                bound(condition.get("code"), "KLConditionADCodesFFB", "Målets tilstand")
                bound(condition.get("severity"), "KLSeveritiesFFB", "Funktionsevneniveau")
        elif kind == "CarePlan" and resource.get("basedOn"):
            for activity in resource.get("activity") or []:
                code = (activity.get("detail") or {}).get("code") or {}
                if any(c.get("system") == TEXT_ONLY for c in codings(code)):
                    checked.update(id(c) for c in codings(code))
                    if not code.get("text"):
                        problems.append("En ydelse uden FFB-kode mangler sin tekst.")
                else:
                    bound(code, "KLInterventionsFFB", "Ydelse")
        elif kind == "CareTeam":
            for category in resource.get("category") or []:
                bound(category, "KLServiceCodesFFB", "Tilbud")
        elif kind == "RelatedPerson":
            relationship = [
                c.get("code") for r in resource.get("relationship") or [] for c in codings(r)
            ]
            forms = [
                (e.get("valueCoding") or {})
                for e in resource.get("extension") or []
                if e.get("url") == GUARDIANSHIP_FORM_EXTENSION
            ]
            if "GUARD" in relationship and (
                len(forms) != 1
                or forms[0].get("system") != GUARDIANSHIP_FORM
                or forms[0].get("code") not in GUARDIANSHIP_FORMS
            ):
                problems.append("Værgen mangler værgemålets form (værgemålslovens § 5, 6 eller 7).")
        elif kind == "Patient":
            if not any(i.get("system") == CPR for i in resource.get("identifier") or []):
                problems.append("Borgeren mangler sit CPR-nummer.")
        elif (
            kind == "Organization"
            and resource.get("identifier")
            and not any(
                i.get("system") == EAN and re.fullmatch(r"\d{13}", str(i.get("value")))
                for i in resource["identifier"]
            )
        ):
            problems.append("Betaleren mangler et EAN-nummer.")
    for node in _walk(message):
        if not isinstance(node, Mapping) or not isinstance(node.get("system"), str):
            continue
        if node["system"] in (FFB, FFB_OLD) and id(node) not in checked:
            problems.append(f"FFB-koden {node.get('code')} står et sted, intet værdisæt dækker.")
        elif node["system"] == CARE_SOCIAL and node.get("code") not in CARE_SOCIAL_CODES:
            problems.append(f"Koden {node.get('code')} er ikke blandt KL's CareSocialCodes her.")
    return problems


def validate_order_message(message: Mapping[str, Any]) -> None:
    problems = order_message_problems(message)
    if problems:
        raise OrderMessageError(" ".join(dict.fromkeys(problems)))


# The read


def fhir_response(message: Mapping[str, Any], filename: str) -> HttpResponse:
    """The message as a download of application/fhir+json, never cached."""
    response = HttpResponse(
        json.dumps(message, ensure_ascii=False, indent=2), content_type=FHIR_JSON
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.fhir.json"'
    response["Cache-Control"] = "no-store"
    return response


def order_message(
    *, user: User, pk: int | str, base_url: str, sag_pk: int | None = None
) -> tuple[Bestilling, dict[str, Any]]:
    """The bestilling's OrderMessage, validated, for a user who may see the bestilling (a
    provider: its organisation's current orders; case staff: those of their cases), audited as
    an export. Raises Http404 outside the user's scope and OrderMessageError when the content
    cannot make a valid message (nothing is then audited: nothing was handed out). With
    `sag_pk`, the bestilling must belong to that case (the caseworker's page)."""
    bestilling: Bestilling = get_bestilling_or_404(user, pk)
    if sag_pk is not None and bestilling.sag_id != sag_pk:
        raise Http404("Bestillingen findes ikke.")
    message = build_order_message(bestilling, base_url=base_url)
    validate_order_message(message)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=bestilling,
        summary="Bestilling (FHIR) hentet",
    )
    return bestilling, message
