"""PDF rendering for letters and documents: a Django template rendered by WeasyPrint.

WeasyPrint fetches what the HTML refers to (images, stylesheets, fonts), by default from any
`file:` path on the server and any `http(s):` address it can reach. A letter carries citizens'
and caseworkers' text, so a reference that slipped into it must not read the server's files
into a letter or make the server call an internal address (server-side request forgery). The
letter's only fetcher therefore serves vum's own static files, read from disk, and refuses
everything else.
"""

import hashlib
import mimetypes
import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher

# What relative references in a letter resolve against: the template's "{% static %}" paths
# become URLs under it. The .invalid domain never resolves (RFC 2606), so nothing can fetch it.
PDF_BASE_URL = "https://vum.invalid/"


@dataclass(frozen=True)
class Pdf:
    content: bytes
    sha256: str


class RefusedResource(ValueError):
    """A letter referred to something other than vum's static files."""


def static_file(url: str) -> str | None:
    """The file on disk behind a URL under the static URL (`{% static %}` in a letter), or None
    for any other URL. The path is looked up by Django's static finders, which refuse a path
    that climbs out of the static folders."""
    if not settings.STATIC_URL:
        return None
    prefix = urljoin(PDF_BASE_URL, settings.STATIC_URL)
    parts = urlsplit(url)
    plain = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if parts.query or not plain.startswith(prefix):
        return None
    relative = unquote(plain.removeprefix(prefix))
    normalised = posixpath.normpath(relative)
    if not relative or normalised != relative or normalised.startswith(("/", "..")):
        return None
    try:
        found = finders.find(normalised)
    except SuspiciousFileOperation:
        return None
    # find() gives a list only when asked for all matches; the first is the one served.
    return found if isinstance(found, str) else None


def static_only_fetcher() -> "URLFetcher":
    """WeasyPrint's fetcher for letters: vum's static files, and `data:` URLs (their content is
    in the letter already, so reading them reaches neither the disk nor the network).

    Refusing raises, and WeasyPrint then logs the reference and renders without it."""
    # Imported here with WeasyPrint itself (see `render_pdf`).
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                # The base class, allowed `data:` alone (below), decodes it.
                return super().fetch(url, headers)
            path = static_file(url)
            if path is None:
                raise RefusedResource(f"Letters may only refer to vum's static files: {url[:200]}")
            with open(path, "rb") as f:
                body = f.read()
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            # The static URL, not the path: a stylesheet's own references resolve against it
            # and come back here.
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    # No redirects, and urllib's handlers may open `data:` only, should a URL ever reach them.
    return StaticOnlyFetcher(allowed_protocols=["data"], allow_redirects=False)


def render_pdf(*, template_name: str, context: dict[str, Any]) -> Pdf:
    # WeasyPrint takes a second to import; only processes that render letters pay for it.
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    # Tagged: headings, paragraphs and tables are marked as such, with the document's language,
    # so that a screen reader can follow the letter's structure (WCAG 1.3.1).
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=static_only_fetcher())
    content = document.write_pdf(pdf_tags=True)
    assert content is not None
    return Pdf(content=content, sha256=hashlib.sha256(content).hexdigest())
