"""The sagsvurdering in a real browser: open a scored case in sagsvurdering, write the situation
and add a goal (HTMX swaps the section and the status box), and see the goal listed."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from assessment.models import Indsatsmaal, Sagsvurdering
from assessment.services.udredning import funktionsevne_score, tema_oplysning_save, udredning_start
from assessment.services.vurdering import sagsvurdering_start
from cases.lifecycle import Fase
from cases.services.sag import sag_transition
from tests.catalogs import load_catalog
from tests.factories import PASSWORD, BorgerFactory, UserFactory, sag_in_phase
from vum.catalog.models import Tema, Undertema

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_caseworker_writes_the_situation_and_adds_a_goal(
    live_server: LiveServer, page: Page, artifacts: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()
    user = UserFactory(username="sb.vurdering", first_name="Sofie", last_name="Hansen")
    borger = BorgerFactory(fornavn="Mads", efternavn="Jensen")
    sag = sag_in_phase(Fase.SAGSOPLYSNING, borger=borger, team=user.teams.get(), sagsbehandler=user)
    samspil = Undertema.objects.current().get(navn="Indgå i samspil og kontakt")
    udredning = udredning_start(actor=user, sag=sag)
    tema_oplysning_save(
        actor=user,
        udredning=udredning,
        tema=Tema.objects.current().get(navn="Relationer"),
        fra_borgeren="Jeg har omkring 100 venner. Jeg kan ikke sige nej.",
    )
    funktionsevne_score(actor=user, udredning=udredning, undertema=samspil, vaerdi=2)
    sag = sag_transition(actor=user, sag=sag, name="start_sagsvurdering")
    sagsvurdering_start(actor=user, sag=sag)
    url = live_server.url

    page.goto(f"{url}/login/")
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Mine sager")).to_be_visible()

    page.goto(f"{url}/sager/{sag.pk}/")
    page.get_by_role("link", name="Sagsvurdering", exact=True).click()
    expect(page.get_by_role("heading", name="Sagsvurdering", level=1)).to_be_visible()
    status = page.locator("#vurdering-status")
    expect(status).to_contain_text("Vurderingen af borgerens situation mangler.")

    situation = page.locator("#afsnit-situation")
    situation.get_by_label("Vurdering af borgerens situation").fill(
        "Mads har svært ved at sige fra over for sine venner og at strukturere sin hverdag."
    )
    situation.get_by_label("Indsatsformål").fill(
        "Jeg har stadig min lejlighed, og jeg har taget en uddannelse."
    )
    situation.get_by_label("Opfølgning", exact=True).select_option("3_maaneder")
    situation.get_by_role("button", name="Gem sagsvurderingen").click()
    # HTMX puts the saved section back and refreshes the status box out of band.
    expect(page.locator("#afsnit-situation").get_by_role("status")).to_have_text(
        "Sagsvurderingen er gemt."
    )
    # Focus follows the save to its confirmation, which the page's own live region (there from
    # the start, so that screen readers announce it) says again (WCAG 2.4.3, 4.1.3).
    expect(page.locator("#afsnit-situation [role=status]")).to_be_focused()
    expect(page.locator("#meddelelse")).to_have_text("Sagsvurderingen er gemt.")
    expect(page.locator("#vurdering-status")).not_to_contain_text(
        "Vurderingen af borgerens situation mangler."
    )
    expect(page).to_have_url(f"{url}/sager/{sag.pk}/sagsvurdering/")

    maal = page.locator("#afsnit-maal")
    expect(maal).to_contain_text("Der er ingen indsatsmål endnu.")
    maal.get_by_label("Borgerens målformulering").fill(
        "Jeg har fokus på mine egne behov og siger fra"
    )
    maal.get_by_label("Udvikle funktionsevne").check()
    maal.get_by_label("Primært udredningstema").select_option(label="Indgå i samspil og kontakt")
    maal.get_by_label("Forventet funktionsevneniveau").select_option("0")
    maal.get_by_label("Timer pr. uge").fill("3")
    maal.get_by_role("button", name="Tilføj mål").click()

    maal = page.locator("#afsnit-maal")
    expect(maal.get_by_role("status")).to_have_text("Indsatsmålet er tilføjet.")
    goal = maal.locator(".maal").first
    expect(goal).to_contain_text("Mål 1")
    expect(goal).to_contain_text("Jeg har fokus på mine egne behov og siger fra")
    expect(goal).to_contain_text(
        "Relationer \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} Indgå i samspil og kontakt"
    )
    expect(goal).to_contain_text("2 · Moderat nedsat funktionsevne")
    expect(maal.locator("#timer-i-alt")).to_contain_text("3")
    expect(page.locator("#vurdering-status")).not_to_contain_text("Der er ingen indsatsmål.")
    page.locator("#afsnit-maal").screenshot(path=str(artifacts / "sagsvurdering-maal.png"))
    page.screenshot(path=str(artifacts / "sagsvurdering.png"), full_page=True)

    page.reload()
    expect(page.locator("#afsnit-maal .maal")).to_have_count(1)
    vurdering = Sagsvurdering.objects.get(sag=sag)
    assert vurdering.vurdering_af_situation.startswith("Mads har svært ved")
    assert vurdering.faelles_opfoelgning == "3_maaneder"
    assert Indsatsmaal.objects.get().aktuel_vurdering.niveau.vaerdi == 2  # type: ignore[union-attr]
