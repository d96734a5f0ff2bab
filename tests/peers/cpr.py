"""CPR's PersonBaseDataExtended (SF1520) for the fake Serviceplatformen
(tests/peers/serviceplatformen.py: `handlers={SF1520.path: FakeCpr(...)}`), checking what the
real service checks and answering as it answers.

- The request: SOAP 1.1 (text/xml, the operation's SOAPAction), an Envelope whose Body holds one
  `PersonLookupRequest`, valid against the service contract's schema for it (below: the
  request's part of PersonBaseDataExtendedServiceMsg.xsd and PNR_1.xsd, the optional call,
  authority and invocation contexts left out as vum sends none). The bearer token is the
  platform's to check, before the handler is asked.
- The answer: a `PersonLookupResponse` with `persondata` and `adresse/aktuelAdresse` for a
  person it knows (`people`), including address protection, death (status 90) and guardianship
  (umyndiggørelse); for a number it does not know, the SOAP fault "PNR not found" (HTTP 500) the
  real one gives; for a number in `faults`, another SOAP fault.
- 500s, timeouts and malformed replies come from the platform's `fail_next`.
"""

from dataclasses import dataclass, field
from datetime import date
from wsgiref.types import WSGIEnvironment
from xml.sax.saxutils import escape

import xmlschema
from defusedxml import ElementTree

from tests.peers.serviceplatformen import Response
from vum.serviceplatformen.cpr import NAMESPACE, PNR_NAMESPACE, SOAP_ACTION, SOAP_ENVELOPE

REQUEST_SCHEMA = f"""<xsd:schema targetNamespace="{NAMESPACE}" xmlns:tns="{NAMESPACE}"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:cpr="{PNR_NAMESPACE}"
    elementFormDefault="qualified" version="1.0">
  <xsd:import namespace="{PNR_NAMESPACE}"/>
  <xsd:element name="PersonLookupRequest" type="tns:PersonLookupRequestType"/>
  <xsd:complexType name="PersonLookupRequestType">
    <xsd:sequence><xsd:element ref="cpr:PNR"/></xsd:sequence>
  </xsd:complexType>
</xsd:schema>"""
PNR_SCHEMA = f"""<xsd:schema targetNamespace="{PNR_NAMESPACE}" xmlns:tns="{PNR_NAMESPACE}"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified" version="1.0">
  <xsd:element name="PNR" type="tns:PNRType"/>
  <xsd:simpleType name="PNRType">
    <xsd:restriction base="xsd:string"><xsd:maxLength value="10"/></xsd:restriction>
  </xsd:simpleType>
</xsd:schema>"""
SCHEMA = xmlschema.XMLSchema([REQUEST_SCHEMA, PNR_SCHEMA])


@dataclass(frozen=True)
class Person:
    fornavn: str
    efternavn: str
    mellemnavn: str = ""
    vejnavn: str = "Vestergade"
    husnummer: str = "12"
    etage: str = ""
    sidedoer: str = ""
    postnummer: str = "8900"
    postdistrikt: str = "Randers C"
    civilstand: str = "U"
    status: str = "1"
    statusdato: date | None = None
    adressebeskyttet: bool = False
    vaerge_navn: str = ""
    vaerge_cpr: str = ""
    umyndiggjort: bool = False


@dataclass
class FakeCpr:
    people: dict[str, Person] = field(default_factory=dict)
    faults: set[str] = field(default_factory=set)
    # The CPR numbers asked for, in order: what vum sent, checked.
    asked: list[str] = field(default_factory=list)

    def __call__(self, environ: WSGIEnvironment, body: bytes) -> Response:
        content_type = environ.get("CONTENT_TYPE", "")
        if not content_type.startswith("text/xml"):
            return fault(400, "soap:Client", f"SOAP 1.1 skal være text/xml, ikke {content_type}")
        if environ.get("HTTP_SOAPACTION", "").strip('"') != SOAP_ACTION:
            return fault(400, "soap:Client", "ukendt SOAPAction")
        try:
            envelope = ElementTree.fromstring(body)
        except ElementTree.ParseError:
            return fault(400, "soap:Client", "ikke XML")
        if envelope.tag != f"{{{SOAP_ENVELOPE}}}Envelope":
            return fault(400, "soap:VersionMismatch", "ikke en SOAP 1.1-envelope")
        soap_body = envelope.find(f"{{{SOAP_ENVELOPE}}}Body")
        if soap_body is None or len(soap_body) != 1:
            return fault(400, "soap:Client", "Body skal indeholde præcis ét element")
        request = soap_body[0]
        errors = [str(error.reason) for error in SCHEMA.iter_errors(request)]
        if errors:
            return fault(400, "soap:Client", f"ugyldig forespørgsel: {errors[0]}")
        pnr = (request.findtext(f"{{{PNR_NAMESPACE}}}PNR") or "").strip()
        self.asked.append(pnr)
        if pnr in self.faults:
            return fault(500, "soap:Server", "Intern fejl i CPR-replikaen", code="SP-500")
        person = self.people.get(pnr)
        if person is None:
            return fault(500, "soap:Server", f"PNR not found: {pnr}", code="PNR-NOT-FOUND")
        return ("200 OK", [("Content-Type", "text/xml; charset=utf-8")], answer(pnr, person))


def _date(value: date | None) -> str:
    return f"<dato>{value.isoformat()}T00:00:00.000+01:00</dato>" if value else ""


def answer(pnr: str, person: Person) -> bytes:
    civilstand = (
        f"<civilstand><civilstand>{person.civilstand}</civilstand></civilstand>"
        if person.civilstand
        else ""
    )
    beskyttelse = (
        "<adressebeskyttelse><startdato>2020-03-01</startdato>"
        "<beskyttet>true</beskyttet></adressebeskyttelse>"
        if person.adressebeskyttet
        else ""
    )
    vaerge = (
        "<umyndiggoerelse>"
        f"<umyndiggorelseRelationType>{1 if person.vaerge_cpr else 2}</umyndiggorelseRelationType>"
        + (
            f"<relationPersonnummer>{person.vaerge_cpr}</relationPersonnummer>"
            if person.vaerge_cpr
            else ""
        )
        + f"<relationVaergenavn>{escape(person.vaerge_navn)}</relationVaergenavn>"
        "<umyndiggoerelseStartdato><dato>2019-05-01</dato></umyndiggoerelseStartdato>"
        f"<umyndiggjort>{'true' if person.umyndiggjort else 'false'}</umyndiggjort>"
        "</umyndiggoerelse>"
        if person.vaerge_navn
        else ""
    )
    statusdato = f"<statusdato>{_date(person.statusdato)}</statusdato>" if person.statusdato else ""
    unit = " ".join(part for part in (person.etage and f"{person.etage}.", person.sidedoer) if part)
    standard = f"{person.vejnavn} {person.husnummer}" + (f", {unit}" if unit else "")
    navn = " ".join(p for p in (person.fornavn, person.mellemnavn, person.efternavn) if p)
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="{SOAP_ENVELOPE}">
<soap:Body>
<PersonLookupResponse xmlns="{NAMESPACE}">
<persondata>
<personnummer>{pnr}</personnummer>
<gaeldendePersonnummer>{pnr}</gaeldendePersonnummer>
<navn>
<personadresseringsnavn>{escape(navn)}</personadresseringsnavn>
<fornavn>{escape(person.fornavn)}</fornavn>
{f"<mellemnavn>{escape(person.mellemnavn)}</mellemnavn>" if person.mellemnavn else ""}
<efternavn>{escape(person.efternavn)}</efternavn>
</navn>
<koen>K</koen>
<antalBoernUnder18>0</antalBoernUnder18>
<status><status>{person.status}</status>{statusdato}</status>
{civilstand}
<statsborgerskab><landekode>5100</landekode></statsborgerskab>
{vaerge}
{beskyttelse}
<tilmeldtDigitalpost>true</tilmeldtDigitalpost>
</persondata>
<adresse>
<aktuelAdresse>
<kommunekode>730</kommunekode>
<vejkode>1234</vejkode>
<husnummer>{escape(person.husnummer)}</husnummer>
{f"<etage>{escape(person.etage)}</etage>" if person.etage else ""}
{f"<sidedoer>{escape(person.sidedoer)}</sidedoer>" if person.sidedoer else ""}
<postnummer>{person.postnummer}</postnummer>
<postdistrikt>{escape(person.postdistrikt)}</postdistrikt>
<vejnavn>{escape(person.vejnavn)}</vejnavn>
<standardadresse>{escape(standard)}</standardadresse>
<vejadresseringsnavn>{escape(person.vejnavn)}</vejadresseringsnavn>
</aktuelAdresse>
</adresse>
</PersonLookupResponse>
</soap:Body>
</soap:Envelope>"""
    return xml.encode()


def fault(status: int, faultcode: str, text: str, *, code: str = "") -> Response:
    """A SOAP 1.1 fault; the service's own faults carry Serviceplatformen's ErrorList."""
    detail = (
        '<detail><spf:ServiceplatformFault xmlns:spf="http://serviceplatformen.dk/xml/schemas/'
        f'ServiceplatformFault/1/"><spf:ErrorList><spf:Error><spf:ErrorCode>{code}'
        f"</spf:ErrorCode><spf:ErrorText>{escape(text)}</spf:ErrorText></spf:Error>"
        "</spf:ErrorList></spf:ServiceplatformFault></detail>"
        if code
        else ""
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{SOAP_ENVELOPE}">'
        f"<soap:Body><soap:Fault><faultcode>{faultcode}</faultcode>"
        f"<faultstring>{escape(text)}</faultstring>{detail}</soap:Fault></soap:Body>"
        "</soap:Envelope>"
    )
    reason = {400: "Bad Request", 500: "Internal Server Error"}[status]
    return (f"{status} {reason}", [("Content-Type", "text/xml; charset=utf-8")], xml.encode())
