"""The provider on a small phone (360 x 740): the citizen's page opens on today's work, so the
first sub-goal's quick note is on the first screen and nothing scrolls sideways; a bestilling
shows its key facts (who, what, from when, how much) before the buttons that accept or refuse it;
and a provider's form sent with a required field left empty is answered by the server, with the
Danish error summary and the input kept, never by the browser's own validation bubble."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from followup.models import Opfoelgning
from followup.services.opfoelgning import opfoelgning_plan
from orders.models import Bestilling, Delmaal, Delmaalsnotat, Magtanvendelse
from orders.services.bestilling import bestilling_accept, bestillinger_send
from orders.services.levering import delmaal_create, handling_add
from tests.browser.devices import phone
from tests.catalogs import load_catalog
from tests.factories import PASSWORD, UserFactory
from tests.mads import Mads, mads_decided, mads_time
from vum.accounts.models import User

pytestmark = [pytest.mark.browser, mads_time]

WIDTH, HEIGHT = 360, 740
SUMMARY = "Formularen indeholder fejl. Ret de markerede felter:"
DELMAAL = "Jeg laver aftensmad selv to gange om ugen"


@pytest.fixture
def small_phone(browser: Browser) -> Iterator[Page]:
    """A small phone (360 x 740 CSS px, like a Galaxy S8-S9 or a budget Android)."""
    yield from phone(browser, WIDTH, HEIGHT)


@dataclass
class Case:
    mads: Mads
    bestilling: Bestilling
    provider: User
    caseworker: User


@pytest.fixture
def case(settings, tmp_path: Path) -> Case:  # type: ignore[no-untyped-def]
    """Mads ordered from X-Hus, the order sent and not yet answered."""
    settings.VUM_MUNICIPALITY = "randers"
    settings.VUM_LETTER_DIR = tmp_path / "breve"
    load_catalog()
    caseworker = UserFactory(username="sb.telefon")
    mads = mads_decided(caseworker)
    (bestilling,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    provider = UserFactory(
        username="udf.telefon",
        udfoerer=True,
        organisation=mads.x_hus,
        first_name="Pia",
        last_name="Pædagog",
    )
    return Case(mads=mads, bestilling=bestilling, provider=provider, caseworker=caseworker)


def _working(case: Case) -> tuple[Delmaal, Opfoelgning]:
    """The order accepted, a sub-goal with an action on it and the first follow-up planned: a
    citizen page as it looks on an ordinary working day."""
    bestilling = bestilling_accept(actor=case.provider, bestilling=case.bestilling)
    delmaal = delmaal_create(
        actor=case.provider,
        bestilling=bestilling,
        formulering=DELMAAL,
        indsatsmaal=list(bestilling.maal.order_by("raekkefoelge")[:1]),
    )
    handling_add(
        actor=case.provider,
        bestilling=bestilling,
        delmaal=delmaal,
        beskrivelse="Madplan på køleskabet, og vi handler ind sammen om mandagen.",
    )
    return delmaal, opfoelgning_plan(actor=case.caseworker, sag=case.mads.sag)


def _log_in(page: Page, url: str, user: User) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Mine borgere", level=1)).to_be_visible()


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= WIDTH, f"siden er {width} px bred i et {WIDTH} px vindue"


def _before(page: Page, first: str, second: str) -> bool:
    """Whether the element `first` comes before `second` in the document."""
    return bool(
        page.evaluate(
            """([a, b]) => {
                const x = document.querySelector(a), y = document.querySelector(b);
                const after = Node.DOCUMENT_POSITION_FOLLOWING;
                return !!(x && y && (x.compareDocumentPosition(y) & after));
            }""",
            [first, second],
        )
    )


@pytest.mark.django_db(transaction=True)
def test_the_citizen_page_opens_on_todays_work(
    live_server: LiveServer, small_phone: Page, artifacts: Path, case: Case
) -> None:
    delmaal, _ = _working(case)
    page = small_phone
    _log_in(page, live_server.url, case.provider)
    _no_sideways_scroll(page)
    page.get_by_role("link", name="Mads Madsen").first.click()
    expect(page.get_by_role("heading", name="Mads Madsen", level=1)).to_be_visible()

    note = page.locator(f"#delmaal-{delmaal.pk}").get_by_label("Nyt notat")
    box = note.bounding_box()
    assert box is not None
    # Measured at 360 x 740 (the field's top): 2,879 px down when the master data and the whole
    # order came first, 510 px with the work first.
    assert box["y"] + box["height"] < HEIGHT, f"notatfeltet står {box['y']:.0f} px nede"
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "udfoerer-borger-360.png"), full_page=True)

    # The work comes before the order and the master data, which are folded but all there.
    assert _before(page, f"#delmaalliste-{case.bestilling.pk}", f"#bestilling-{case.bestilling.pk}")
    assert _before(page, f"#notater-{case.bestilling.pk}", f"#bestilling-{case.bestilling.pk}")
    assert _before(page, f"#bestilling-{case.bestilling.pk}", "#stamdata")
    for section in ("opfoelgning", "magtanvendelser", "anmodninger"):
        expect(page.locator(f"#{section}-{case.bestilling.pk}")).to_be_attached()
    order = page.locator(f"#bestilling-{case.bestilling.pk}")
    expect(order.get_by_text("Indsatsmål", exact=True)).to_be_hidden()
    order.locator("summary").first.tap()
    expect(order.get_by_text("Indsatsmål", exact=True)).to_be_visible()
    stamdata = page.locator("#stamdata")
    expect(stamdata.get_by_text("CPR-nummer", exact=True)).to_be_hidden()
    stamdata.locator("summary").first.tap()
    expect(stamdata.get_by_text("CPR-nummer", exact=True)).to_be_visible()

    # Every form and fold open at once still fits the width.
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "udfoerer-borger-360-aabent.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_order_says_what_it_is_before_it_is_accepted(
    live_server: LiveServer, small_phone: Page, artifacts: Path, case: Case
) -> None:
    page = small_phone
    _log_in(page, live_server.url, case.provider)
    page.get_by_role("link", name="Se og svar på bestillingen").click()
    expect(page.get_by_role("heading", name="Mads Madsen", level=1)).to_be_visible()
    _no_sideways_scroll(page)
    facts = page.locator("#kort")
    expect(facts).to_contain_text("Mads Madsen")  # who
    expect(facts).to_contain_text(case.bestilling.startdato.strftime("%d.%m.%Y"))  # from when
    indsats = case.bestilling.indhold["indsatser"][0]
    expect(facts).to_contain_text(indsats["ydelser"][0])  # what
    line = indsats["prislinjer"][0]
    expect(facts).to_contain_text(f"{line['antal']} {line['enhed'].lower()}")  # how much
    for button in ("Kvittér for modtagelse", "Acceptér bestillingen"):
        expect(page.get_by_role("button", name=button)).to_be_visible()
    for answer in (
        '#svar button[type="submit"]',
        '#svar input[value="accepteret"]',
        '#svar input[value="afvist"]',
        "#svar summary",
    ):
        assert _before(page, "#kort", answer), answer
    page.screenshot(path=str(artifacts / "udfoerer-bestilling-360.png"), full_page=True)

    # Refusing without a reason is answered by the server, in Danish, on the same page.
    page.get_by_text("Afvis bestillingen", exact=True).first.tap()
    page.get_by_role("button", name="Afvis bestillingen").tap()
    expect(page.get_by_text("Skriv hvorfor bestillingen afvises.").first).to_be_visible()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    assert Bestilling.objects.get(pk=case.bestilling.pk).status == Bestilling.Status.SENDT
    _no_sideways_scroll(page)


@pytest.mark.django_db(transaction=True)
def test_a_required_field_left_empty_is_answered_by_the_server(
    live_server: LiveServer, small_phone: Page, artifacts: Path, case: Case
) -> None:
    delmaal, opfoelgning = _working(case)
    page = small_phone
    _log_in(page, live_server.url, case.provider)
    page.get_by_role("link", name="Mads Madsen").first.click()
    expect(page.get_by_role("heading", name="Mads Madsen", level=1)).to_be_visible()
    p = case.bestilling.pk

    # Use of force, a full-page form: the type left out, the description typed.
    what = "Mads blev holdt i armen for ikke at løbe ud på vejen."
    section = page.locator(f"#magtanvendelser-{p}")
    section.get_by_text("Indberet magtanvendelse", exact=True).first.tap()
    section.get_by_label("Klokken").fill("08:15")
    section.get_by_label("Beskrivelse").fill(what)
    section.get_by_role("button", name="Indberet magtanvendelse").tap()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text(SUMMARY)
    expect(summary).to_contain_text("Type: Vælg typen af magtanvendelse.")
    section = page.locator(f"#magtanvendelser-{p}")
    expect(section.locator(".field-errors")).to_contain_text("Vælg typen af magtanvendelse.")
    expect(section.get_by_label("Beskrivelse")).to_have_value(what)
    expect(section.get_by_label("Klokken")).to_have_value("08:15")
    assert not Magtanvendelse.objects.exists()
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "udfoerer-fejl-360.png"), full_page=True)

    # A new sub-goal: worded, but towards none of the order's goals.
    page.goto(live_server.url + reverse("orders:udfoerer-borger", args=[case.mads.sag.borger_id]))
    section = page.locator(f"#delmaalliste-{p}")
    section.get_by_text("Nyt delmål", exact=True).first.tap()
    section.get_by_label("Delmål", exact=False).first.fill("Jeg støvsuger hver fredag")
    section.get_by_role("button", name="Opret delmål").tap()
    expect(page.locator("[data-error-summary]")).to_contain_text(
        "Knyt delmålet til mindst ét indsatsmål."
    )
    section = page.locator(f"#delmaalliste-{p}")
    expect(section.locator("textarea").last).to_have_value("Jeg støvsuger hver fredag")
    assert Delmaal.objects.count() == 1

    # The quick note on a sub-goal, sent in place: left empty, it says so.
    article = page.locator(f"#delmaal-{delmaal.pk}")
    article.get_by_role("button", name="Gem notat").tap()
    article = page.locator(f"#delmaal-{delmaal.pk}")
    expect(article.locator("[data-error-summary]")).to_contain_text("Skriv hvad du har observeret.")
    expect(article.locator(".field-errors")).to_contain_text("Skriv hvad du har observeret.")
    assert not Delmaalsnotat.objects.exists()

    # Calling the follow-up meeting without a date; the place is kept.
    page.goto(live_server.url + reverse("followup:udfoerer-opfoelgning", args=[opfoelgning.pk]))
    section = page.locator("#indkald")
    section.get_by_label("Dato").fill("")
    section.get_by_label("Sted").fill("Hjemme hos Mads")
    section.get_by_role("button", name="Indkald til mødet").tap()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text(SUMMARY)
    expect(summary).to_contain_text("Angiv mødets dato.")
    expect(page.locator("#indkald").get_by_label("Sted")).to_have_value("Hjemme hos Mads")
    assert Opfoelgning.objects.get(pk=opfoelgning.pk).status == Opfoelgning.Status.PLANLAGT
    _no_sideways_scroll(page)
