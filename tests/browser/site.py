"""The whole site as each role sees it, for the tests that check every page (the
Content-Security-Policy, accessibility): the demo data plus a case in every phase and an item on
a committee's agenda, each role's login, and a breadth-first walk over the links a role can
follow, with every fold-out (<details>) opened on each page."""

import contextlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from django.core.management import call_command
from django.urls import Resolver404, resolve
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from assessment.models import Udvalgsmoede
from assessment.services.udredning import funktionsevne_score, tema_oplysning_save, udredning_start
from assessment.services.udvalg import indstilling_create, indstilling_send_to_committee
from assessment.services.vurdering import sagsvurdering_start
from cases.lifecycle import Fase
from cases.models import Sag
from cases.services.sag import sag_transition
from followup.dashboard.refresh import noegletal_refresh
from tests.factories import BorgerFactory, sag_in_phase
from tests.mads import mads_decided
from tests.test_visitationsudvalg import assessed_case
from tooling.management.commands.seed_demo import DEMO_PASSWORD, LIAM_CPR, MADS_CPR
from vum.accounts.models import User
from vum.audit.models import AuditEvent
from vum.catalog.models import Tema, Undertema

SKIP_PATHS = ("/static/", "/login/", "/logout/", "/admin/logout/")
# The roles of the demo data with the pages each starts its walk from (the case pages of every
# phase are added by `World.starts`).
ROLE_STARTS = {
    "sagsbehandler": ["/", "/sager/"],
    "udfoerer": ["/"],
    "visitation": ["/", "/udvalg/"],
    "leder": ["/", "/ledelse/"],
    "oekonomi": ["/"],
    "admin": ["/", "/log/"],
}

# The pages (URL names) each role's walk must reach, so that a walk cannot quietly shrink.
MUST_REACH = {
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
        "tilgaengelighed",
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


@dataclass
class World:
    sagsvurdering: Sag
    phases: dict[str, Sag]
    mads_borger_id: int
    admin_pages: list[str]

    def starts(self, role: str) -> list[str]:
        """Where `role` starts its walk: its menu's pages, and for the caseworker a case in every
        phase; for the administrator the citizen log and a few of the admin site's pages."""
        if role == "sagsbehandler":
            return [*ROLE_STARTS[role], *(f"/sager/{sag.pk}/" for sag in self.phases.values())]
        if role == "admin":
            return [*ROLE_STARTS[role], f"/log/{self.mads_borger_id}/", *self.admin_pages]
        return ROLE_STARTS[role]


def build_world(settings: Any, tmp_path: Path) -> World:
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


def login(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible()


def pattern(path: str) -> str:
    """A page's kind: its path without numbers; in the admin, without the app and model too."""
    path = re.sub(r"^/admin/[^/]+/$", "/admin/A/", path)
    path = re.sub(r"^/admin/[^/]+/[^/]+/", "/admin/M/", path)
    return re.sub(r"\d+", "N", path)


@dataclass
class Caps:
    """How much of the site a walk sees: pages with the same path but for their numbers and
    query (another case, another filter) are walked `per_pattern` times, in the admin
    `admin_per_pattern` times whatever the model; the start pages always."""

    per_pattern: int
    admin_per_pattern: int
    max_pages: int


def walk(
    page: Page, base: str, starts: list[str], caps: Caps, visit: Callable[[Page, str], None]
) -> tuple[list[str], set[str]]:
    """Breadth first over the links of the same site, from `starts` (paths): each page is loaded,
    its fold-outs opened and handed to `visit` with its path. Returns the pages seen and their
    URL names."""
    queue = [urljoin(base, s) for s in starts]
    first = set(queue)
    seen: set[str] = set()
    pages: list[str] = []
    url_names: set[str] = set()
    per_pattern: Counter[str] = Counter()
    while queue and len(pages) < caps.max_pages:
        url = queue.pop(0)
        parts = urlsplit(url)
        key = parts.path + ("?" + parts.query if parts.query else "")
        if key in seen:
            continue
        seen.add(key)
        if parts.path.startswith(SKIP_PATHS):
            continue
        cap = caps.admin_per_pattern if parts.path.startswith("/admin/") else caps.per_pattern
        if per_pattern[pattern(parts.path)] >= cap and url not in first:
            continue
        per_pattern[pattern(parts.path)] += 1
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a letter (PDF) or an export (CSV, Excel)
            raise
        if response is None or not response.headers.get("content-type", "").startswith("text/"):
            continue
        assert not urlsplit(page.url).path.startswith("/login/"), f"logget ud ved {key}"
        pages.append(key)
        with contextlib.suppress(Resolver404):
            url_names.add(resolve(urlsplit(page.url).path).url_name or "")
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        visit(page, key)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            target = urldefrag(href).url
            if urlsplit(target).netloc == parts.netloc:
                queue.append(target)
    return pages, url_names
