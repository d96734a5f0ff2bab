"""What a letter's PDF may fetch (server-side request forgery, OWASP ASVS): vum's own static
files and `data:` URLs, nothing else. A reference to a file on the server or to a network
address, slipped into a letter, is refused: the file's content does not reach the PDF and the
address gets no request. Rendered by the real WeasyPrint, read back with pdftotext."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders

from tests.pdf import pdf_text
from vum import pdf
from vum.pdf import PDF_BASE_URL, render_pdf, static_file, static_only_fetcher

PROBE = "pdfprobe/probe.css"

LETTER = """{% load static %}<!doctype html>
<html><head>
<link rel="stylesheet" href="{% static 'vum/vum.css' %}">
<link rel="stylesheet" href="{% static 'pdfprobe/probe.css' %}">
<link rel="stylesheet" href="http://127.0.0.1:{{ port }}/x.css">
<style>
@import url("file:///etc/passwd");
@import url("file://{{ secret }}");
@import url("data:text/css,.data::before%7Bcontent:%22DATA-OK%22%7D");
body { background: url("file:///etc/passwd"); }
</style>
</head><body>
<p>Brevets tekst</p>
<p class="static"></p><p class="secret"></p><p class="remote"></p><p class="data"></p>
<img src="file:///etc/passwd" alt="">
<img src="http://127.0.0.1:{{ port }}/x.png" alt="">
</body></html>
"""


class Recorder(BaseHTTPRequestHandler):
    """Answers every request with a stylesheet that would show in the PDF, and notes it."""

    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        body = b'.remote::before { content: "NETVAERK-HENTET" }'
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[int, list[str]]]:
    """A real HTTP server on a free loopback port, and the paths it was asked for."""
    seen: list[str] = []
    handler = type("Handler", (Recorder,), {"requests": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], seen
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def letter(settings: Any, tmp_path: Path) -> dict[str, Any]:
    """The letter template, a static folder with a stylesheet that shows in the PDF, and a
    stylesheet outside it that would show too, were it read."""
    static = tmp_path / "static" / "pdfprobe"
    static.mkdir(parents=True)
    (static / "probe.css").write_text('.static::before { content: "STATISK-OK" }')
    secret = tmp_path / "secret.css"
    secret.write_text('.secret::before { content: "HEMMELIG-FIL" }')
    settings.STATICFILES_DIRS = [tmp_path / "static"]
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [("django.template.loaders.locmem.Loader", {"probe.html": LETTER})]
            },
        }
    ]
    return {"secret": str(secret)}


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Each URL the letter's fetcher was asked for, and whether it answered (True) or refused."""
    calls: list[tuple[str, bool]] = []
    make = static_only_fetcher

    def recording() -> Any:
        fetcher = make()
        fetch = fetcher.fetch

        def record(url: str, headers: Any = None) -> Any:
            try:
                response = fetch(url, headers)
            except Exception:
                calls.append((url, False))
                raise
            calls.append((url, True))
            return response

        fetcher.fetch = record
        return fetcher

    monkeypatch.setattr(pdf, "static_only_fetcher", recording)
    return calls


def test_a_letter_reads_no_server_file_and_calls_no_address(
    letter: dict[str, Any], server: tuple[int, list[str]]
) -> None:
    port, requests = server

    text = pdf_text(
        render_pdf(template_name="probe.html", context={**letter, "port": port}).content
    )

    assert "Brevets tekst" in text
    assert requests == []  # the address was never called
    assert "NETVAERK-HENTET" not in text
    assert "HEMMELIG-FIL" not in text  # a file outside the static folders was not read
    assert "root:" not in text
    # vum's static files and data: URLs are read.
    assert "STATISK-OK" in text
    assert "DATA-OK" in text


def test_the_fetcher_answers_for_static_files_only(
    letter: dict[str, Any], server: tuple[int, list[str]], fetched: list[tuple[str, bool]]
) -> None:
    port, _ = server

    render_pdf(template_name="probe.html", context={**letter, "port": port})

    answered = {url for url, ok in fetched if ok}
    refused = {url for url, ok in fetched if not ok}
    assert answered == {
        f"{PDF_BASE_URL}static/vum/vum.css",
        f"{PDF_BASE_URL}static/{PROBE}",
        "data:text/css,.data::before%7Bcontent:%22DATA-OK%22%7D",
    }
    assert refused == {
        "file:///etc/passwd",
        f"file://{letter['secret']}",
        f"http://127.0.0.1:{port}/x.css",
        f"http://127.0.0.1:{port}/x.png",
    }


def test_the_fetcher_returns_the_static_files_content() -> None:
    found = finders.find("vum/vum.css")
    assert isinstance(found, str)
    response = static_only_fetcher()(f"{PDF_BASE_URL}static/vum/vum.css")
    assert response.read() == Path(found).read_bytes()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        f"file://{Path(__file__).resolve().parent.parent}/vum/static/vum/vum.css",
        "http://127.0.0.1/static/vum/vum.css",
        "https://vum.invalid/vum/vum.css",
        "https://vum.invalid/static/",
        "https://vum.invalid/static/%2e%2e/%2e%2e/settings/base.py",
        "https://vum.invalid/static/..%2f..%2fsettings/base.py",
        "https://vum.invalid/static//etc/passwd",
        "https://vum.invalid/static/%2fetc/passwd",
        "https://vum.invalid/static/vum/vum.css?x=1",
        "https://vum.invalid/static/vum/ingen.css",
        "https://vum.invalid.example/static/vum/vum.css",
    ],
)
def test_anything_but_a_static_file_is_refused(url: str) -> None:
    assert static_file(url) is None
    with pytest.raises(pdf.RefusedResource):
        static_only_fetcher()(url)
