"""The udredning in a real browser: open a case in sagsoplysning, inform a theme and score a
sub-theme (HTMX swaps the theme's section), and see both saved."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from assessment.models import Funktionsevnevurdering, TemaOplysning
from cases.lifecycle import Fase
from tests.catalogs import load_catalog
from tests.factories import PASSWORD, BorgerFactory, UserFactory, sag_in_phase
from vum.catalog.models import Tema, Undertema

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_caseworker_informs_a_theme_and_scores(
    live_server: LiveServer, page: Page, artifacts: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()
    user = UserFactory(username="sb.udredning", first_name="Sofie", last_name="Hansen")
    borger = BorgerFactory(fornavn="Mads", efternavn="Jensen")
    sag = sag_in_phase(Fase.SAGSOPLYSNING, borger=borger, team=user.teams.get(), sagsbehandler=user)
    relationer = Tema.objects.current().get(navn="Relationer")
    samspil = Undertema.objects.current().get(navn="Indgå i samspil og kontakt")
    url = live_server.url

    page.goto(f"{url}/login/")
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Mine sager")).to_be_visible()

    page.goto(f"{url}/sager/{sag.pk}/")
    page.get_by_role("link", name="Sagsoplysning", exact=True).click()
    expect(page.get_by_role("heading", name="Sagsoplysning", level=1)).to_be_visible()
    page.get_by_role("button", name="Start udredning").click()
    expect(page.get_by_text("Udredningen er startet.")).to_be_visible()

    section = page.locator(f"#tema-{relationer.pk}")
    expect(section.locator("> summary")).to_contain_text("Ikke oplyst")
    section.locator("> summary").click()
    section.get_by_label("Oplysninger fra borgeren").fill(
        "Jeg har omkring 100 venner. Jeg kan ikke sige nej."
    )
    section.get_by_role("checkbox", name="Indgå i samspil og kontakt").check()
    section.get_by_role("button", name="Gem tema").click()
    # HTMX puts the saved section back in place, still open.
    section = page.locator(f"#tema-{relationer.pk}")
    expect(section.get_by_role("status")).to_have_text("Relationer er gemt.")
    expect(section.locator("> summary")).to_contain_text("Oplyst")
    expect(page).to_have_url(f"{url}/sager/{sag.pk}/udredning/")

    # The level is chosen in the theme's own form, and saved with it.
    row = section.locator(f"#undertema-{samspil.pk}")
    expect(row).to_contain_text("Ikke vurderet")
    row.locator("summary").click()
    row.get_by_label("2 · Moderat nedsat funktionsevne", exact=False).check()
    section.get_by_role("button", name="Gem tema").click()
    row = page.locator(f"#undertema-{samspil.pk}")
    expect(row.locator(".scores__current")).to_contain_text("2 · Moderat nedsat funktionsevne")
    expect(page.locator(f"#tema-{relationer.pk} > summary")).to_contain_text("Oplyst")
    page.locator(f"#tema-{relationer.pk}").screenshot(path=str(artifacts / "udredning-tema.png"))
    page.screenshot(path=str(artifacts / "udredning.png"), full_page=True)

    page.reload()
    expect(page.locator(f"#tema-{relationer.pk} > summary")).to_contain_text("Oplyst")
    assert TemaOplysning.objects.get(tema=relationer).fra_borgeren.startswith("Jeg har omkring")
    assert Funktionsevnevurdering.objects.get(undertema=samspil).niveau.vaerdi == 2
