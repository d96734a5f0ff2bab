"""The security headers (vum/headers.py, django-csp's CONTENT_SECURITY_POLICY): the policy's
directives, Permissions-Policy and Cache-Control: no-store on a page, an API answer and the login
page; the relaxed policies of the Swagger UI, the browsable API and the admin's one inline style;
and no template with an inline script, event handler, style or htmx eval. The browser's view of
the same policy, page by page, is tests/browser/test_csp.py."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth.models import Permission
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import UserFactory
from vum.accounts.models import User
from vum.headers import PERMISSIONS_POLICY, SecurityHeadersMiddleware

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATES = BASE_DIR / "templates"
# Letters are rendered by WeasyPrint into PDFs, never served as pages: their styles are inline.
PDF_ONLY = TEMPLATES / "letters"
APPS = ("cases", "assessment", "orders", "followup", "vum", "tooling")


def _policy(response: HttpResponse) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _assert_strict(policy: dict[str, list[str]]) -> None:
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert all(s == "'self'" or s.startswith("'nonce-") for s in policy["script-src"])
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
    assert all(s == "'self'" or s.startswith(("'nonce-", "'sha256-")) for s in policy["style-src"])
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "script-src-attr" not in policy
    assert "style-src-attr" not in policy


def _assert_headers(response: HttpResponse) -> None:
    _assert_strict(_policy(response))
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in response["Permissions-Policy"]
    assert "no-store" in [v.strip() for v in response["Cache-Control"].split(",")]


def test_a_page_an_api_answer_and_the_login_page_get_the_headers(caseworker: User) -> None:
    login = _client().get(reverse("login"))
    assert login.status_code == 200
    _assert_headers(login)

    client = _client(caseworker)
    page = client.get(reverse("inbox"))
    assert page.status_code == 200
    _assert_headers(page)
    assert page["Cache-Control"] == "no-store"

    api = client.get("/api/v1/sager/", HTTP_ACCEPT="application/json")
    assert api.status_code == 200
    assert api["Content-Type"].startswith("application/json")
    _assert_headers(api)
    assert api["Cache-Control"] == "no-store"

    # An htmx fragment and an error page are answers with personal data, or about it, too.
    missing = client.get("/sager/999999/")
    assert missing.status_code == 404
    _assert_headers(missing)


def test_pages_load_htmx_without_eval_or_inline_styles(caseworker: User) -> None:
    html = _client(caseworker).get(reverse("inbox")).content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert meta is not None
    assert '"allowEval": false' in meta.group(1)
    assert '"includeIndicatorStyles": false' in meta.group(1)


def test_healthz_keeps_its_own_cache_control() -> None:
    response = _client().get("/healthz")
    # never_cache's header (which includes no-store), not replaced by the middleware's.
    assert "max-age=0" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def _through_middleware(response: HttpResponse) -> HttpResponse:
    """The response as CSPMiddleware and SecurityHeadersMiddleware pass it on, in their order."""
    chain = CSPMiddleware(SecurityHeadersMiddleware(lambda request: response))
    request: HttpRequest = RequestFactory().get("/x/")
    result = chain(request)
    assert isinstance(result, HttpResponse)
    return result


def test_a_pdf_gets_no_page_policy_but_is_not_stored() -> None:
    response = _through_middleware(HttpResponse(b"%PDF-1.7", content_type="application/pdf"))
    assert "Content-Security-Policy" not in response
    assert response["Cache-Control"] == "no-store"
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_a_view_that_sets_its_own_cache_control_is_left_alone() -> None:
    own = HttpResponse("katalog")
    own["Cache-Control"] = "public, max-age=300"
    assert _through_middleware(own)["Cache-Control"] == "public, max-age=300"


def test_the_swagger_ui_loads_its_script_from_a_file_and_its_style_by_hash(
    caseworker: User,
) -> None:
    client = _client(caseworker)
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    html = page.content.decode()
    policy = _policy(page)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert styles
    for style in styles:
        assert _sha256(style) in policy["style-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["script-src"][0] == "'self'"
    script = client.get(reverse("api-docs") + "?script")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_browsable_api_may_style_inline_but_not_script(caseworker: User) -> None:
    response = _client(caseworker).get("/api/v1/sager/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    policy = _policy(response)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "no-store" in response["Cache-Control"]


def test_the_admin_runs_under_the_strict_policy(settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_LOCAL_LOGIN_2FA = False  # the second factor is tests/web/test_two_factor.py's
    admin = UserFactory(administrator=True)
    admin.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    response = _client(admin).get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == 200
    _assert_headers(response)
    html = response.content.decode()
    # Django inlines a <style> in a change list only with actions_on_top and actions_on_bottom
    # both off; no ModelAdmin here does that (it would need the style's hash in style-src).
    assert "<style" not in html
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or "application/json" in tag, tag


def _without_comments(text: str) -> str:
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    return re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", text, flags=re.S)


# What the policy forbids in a page's markup, or what htmx would evaluate with Function().
FORBIDDEN = [
    (re.compile(r"\son[a-z]+\s*=\s*[\"'{]", re.I), "inline event handler (onclick= ...)"),
    (re.compile(r"\s(data-)?hx-on(:|-|=)", re.I), "hx-on (evaluated by htmx)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\shx-(vals|headers)\s*=\s*[\"']\s*js:", re.I), "js: value (evaluated by htmx)"),
    (re.compile(r"\shx-trigger\s*=\s*[\"'][^\"']*\[", re.I), "htmx trigger filter (evaluated)"),
    (re.compile(r"\sstyle\s*=\s*[\"'{]", re.I), "style attribute"),
]


def _templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*.html") if PDF_ONLY not in p.parents)


def test_no_template_has_inline_scripts_styles_or_event_handlers() -> None:
    problems: list[str] = []
    assert len(_templates()) > 50
    for path in _templates():
        name = path.relative_to(BASE_DIR)
        text = _without_comments(path.read_text())
        for tag in re.findall(r"<script\b[^>]*>", text, re.I):
            # A script element runs inline unless it has a src; JSON data does not run at all.
            if "src=" not in tag and "nonce=" not in tag and "application/json" not in tag:
                problems.append(f"{name}: inline script without a nonce: {tag}")
        for tag in re.findall(r"<style\b[^>]*>", text, re.I):
            if "nonce=" not in tag:
                problems.append(f"{name}: inline <style> without a nonce (use a static .css)")
        for pattern, what in FORBIDDEN:
            problems.extend(f"{name}: {what}" for _ in pattern.finditer(text))
    assert problems == [], "\n".join(problems)


def test_no_template_tag_writes_style_attributes_or_handlers() -> None:
    problems = []
    for app in APPS:
        for path in (BASE_DIR / app).rglob("templatetags/*.py"):
            text = path.read_text()
            for pattern, what in FORBIDDEN:
                problems.extend(
                    f"{path.relative_to(BASE_DIR)}: {what}" for _ in pattern.finditer(text)
                )
    assert problems == [], "\n".join(problems)
