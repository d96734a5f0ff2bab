"""CPR lookup through Serviceplatformen: SF1520, the CPR replica's PersonBaseDataExtended
service, operation PersonLookup (SOAP 1.1, document/literal), one person by CPR number.

The request is the service contract's `PersonLookupRequest` with the CPR number as `PNR`; the
answer's `persondata` holds the name, civil status, status (90: dead), address protection and
guardianship (umyndiggørelse), and `adresse/aktuelAdresse` the current address. What vum keeps
of it is `CprPerson`. A person CPR does not know is `PersonIkkeFundet`; anything else that goes
wrong is a `ServiceplatformenError` with a Danish reason that never names the citizen.
"""

from dataclasses import dataclass
from datetime import date
from xml.etree.ElementTree import Element  # the type only: defusedxml parses
from xml.sax.saxutils import escape

from defusedxml import ElementTree
from django.conf import settings
from django.utils import timezone

from vum.serviceplatformen.client import (
    ENVIRONMENTS,
    Service,
    ServiceplatformenClient,
    ServiceplatformenError,
    shared_client,
)

SF1520 = Service(
    name="CPR-opslag (SF1520)",
    entity_id="http://cpr.serviceplatformen.dk/service/personbasedataextended/5",
    path="/service/CPR/PersonBaseDataExtended/5",
)
NAMESPACE = "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/"
PNR_NAMESPACE = "http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/"
SOAP_ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_ACTION = NAMESPACE + "PersonLookup"
# CPR's status 90: "Inaktiv, død"; its date is the date of death.
STATUS_DEAD = "90"
CIVILSTAND = {
    "U": "Ugift",
    "G": "Gift",
    "F": "Fraskilt",
    "E": "Enke/enkemand",
    "P": "Registreret partnerskab",
    "O": "Ophævet partnerskab",
    "L": "Længstlevende partner",
    "D": "Død",
}
# The words in a fault's text by which SF1520 says it has no person with that number.
NOT_FOUND_MARKER = "PNR not found"


class PersonIkkeFundet(ServiceplatformenError):
    """CPR has no person with the number asked for."""

    def __init__(self) -> None:
        super().__init__("CPR kender ikke dette CPR-nummer. Tjek nummeret.")


@dataclass(frozen=True)
class Vaerge:
    """A guardian (værge) CPR holds for the person: by CPR number where CPR has it, by name."""

    navn: str
    cpr: str
    # Deprived of legal capacity (værgemålslovens § 6), not only a guardian (§ 5).
    frataget_handleevne: bool


@dataclass(frozen=True)
class CprPerson:
    cpr: str
    fornavn: str
    mellemnavn: str
    efternavn: str
    adresse: str
    postnummer: str
    by: str
    civilstand: str
    doedsdato: date | None
    adressebeskyttet: bool
    vaerge: Vaerge | None

    @property
    def fornavne(self) -> str:
        """First and middle names: vum's `fornavn` holds both, as a letter's name line does."""
        return " ".join(part for part in (self.fornavn, self.mellemnavn) if part)


def lookup_enabled() -> bool:
    """CPR lookup runs only when switched on and Serviceplatformen points somewhere real."""
    return bool(settings.VUM_CPR_LOOKUP) and settings.VUM_SERVICEPLATFORMEN in ENVIRONMENTS


def person_lookup(cpr: str, *, client: ServiceplatformenClient | None = None) -> CprPerson:
    """The person with CPR number `cpr` (10 digits) as CPR has them now."""
    if client is None:
        if not lookup_enabled():
            raise ServiceplatformenError(
                "Opslag i CPR er ikke slået til (VUM_CPR_LOOKUP og VUM_SERVICEPLATFORMEN)."
            )
        client = shared_client()
    try:
        response = client.call(
            SF1520,
            "PersonLookup",
            idempotent=True,
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{SOAP_ACTION}"'},
            data=request_envelope(cpr).encode(),
        )
    except ServiceplatformenError as error:
        if error.status is not None and error.body:
            _raise_fault(error.body, error.status)  # a SOAP fault says why (is it "not found"?)
        raise
    return parse_response(response.content, cpr)


def request_envelope(cpr: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_ENVELOPE}">'
        "<soap:Body>"
        f'<PersonLookupRequest xmlns="{NAMESPACE}">'
        f'<PNR xmlns="{PNR_NAMESPACE}">{escape(cpr)}</PNR>'
        "</PersonLookupRequest>"
        "</soap:Body>"
        "</soap:Envelope>"
    )


def _unreadable() -> ServiceplatformenError:
    return ServiceplatformenError(f"{SF1520.name} gav et svar, vum ikke kan læse.")


def _parse(content: bytes) -> Element:
    try:
        root: Element = ElementTree.fromstring(content)
    except (ElementTree.ParseError, ValueError) as error:
        raise _unreadable() from error
    if root.tag != f"{{{SOAP_ENVELOPE}}}Envelope":
        raise _unreadable()
    return root


def _raise_fault(content: bytes, status: int) -> None:
    """A refused call's body: a SOAP fault says why; anything else leaves the client's error."""
    try:
        root = _parse(content)
    except ServiceplatformenError:
        return
    fault = root.find(f"{{{SOAP_ENVELOPE}}}Body/{{{SOAP_ENVELOPE}}}Fault")
    if fault is None:
        return
    text = " ".join(fault.itertext())
    if NOT_FOUND_MARKER.lower() in text.lower():
        raise PersonIkkeFundet()
    # The fault's own text may quote the request (the CPR number): it is not repeated.
    raise ServiceplatformenError(
        f"{SF1520.name} afviste opslaget (SOAP-fejl, {status}).", status=status
    )


def _text(element: Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path, {"c": NAMESPACE})
    return (found.text or "").strip() if found is not None else ""


def _date(element: Element | None, path: str) -> date | None:
    value = _text(element, path)
    if not value:
        return None
    try:
        # CPR's dates may carry a time (usikkerhedDatoTidType): the day is what counts.
        return date.fromisoformat(value[:10])
    except ValueError as error:
        raise _unreadable() from error


def _protected(persondata: Element) -> bool:
    beskyttelse = persondata.find("c:adressebeskyttelse", {"c": NAMESPACE})
    if beskyttelse is None or _text(beskyttelse, "c:beskyttet") != "true":
        return False
    ends = _date(beskyttelse, "c:slutdato")
    return ends is None or ends >= timezone.localdate()


def _address(aktuel: Element | None) -> str:
    standard = _text(aktuel, "c:standardadresse")
    if standard:
        return standard
    street = " ".join(
        part
        for part in (_text(aktuel, "c:vejadresseringsnavn"), _text(aktuel, "c:husnummer"))
        if part
    )
    unit = " ".join(
        part for part in (_text(aktuel, "c:etage"), _text(aktuel, "c:sidedoer")) if part
    )
    return f"{street}, {unit}" if street and unit else street


def _guardian(persondata: Element) -> Vaerge | None:
    umyndig = persondata.find("c:umyndiggoerelse", {"c": NAMESPACE})
    if umyndig is None:
        return None
    ended = _date(umyndig, "c:umyndiggoerelseSlettedato")
    if ended is not None and ended <= timezone.localdate():
        return None
    return Vaerge(
        navn=_text(umyndig, "c:relationVaergenavn"),
        cpr=_text(umyndig, "c:relationPersonnummer"),
        frataget_handleevne=_text(umyndig, "c:umyndiggjort") == "true",
    )


def parse_response(content: bytes, cpr: str) -> CprPerson:
    root = _parse(content)
    body = root.find(f"{{{SOAP_ENVELOPE}}}Body")
    if body is not None and body.find(f"{{{SOAP_ENVELOPE}}}Fault") is not None:
        _raise_fault(content, 200)
    answer = body.find("c:PersonLookupResponse", {"c": NAMESPACE}) if body is not None else None
    if answer is None:
        raise _unreadable()
    persondata = answer.find("c:persondata", {"c": NAMESPACE})
    if persondata is None:
        raise PersonIkkeFundet()
    if _text(persondata, "c:personnummer") not in ("", cpr):
        # An answer about someone else must never be stored as this citizen.
        raise _unreadable()
    aktuel = answer.find("c:adresse/c:aktuelAdresse", {"c": NAMESPACE})
    dead = _text(persondata, "c:status/c:status") == STATUS_DEAD
    return CprPerson(
        cpr=cpr,
        fornavn=_text(persondata, "c:navn/c:fornavn"),
        mellemnavn=_text(persondata, "c:navn/c:mellemnavn"),
        efternavn=_text(persondata, "c:navn/c:efternavn"),
        adresse=_address(aktuel),
        postnummer=_text(aktuel, "c:postnummer"),
        by=_text(aktuel, "c:postdistrikt") or _text(aktuel, "c:bynavn"),
        civilstand=CIVILSTAND.get(_text(persondata, "c:civilstand/c:civilstand"), ""),
        doedsdato=_date(persondata, "c:status/c:statusdato/c:dato") if dead else None,
        adressebeskyttet=_protected(persondata),
        vaerge=_guardian(persondata),
    )
