"""The afgørelse in a real browser: a recorded Jørn decision, its letter previewed as a PDF in a
new tab, a text edited and the letter sent; the page then lists the frozen letter."""

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from assessment.models import Brev
from assessment.services.afgoerelse import Resultatlinje, afgoerelse_create
from cases.lifecycle import Fase
from tests.catalogs import load_catalog
from tests.factories import PASSWORD, BorgerFactory, UserFactory, sag_in_phase
from vum.catalog.models import KommunalYdelse

# Jørn's case: he applied on 23 April 2026, the decision is of 29 May and is sent on 3 June.
pytestmark = [pytest.mark.browser, pytest.mark.now("2026-06-03 10:00")]


@pytest.mark.django_db(transaction=True)
def test_caseworker_previews_edits_and_sends_the_letter(
    live_server: LiveServer, page: Page, artifacts: Path, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "viborg"
    settings.VUM_LETTER_DIR = tmp_path / "breve"
    load_catalog()
    user = UserFactory(username="sb.afgoerelse", first_name="Sofie", last_name="Hansen")
    borger = BorgerFactory(fornavn="Jørn", efternavn="Nielsen")
    sag = sag_in_phase(Fase.AFGOERELSE, borger=borger, team=user.teams.get(), sagsbehandler=user)
    v85 = KommunalYdelse.objects.current().get(kommune__slug="viborg", kode="V-85")
    afgoerelse = afgoerelse_create(
        actor=user,
        sag=sag,
        truffet_af="sagsbehandler",
        form="skriftlig",
        fuldt_medhold=False,
        truffet=date(2026, 5, 29),
        begrundelse_vurdering="Vi vurderer, at du kan bo i egen bolig med støtte.",
        begrundelse_regler="Servicelovens § 85.",
        resultater=[
            Resultatlinje(
                beskrivelse="socialpædagogisk støtte efter servicelovens § 85",
                resultat="delvist_afslag",
                omfang="6 timer om ugen",
                virkningsdato=date(2026, 8, 1),
                kommunal_ydelse=v85,
            )
        ],
    )
    url = live_server.url

    page.goto(f"{url}/login/")
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Mine sager")).to_be_visible()

    page.goto(f"{url}/sager/{sag.pk}/")
    page.get_by_role("link", name="Afgørelse", exact=True).click()
    expect(page.get_by_role("heading", name="Afgørelse", level=1)).to_be_visible()
    section = page.locator(f"#afgoerelse-{afgoerelse.pk}")
    expect(section).to_contain_text("6 timer om ugen")

    section.get_by_label("Indsatsformål").fill("at du bor i egen bolig og har styr på din økonomi.")
    with page.context.expect_event(
        "response", predicate=lambda r: "forhaandsvisning" in r.url
    ) as preview_info:
        section.get_by_role("button", name="Vis forhåndsvisning").click()
    preview = preview_info.value
    assert preview.status == 200
    assert preview.headers["content-type"] == "application/pdf"
    assert not Brev.objects.exists()
    page.screenshot(path=str(artifacts / "afgoerelse-brev.png"), full_page=True)

    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    section.get_by_role("button", name="Send brevet").click()
    expect(page.get_by_text("Afgørelsesbrevet er sendt.")).to_be_visible()
    assert asked == ["Brevet sendes til borgeren og kan ikke kaldes tilbage. Send det nu?"]
    section = page.locator(f"#afgoerelse-{afgoerelse.pk}")
    brev = Brev.objects.get()
    expect(section.locator(f"#brev-{afgoerelse.pk}-{brev.pk}")).to_contain_text("Brev til")
    expect(section.get_by_text("Ret brevet")).to_be_visible()
    assert brev.indhold["indsatsformaal"] == "at du bor i egen bolig og har styr på din økonomi."
    page.screenshot(path=str(artifacts / "afgoerelse-sendt.png"), full_page=True)
