"""E-mails sent by a process a test starts (a worker, a web server): written as files to a folder
of the test's, so the test can count what left and see whether anything left twice."""

from email import message_from_bytes
from pathlib import Path

# Django's file backend separates the messages in a file with a line of 79 dashes.
SEPARATOR = b"-" * 79


def url(folder: Path) -> str:
    """The EMAIL_URL that writes to `folder`, which must be absolute (django-environ drops the
    first slash of a filemail path, so an absolute path takes three)."""
    assert folder.is_absolute(), folder
    return f"filemail:///{folder}"


def message_ids(folder: Path) -> list[str]:
    """The Message-ID of every e-mail written to `folder`, once per time it was sent."""
    ids = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_bytes().split(SEPARATOR):
            if chunk.strip():
                ids.append(message_from_bytes(chunk.strip())["Message-ID"])
    return ids
