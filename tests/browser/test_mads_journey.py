"""The whole Mads journey from the VUM 2.0 handbook in a real browser, through the real pages:
the caseworker registers Mads and the enquiry, fills in the sagsåbning, informs and scores the
udredning, writes the sagsvurdering (four goals, støttebehov Moderat, a § 85 indsats), records
and sends the decision, orders from X-Hus; the provider accepts; delivery starts; the first
follow-up is planned, the provider calls the meeting and sends the statusnotat, and the
caseworker fills in the follow-up form and decides to continue the indsats ("Træf afgørelse om
fortsættelse af indsats"), støttebehov Moderat → Moderat. The case is back in levering with the
next follow-up planned."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from assessment.models import Sagsvurdering
from cases.lifecycle import Fase
from cases.models import Borger, Sag
from followup.models import Opfoelgning, Opfoelgningsskema
from orders.models import Bestilling
from tests.catalogs import load_catalog
from tests.factories import PASSWORD, UserFactory
from tests.mads import MADS_GOALS, MADS_SCORES, mads_time
from vum.accounts.models import Organisation
from vum.catalog.models import Undertema

pytestmark = [pytest.mark.browser, mads_time]

X_HUS = "Socialpædagogisk opholdssted X-Hus"
CPR = "1503021234"
MODERAT = "Moderat støttebehov"
CONTINUE = "Træf afgørelse om fortsættelse af indsats"
MADS_YDELSER = (
    "Støtte til daglige opgaver i hjemmet",
    "Støtte til administration",
    "Støtte til uddannelse",
    "Støtte til sociale relationer",
)


def _login(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()


def _open(details: Locator) -> None:
    """Open a <details> element (without toggling one that is already open)."""
    details.evaluate("d => { d.open = true; }")


def _phase(page: Page, url: str, sag: Sag, label: str, expected: str) -> None:
    """Move the case on with the button at the end of the phase's own page."""
    page.get_by_role("region", name="Videre i sagen").get_by_role(
        "button", name=label, exact=True
    ).click()
    expect(page.get_by_text(f"Sagen er flyttet til {expected.lower()}.")).to_be_visible()


def _choose(select: Locator, text: str) -> None:
    """Select the first option whose text contains `text` (labels carry paths and laws)."""
    value = select.locator("option", has_text=text).first.get_attribute("value")
    assert value, f"ingen mulighed med {text!r}"
    select.select_option(value)


def _shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"mads-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_mads_journey_to_the_first_follow_up(
    live_server: LiveServer, browser: Browser, page: Page, artifacts: Path, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    try:
        _journey(live_server, browser, page, artifacts, settings, tmp_path)
    except Exception:
        _shot(page, artifacts, "fejl")  # where the journey stopped
        raise


def _journey(  # type: ignore[no-untyped-def]
    live_server: LiveServer, browser: Browser, page: Page, artifacts: Path, settings, tmp_path
) -> None:
    settings.VUM_MUNICIPALITY = "randers"
    settings.VUM_LETTER_DIR = tmp_path / "breve"
    load_catalog()
    caseworker = UserFactory(username="sb.mads", first_name="Sofie", last_name="Hansen")
    x_hus = Organisation.objects.create(navn=X_HUS, p_nummer="1012345678")
    provider = UserFactory(
        username="udf.xhus", udfoerer=True, organisation=x_hus, first_name="Lise", last_name="Berg"
    )
    url = live_server.url
    # Delivery starts today: an order whose start lies ahead is not shown to the provider yet
    # (BestillingQuerySet.active), so it could not be accepted in this journey.
    start = timezone.localdate()

    # 1. Sagsåbning: register Mads and the enquiry that opens his case.
    _login(page, url, caseworker.username)
    expect(page.get_by_role("heading", name="Mine sager")).to_be_visible()
    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Opret borger"
    ).click()
    page.get_by_label("CPR-nummer").fill(CPR)
    page.get_by_label("Fornavn").fill("Mads")
    page.get_by_label("Efternavn").fill("Madsen")
    page.get_by_role("button", name="Opret borger").click()
    expect(page.get_by_role("heading", name="Mads Madsen")).to_be_visible()
    page.get_by_role("link", name="Registrér henvendelse").click()
    page.get_by_label("Henvendelse fra").select_option(label="Borger")
    page.get_by_label("Hvad drejer henvendelsen sig om?").fill(
        "Mads vil gerne stoppe med at ryge hash og have mere styr på det hele."
    )
    page.get_by_label("Sag oprettet", exact=True).check()
    page.get_by_role("button", name="Registrér henvendelse").click()
    sag = Sag.objects.get(borger=Borger.objects.get(cpr=CPR))
    expect(page.locator("#aktuel-fase")).to_have_text("Sagsåbning")

    page.get_by_role("link", name="Udfyld sagsåbning").click()
    page.get_by_role("group", name="Informeret om elektronisk registrering").get_by_label(
        "Ja", exact=True
    ).check()
    page.get_by_label("Borgerens ønsker for fremtiden", exact=False).first.fill(
        "Jeg vil gerne stoppe med at ryge hash og have mere styr på det hele"
    )
    page.get_by_role("textbox", name="Formålet med udredningen").fill(
        "At afklare Mads' behov for støtte i egen bolig, til uddannelse og til at sige fra."
    )
    page.get_by_role("button", name="Gem sagsåbning").click()
    _phase(page, url, sag, "Start sagsoplysning", "Sagsoplysning")

    # 2. Sagsoplysning: one informed theme and the handbook's eight scores. Moving the case on
    # began the udredning and led to its page.
    expect(page).to_have_url(f"{url}/sager/{sag.pk}/udredning/")
    # Each theme is saved once, with its text (Relationer) and its sub-themes' levels.
    by_tema: dict[int, list[tuple[Undertema, int]]] = {}
    for navn, vaerdi in MADS_SCORES.items():
        undertema = Undertema.objects.current().select_related("tema").get(navn=navn)
        by_tema.setdefault(undertema.tema_id, []).append((undertema, vaerdi))
    for tema_id, scores in by_tema.items():
        section = page.locator(f"#tema-{tema_id}")
        _open(section)
        if scores[0][0].tema.navn == "Relationer":
            section.get_by_label("Oplysninger fra borgeren").fill(
                "Jeg har omkring 100 venner og kan ikke sige nej, når de vil sove hos mig."
            )
        for undertema, vaerdi in scores:
            row = section.locator(f"#undertema-{undertema.pk}")
            _open(row.locator("details").first)
            row.get_by_label(f"{vaerdi} · ", exact=False).check()
        section.get_by_role("button", name="Gem tema").click()
        expect(page.locator(f"#tema-{tema_id}").get_by_role("status")).to_be_visible()
        for undertema, vaerdi in scores:
            expect(page.locator(f"#undertema-{undertema.pk} .scores__current")).to_contain_text(
                f"{vaerdi} · "
            )
    _shot(page, artifacts, "udredning")
    _phase(page, url, sag, "Start sagsvurdering", "Sagsvurdering")

    # 3. Sagsvurdering: situation, four goals, støttebehov Moderat, a § 85 indsats, målgruppe.
    expect(page).to_have_url(f"{url}/sager/{sag.pk}/sagsvurdering/")
    situation = page.locator("#afsnit-situation")
    situation.get_by_label("Vurdering af borgerens situation").fill(
        "Mads har svært ved at strukturere sin hverdag og sige fra."
    )
    situation.get_by_label("Indsatsformål").fill(
        "Jeg har stadig min lejlighed, og jeg har taget en uddannelse."
    )
    situation.get_by_role("group", name="Samme opfølgningsdato for alle mål").get_by_label(
        "Ja", exact=True
    ).check()
    situation.get_by_label("Opfølgning", exact=True).select_option("3_maaneder")
    situation.get_by_role("button", name="Gem sagsvurderingen").click()
    expect(page.locator("#afsnit-situation").get_by_role("status")).to_have_text(
        "Sagsvurderingen er gemt."
    )

    for nr, (text, sub, expected, hours) in enumerate(MADS_GOALS, start=1):
        maal = page.locator("#afsnit-maal")
        _open(maal.locator("details.add-form").last)
        maal.get_by_label("Borgerens målformulering").fill(text)
        maal.get_by_label("Udvikle funktionsevne").check()
        maal.get_by_label("Primært udredningstema").select_option(label=sub)
        maal.get_by_label("Forventet funktionsevneniveau").select_option(str(expected))
        maal.get_by_label("Udfører").select_option(label=X_HUS)
        maal.get_by_label("Timer pr. uge").fill(hours)
        maal.get_by_role("button", name="Tilføj mål").click()
        expect(page.locator("#afsnit-maal .maal")).to_have_count(nr)

    stoettebehov = page.locator("#afsnit-stoettebehov")
    stoettebehov.get_by_label("Vurdering af støttebehov", exact=False).first.fill(
        "Mads har brug for støtte flere gange om ugen."
    )
    stoettebehov.get_by_role("group", name="Er borgeren berettiget").get_by_label(
        "Ja", exact=True
    ).check()
    stoettebehov.get_by_label("Begrundelse", exact=True).fill(
        "Betydelig nedsat funktionsevne; behov for støtte efter § 85."
    )
    stoettebehov.get_by_label(f"2 · {MODERAT}", exact=False).check()
    stoettebehov.get_by_role("button", name="Gem sagsvurderingen").click()
    expect(page.locator("#afsnit-stoettebehov").get_by_role("status")).to_have_text(
        "Sagsvurderingen er gemt."
    )

    indsatser = page.locator("#afsnit-indsatser")
    _open(indsatser.locator("details.add-form").last)
    for ydelse in MADS_YDELSER:
        indsatser.get_by_label(re.compile(re.escape(ydelse))).check()
    _choose(indsatser.get_by_label("Kommunens ydelse"), "R-85")
    _choose(indsatser.get_by_label("Tilbud", exact=True), "Mobilt tilbud")
    indsatser.get_by_label("Udfører").select_option(label=X_HUS)
    indsatser.get_by_label("Forventet start").fill(start.isoformat())
    indsatser.get_by_role("button", name="Tilføj indsats").click()
    expect(page.locator("#afsnit-indsatser article.indsats")).to_have_count(1)
    indsats = page.locator("#afsnit-indsatser article.indsats")
    _open(indsats.locator("details.add-form").first)
    indsats.get_by_label(re.compile(r"^Ydelse")).select_option(label=MADS_YDELSER[0])
    indsats.get_by_role("combobox", name="Enhed").select_option(label="Time")
    indsats.get_by_label("Antal i hver periode").fill("7")
    indsats.get_by_label("Frekvens").select_option(label="Uge")
    indsats.get_by_label("Gentagelser").fill("26")
    indsats.get_by_label("Enhedspris (kr.)").fill("500")
    indsats.get_by_role("button", name="Tilføj prislinje").click()
    expect(page.locator("#afsnit-indsatser .prislinjer tbody tr")).to_have_count(1)

    maalgruppe = page.locator("#afsnit-maalgruppe")
    _choose(maalgruppe.get_by_label("Primær målgruppe"), "Anden intellektuel/kognitiv forstyrrelse")
    maalgruppe.get_by_role("button", name="Gem sagsvurderingen").click()
    expect(page.locator("#afsnit-maalgruppe").get_by_role("status")).to_have_text(
        "Sagsvurderingen er gemt."
    )
    _shot(page, artifacts, "sagsvurdering")
    _phase(page, url, sag, "Gå til afgørelse", "Afgørelse")

    # 4. Afgørelse: the § 85 grant, recorded and sent as a letter.
    expect(page).to_have_url(f"{url}/sager/{sag.pk}/afgoerelse/")
    ny = page.locator("#ny-afgoerelse")
    ny.get_by_label("Truffet af").select_option("sagsbehandler")
    ny.get_by_label("Fuldt medhold").check()
    ny.get_by_label("Omfang").first.fill("8 timer om ugen")
    ny.get_by_role("button", name="Registrér afgørelsen").click()
    page.once("dialog", lambda dialog: dialog.accept())  # sending cannot be undone: confirmed
    page.get_by_role("button", name="Send brevet").first.click()
    expect(page.get_by_text("Afgørelsesbrevet er sendt.")).to_be_visible()
    _phase(page, url, sag, "Gå til bestilling", "Bestilling")

    # 5. Bestilling: the order to X-Hus, accepted by the provider.
    expect(page).to_have_url(f"{url}/sager/{sag.pk}/bestillinger/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Send bestillinger").click()
    expect(page.get_by_text(f"Bestillingen er sendt: {X_HUS} (version 1).")).to_be_visible()
    provider_context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    udfoerer = provider_context.new_page()
    udfoerer.set_default_timeout(10_000)
    _login(udfoerer, url, provider.username)
    udfoerer.get_by_role("link", name="Se og svar på bestillingen").first.click()
    udfoerer.get_by_role("button", name="Acceptér bestillingen").click()
    expect(udfoerer.get_by_text("Bestillingen er accepteret.")).to_be_visible()
    assert Bestilling.objects.get(sag=sag).status == Bestilling.Status.ACCEPTERET

    # 6. Levering: the provider's acceptance started the delivery.
    page.goto(f"{url}/sager/{sag.pk}/")
    expect(page.locator("#aktuel-fase")).to_have_text("Levering")

    # 7. Opfølgning: planned by the caseworker ...
    page.get_by_role("link", name="Opfølgning", exact=True).click()
    page.get_by_role("button", name="Planlæg opfølgning").click()
    expect(page.get_by_text("Opfølgningen er planlagt senest")).to_be_visible()
    opfoelgning = Opfoelgning.objects.get(sag=sag)
    assert opfoelgning.grundlag  # from the goals' common 3 months or the R-85 rule

    # ... called and prepared by the provider ...
    udfoerer.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Mine borgere"
    ).click()
    udfoerer.get_by_role("link", name="Mads Madsen").first.click()
    udfoerer.get_by_role("link", name="Indkald og skriv statusnotat").click()
    indkald = udfoerer.locator("#indkald")
    meeting = timezone.localdate() + timedelta(days=20)
    indkald.get_by_label("Dato").fill(meeting.isoformat())
    indkald.get_by_label("Klokken").fill("10:00")
    indkald.get_by_label("Møde", exact=True).check()
    indkald.get_by_label("Sted").fill("Hjemme hos Mads")
    indkald.get_by_label("Deltagere").fill("Mads\nMalene (mor, bisidder)\nLise Berg (X-Hus)")
    indkald.get_by_role("button", name="Indkald til mødet").click()
    expect(udfoerer.locator("#opfoelgning")).to_contain_text("Hjemme hos Mads")
    statusnotat = udfoerer.locator("#statusnotat")
    for field in statusnotat.get_by_label("Vurdering af arbejdet med målet").all():
        field.fill("Vi arbejder med målet hver uge; Mads tager selv initiativ.")
    statusnotat.get_by_label("Væsentlige ændringer i borgerens situation").fill(
        "Mads er begyndt på FGU."
    )
    statusnotat.get_by_role("button", name="Send til sagsbehandler").click()
    expect(udfoerer.get_by_text("Statusnotatet er sendt til sagsbehandleren.")).to_be_visible()
    udfoerer.screenshot(path=str(artifacts / "mads-udfoerer-opfoelgning.png"), full_page=True)
    provider_context.close()

    # ... and followed up by the caseworker with the form and the personrettet tilsyn.
    page.goto(f"{url}/sager/{sag.pk}/opfoelgning/{opfoelgning.pk}/")
    expect(page.locator("#statusnotat")).to_contain_text("Mads er begyndt på FGU.")
    page.get_by_role("button", name="Start opfølgningsskema").click()
    expect(page.get_by_text("Opfølgningsskemaet er startet")).to_be_visible()
    expect(page.locator("#stoettebehov-foer")).to_contain_text(MODERAT)
    form = page.locator("#skema-form")
    form.locator("#skema-praktisk").get_by_label("Møde", exact=True).check()
    for block in form.locator("fieldset.opf-maal").all():
        block.get_by_label("Borgerens vurdering").fill("Det går bedre.")
        block.get_by_label("Udførers vurdering").fill("Arbejdet går som aftalt.")
        block.get_by_label("Sagsbehandlers vurdering").fill("Målet står ved magt.")
        overfoert = block.locator("[id^=overfoert-]").inner_text().strip()
        block.get_by_label(f"{overfoert} · ", exact=False).check()
        block.get_by_label("Mål uændret").check()
    form.get_by_label("Samlet konklusion").fill("Mads er godt i gang; indsatsen fortsætter.")
    form.get_by_label(CONTINUE).check()
    form.get_by_label("Støttebehov efter opfølgningen").select_option(label=f"2 · {MODERAT}")
    tilsyn = form.locator("#skema-tilsyn")
    for question, answer in (
        ("Er det personrettede tilsyn gennemført?", "Ja"),
        ("Trives borgeren?", "Ja"),
        ("Har der været magtanvendelser i perioden?", "Nej"),
        ("Har du mødt borgeren?", "Ja"),
    ):
        tilsyn.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    tilsyn.get_by_label("Konklusion på tilsynet").fill("Mads trives hos X-Hus.")
    form.get_by_role("group", name="Er borgeren enig").get_by_label("Ja", exact=True).check()
    form.get_by_role("button", name="Gem opfølgningsskemaet").click()
    expect(page.get_by_text("Opfølgningsskemaet er gemt.")).to_be_visible()
    expect(page.locator("#mangler")).to_contain_text("Skemaet er udfyldt.")
    _shot(page, artifacts, "opfoelgningsskema")

    udfald = page.locator("#udfald-fortsaet")
    udfald.locator("summary").click()
    udfald.get_by_role("button", name="Træf afgørelse om fortsættelse").click()
    expect(page.get_by_text("Næste opfølgning er planlagt senest")).to_be_visible()
    _shot(page, artifacts, "opfoelgninger")

    sag.refresh_from_db()
    assert sag.fase == Fase.LEVERING
    skema = Opfoelgningsskema.objects.get(opfoelgning=opfoelgning)
    assert skema.udfald == Opfoelgningsskema.Udfald.FORTSAET
    assert skema.status_paa_indsats is not None
    assert skema.status_paa_indsats.navn == CONTINUE
    assert skema.stoettebehov_foer is not None
    assert skema.stoettebehov_efter is not None
    assert (skema.stoettebehov_foer.navn, skema.stoettebehov_efter.navn) == (MODERAT, MODERAT)
    assert Sagsvurdering.objects.get(sag=sag).maal.count() == 4
    following = Opfoelgning.objects.filter(sag=sag).exclude(pk=opfoelgning.pk).get()
    assert following.status == Opfoelgning.Status.PLANLAGT
    assert following.dato > opfoelgning.dato
