"""The caseworker's main path in a real browser: log in, register a citizen, register an enquiry
that opens a case, and land on the case page in sagsåbning."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cases.models import Borger, Sag
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_caseworker_opens_a_case(live_server: LiveServer, page: Page, artifacts: Path) -> None:
    user = UserFactory(username="sb.hansen", first_name="Sofie", last_name="Hansen")
    url = live_server.url

    page.goto(f"{url}/")
    expect(page).to_have_url(f"{url}/login/?next=/")
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Mine sager")).to_be_visible()

    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Opret borger"
    ).click()
    page.get_by_label("CPR-nummer").fill("0101901234")
    page.get_by_label("Fornavn").fill("Mads")
    page.get_by_label("Efternavn").fill("Jensen")
    page.get_by_label("Adresse").fill("Storegade 1")
    page.get_by_role("button", name="Opret borger").click()
    expect(page.get_by_role("heading", name="Mads Jensen")).to_be_visible()
    expect(page.get_by_text("010190-1234")).to_be_visible()
    page.screenshot(path=str(artifacts / "borger.png"), full_page=True)

    page.get_by_role("link", name="Registrér henvendelse").click()
    page.get_by_label("Henvendelse fra").select_option(label="Borger")
    page.get_by_label("Hvad drejer henvendelsen sig om?").fill(
        "Mads ønsker hjælp til at klare hverdagen i egen bolig."
    )
    page.get_by_label("Sag oprettet", exact=True).check()
    page.screenshot(path=str(artifacts / "henvendelse.png"), full_page=True)
    page.get_by_role("button", name="Registrér henvendelse").click()

    sag = Sag.objects.get(borger=Borger.objects.get(cpr="0101901234"))
    expect(page).to_have_url(f"{url}/sager/{sag.pk}/")
    expect(page.locator("#aktuel-fase")).to_have_text("Sagsåbning")
    expect(page.locator('.timeline [aria-current="step"]')).to_contain_text("Sagsåbning")
    blocked = page.locator("#blokeret-start_sagsoplysning")
    expect(blocked).to_contain_text("Formålet med udredningen er ikke fastlagt.")
    page.screenshot(path=str(artifacts / "sag.png"), full_page=True)

    page.get_by_role("link", name="Udfyld sagsåbning").click()
    expect(page.get_by_role("heading", name="Sagsåbning", level=1)).to_be_visible()
    # HTMX swaps in the diagnosis section without a page load.
    diagnoser = page.locator("#raekker-diagnose")
    diagnoser.locator("summary").click()
    diagnoser.get_by_label(re.compile(r"^Diagnose")).fill("ADHD")
    diagnoser.get_by_label("ICD-10-kode").fill("F 90.0")
    diagnoser.get_by_label("Stillet af").fill("Dr. Berg")
    diagnoser.get_by_role("button", name="Tilføj").click()
    expect(page.locator("#raekker-diagnose td", has_text="F 90.0")).to_be_visible()
    # No page load happened: the form's plain POST would have redirected to "...#raekker-diagnose".
    assert page.evaluate("typeof htmx") == "object"
    expect(page).to_have_url(f"{url}/sager/{sag.pk}/sagsaabning/")
    page.screenshot(path=str(artifacts / "sagsaabning.png"), full_page=True)
    assert sag.diagnoser.count() == 1
