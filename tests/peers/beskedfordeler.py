"""KOMBIT's Beskedfordeler as vum meets it: a RabbitMQ broker (the machine's own, on
127.0.0.1:5672) holding the municipality's dueslag, into which Digital Post's receipts are put
as Beskedfordeler puts them: a PKO_PostStatus, base64 in the Beskeddata of a Haendelsesbesked
envelope, one persistent message each. The dueslag has a dead-letter queue, as Beskedfordeler's
have, so that a test can see what vum rejected.

The envelope and the receipt follow the shapes that published SF1601 and SF1461 clients read
(KOMBIT's own samples among them); the broker checks what a broker checks: the login, the
virtual host, the queue, and that each message is acknowledged or rejected once."""

import base64
import socket
import uuid
from datetime import datetime
from types import TracebackType
from xml.etree import ElementTree as ET

import amqp

from tests.programs import skip_or_fail
from vum.serviceplatformen.beskedfordeler import KUVERT, POST_STATUS

BROKER = ("127.0.0.1", 5672)
BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"
SAGDOK = "urn:oio:sagdok:3.0.0"
PKO_POST_STATUS_TYPE = "d2bed63c-4853-4008-b6e0-a74c15b15fbf"


def require_broker() -> None:
    """Skip when no RabbitMQ answers on the machine (fail in CI, which starts one)."""
    try:
        socket.create_connection(BROKER, timeout=2).close()
    except OSError:
        skip_or_fail("RabbitMQ does not answer on 127.0.0.1:5672 (apt-get install rabbitmq-server)")


def post_status(
    message_uuid: uuid.UUID | str,
    status: str,
    at: datetime,
    *,
    channel: str = "Digital Post",
    fault: tuple[str, str] | None = None,
) -> bytes:
    """A PKO_PostStatus for one MeMo message."""
    root = ET.Element(f"{{{POST_STATUS}}}PKO_PostStatus")
    for name, value in (
        ("TransmissionId", str(uuid.uuid4())),
        ("MessageUUID", str(message_uuid)),
        ("KanalKode", channel),
        ("TransaktionsDatoTid", at.isoformat()),
        ("AfsenderSystemIdentifikator", "vum"),
        ("TransaktionsStatusKode", status),
    ):
        ET.SubElement(root, f"{{{POST_STATUS}}}{name}").text = value
    if fault is not None:
        details = ET.SubElement(root, f"{{{POST_STATUS}}}FejlDetaljer")
        ET.SubElement(details, f"{{{POST_STATUS}}}FejlKode").text = fault[0]
        ET.SubElement(details, f"{{{POST_STATUS}}}FejlTekst").text = fault[1]
    return ET.tostring(root, xml_declaration=True, encoding="utf-8")


def haendelsesbesked(payload: bytes, *, besked_id: str | None = None, cvr: str = "") -> bytes:
    """Beskedfordeler's envelope around a message (the Beskedkuvert's filter data names the
    message type and the municipality it may go to)."""
    root = ET.Element(f"{{{KUVERT}}}Haendelsesbesked")
    ident = ET.SubElement(root, f"{{{KUVERT}}}BeskedId")
    ET.SubElement(ident, f"{{{SAGDOK}}}UUIDIdentifikator").text = besked_id or str(uuid.uuid4())
    ET.SubElement(root, f"{{{KUVERT}}}BeskedVersion").text = "1.0"
    kuvert = ET.SubElement(root, f"{{{KUVERT}}}Beskedkuvert")
    filtering = ET.SubElement(kuvert, f"{{{KUVERT}}}Filtreringsdata")
    beskedtype = ET.SubElement(filtering, f"{{{KUVERT}}}Beskedtype")
    ET.SubElement(beskedtype, f"{{{SAGDOK}}}UUIDIdentifikator").text = PKO_POST_STATUS_TYPE
    receiver = ET.SubElement(filtering, f"{{{KUVERT}}}TilladtModtager")
    ET.SubElement(receiver, f"{{{SAGDOK}}}URNIdentifikator").text = f"urn:oio:cvr-nr:{cvr}"
    data = ET.SubElement(root, f"{{{KUVERT}}}Beskeddata")
    ET.SubElement(data, f"{{{KUVERT}}}Base64").text = base64.b64encode(payload).decode()
    return ET.tostring(root, xml_declaration=True, encoding="utf-8")


class FakeBeskedfordeler:
    """One dueslag (and its dead letters) on the machine's broker, for one test."""

    def __init__(self) -> None:
        self.dueslag = str(uuid.uuid4())
        self.dead = f"{self.dueslag}.dead"
        host, port = BROKER
        self.connection = amqp.Connection(host=f"{host}:{port}")

    def __enter__(self) -> "FakeBeskedfordeler":
        self.connection.connect()
        self.channel = self.connection.channel()
        self.channel.queue_declare(self.dead, durable=True, auto_delete=False)
        self.channel.queue_declare(
            self.dueslag,
            durable=True,
            auto_delete=False,
            arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": self.dead},
        )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.channel.queue_delete(self.dueslag)
        self.channel.queue_delete(self.dead)
        self.connection.close()

    def put(self, body: bytes) -> None:
        """Put a message in the dueslag, as Beskedfordeler does (persistent)."""
        self.channel.basic_publish(
            amqp.Message(body, delivery_mode=2, content_type="application/xml"),
            exchange="",
            routing_key=self.dueslag,
        )

    def receipt(
        self,
        message_uuid: uuid.UUID | str,
        status: str,
        at: datetime,
        *,
        channel: str = "Digital Post",
        fault: tuple[str, str] | None = None,
    ) -> str:
        """Put Digital Post's receipt for a message in the dueslag; returns its BeskedId."""
        besked_id = str(uuid.uuid4())
        payload = post_status(message_uuid, status, at, channel=channel, fault=fault)
        self.put(haendelsesbesked(payload, besked_id=besked_id))
        return besked_id

    def waiting(self) -> int:
        """Messages in the dueslag, neither acknowledged nor rejected (nor held by a consumer)."""
        return int(self.channel.queue_declare(self.dueslag, passive=True).message_count)

    def dead_letters(self) -> list[bytes]:
        letters = []
        while (message := self.channel.basic_get(self.dead, no_ack=True)) is not None:
            letters.append(bytes(message.body))
        return letters
