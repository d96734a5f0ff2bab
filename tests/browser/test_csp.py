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

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.site import MUST_REACH, Caps, World, build_world, login
from tests.browser.site import walk as walk_site
from tests.mads import mads_time

# `once`: the walk checks headers and markup, which no instant changes; CI runs it in one pass.
pytestmark = [pytest.mark.browser, pytest.mark.once, mads_time]

# Pages with the same path but for their numbers and query are walked this many times, so that
# the tabs of a case in each phase are seen; in the admin, a few of each kind.
CAPS = Caps(per_pattern=8, admin_per_pattern=2, max_pages=250)

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
def test_the_listener_hears_what_the_policy_blocks(
    live_server: LiveServer, browser: Browser
) -> None:
    """On the login page and the 404 page, before anyone logs in: no violation, and one that is
    provoked is heard by both the listener and the console."""
    check = Walk("anonym")
    context = _context(browser, check)
    page = context.new_page()
    _listen_to_console(page, check)
    page.goto(f"{live_server.url}/login/")
    _settle(page)
    page.goto(f"{live_server.url}/findes-ikke/")  # the 404 page
    _settle(page)
    assert check.violations == [], check.violations
    assert check.console == [], check.console
    _provoke(page, check)
    context.close()


def _caseworker_extras(page: Page, url: str, world: World) -> None:
    # htmx: the sagsvurdering's situation is posted and its section swapped in place.
    page.goto(f"{url}/sager/{world.sagsvurdering.pk}/sagsvurdering/")
    page.evaluate("() => { window.__samme_side = true; }")
    situation = page.locator("#afsnit-situation")
    situation.get_by_label("Vurdering af borgerens situation").fill("Har svært ved at sige fra.")
    situation.get_by_label("Indsatsformål").fill("Jeg har min egen lejlighed.")
    situation.get_by_label("Opfølgning", exact=True).select_option("3_maaneder")
    situation.get_by_role("button", name="Gem sagsvurderingen").click()
    expect(page.locator("#afsnit-situation").get_by_role("status")).to_have_text(
        "Sagsvurderingen er gemt."
    )
    assert page.evaluate("() => window.__samme_side === true")
    # The API's documentation (Swagger UI) with one operation opened, and the browsable API.
    page.goto(f"{url}/api/docs/")
    # The page draws itself once the schema has come, and the schema of the whole API is made on
    # request: seconds on a loaded two-core machine, more than Playwright's default 5.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("vum API", timeout=30_000)
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    page.goto(f"{url}/api/v1/sager/")
    expect(page.locator(".response-info")).to_be_visible()


def _provider_extras(page: Page, url: str, world: World) -> None:
    # htmx: a note on a sub-goal, saved without a page load.
    page.goto(f"{url}/udfoerer/")
    page.get_by_role("link", name=re.compile("Liam")).first.click()
    page.evaluate("() => { window.__samme_side = true; }")
    article = page.locator("[id^=delmaal-]").first
    article.get_by_label("Nyt notat").fill("Liam stod selv op i dag.")
    article.get_by_role("button", name="Gem notat").click()
    expect(page.get_by_text("Notatet er gemt.")).to_be_visible()
    assert page.evaluate("() => window.__samme_side === true")


EXTRAS: dict[str, Callable[[Page, str, World], None]] = {
    "sagsbehandler": _caseworker_extras,
    "udfoerer": _provider_extras,
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", MUST_REACH)
def test_no_page_violates_the_content_security_policy(
    live_server: LiveServer, browser: Browser, artifacts: Path, settings, tmp_path: Path, role: str
) -> None:  # type: ignore[no-untyped-def]
    """One role's walk per test, so that the walks share the test workers."""
    world = build_world(settings, tmp_path)
    if role == "admin":
        # The administrator must give a second factor when it is on; this test is not about that.
        settings.VUM_LOCAL_LOGIN_2FA = False
    url = live_server.url
    walk = Walk(role)
    context = _context(browser, walk)
    page = context.new_page()
    _listen_to_console(page, walk)
    try:
        login(page, url, role)
        walk.pages, walk.url_names = walk_site(
            page, url, world.starts(role), CAPS, lambda page, _path: _settle(page)
        )
        if role in EXTRAS:
            EXTRAS[role](page, url, world)
            _settle(page)
    finally:
        context.close()
        report = [f"{role}: {len(walk.pages)} sider, {len(walk.violations)} brud"]
        report.extend(f"  {p}" for p in walk.pages)
        report.extend(f"  BRUD {v}" for v in walk.violations + walk.console)
        (artifacts / f"csp-sider-{role}.txt").write_text("\n".join(report) + "\n")

    missing = MUST_REACH[role] - walk.url_names
    assert not missing, f"{role} nåede ikke {sorted(missing)}"
    broken = walk.violations + walk.console
    assert broken == [], "\n".join(broken)
