"""A letter frozen before CPR protected the citizen's address, opened in a real browser: the page
asks first (WCAG 2.1 AA at 1366 and 320 px), going back hands out nothing, and confirming
downloads the letter as it was sent (vum/protected_documents.py)."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from assessment.models import Brev
from cases.models import Borger
from tests.browser.test_accessibility import AXE, wcag_problems
from tests.catalogs import load_catalog
from tests.clock import local_instant
from tests.factories import PASSWORD
from tests.mads import mads_decided, mads_time
from tests.pdf import pdf_text
from tests.programs import require_file
from vum.accounts.models import User
from vum.audit.models import AuditEvent

pytestmark = [pytest.mark.browser, mads_time]


@pytest.mark.django_db(transaction=True)
def test_the_caseworker_is_asked_before_the_letter_with_the_address_downloads(
    live_server: LiveServer,
    page: Page,
    artifacts: Path,
    settings,
    tmp_path: Path,
    caseworker: User,
) -> None:  # type: ignore[no-untyped-def]
    require_file(str(AXE), how="npm ci")
    settings.VUM_MUNICIPALITY = "randers"
    settings.VUM_LETTER_DIR = tmp_path / "breve"
    load_catalog()
    mads = mads_decided(caseworker)
    (brev,) = Brev.objects.filter(sag=mads.sag)
    street = mads.sag.borger.adresse
    assert street
    assert street in pdf_text(bytes(brev.pdf))
    Borger.objects.filter(pk=mads.sag.borger_id).update(
        adressebeskyttet=True,
        adressebeskyttet_siden=local_instant("2026-11-18 10:30"),
        adresse="",
        postnummer="",
        by="",
    )
    url = live_server.url
    page.context.add_init_script(path=str(AXE))
    page.goto(f"{url}/login/")
    page.get_by_label("Brugernavn").fill(caseworker.username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible()

    page.goto(f"{url}/sager/{mads.sag.pk}/")
    page.get_by_role("link", name="Afgørelsesbrev til Mads Madsen").first.click()
    expect(
        page.get_by_role("heading", name="Afgørelsesbrevet viser en beskyttet adresse", level=1)
    ).to_be_visible()
    assert wcag_problems(page, "beskyttet dokument") == []
    page.screenshot(path=str(artifacts / "beskyttet-dokument.png"), full_page=True)
    asked = page.url

    page.get_by_role("link", name="Tilbage uden at hente det").click()
    expect(page).to_have_url(f"{url}/sager/{mads.sag.pk}/#sagsbrev-{brev.pk}")
    assert not AuditEvent.objects.filter(summary__contains="(bekræftet)").exists()

    page.goto(asked)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Hent dokumentet med adressen").click()
    downloaded = Path(download_info.value.path())
    assert downloaded.read_bytes() == bytes(brev.pdf)
    assert AuditEvent.objects.filter(
        actor=caseworker, borger_id=mads.sag.borger_id, summary__endswith="(bekræftet)"
    ).exists()
