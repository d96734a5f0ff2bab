"""Letters through Digital Post: SF1601 on Serviceplatformen, the letter as a MeMo 1.2 message.

Before a letter goes, PostForespørg asks whether the recipient is exempt from Digital Post; an
exempt recipient gets the letter as physical post through the same service: KombiPostAfsend with
"Fysisk Post" and a Fjernprint `ForsendelseI` beside the MeMo message, carrying the recipient's
postal address, the PDF and the municipality's forsendelsestype (agreed with the print service,
`VUM_DIGITAL_POST_FORSENDELSESTYPE`). A citizen with name and address protection is never sent
physical post by vum: exempt and protected, the letter is refused and the caseworker told; so is
a letter to an exempt recipient vum has no full postal address for.

Every attempt to send one letter to one recipient carries the same MeMo messageUUID
(`Letter.message_uuid`), so a call whose answer was lost may be sent again: Digital Post
delivers a messageUUID once and refuses a repeat with 409, which vum reads as "delivered
already". Without Beskedfordeleren (`vum.serviceplatformen.beskedfordeler`), the receipt of a
digital letter is the platform's acceptance, and the complaint deadline runs from it. With it,
the acceptance is a dispatch, and Digital Post's own receipt (PKO_PostStatus) says when the
letter reached the mailbox, or that it did not.
"""

import base64
import re
import uuid
from datetime import UTC, datetime
from xml.etree import ElementTree as ET  # building only; answers are parsed by defusedxml

from django.conf import settings
from django.utils import timezone

from vum.dispatch import DeliveryRefused, Letter, Receipt
from vum.serviceplatformen.beskedfordeler import receipts_enabled
from vum.serviceplatformen.client import (
    Service,
    ServiceplatformenClient,
    ServiceplatformenError,
    shared_client,
)

KOMBI_POST_AFSEND = Service(
    name="Digital Post (SF1601 KombiPostAfsend)",
    entity_id="http://entityid.kombit.dk/service/kombipostafsend/1",
    path="/service/KombiPostAfsend_1",
)
POST_FORESPOERG = Service(
    name="Digital Post (SF1601 PostForespørg)",
    entity_id="http://entityid.kombit.dk/service/postforespoerg/1",
    path="/service/PostForespoerg_1",
)
MEMO = "https://DigitalPost.dk/MeMo-1"
KLE = "http://kle-online.dk/"
# Fjernprint's ForsendelseI and the OIO vocabularies its elements come from.
FJERNPRINT = "urn:oio:fjernprint:1.0.0"
DKAL = "urn:oio:dkal:1.0.0"
CPR_VOCABULARY = "urn:oio:adir:dagpenge:2009.07.01"
ITST = "http://rep.oio.dk/itst.dk/xml/schemas/2006/01/17/"
DKCC_2005 = "http://rep.oio.dk/ebxml/xml/schemas/dkcc/2005/03/15/"
DKCC_2003 = "http://rep.oio.dk/ebxml/xml/schemas/dkcc/2003/02/13/"
SAGDOK = "urn:oio:sagdok:3.0.0"
MEMO_VERSION = "1.2"
MEMO_SCHEMA_VERSION = "1.2.0"
DIGITAL = "Digital Post"
PHYSICAL = "Fysisk Post"
# Serviceplatformen only understands the prefix "memo" (as the other SF1601 clients found).
ET.register_namespace("memo", MEMO)
ET.register_namespace("kle", KLE)
ET.register_namespace("fjernprint", FJERNPRINT)
ET.register_namespace("dkal", DKAL)
ET.register_namespace("sd", SAGDOK)
# A Danish address line: the street, then the house number (with a letter), then the rest.
STREET_AND_NUMBER = re.compile(r"^\s*(?P<street>.*?\D)\s+(?P<number>\d+\s*[A-Za-zÆØÅæøå]?)\b")


def memo_time(moment: datetime) -> str:
    """MeMo's date-times are UTC, written with a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(
    parent: ET.Element, tag: str, text: str | None = None, namespace: str = MEMO
) -> ET.Element:
    element = ET.SubElement(parent, f"{{{namespace}}}{tag}")
    if text is not None:
        element.text = text
    return element


def memo_message(*, letter: Letter, sender_cvr: str, sender_name: str, now: datetime) -> ET.Element:
    """The letter as a MeMo message: the PDF as the main document, the municipality as sender
    with the team and its reply address, the recipient by CPR number, and the case's id and KLE
    classification as content data (Digital Post and the recipient's systems file by them)."""
    message = ET.Element(
        f"{{{MEMO}}}Message",
        {"memoVersion": MEMO_VERSION, "memoSchVersion": MEMO_SCHEMA_VERSION},
    )
    header = _add(message, "MessageHeader")
    _add(header, "messageType", "DIGITALPOST")
    _add(header, "messageUUID", str(letter.message_uuid))
    _add(header, "label", letter.subject[:256])
    _add(header, "mandatory", "false")
    _add(header, "legalNotification", "false")
    sender = _add(header, "Sender")
    _add(sender, "senderID", sender_cvr)
    _add(sender, "idType", "CVR")
    _add(sender, "label", sender_name[:256])
    if letter.team or letter.reply_address:
        attention = _add(sender, "AttentionData")
        if letter.reply_address:
            _add(_add(attention, "EMail"), "emailAddress", letter.reply_address)
        if letter.team:
            responsible = _add(attention, "ContentResponsible")
            _add(responsible, "contentResponsibleID", letter.team_id[:256])
            _add(responsible, "label", letter.team[:256])
    recipient = _add(header, "Recipient")
    _add(recipient, "recipientID", letter.recipient_cpr)
    _add(recipient, "idType", "CPR")
    _add(recipient, "label", letter.recipient_name[:256])
    content = _add(header, "ContentData")
    if letter.case_reference:
        case = _add(content, "CaseID")
        _add(case, "caseID", letter.case_reference)
        _add(case, "caseSystem", "vum")
    if settings.VUM_DIGITAL_POST_KLE:
        kle = _add(content, "KLEdata", namespace=KLE)
        _add(kle, "subjectKey", settings.VUM_DIGITAL_POST_KLE, namespace=KLE)
        _add(kle, "version", settings.VUM_DIGITAL_POST_KLE_VERSION, namespace=KLE)
        if settings.VUM_DIGITAL_POST_KLE_FACET:
            _add(kle, "activityFacet", settings.VUM_DIGITAL_POST_KLE_FACET, namespace=KLE)
        _add(kle, "label", settings.VUM_DIGITAL_POST_KLE_LABEL, namespace=KLE)
    body = _add(message, "MessageBody")
    _add(body, "createdDateTime", memo_time(now))
    main = _add(body, "MainDocument")
    _add(main, "mainDocumentID", letter.key)
    _add(main, "label", letter.subject[:256])
    file = _add(main, "File")
    _add(file, "encodingFormat", "application/pdf")
    _add(file, "filename", f"{letter.key}.pdf")
    _add(file, "language", "da")
    _add(file, "content", base64.b64encode(letter.pdf).decode())
    return message


def forsendelse_i(*, letter: Letter, forsendelsestype: str) -> ET.Element:
    """The letter for Fjernprint (physical post): who by CPR number, where by postal address,
    the PDF, and the forsendelsestype the print service knows the municipality's letters by. Its
    AfsendelseIdentifikator is the message's UUID, the same at every attempt."""
    street = STREET_AND_NUMBER.match(letter.recipient_address)
    assert street is not None, "checked by the dispatcher"
    forsendelse = ET.Element(f"{{{FJERNPRINT}}}ForsendelseI")
    _add(forsendelse, "AfsendelseIdentifikator", str(letter.message_uuid), FJERNPRINT)
    _add(forsendelse, "ForsendelseTypeIdentifikator", forsendelsestype, FJERNPRINT)
    recipient = _add(forsendelse, "ForsendelseModtager", namespace=FJERNPRINT)
    who = _add(recipient, "AfsendelseModtager", namespace=DKAL)
    _add(who, "CPRnummerIdentifikator", letter.recipient_cpr, CPR_VOCABULARY)
    address = _add(recipient, "ModtagerAdresse", namespace=FJERNPRINT)
    _add(address, "PersonName", letter.recipient_name, ITST)
    _add(address, "StreetName", street["street"].strip(), DKCC_2005)
    _add(address, "StreetBuildingIdentifier", street["number"].replace(" ", ""), DKCC_2003)
    _add(address, "PostCodeIdentifier", letter.recipient_postcode, DKCC_2005)
    _add(address, "CountryIdentificationCode", "DK", DKCC_2003).set("scheme", "iso3166-alpha2")
    _add(forsendelse, "FilformatNavn", "PDF", DKAL)
    _add(forsendelse, "MeddelelseIndholdData", base64.b64encode(letter.pdf).decode(), DKAL)
    _add(forsendelse, "TransaktionsParametreI", namespace=FJERNPRINT)
    _add(
        _add(forsendelse, "DokumentParametre", namespace=FJERNPRINT),
        "TitelTekst",
        letter.subject[:300],
        SAGDOK,
    )
    return forsendelse


def kombi_request(
    message: ET.Element, *, choice: str, forsendelse: ET.Element | None = None
) -> bytes:
    """KombiPostAfsend's request: the channel chosen, Fjernprint's ForsendelseI for physical
    post, then the MeMo message."""
    request = ET.Element("kombi_request")
    ET.SubElement(request, "KombiValgKode").text = choice
    if forsendelse is not None:
        _add(request, "ForsendelseISamling", namespace=FJERNPRINT).append(forsendelse)
    request.append(message)
    return ET.tostring(request, encoding="utf-8", xml_declaration=True)


class DigitalPostDispatcher:
    channel = "Digital Post"
    digital_post = True

    def __init__(self, client: ServiceplatformenClient | None = None) -> None:
        self.client = client or shared_client()

    def exempt(self, cpr: str) -> bool:
        """Is the person exempt from Digital Post (PostForespørg: not registered)?"""
        response = self.client.call(
            POST_FORESPOERG,
            "PostForespørg",
            method="GET",
            path="/digitalpost",
            idempotent=True,
            headers=_transaction_headers(),
            params={"cprNumber": cpr},
        )
        try:
            return response.json()["result"] is not True
        except (ValueError, KeyError, TypeError) as error:
            raise ServiceplatformenError(
                f"{POST_FORESPOERG.name} gav et svar, vum ikke kan læse."
            ) from error

    def send(self, letter: Letter) -> Receipt:
        if not letter.recipient_cpr:
            raise DeliveryRefused(
                f"vum kender ikke CPR-nummeret på {letter.recipient_name}, og Digital Post "
                "finder modtageren ved det. Tilføj CPR-nummeret og send brevet igen.",
                channel=self.channel,
            )
        physical = self.exempt(letter.recipient_cpr)
        if physical and letter.address_protected:
            raise DeliveryRefused(
                f"{letter.recipient_name} er fritaget for Digital Post og har navne- og "
                "adressebeskyttelse, så vum sender ikke brevet som fysisk post. Send det "
                "gennem kommunens procedure for beskyttede adresser.",
                channel=self.channel,
            )
        forsendelse = self._physical(letter) if physical else None
        now = timezone.now()
        message = memo_message(
            letter=letter,
            sender_cvr=self.client.config.cvr,
            sender_name=settings.VUM_DIGITAL_POST_SENDER,
            now=now,
        )
        try:
            self.client.call(
                KOMBI_POST_AFSEND,
                "KombiPostAfsend",
                path="/kombi",
                # The messageUUID makes a repeat harmless: Digital Post delivers it once.
                idempotent=True,
                headers={"Content-Type": "application/xml", **_transaction_headers()},
                data=kombi_request(
                    message, choice=PHYSICAL if physical else DIGITAL, forsendelse=forsendelse
                ),
            )
        except ServiceplatformenError as error:
            if error.status == 409:
                pass  # this messageUUID was delivered by an earlier attempt whose answer was lost
            elif error.status in (400, 422):  # this letter; a 404 is a wrong address: ours
                raise DeliveryRefused(
                    f"Digital Post afviste brevet til {letter.recipient_name} "
                    f"({error.status}): {without_cpr(error.detail or error.reason)}",
                    channel=self.channel,
                    reference=str(letter.message_uuid),
                ) from error
            else:
                raise
        return Receipt(
            channel=PHYSICAL if physical else self.channel,
            reference=str(letter.message_uuid),
            sent_at=now,
            delivered_at=None if physical or receipts_enabled() else now,
            physical_post=physical,
        )

    def _physical(self, letter: Letter) -> ET.Element:
        """Fjernprint's part of a letter to an exempt recipient, or a refusal saying what is
        missing for physical post."""
        if not settings.VUM_DIGITAL_POST_FORSENDELSESTYPE:
            raise DeliveryRefused(
                f"{letter.recipient_name} er fritaget for Digital Post, og fysisk post er ikke "
                "sat op (VUM_DIGITAL_POST_FORSENDELSESTYPE). Send brevet med almindelig post.",
                channel=self.channel,
            )
        if not (
            STREET_AND_NUMBER.match(letter.recipient_address)
            and re.fullmatch(r"\d{4}", letter.recipient_postcode)
        ):
            raise DeliveryRefused(
                f"{letter.recipient_name} er fritaget for Digital Post, og vum har ikke en "
                "fuld postadresse (vej, husnummer og postnummer) til fysisk post. Ret adressen "
                "og send brevet igen.",
                channel=self.channel,
            )
        return forsendelse_i(
            letter=letter, forsendelsestype=settings.VUM_DIGITAL_POST_FORSENDELSESTYPE
        )


CPR_NUMBER = re.compile(r"\b\d{6}-?\d{4}\b")


def without_cpr(text: str) -> str:
    """Digital Post's reason may quote the recipient's CPR number; the reason is shown on the
    case, in a task and in a notification e-mail, where the number has no place."""
    return CPR_NUMBER.sub("[CPR-nummer]", text)


def _transaction_headers() -> dict[str, str]:
    """SF1601's trace headers: an id for this call and when it was made."""
    return {"X-TransaktionsId": str(uuid.uuid4()), "X-TransaktionsTid": memo_time(timezone.now())}
