"""PDF rendering for letters and documents: a Django template rendered by WeasyPrint."""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string


@dataclass(frozen=True)
class Pdf:
    content: bytes
    sha256: str


def render_pdf(*, template_name: str, context: dict[str, Any]) -> Pdf:
    # WeasyPrint takes a second to import; only processes that render letters pay for it.
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    content = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    assert content is not None
    return Pdf(content=content, sha256=hashlib.sha256(content).hexdigest())
