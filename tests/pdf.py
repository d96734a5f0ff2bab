"""Reading a rendered PDF back, as a reader would see it."""

import subprocess


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as one line of words (the PDF wraps lines where it likes), read with
    Debian's pdftotext."""
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())
