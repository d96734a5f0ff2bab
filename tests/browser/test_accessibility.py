"""WCAG 2.1 AA on every page, held in CI (issue 21; webtilgængelighedsloven).

On the site of tests/browser/site.py (the demo data, a case in every phase, an item on a
committee's agenda) each role logs in and walks the pages it can reach from its menu, with every
fold-out (<details>) open. On each page axe-core (from npm, `npm ci`) runs with the WCAG 2.1 A
and AA rules at 1366 px wide and again at 320 px (400 % zoom of a 1280 px screen); at 320 px the
page itself must not scroll sideways (1.4.10 Reflow: a wide data table may scroll inside its own
region). Any violation fails the test, which lists every one, and writes the pages it covered to
test-artifacts/tilgaengelighed-sider-<role>.txt. Each role is a test of its own, so that the walks
share the test workers.

A second test checks what axe cannot see: the focus ring's contrast (1.4.11) against the
background it is drawn on, for every element the keyboard reaches on a page with a light and a
dark part, read from the computed styles.
"""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from tests.browser.site import MUST_REACH, ROLE_STARTS, Caps, World, build_world, login, walk
from tests.mads import mads_time
from tests.programs import require_file

# `once`: the pages' markup and styles are what is checked, which no instant changes.
pytestmark = [pytest.mark.browser, pytest.mark.once, mads_time]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDE = {"width": 1366, "height": 900}
NARROW = {"width": 320, "height": 800}
# Each kind of page four times (other cases, other filters) and a case page in every phase (the
# caseworker's start pages); in the admin site one of each kind.
CAPS = Caps(per_pattern=4, admin_per_pattern=1, max_pages=150)
# The innermost elements that reach past the right edge of the window, to say where to look.
TOO_WIDE = r"""() => {
  const past = el => el.getBoundingClientRect().right > window.innerWidth + 0.5;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!past(el) || el.getBoundingClientRect().width === 0) continue;
    if ([...el.children].some(past)) continue;
    if (el.closest('[tabindex="0"][role="region"]')) continue;  // scrolls in its own region
    out.push(name(el) + ' ' + Math.round(el.getBoundingClientRect().right) + ' px');
    if (out.length === 4) break;
  }
  return out;
}"""

RUN_AXE = """tags => axe.run(document, {
  runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']
})"""


def _axe(page: Page) -> list[str]:
    result: dict[str, Any] = page.evaluate(RUN_AXE, WCAG_21_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
    ]


def wcag_problems(page: Page, path: str) -> list[str]:
    """The page at 1366 px and at 320 px: axe's violations, and sideways scrolling."""
    problems = [f"{path} ved 1366 px: {v}" for v in _axe(page)]
    page.set_viewport_size(NARROW)
    try:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > NARROW["width"]:
            wide = ", ".join(page.evaluate(TOO_WIDE))
            problems.append(f"{path} ved 320 px: siden er {width} px bred ({wide})")
        problems.extend(f"{path} ved 320 px: {v}" for v in _axe(page))
    finally:
        page.set_viewport_size(WIDE)
    return problems


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLE_STARTS)
def test_every_page_meets_wcag_21_aa_at_1366_and_320_px(
    live_server: LiveServer, browser: Browser, artifacts: Path, settings, tmp_path: Path, role: str
) -> None:  # type: ignore[no-untyped-def]
    """One role's walk per test, so that the roles' walks (a minute and a half together) share
    the test workers."""
    require_file(str(AXE), how="npm ci")
    world: World = build_world(settings, tmp_path)
    settings.VUM_LOCAL_LOGIN_2FA = False  # the second factor's pages are walked by the CSP test
    problems: list[str] = []
    context = browser.new_context(locale="da-DK", viewport=WIDE)
    context.set_default_timeout(10_000)
    # Into every page before its own scripts, over the DevTools protocol: the pages'
    # Content-Security-Policy rightly refuses a script tag from outside.
    context.add_init_script(path=AXE)
    page = context.new_page()
    try:
        login(page, live_server.url, role)
        pages, reached = walk(
            page,
            live_server.url,
            world.starts(role),
            CAPS,
            lambda page, path: problems.extend(wcag_problems(page, path)),
        )
    finally:
        context.close()
    report = [f"{role}: {len(pages)} sider", *(f"  {p}" for p in pages)]
    (artifacts / f"tilgaengelighed-sider-{role}.txt").write_text("\n".join(report) + "\n")

    missing = MUST_REACH[role] - reached
    if missing:
        problems.append(f"{role} nåede ikke {sorted(missing)}")
    assert problems == [], "\n".join(problems)


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_formula_is_wcags() -> None:
    assert round(contrast((255, 255, 255), (0, 0, 0)), 1) == 21.0
    assert round(contrast((255, 191, 71), (255, 255, 255)), 2) == 1.64  # the old ring: fails


# For the element that has the focus: its ring's colour and style, and the colour behind the ring
# (outside the element, so the nearest parent's own opaque background).
FOCUS_RING = """() => {
  const el = document.activeElement;
  const rgb = s => (s.match(/[\\d.]+/g) || []).slice(0, 4).map(Number);
  const style = getComputedStyle(el);
  let parent = el.parentElement, behind = [255, 255, 255];
  while (parent) {
    const bg = rgb(getComputedStyle(parent).backgroundColor);
    if (bg.length === 3 || (bg.length === 4 && bg[3] === 1)) { behind = bg.slice(0, 3); break; }
    parent = parent.parentElement;
  }
  return {
    what: el.tagName + (el.id ? '#' + el.id : '') + ' ' + el.textContent.trim().slice(0, 25),
    style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    ring: rgb(style.outlineColor).slice(0, 3), behind: behind,
  };
}"""


@pytest.mark.django_db(transaction=True)
def test_the_focus_ring_stands_out_on_every_background(
    live_server: LiveServer, page: Page, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Tab through a case page (the dark header and menu, the page, its cards and alerts): each
    element the keyboard reaches shows a ring of 2 px or more with 3:1 against what is behind."""
    world = build_world(settings, tmp_path)
    settings.VUM_LOCAL_LOGIN_2FA = False
    login(page, live_server.url, "sagsbehandler")
    page.goto(f"{live_server.url}/sager/{world.sagsvurdering.pk}/")
    weak: list[str] = []
    seen = 0
    for _ in range(60):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if ring["what"].startswith("BODY"):
            break
        seen += 1
        ratio = contrast(tuple(ring["ring"]), tuple(ring["behind"]))
        if ring["style"] == "none" or ring["width"] < 2 or ratio < 3:
            weak.append(f"{ring['what']}: {ring['style']} {ring['width']} px, {ratio:.2f}:1")
    assert seen >= 20, seen
    assert weak == [], "\n".join(weak)
