"""A letter dispatcher for the fault tests: it delivers like the file dispatcher and also
appends each send to a journal (one line per send, appended atomically by the OS), so a letter
sent twice shows as two lines even though its file is simply written again."""

import os
from pathlib import Path

from django.conf import settings

from vum.dispatch import FileDispatcher, Letter, Receipt
from vum.serviceplatformen.digital_post import DigitalPostDispatcher


def journal_path() -> Path:
    return Path(settings.VUM_LETTER_DIR) / "journal.log"


class JournalDispatcher(FileDispatcher):
    def send(self, letter: Letter) -> Receipt:
        receipt = super().send(letter)
        fd = os.open(journal_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{letter.key}\n".encode())
        finally:
            os.close(fd)
        return receipt


def journal() -> list[str]:
    path = journal_path()
    return path.read_text().split() if path.exists() else []


class DigitalPostThenWorkerDies(DigitalPostDispatcher):
    """Delivers through Digital Post and then dies before vum records it, as a worker killed
    between the send and its commit."""

    def send(self, letter: Letter) -> Receipt:
        super().send(letter)
        raise RuntimeError("the worker was killed after sending")
