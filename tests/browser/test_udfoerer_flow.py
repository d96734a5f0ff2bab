"""The provider's workspace on a phone: an X-Hus employee logs in, opens Mads from the list of
citizens and writes a note on an existing sub-goal; the note appears without a page load, and no
page scrolls sideways at 390 px."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from orders.models import Delmaalsnotat
from orders.services.bestilling import bestilling_accept, bestillinger_send
from orders.services.levering import delmaal_create
from tests.catalogs import load_catalog
from tests.factories import PASSWORD, UserFactory
from tests.mads import mads_decided, mads_time

pytestmark = [pytest.mark.browser, mads_time]

NOTE = "Mads lavede selv aftensmad i dag og ryddede op bagefter."


def _no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"siden er {widths[0]} px bred i et {widths[1]} px vindue"


@pytest.mark.django_db(transaction=True)
def test_provider_writes_a_note_on_a_phone(
    live_server: LiveServer, phone_page: Page, artifacts: Path, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    settings.VUM_LETTER_DIR = tmp_path / "breve"
    load_catalog()
    caseworker = UserFactory(username="sb.levering")
    mads = mads_decided(caseworker)
    (bestilling,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    provider = UserFactory(
        username="udf.xhus",
        udfoerer=True,
        organisation=mads.x_hus,
        first_name="Pia",
        last_name="Pædagog",
    )
    bestilling = bestilling_accept(actor=provider, bestilling=bestilling)
    delmaal = delmaal_create(
        actor=provider,
        bestilling=bestilling,
        formulering="Jeg laver aftensmad selv to gange om ugen",
        indsatsmaal=list(bestilling.maal.order_by("raekkefoelge")[:1]),
    )
    page = phone_page
    url = live_server.url

    page.goto(f"{url}/login/")
    page.get_by_label("Brugernavn").fill(provider.username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Mine borgere", level=1)).to_be_visible()
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "udfoerer-borgere-mobil.png"), full_page=True)

    page.get_by_role("link", name="Mads Madsen").first.click()
    expect(page.get_by_role("heading", name="Mads Madsen", level=1)).to_be_visible()
    _no_sideways_scroll(page)

    # A marker on the window survives an htmx swap but not a page load.
    page.evaluate("() => { window.__samme_side = true; }")
    article = page.locator(f"#delmaal-{delmaal.pk}")
    expect(article).to_contain_text("Ingen notater endnu.")
    article.get_by_label("Nyt notat").fill(NOTE)
    article.get_by_role("button", name="Gem notat").tap()
    article = page.locator(f"#delmaal-{delmaal.pk}")
    expect(article.get_by_text("Notatet er gemt.")).to_be_visible()
    expect(article.locator(".u-notes")).to_contain_text(NOTE)
    expect(article.get_by_label("Nyt notat")).to_have_value("")
    assert page.evaluate("() => window.__samme_side === true")
    notat = Delmaalsnotat.objects.get()
    assert notat.tekst == NOTE
    assert notat.delmaal_id == delmaal.pk
    assert notat.oprettet_af_id == provider.pk
    _no_sideways_scroll(page)
    article.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "udfoerer-borger-mobil.png"), full_page=True)

    # Every form open at once (sub-goals, notes, use of force, requests) still fits.
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    expect(page.get_by_role("button", name="Indberet magtanvendelse")).to_be_visible()
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "udfoerer-borger-formularer-mobil.png"), full_page=True)

    page.get_by_role("link", name="Hele bestillingen").click()
    expect(page.get_by_role("heading", name="Indsatsmål")).to_be_visible()
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "udfoerer-bestilling-mobil.png"), full_page=True)
