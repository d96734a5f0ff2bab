"""Digital Post (SF1601) for tests: the handlers of KombiPostAfsend and PostForespørg on the fake
Serviceplatformen (tests/peers/serviceplatformen.py, which checks the certificate and token).

PostForespørg (`GET …/PostForespoerg_1/digitalpost?cprNumber=`) answers whether a person is
registered for Digital Post: `{"result": false}` for the exempt.

KombiPostAfsend (`POST …/KombiPostAfsend_1/kombi`) checks what Digital Post checks before it
accepts a message:
- the trace headers (X-TransaktionsId a UUID, X-TransaktionsTid) and an XML body;
- `kombi_request` with a KombiValgKode of "Digital Post" or "Fysisk Post" and one MeMo message;
- the message against the MeMo 1.2 model (tests/peers/memo/memo.xsd) and version 1.2;
- the sender is the CVR number of the service agreement, the recipient a CPR number that
  exists, and the main document a PDF;
- a person exempt from Digital Post is not sent "Digital Post"; "Fysisk Post" carries
  Fjernprint's ForsendelseI: the same recipient by CPR number, a postal address with street,
  house number and a 4-digit postcode, a forsendelsestype (a positive number) and the PDF;
- a messageUUID is delivered once: a repeat is refused with 409.
Each accepted message is kept in `delivered`, with its XML, for the tests to read.
"""

import base64
import re
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.types import WSGIEnvironment
from xml.etree.ElementTree import Element

import xmlschema
from defusedxml import ElementTree as SafeET

from tests.peers.serviceplatformen import Handler, Response, json_response

MEMO = "https://DigitalPost.dk/MeMo-1"
KLE = "http://kle-online.dk/"
FJERNPRINT = "urn:oio:fjernprint:1.0.0"
PRINT_NS = {
    "fp": FJERNPRINT,
    "dkal": "urn:oio:dkal:1.0.0",
    "cpr": "urn:oio:adir:dagpenge:2009.07.01",
    "itst": "http://rep.oio.dk/itst.dk/xml/schemas/2006/01/17/",
    "dkcc5": "http://rep.oio.dk/ebxml/xml/schemas/dkcc/2005/03/15/",
    "dkcc3": "http://rep.oio.dk/ebxml/xml/schemas/dkcc/2003/02/13/",
    "sd": "urn:oio:sagdok:3.0.0",
}
# Fjernprint's ForsendelseIType: its elements in the schema's order (as the WSDL-generated
# clients of SF1600/SF1601 have them), those it requires, and DokumentParametre's (SagDok's).
FORSENDELSE_I = (
    "fp:AfsendelseIdentifikator",
    "fp:ForsendelseTypeIdentifikator",
    "fp:ForsendelseModtager",
    "dkal:FilformatNavn",
    "dkal:MeddelelseIndholdData",
    "fp:TransaktionsParametreI",
    "fp:DokumentParametre",
    "fp:KanalUafhaengigeParametreI",
    "fp:PrintParametre",
    "fp:DigitalPostParametre",
    "fp:PostParametre",
    "fp:BilagSamling",
)
FORSENDELSE_I_REQUIRED = {
    "fp:AfsendelseIdentifikator",
    "dkal:FilformatNavn",
    "dkal:MeddelelseIndholdData",
    "fp:DokumentParametre",
}
DOKUMENT_PARAMETRE = ("sd:TitelTekst", "sd:UUIDIdentifikator", "sd:BrevDato")
SCHEMA = Path(__file__).parent / "memo" / "memo.xsd"
CPR = re.compile(r"\d{10}")


@dataclass(frozen=True)
class Delivery:
    message_uuid: str
    channel: str  # "Digital Post" or "Fysisk Post"
    recipient_cpr: str
    recipient_label: str
    sender_cvr: str
    label: str
    pdf: bytes
    xml: str
    # Physical post: the address the print service was given, one line.
    postal_address: str = ""

    def text(self, path: str) -> str:
        """The text of the element at `path` (prefixes memo: and kle:) of the message."""
        found = SafeET.fromstring(self.xml).find(f".//{path}", {"memo": MEMO, "kle": KLE})
        return "" if found is None else found.text or ""


class FakeDigitalPost:
    def __init__(self, *, cvr: str, people: set[str], exempt: set[str] = frozenset()) -> None:
        """`people`: the CPR numbers that exist; `exempt`: those exempt from Digital Post."""
        self.cvr = cvr
        self.people = set(people)
        self.exempt = set(exempt)
        self.delivered: list[Delivery] = []
        self.refused: list[str] = []
        self._schema = xmlschema.XMLSchema(str(SCHEMA))
        self._lock = threading.Lock()

    def handlers(self, kombi_path: str, forespoerg_path: str) -> dict[str, Handler]:
        return {kombi_path: self.kombi_post_afsend, forespoerg_path: self.post_forespoerg}

    def deliveries_to(self, cpr: str) -> list[Delivery]:
        return [d for d in self.delivered if d.recipient_cpr == cpr]

    # -- PostForespørg -------------------------------------------------------------------------

    def post_forespoerg(self, environ: WSGIEnvironment, body: bytes) -> Response:
        if environ["REQUEST_METHOD"] != "GET" or not environ["PATH_INFO"].endswith("/digitalpost"):
            return json_response(404, {"fejl": "ukendt operation"})
        cpr = (parse_qs(environ.get("QUERY_STRING", "")).get("cprNumber") or [""])[0]
        if not CPR.fullmatch(cpr):
            return json_response(400, {"fejl": "cprNumber skal være 10 cifre"})
        return json_response(200, {"result": cpr in self.people and cpr not in self.exempt})

    # -- KombiPostAfsend -----------------------------------------------------------------------

    def kombi_post_afsend(self, environ: WSGIEnvironment, body: bytes) -> Response:
        problem = self._header_problem(environ)
        if problem:
            return self._refuse(400, problem)
        try:
            request = SafeET.fromstring(body)
        except SafeET.ParseError:
            return self._refuse(400, "kroppen er ikke XML")
        choice = request.findtext("KombiValgKode")
        messages = request.findall(f"{{{MEMO}}}Message")
        if request.tag != "kombi_request" or choice not in ("Digital Post", "Fysisk Post"):
            return self._refuse(400, "kombi_request med KombiValgKode forventet")
        if len(messages) != 1:
            return self._refuse(400, "kombi_request skal have én MeMo-meddelelse")
        message = messages[0]
        errors = [str(error.reason or error) for error in self._schema.iter_errors(message)]
        if errors:
            return self._refuse(400, f"MeMo-meddelelsen følger ikke modellen: {errors[0]}")
        problem = self._content_problem(message, choice)
        postal_address = ""
        if problem is None and choice == "Fysisk Post":
            problem, postal_address = self._print_problem(request, message)
        if problem:
            status, reason = problem
            return self._refuse(status, reason)
        delivery = self._delivery(message, choice, body, postal_address)
        with self._lock:
            repeat = any(d.message_uuid == delivery.message_uuid for d in self.delivered)
            if not repeat:
                self.delivered.append(delivery)
        if repeat:
            return self._refuse(409, f"meddelelsen {delivery.message_uuid} er allerede leveret")
        return "200 OK", [("Content-Type", "application/xml")], b"<kombi_response/>"

    def _header_problem(self, environ: WSGIEnvironment) -> str:
        if environ["REQUEST_METHOD"] != "POST" or not environ["PATH_INFO"].endswith("/kombi"):
            return "ukendt operation"
        if "application/xml" not in environ.get("CONTENT_TYPE", ""):
            return "Content-Type skal være application/xml"
        try:
            uuid.UUID(environ.get("HTTP_X_TRANSAKTIONSID", ""))
        except ValueError:
            return "X-TransaktionsId skal være et UUID"
        if not environ.get("HTTP_X_TRANSAKTIONSTID"):
            return "X-TransaktionsTid mangler"
        return ""

    def _content_problem(self, message: Element, choice: str) -> tuple[int, str] | None:
        ns = {"memo": MEMO}
        if message.get("memoVersion") != "1.2":
            return 400, "memoVersion skal være 1.2"
        sender = message.find("memo:MessageHeader/memo:Sender", ns)
        assert sender is not None  # the schema requires it
        if sender.findtext("memo:idType", namespaces=ns) != "CVR" or (
            sender.findtext("memo:senderID", namespaces=ns) != self.cvr
        ):
            return 400, "afsenderen er ikke serviceaftalens CVR-nummer"
        recipient = message.find("memo:MessageHeader/memo:Recipient", ns)
        assert recipient is not None
        cpr = recipient.findtext("memo:recipientID", namespaces=ns) or ""
        if recipient.findtext("memo:idType", namespaces=ns) != "CPR" or not CPR.fullmatch(cpr):
            return 400, "modtageren skal angives ved et CPR-nummer"
        if cpr not in self.people:
            return 400, "modtageren findes ikke i CPR"
        if choice == "Digital Post" and cpr in self.exempt:
            return 400, "modtageren er fritaget for Digital Post"
        file = message.find("memo:MessageBody/memo:MainDocument/memo:File", ns)
        if file is None or file.findtext("memo:encodingFormat", namespaces=ns) != (
            "application/pdf"
        ):
            return 400, "hoveddokumentet skal være en PDF"
        if not base64.b64decode(file.findtext("memo:content", namespaces=ns) or "").startswith(
            b"%PDF"
        ):
            return 400, "hoveddokumentet er ikke en PDF"
        return None

    def _print_problem(
        self, request: Element, message: Element
    ) -> tuple[tuple[int, str] | None, str]:
        """Fjernprint's ForsendelseI beside the message: what the print service needs."""
        found = request.findall("fp:ForsendelseISamling/fp:ForsendelseI", PRINT_NS)
        if len(found) != 1:
            return (400, "fysisk post kræver én ForsendelseI"), ""
        forsendelse = found[0]
        ns = {"memo": MEMO, **PRINT_NS}
        if not _in_order(forsendelse, FORSENDELSE_I, FORSENDELSE_I_REQUIRED):
            return (400, "ForsendelseI følger ikke Fjernprints skema (elementer og rækkefølge)"), ""
        parametre = forsendelse.find("fp:DokumentParametre", ns)
        if parametre is not None and not _in_order(parametre, DOKUMENT_PARAMETRE, set()):
            return (400, "DokumentParametre følger ikke Fjernprints skema"), ""
        uuid = forsendelse.findtext("fp:AfsendelseIdentifikator", "", ns)
        if uuid != message.findtext("memo:MessageHeader/memo:messageUUID", "", ns):
            return (400, "AfsendelseIdentifikator er ikke meddelelsens messageUUID"), ""
        cpr = forsendelse.findtext(
            "fp:ForsendelseModtager/dkal:AfsendelseModtager/cpr:CPRnummerIdentifikator", "", ns
        )
        if cpr != message.findtext("memo:MessageHeader/memo:Recipient/memo:recipientID", "", ns):
            return (400, "ForsendelseI og meddelelsen har ikke samme modtager"), ""
        if not (forsendelse.findtext("fp:ForsendelseTypeIdentifikator", "", ns)).isdigit():
            return (400, "ForsendelseTypeIdentifikator skal være et positivt tal"), ""
        address = forsendelse.find("fp:ForsendelseModtager/fp:ModtagerAdresse", ns)
        parts = [
            "" if address is None else address.findtext(path, "", ns)
            for path in (
                "itst:PersonName",
                "dkcc5:StreetName",
                "dkcc3:StreetBuildingIdentifier",
                "dkcc5:PostCodeIdentifier",
                "dkcc3:CountryIdentificationCode",
            )
        ]
        if not all(parts) or not CPR.fullmatch(cpr) or not re.fullmatch(r"\d{4}", parts[3]):
            return (400, "ModtagerAdresse skal have navn, vej, husnummer og postnummer"), ""
        if forsendelse.findtext("dkal:FilformatNavn", "", ns).upper() != "PDF" or not (
            base64.b64decode(forsendelse.findtext("dkal:MeddelelseIndholdData", "", ns))
        ).startswith(b"%PDF"):
            return (400, "ForsendelseI skal bære brevet som PDF"), ""
        return None, f"{parts[0]}, {parts[1]} {parts[2]}, {parts[3]}"

    def _delivery(
        self, message: Element, choice: str, body: bytes, postal_address: str
    ) -> Delivery:
        ns = {"memo": MEMO}
        header = "memo:MessageHeader/"
        return Delivery(
            message_uuid=message.findtext(header + "memo:messageUUID", namespaces=ns) or "",
            channel=choice,
            recipient_cpr=message.findtext(header + "memo:Recipient/memo:recipientID", "", ns),
            recipient_label=message.findtext(header + "memo:Recipient/memo:label", "", ns),
            sender_cvr=message.findtext(header + "memo:Sender/memo:senderID", "", ns),
            label=message.findtext(header + "memo:label", "", ns),
            pdf=base64.b64decode(
                message.findtext(
                    "memo:MessageBody/memo:MainDocument/memo:File/memo:content", "", ns
                )
            ),
            xml=body.decode(),
            postal_address=postal_address,
        )

    def _refuse(self, status: int, reason: str) -> Response:
        with self._lock:
            self.refused.append(reason)
        return json_response(status, {"fejl": reason})


def _qualified(tag: str) -> str:
    """An element's tag as "prefix:name" in PRINT_NS's prefixes."""
    namespace, _, name = tag[1:].partition("}")
    prefixes = {uri: prefix for prefix, uri in PRINT_NS.items()}
    return f"{prefixes.get(namespace, namespace)}:{name}"


def _in_order(element: Element, sequence: tuple[str, ...], required: set[str]) -> bool:
    """The element's children are known to the sequence, each at most once and in its order,
    and the required ones are there."""
    children = [_qualified(child.tag) for child in element]
    if not set(children) <= set(sequence) or not required <= set(children):
        return False
    positions = [sequence.index(child) for child in children]
    return positions == sorted(set(positions))
