"""Reading a rendered PDF back, as a reader would see it."""

import subprocess

from tests.programs import require_program

PDFTOTEXT = "/usr/bin/pdftotext"


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as one line of words (the PDF wraps lines where it likes), read with
    Debian's pdftotext (package poppler-utils)."""
    require_program(PDFTOTEXT, install="poppler-utils")
    text = subprocess.run(  # noqa: S603 (a fixed program and arguments)
        [PDFTOTEXT, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())


PDFINFO = "/usr/bin/pdfinfo"


def pdf_info(pdf: bytes) -> dict[str, str]:
    """The PDF's document information as Debian's pdfinfo (poppler-utils) reports it: "Tagged",
    "Pages", "Title", ..."""
    require_program(PDFINFO, install="poppler-utils")
    report = subprocess.run(  # noqa: S603 (a fixed program and arguments)
        [PDFINFO, "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in report.splitlines())
    }
