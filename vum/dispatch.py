"""Sending letters to citizens through a pluggable dispatcher (settings.VUM_LETTER_DISPATCHER).

Production sends through Digital Post (`vum.serviceplatformen.digital_post`, SF1601), which
needs the municipality's service agreement and certificate. Two more backends exist: files in a
folder (the default, for trying the system and for tests) and e-mail with the PDF attached.

A dispatcher returns a `Receipt` for a letter it has handed on, raises `DeliveryRefused` when
the letter cannot reach this recipient this way (the caseworker must act), and raises anything
else for a passing fault (the outbox sweep tries again).
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Letter:
    brev_id: int
    recipient_name: str
    recipient_email: str
    subject: str
    pdf: bytes
    # The letter's own id (Brev.meddelelse_uuid); the copy's is derived from it.
    letter_uuid: uuid.UUID
    # Digital Post reaches a person by CPR number; empty where vum does not know it.
    recipient_cpr: str = ""
    # The recipient has name and address protection: only Digital Post may carry the letter.
    address_protected: bool = False
    # The postal address, for physical post (empty for a protected citizen).
    recipient_address: str = ""
    recipient_postcode: str = ""
    # The sender: the team that wrote the letter and the address a reply goes to.
    team: str = ""
    team_id: str = ""
    reply_address: str = ""
    case_reference: str = ""
    # The copy to the citizen of a letter addressed to the one who holds their rights.
    copy: bool = False
    # The message's number among this letter's messages to this recipient: 0, and one more
    # each time Digital Post took one and then reported it failed (its receipt), since Digital
    # Post will not take a messageUUID twice.
    attempt: int = 0

    @property
    def key(self) -> str:
        """One name per letter and recipient: a retry finds the same file or message id."""
        return f"brev-{self.brev_id}" + ("-kopi" if self.copy else "")

    @property
    def message_uuid(self) -> uuid.UUID:
        """The id Digital Post knows this message by, the same at every attempt until Digital
        Post reports it failed: the letter's own for the addressee, one derived from it for
        the copy and for a message sent again after a failure (a version-4 UUID, as MeMo
        requires)."""
        name = ("kopi-til-borger" if self.copy else "") + (
            f"-igen-{self.attempt}" if self.attempt else ""
        )
        if not name:
            return self.letter_uuid
        digest = uuid.uuid5(self.letter_uuid, name).bytes
        return uuid.UUID(bytes=digest, version=4)


@dataclass(frozen=True)
class Receipt:
    channel: str
    reference: str
    sent_at: datetime
    # Digital Post's receipt: the letter is in the recipient's mailbox (the complaint deadline
    # runs from here). None where the channel gives no receipt.
    delivered_at: datetime | None = None
    physical_post: bool = False


class DeliveryRefused(Exception):
    """The letter cannot reach this recipient by this dispatcher (no CPR number, refused by
    Digital Post, exempt and protected...): sending again will not help; a person must act.
    `reason` is Danish and is shown to the caseworker."""

    def __init__(self, reason: str, *, channel: str, reference: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.channel = channel
        self.reference = reference


class Dispatcher(Protocol):
    channel: str
    # May it carry a letter to a citizen with name and address protection?
    digital_post: bool

    def send(self, letter: Letter) -> Receipt: ...


class FileDispatcher:
    """Writes each letter and its envelope to VUM_LETTER_DIR (one file name per letter and
    recipient, so a letter sent again overwrites itself rather than appearing twice)."""

    channel = "fil"
    digital_post = False

    def send(self, letter: Letter) -> Receipt:
        folder = Path(settings.VUM_LETTER_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        pdf_path = folder / f"{letter.key}.pdf"
        pdf_path.write_bytes(letter.pdf)
        envelope = {"modtager": letter.recipient_name, "emne": letter.subject}
        (folder / f"{letter.key}.json").write_text(
            json.dumps(envelope, ensure_ascii=False), encoding="utf-8"
        )
        return Receipt(channel=self.channel, reference=str(pdf_path), sent_at=timezone.now())


class EmailDispatcher:
    """Sends the PDF as an e-mail attachment; a recipient without an e-mail address is an error
    (the letter must then go another way)."""

    channel = "e-mail"
    digital_post = False

    def send(self, letter: Letter) -> Receipt:
        if not letter.recipient_email:
            raise DeliveryRefused(
                f"{letter.recipient_name} har ingen e-mailadresse.", channel=self.channel
            )
        message_id = f"<{letter.key}@{settings.VUM_EMAIL_DOMAIN}>"
        message = EmailMessage(
            subject=letter.subject,
            body="Du har fået et brev fra kommunen. Brevet er vedhæftet som PDF.",
            to=[letter.recipient_email],
            headers={"Message-ID": message_id},
        )
        message.attach(f"{letter.key}.pdf", letter.pdf, "application/pdf")
        message.send()
        return Receipt(channel=self.channel, reference=message_id, sent_at=timezone.now())


def get_dispatcher() -> Dispatcher:
    dispatcher: Dispatcher = import_string(settings.VUM_LETTER_DISPATCHER)()
    return dispatcher
