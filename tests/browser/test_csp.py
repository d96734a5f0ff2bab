"""No page breaks the Content-Security-Policy. On the demo data (seed_demo) plus a case in every
phase and an item on a committee's agenda, each role logs in and walks every page it can reach by
following links (the menu, the lists, the case pages and their tabs), with every fold-out
(<details>) open; htmx forms are posted on the sagsvurdering and in the provider's workspace;
the administrator walks the admin site, and the caseworker opens the API's Swagger UI and the
browsable API.

Chromium reports each violation twice over: a `securitypolicyviolation` listener that Playwright
adds to every document (an init script, injected over the DevTools protocol, which the page's
policy does not govern; the test proves it hears a violation it provokes) and the console's
"Refused to ..." message. There must be none.
"""

import contextlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect
from playwright.sync_api import Error as PlaywrightError
from pytest_django.live_server_helper import LiveServer

from assessment.models import Udvalgsmoede
from assessment.services.udredning import funktionsevne_score, tema_oplysning_save, udredning_start
from assessment.services.udvalg import indstilling_create, indstilling_send_to_committee
from assessment.services.vurdering import sagsvurdering_start
from cases.lifecycle import Fase
from cases.models import Sag
from cases.services.sag import sag_transition
from followup.dashboard.refresh import noegletal_refresh
from tests.factories import BorgerFactory, sag_in_phase
from tests.mads import mads_decided, mads_time
from tests.test_visitationsudvalg import assessed_case
from tooling.management.commands.seed_demo import DEMO_PASSWORD, LIAM_CPR, MADS_CPR
from vum.accounts.models import User
from vum.audit.models import AuditEvent
from vum.catalog.models import Tema, Undertema

# `once`: the walk checks headers and markup, which no instant changes; CI runs it in one pass.
pytestmark = [pytest.mark.browser, pytest.mark.once, mads_time]

# Pages with the same path but for their numbers and query (another case, another filter) are
# walked this many times, so that the tabs of a case in each phase are seen; in the admin, a few
# of each kind (change list, change form, ...) whatever the model. The start pages always.
PER_PATTERN = 8
ADMIN_PER_PATTERN = 2
MAX_PAGES = 250
SKIP_PATHS = ("/static/", "/login/", "/logout/", "/admin/logout/")

LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__vumCspViolation([e.effectiveDirective, e.blockedURI, e.sourceFile + ':' + e.lineNumber,
                            e.sample].join(' | '));
});
"""


@dataclass
class Walk:
    """What one role's browser saw: the pages, and the violations heard on each."""

    role: str
    pages: list[str] = field(default_factory=list)
    url_names: set[str] = field(default_factory=set)
    violations: list[str] = field(default_factory=list)  # securitypolicyviolation events
    console: list[str] = field(default_factory=list)  # Chromium's "Refused to ..." messages


def _context(browser: Browser, walk: Walk) -> BrowserContext:
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)

    def heard(source: dict[str, Any], text: str) -> None:
        walk.violations.append(f"{source['frame'].url}: {text}")

    context.expose_binding("__vumCspViolation", heard)
    context.add_init_script(LISTENER)
    return context


def _listen_to_console(page: Page, walk: Walk) -> None:
    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            walk.console.append(f"{page.url}: {message.text}")

    page.on("console", on_console)


def _settle(page: Page) -> None:
    """Let the violation events queued by the page's last changes be delivered."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 30)))")


def _login(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible()


def _pattern(path: str) -> str:
    """A page's kind: its path without numbers; in the admin, without the app and model too."""
    path = re.sub(r"^/admin/[^/]+/$", "/admin/A/", path)
    path = re.sub(r"^/admin/[^/]+/[^/]+/", "/admin/M/", path)
    return re.sub(r"\d+", "N", path)


def _walk(page: Page, base: str, walk: Walk, starts: list[str]) -> None:
    """Breadth first over the links of the same site, from `starts` (paths)."""
    queue = [urljoin(base, s) for s in starts]
    first = set(queue)
    seen: set[str] = set()
    per_pattern: Counter[str] = Counter()
    while queue and len(walk.pages) < MAX_PAGES:
        url = queue.pop(0)
        parts = urlsplit(url)
        key = parts.path + ("?" + parts.query if parts.query else "")
        if key in seen:
            continue
        seen.add(key)
        if parts.path.startswith(SKIP_PATHS):
            continue
        cap = ADMIN_PER_PATTERN if parts.path.startswith("/admin/") else PER_PATTERN
        if per_pattern[_pattern(parts.path)] >= cap and url not in first:
            continue
        per_pattern[_pattern(parts.path)] += 1
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a letter (PDF) or an export (CSV, Excel)
            raise
        if response is None or not response.headers.get("content-type", "").startswith("text/"):
            continue
        assert not urlsplit(page.url).path.startswith("/login/"), f"logget ud ved {key}"
        walk.pages.append(key)
        with contextlib.suppress(Resolver404):
            walk.url_names.add(resolve(urlsplit(page.url).path).url_name or "")
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        _settle(page)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            target = urldefrag(href).url
            if urlsplit(target).netloc == parts.netloc:
                queue.append(target)


@dataclass
class World:
    sagsvurdering: Sag
    phases: dict[str, Sag]
    mads_borger_id: int
    admin_pages: list[str]


def _world(settings: Any, tmp_path: Path) -> World:
    settings.VUM_MUNICIPALITY = "randers"
    settings.VUM_LETTER_DIR = tmp_path / "breve"
    # Offered to everyone, so that its pages (the QR code) are walked too.
    settings.VUM_LOCAL_LOGIN_2FA = True
    call_command("seed_demo", stdout=StringIO())  # every role, Mads in sagsåbning, Liam in levering
    sb = User.objects.get(username="sagsbehandler")
    team = sb.teams.get()
    phases = {
        fase: sag_in_phase(fase, team=team, sagsbehandler=sb, borger=BorgerFactory())
        for fase in (Fase.SAGSOPLYSNING, Fase.AFGOERELSE, Fase.OPFOELGNING, Fase.AFSLUTTET)
    }
    # A case in sagsvurdering with its assessment started, as a caseworker gets there.
    sag = sag_in_phase(Fase.SAGSOPLYSNING, team=team, sagsbehandler=sb, borger=BorgerFactory())
    udredning = udredning_start(actor=sb, sag=sag)
    tema_oplysning_save(
        actor=sb,
        udredning=udredning,
        tema=Tema.objects.current().get(navn="Relationer"),
        fra_borgeren="Jeg har omkring 100 venner. Jeg kan ikke sige nej.",
    )
    funktionsevne_score(
        actor=sb,
        udredning=udredning,
        undertema=Undertema.objects.current().get(navn="Indgå i samspil og kontakt"),
        vaerdi=2,
    )
    sag = sag_transition(actor=sb, sag=sag, name="start_sagsvurdering")
    sagsvurdering_start(actor=sb, sag=sag)
    phases[Fase.SAGSVURDERING] = sag
    # Mads of the handbook with a sent decision: in bestilling, with letters and a vurdering.
    phases[Fase.BESTILLING] = mads_decided(sb).sag
    phases[Fase.SAGSAABNING] = Sag.objects.get(borger__cpr=MADS_CPR)
    phases[Fase.LEVERING] = Sag.objects.get(borger__cpr=LIAM_CPR)
    # A case on the agenda of the demo committee's next meeting, with its written indstilling.
    indstilling = indstilling_create(
        actor=sb, sag=assessed_case(sb), indstilling="Det indstilles, at ..."
    )
    moede = Udvalgsmoede.objects.filter(dato__gte=timezone.localdate()).order_by("dato").first()
    assert moede is not None
    indstilling_send_to_committee(actor=sb, indstilling=indstilling, moede=moede)
    noegletal_refresh()
    event = AuditEvent.objects.latest("id")
    admin_pages = [
        "/admin/",
        "/admin/audit/auditevent/",  # read-only, the log's own pages
        f"/admin/audit/auditevent/{event.pk}/change/",
        f"/admin/accounts/user/{sb.pk}/change/",
    ]
    return World(
        sagsvurdering=sag,
        phases=phases,
        mads_borger_id=phases[Fase.SAGSAABNING].borger_id,
        admin_pages=admin_pages,
    )


def _provoke(page: Page, walk: Walk) -> None:
    """The listener and the console hear a violation (a style attribute set from outside)."""
    page.evaluate("() => document.body.setAttribute('style', 'outline: 1px solid red')")
    _settle(page)
    page.wait_for_timeout(200)  # the binding's call and the console message reach Python
    assert any("style-src" in v for v in walk.violations), walk.violations
    assert any("inline style" in c for c in walk.console), walk.console
    walk.violations.clear()
    walk.console.clear()


@pytest.mark.django_db(transaction=True)
def test_no_page_violates_the_content_security_policy(
    live_server: LiveServer, browser: Browser, artifacts: Path, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    world = _world(settings, tmp_path)
    url = live_server.url
    walks: list[Walk] = []

    def as_role(
        username: str, starts: list[str], then: Callable[[Page], None] | None = None
    ) -> None:
        walk = Walk(username)
        walks.append(walk)
        context = _context(browser, walk)
        page = context.new_page()
        _listen_to_console(page, walk)
        try:
            _login(page, url, username)
            _walk(page, url, walk, starts)
            if then:
                then(page)
                _settle(page)
        finally:
            context.close()

    # The listener hears what the policy blocks (on the login page, before anyone logs in).
    check = Walk("anonym")
    context = _context(browser, check)
    page = context.new_page()
    _listen_to_console(page, check)
    page.goto(f"{url}/login/")
    _settle(page)
    page.goto(f"{url}/findes-ikke/")  # the 404 page
    _settle(page)
    assert check.violations == [], check.violations
    assert check.console == [], check.console
    _provoke(page, check)
    context.close()

    def caseworker_extras(page: Page) -> None:
        # htmx: the sagsvurdering's situation is posted and its section swapped in place.
        page.goto(f"{url}/sager/{world.sagsvurdering.pk}/sagsvurdering/")
        page.evaluate("() => { window.__samme_side = true; }")
        situation = page.locator("#afsnit-situation")
        situation.get_by_label("Vurdering af borgerens situation").fill(
            "Har svært ved at sige fra."
        )
        situation.get_by_label("Indsatsformål").fill("Jeg har min egen lejlighed.")
        situation.get_by_label("Opfølgning", exact=True).select_option("3_maaneder")
        situation.get_by_role("button", name="Gem sagsvurderingen").click()
        expect(page.locator("#afsnit-situation").get_by_role("status")).to_have_text(
            "Sagsvurderingen er gemt."
        )
        assert page.evaluate("() => window.__samme_side === true")
        # The API's documentation (Swagger UI) with one operation opened, and the browsable API.
        page.goto(f"{url}/api/docs/")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("vum API")
        page.locator(".opblock-summary").first.click()
        expect(page.locator(".opblock-body").first).to_be_visible()
        page.goto(f"{url}/api/v1/sager/")
        expect(page.locator(".response-info")).to_be_visible()

    def provider_extras(page: Page) -> None:
        # htmx: a note on a sub-goal, saved without a page load.
        page.goto(f"{url}/udfoerer/")
        page.get_by_role("link", name=re.compile("Liam")).first.click()
        page.evaluate("() => { window.__samme_side = true; }")
        article = page.locator("[id^=delmaal-]").first
        article.get_by_label("Nyt notat").fill("Liam stod selv op i dag.")
        article.get_by_role("button", name="Gem notat").click()
        expect(page.get_by_text("Notatet er gemt.")).to_be_visible()
        assert page.evaluate("() => window.__samme_side === true")

    case_pages = [f"/sager/{sag.pk}/" for sag in world.phases.values()]
    try:
        as_role("sagsbehandler", ["/", "/sager/", *case_pages], caseworker_extras)
        as_role("udfoerer", ["/"], provider_extras)
        as_role("visitation", ["/", "/udvalg/"])
        as_role("leder", ["/", "/ledelse/"])
        as_role("oekonomi", ["/"])
        # The administrator must give a second factor when it is on; this test is not about that.
        settings.VUM_LOCAL_LOGIN_2FA = False
        as_role("admin", ["/", "/log/", f"/log/{world.mads_borger_id}/", *world.admin_pages])
    finally:
        report = []
        for walk in walks:
            report.append(f"{walk.role}: {len(walk.pages)} sider, {len(walk.violations)} brud")
            report.extend(f"  {p}" for p in walk.pages)
            report.extend(f"  BRUD {v}" for v in walk.violations + walk.console)
        (artifacts / "csp-sider.txt").write_text("\n".join(report) + "\n")

    by_role = {w.role: w for w in walks}
    expected = {
        "sagsbehandler": {
            "inbox",
            "frister",
            "sager",
            "sag_detail",
            "sagsaabning",
            "udredning",
            "sagsvurdering",
            "afgoerelse",
            "sag-bestillinger",
            "opfoelgninger",
            "opfoelgning",
            "partshoering",
            "indstilling",
            "handleplan",
            "henvendelse_create",
            "borger_detail",
            "borger_search",
            "borger_create",
            "notifikationer",
        },
        "udfoerer": {
            "udfoerer-borgere",
            "udfoerer-borger",
            "udfoerer-bestilling",
            "udfoerer-opfoelgning",
        },
        "visitation": {"udvalg_moeder", "udvalgsmoede", "udvalg_punkt", "sager"},
        "leder": {"dashboard", "dashboard-sager", "sager", "sag_detail"},
        "oekonomi": {"oekonomi"},
        "admin": {
            "index",
            "audit_auditevent_changelist",
            "audit_auditevent_change",
            "accounts_user_change",
            "borger_log",
            "borger_log_detail",
        },
    }
    for role, names in expected.items():
        missing = names - by_role[role].url_names
        assert not missing, f"{role} nåede ikke {sorted(missing)}"
    broken = [v for w in walks for v in w.violations + w.console]
    assert broken == [], "\n".join(broken)
