"""Digital Post's receipts through KOMBIT's Beskedfordeler (SF1461, fetched over AMQP).

KombiPostAfsend (SF1601) answers when Digital Post has taken a letter. Whether it then reached
the recipient's mailbox, failed, or (as physical post) how far it got, comes later: Digital Post
publishes a PKO_PostStatus for each message, and Beskedfordeler puts it, base64 inside a
Haendelsesbesked envelope, in the municipality's dueslag (a queue) for the subscription in its
service agreement. vum fetches that queue (`receipts_fetch`), a batch at each beat.

The connection is AMQP 0-9-1 over TLS with the municipality's certificate, to the virtual host
"BF", authenticated by SASL EXTERNAL carrying a SAML token that KOMBIT's STS issues for the
Beskedfordeler "afhent" service, as KOMBIT's own samples do. A broker given with a user and a
password in VUM_BESKEDFORDELER_URL (a broker of the municipality's own, or a test's) is logged
into with them instead.

Each message is handed to `handle` (which records it in its own transaction) and acknowledged
only after that returns: a crash in between brings the message again, so `handle` must find a
receipt it has recorded and change nothing. A message vum cannot read is rejected without
requeue (Beskedfordeler keeps it as a dead letter), logged by its BeskedId, never its content,
and told to the administrators; so is a message `handle` gives up on (DeadLetter: it counts
its failures, and gives up on the second), so that one bad message cannot hold up the queue.
"""

import base64
import logging
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import amqp
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from vum.notifications.services import administrators_notify
from vum.serviceplatformen.client import Service, ServiceplatformenError, shared_client

logger = logging.getLogger(__name__)

KUVERT = "urn:oio:besked:kuvert:1.0"
POST_STATUS = "http://serviceplatformen.dk/xml/print/PKO_PostStatus/1/types"
# KOMBIT's Beskedfordeler per environment: the AMQP address and the service the STS issues the
# token for (docs/serviceplatformen.md#beskedfordeleren).
ENVIRONMENTS = {
    "test": (
        "amqps://beskedfordeler.eksterntest-stoettesystemerne.dk:5671/BF",
        "http://beskedfordeler.eksterntest-stoettesystemerne.dk/service/afhent/1",
    ),
    "prod": (
        "amqps://beskedfordeler.stoettesystemerne.dk:5671/BF",
        "http://beskedfordeler.stoettesystemerne.dk/service/afhent/1",
    ),
}


class UnreadableMessage(ValueError):
    """A message that is not a PKO_PostStatus vum can read; the text says why, without content."""


class DeadLetter(Exception):
    """Raised by a `handle` that will not be helped by the message coming again (it has failed
    on it before): the message goes to the dead letters. The text says why, without content."""


@dataclass(frozen=True)
class PostStatus:
    """One PKO_PostStatus: where the message `message_uuid` stands, as of `at`."""

    besked_id: str
    message_uuid: uuid.UUID
    # TransaktionsStatusKode as Digital Post words it: "Afleveret Digital Post", "Fejlet",
    # "Modtaget Digital Post", and for physical post "Afleveret til print og kuvertering",
    # "Modtaget PostDanmark" and others on the way.
    status: str
    at: datetime
    channel: str
    # FejlDetaljer of a failure: the code and Digital Post's text (may quote a CPR number).
    error: str = ""

    @property
    def delivered(self) -> bool:
        """In the recipient's mailbox: the letter is received, and the complaint deadline runs."""
        return self.status.casefold() == "afleveret digital post"

    @property
    def failed(self) -> bool:
        return self.status.casefold() == "fejlet"


def _local(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _find(root: Element, name: str) -> Element | None:
    """The first element named `name` in any namespace: the envelope's inner parts come from
    several OIO vocabularies, and only their names are fixed."""
    return next((element for element in root.iter() if _local(element) == name), None)


def _text(root: Element, name: str) -> str:
    element = _find(root, name)
    return (element.text or "").strip() if element is not None else ""


def _xml(text: bytes, what: str) -> Element:
    try:
        return SafeET.fromstring(text)
    except (SafeET.ParseError, DefusedXmlException) as error:
        # defusedxml refuses entities, DTDs and external references with its own errors.
        raise UnreadableMessage(f"{what} er ikke XML, vum kan læse") from error


def _besked_id(envelope: Element) -> str:
    """The message's BeskedId if it is a UUID (it is logged, so nothing else is taken)."""
    element = _find(envelope, "BeskedId")
    try:
        return str(uuid.UUID(_text(element, "UUIDIdentifikator"))) if element is not None else ""
    except ValueError:
        return ""


def post_status_parse(body: bytes) -> PostStatus:
    """The PKO_PostStatus in a Haendelsesbesked, or UnreadableMessage (whose text names the
    message by its BeskedId and says what is wrong, never what it holds)."""
    envelope = _xml(body, "beskeden")
    if envelope.tag != f"{{{KUVERT}}}Haendelsesbesked":
        raise UnreadableMessage("beskeden er ikke en Haendelsesbesked")
    besked_id = _besked_id(envelope)
    name = f"Haendelsesbesked {besked_id or 'uden BeskedId'}"
    data = _find(envelope, "Beskeddata")
    # base64Binary may be wrapped over lines.
    encoded = "".join(_text(data, "Base64").split()) if data is not None else ""
    if not encoded:
        raise UnreadableMessage(f"{name} har ingen Beskeddata/Base64")
    try:
        decoded = base64.b64decode(encoded, validate=True)
    except ValueError as error:  # binascii.Error, or text that is not ASCII
        raise UnreadableMessage(f"Beskeddata i {name} er ikke base64") from error
    payload = _xml(decoded, f"Beskeddata i {name}")
    if payload.tag != f"{{{POST_STATUS}}}PKO_PostStatus":
        raise UnreadableMessage(f"{name} bærer ikke en PKO_PostStatus")
    try:
        message_uuid = uuid.UUID(_text(payload, "MessageUUID"))
    except ValueError as error:
        raise UnreadableMessage(f"PKO_PostStatus i {name} har intet gyldigt MessageUUID") from error
    try:
        at = parse_datetime(_text(payload, "TransaktionsDatoTid"))
    except ValueError:  # well formed, but no such time (30 February)
        at = None
    status = _text(payload, "TransaktionsStatusKode")
    if at is None or not status:
        raise UnreadableMessage(f"PKO_PostStatus i {name} mangler status eller tidspunkt")
    if timezone.is_naive(at):
        at = timezone.make_aware(at)  # Digital Post's times are Danish where they say no zone
    details = _find(payload, "FejlDetaljer")
    fault = (_text(details, "FejlKode"), _text(details, "FejlTekst")) if details is not None else ()
    return PostStatus(
        besked_id=besked_id,
        message_uuid=message_uuid,
        status=status,
        at=at,
        channel=_text(payload, "KanalKode"),
        error=": ".join(part for part in fault if part),
    )


def receipts_enabled() -> bool:
    return bool(settings.VUM_BESKEDFORDELER_DUESLAG)


@dataclass(frozen=True)
class Fetched:
    handled: int = 0
    rejected: int = 0


def receipts_fetch(*, handle: Callable[[PostStatus], object], limit: int) -> Fetched:
    """Take up to `limit` messages from the dueslag, hand each PKO_PostStatus to `handle`, and
    acknowledge it once `handle` has returned. A message vum cannot read, or that `handle`
    gives up on (DeadLetter), is rejected to the dueslag's dead letters and the administrators
    are told (`receipt_failure_alert`); any other error leaves it in the queue, to come again.
    Raises ServiceplatformenError when the broker cannot be reached (nothing is lost: the
    messages wait in the queue)."""
    handled = rejected = 0
    queue = settings.VUM_BESKEDFORDELER_DUESLAG
    with _connect() as connection:
        channel = connection.channel()
        for _ in range(limit):
            message = channel.basic_get(queue=queue, no_ack=False)
            if message is None:
                break
            tag = message.delivery_info["delivery_tag"]
            reason = _refusal(message.body, handle)
            if reason is None:
                channel.basic_ack(tag)
                handled += 1
                continue
            logger.error("Beskedfordeleren: besked afvist til døde breve: %s", reason)
            channel.basic_reject(tag, requeue=False)
            rejected += 1
            receipt_failure_alert(
                reason=f"{reason}; beskeden ligger i dueslagets døde breve, se den der"
            )
    logger.info("Beskedfordeleren: %d kvitteringer behandlet, %d afvist", handled, rejected)
    return Fetched(handled=handled, rejected=rejected)


def _refusal(body: bytes | str, handle: Callable[[PostStatus], object]) -> str | None:
    """Why the message goes to the dead letters, or None when `handle` has recorded it. A
    message the parser fails on in any way is unreadable: it would fail the same way each time
    it came. Anything `handle` raises but DeadLetter closes the connection unacknowledged: the
    message comes again."""
    try:
        status = post_status_parse(_bytes(body))
    except UnreadableMessage as unreadable:
        return str(unreadable)
    except Exception as error:  # a fault in the parser: the message is kept, not lost
        logger.exception("Beskedfordeleren: en besked kunne ikke læses")
        return f"vum kunne ikke læse en besked ({type(error).__name__})"
    try:
        handle(status)
    except DeadLetter as given_up:
        return str(given_up)
    return None


def receipt_failure_alert(*, reason: str) -> None:
    """Tell the administrators, once an hour, that a receipt from Digital Post could not be
    handled: it may say a letter failed, which no caseworker will then hear of. `reason` names
    the message by its BeskedId only."""
    now = timezone.localtime()
    administrators_notify(
        titel="En kvittering fra Digital Post kunne ikke behandles",
        tekst=(
            f"Beskedfordeleren: {reason}. Se serverens log "
            "(docs/serviceplatformen.md#beskedfordeleren-sf1461)."
        ),
        link="",
        kilde=f"beskedfordeler-afvist-{now:%Y%m%d%H}",
    )


def _bytes(body: bytes | str) -> bytes:
    """The message body as sent: py-amqp decodes a body whose content encoding it is told."""
    return body.encode() if isinstance(body, str) else body


def _connect() -> amqp.Connection:
    mode = settings.VUM_SERVICEPLATFORMEN
    default_url, entity_id = ENVIRONMENTS.get(mode, ("", ""))
    url = urlsplit(settings.VUM_BESKEDFORDELER_URL or default_url)
    if url.scheme not in ("amqp", "amqps") or not url.hostname:
        raise ServiceplatformenError(
            "Beskedfordeleren er ikke sat op: VUM_BESKEDFORDELER_URL er ikke en amqp(s)-adresse, "
            "og VUM_SERVICEPLATFORMEN er hverken 'test' eller 'prod'."
        )
    # TLS with the municipality's certificate; the broker's is checked against the CA file.
    tls: dict[str, Any] | bool = url.scheme == "amqps" and {
        "certfile": settings.VUM_SERVICEPLATFORMEN_CERT_FILE,
        "keyfile": settings.VUM_SERVICEPLATFORMEN_KEY_FILE,
        "ca_certs": settings.VUM_SERVICEPLATFORMEN_CA_FILE or None,
        "cert_reqs": ssl.CERT_REQUIRED,
        "server_hostname": url.hostname,
    }
    login: dict[str, Any]
    if url.username:
        login = {"userid": unquote(url.username), "password": unquote(url.password or "")}
    else:
        service = Service(name="Beskedfordeleren (SF1461)", entity_id=entity_id, path="")
        login = {"login_method": "EXTERNAL", "login_response": _sasl_token(service)}
    timeout = settings.VUM_SERVICEPLATFORMEN_TIMEOUT_SECONDS
    connection = amqp.Connection(
        host=f"{url.hostname}:{url.port or (5671 if url.scheme == 'amqps' else 5672)}",
        virtual_host=unquote(url.path.lstrip("/")) or "/",
        ssl=tls,
        connect_timeout=timeout,
        read_timeout=timeout,
        write_timeout=timeout,
        **login,
    )
    try:
        connection.connect()
    except amqp.exceptions.AccessRefused:
        if not url.username:
            shared_client().forget_token(service)  # the next run asks the STS again
        raise ServiceplatformenError(
            "Beskedfordeleren afviste vums login. Tjek serviceaftalen for Beskedfordeleren "
            "(afhent), certifikatet og VUM_BESKEDFORDELER_URL."
        ) from None
    except (OSError, amqp.exceptions.AMQPError) as error:
        logger.warning("Beskedfordeleren: ingen forbindelse (%s)", type(error).__name__)
        raise ServiceplatformenError(
            "vum kunne ikke få forbindelse til Beskedfordeleren; kvitteringerne venter i køen.",
            retryable=True,
        ) from None
    return connection


def _sasl_token(service: Service) -> bytes:
    """The SAML assertion as the broker wants it in SASL EXTERNAL: the XML itself (the STS may
    hand it base64-encoded)."""
    token = shared_client().saml_token(service).strip()
    if token.startswith("<"):
        return token.encode()
    return base64.b64decode(token)
