"""Sending letters to citizens through a pluggable dispatcher (settings.VUM_LETTER_DISPATCHER).

Production sends through Digital Post; that integration needs the municipality's agreement and
certificates and is a class with the same `send` method. Here two backends exist: files in a
folder (the default, for trying the system and for tests) and e-mail with the PDF attached.
"""

import json
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
    # The copy to the citizen of a letter addressed to the one who holds their rights.
    copy: bool = False

    @property
    def key(self) -> str:
        """One name per letter and recipient: a retry finds the same file or message id."""
        return f"brev-{self.brev_id}" + ("-kopi" if self.copy else "")


@dataclass(frozen=True)
class Receipt:
    channel: str
    reference: str
    sent_at: datetime


class Dispatcher(Protocol):
    def send(self, letter: Letter) -> Receipt: ...


class FileDispatcher:
    """Writes each letter and its envelope to VUM_LETTER_DIR (one file name per letter and
    recipient, so a letter sent again overwrites itself rather than appearing twice)."""

    channel = "fil"

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

    def send(self, letter: Letter) -> Receipt:
        if not letter.recipient_email:
            raise ValueError(f"{letter.recipient_name} har ingen e-mailadresse.")
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
