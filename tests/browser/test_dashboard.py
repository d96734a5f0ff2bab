"""The leader's dashboard in a real browser: log in, land on the overview, read the caseload as a
chart with its table, narrow it to one team, drill down from a figure to the cases
behind it and come back. The page does not scroll sideways on a desktop, and every table has a
caption and scoped headers.

At 1024 and 1366 px every table fits its region (the table's scrollWidth is at most the
region's clientWidth), so no column is clipped: a table sits beside its chart where both fit and
below it where not. A table wider than a narrower window scrolls inside its region, which is why
each region takes focus with Tab (WCAG 2.1.1) and shows it. The finance
list (Økonomi) is held to the same."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from cases.lifecycle import Fase
from followup.dashboard.refresh import noegletal_refresh
from orders.models import Bestilling
from tests.catalogs import load_catalog
from tests.factories import (
    PASSWORD,
    BestillingFactory,
    BorgerFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
    sag_in_phase,
)
from tests.web.test_dashboard_pages import full_case
from vum.accounts.models import Role, User

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"siden er {widths[0]} px bred i et {widths[1]} px vindue"


def _tables_are_labelled(page: Page) -> None:
    missing = page.evaluate(
        """() => ({
            captions: [...document.querySelectorAll('table')]
                .filter(t => !t.querySelector(':scope > caption')?.textContent.trim()).length,
            scopes: [...document.querySelectorAll('th')]
                .filter(th => !['col', 'row'].includes(th.getAttribute('scope'))).length,
            tables: document.querySelectorAll('table').length,
        })"""
    )
    assert missing["tables"] > 0
    assert missing["captions"] == 0, "tabel uden caption"
    assert missing["scopes"] == 0, "th uden scope"


@pytest.mark.django_db(transaction=True)
def test_leader_reads_the_dashboard_and_drills_down(
    live_server: LiveServer, page: Page, artifacts: Path
) -> None:
    handicap = TeamFactory(navn="Handicap")
    psykiatri = TeamFactory(navn="Psykiatri")
    leder = UserFactory(username="leder.lis", leder=True, teams=[handicap, psykiatri])
    anna = UserFactory(teams=[handicap], first_name="Anna", last_name="Andersen")
    for n in range(3):
        sag_in_phase(
            Fase.SAGSAABNING,
            team=handicap,
            sagsbehandler=anna,
            borger=BorgerFactory(fornavn="Hanne", efternavn=f"Handicapsen{n}"),
        )
    citizen = BorgerFactory(fornavn="Mads", efternavn="Madsen")
    sag = sag_in_phase(Fase.LEVERING, team=psykiatri, borger=citizen)
    noegletal_refresh()  # what the beat task does
    url = live_server.url

    page.goto(f"{url}/")
    page.get_by_label("Brugernavn").fill(leder.username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page).to_have_url(re.compile(r"/ledelse/$"))
    expect(page.get_by_role("heading", name="Ledelsesoverblik", level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="Hovedmenu")
    expect(nav.get_by_role("link", name="Overblik")).to_have_attribute("aria-current", "page")

    # The caseload as a chart, and the same figures as a table.
    panel = page.locator("#sager_fase")
    chart = panel.locator("figure.chart")
    expect(chart).to_be_visible()
    expect(chart.locator("figcaption")).to_have_text("Åbne sager pr. fase")
    expect(chart.locator(".chart__row", has_text="Sagsåbning")).to_contain_text("3")
    expect(chart.locator(".chart__row", has_text="Levering")).to_contain_text("1")
    bar = chart.locator(".chart__row", has_text="Sagsåbning").locator(".chart__bar")
    assert bar.bounding_box()["width"] > 0  # type: ignore[index]
    table = panel.get_by_role("table", name="Åbne sager pr. team og fase")
    expect(table.get_by_role("rowheader", name="Handicap")).to_be_visible()
    expect(table.get_by_role("rowheader", name="Psykiatri")).to_be_visible()
    chart_box, table_box = chart.bounding_box(), table.bounding_box()
    assert chart_box is not None
    assert table_box is not None
    # Eight columns do not fit beside the chart at 1280 px: the table goes below it, whole.
    assert table_box["y"] >= chart_box["y"] + chart_box["height"]
    _every_table_fits_a_focusable_region(page)
    _tables_are_labelled(page)
    page.screenshot(path=str(artifacts / "ledelsesoverblik.png"), full_page=True)

    # Narrow it to one team.
    page.get_by_label("Team", exact=True).select_option(label="Psykiatri")
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page).to_have_url(re.compile(rf"team={psykiatri.pk}"))
    table = page.locator("#sager_fase").get_by_role("table")
    expect(table.get_by_role("rowheader", name="Psykiatri")).to_be_visible()
    expect(table.get_by_role("rowheader", name="Handicap")).to_have_count(0)
    expect(page.get_by_label("Team", exact=True)).to_have_value(str(psykiatri.pk))

    # From Psykiatri's cases in Levering to the list of them.
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Psykiatri"))
    headers = [t.strip() for t in table.get_by_role("columnheader").all_text_contents()]
    levering = headers.index("Levering")
    row.get_by_role("cell").nth(levering - 1).get_by_role("link", name="1").click()
    expect(page.get_by_role("heading", name="Sager bag tallet", level=1)).to_be_visible()
    expect(page.get_by_text("Fase: Levering; Team: Psykiatri.")).to_be_visible()
    expect(page.get_by_role("link", name="Mads Madsen")).to_have_attribute(
        "href", f"/sager/{sag.pk}/"
    )
    expect(page.get_by_text(citizen.cpr_masked)).to_be_visible()
    expect(page.get_by_text("Handicapsen0")).to_have_count(0)
    _no_sideways_scroll(page)
    _tables_are_labelled(page)
    page.screenshot(path=str(artifacts / "ledelsesoverblik-sager.png"), full_page=True)

    # And back, with the filter kept.
    page.get_by_role("link", name="Tilbage til ledelsesoverblikket").click()
    expect(page.get_by_role("heading", name="Ledelsesoverblik", level=1)).to_be_visible()
    expect(page.get_by_label("Team", exact=True)).to_have_value(str(psykiatri.pk))


# Readable at a laptop's widths

WIDTHS = [1024, 1366]


def _log_in(page: Page, url: str, user: User) -> None:
    page.goto(f"{url}/")
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()


def _regions(page: Page) -> list[dict[str, Any]]:
    """Every table's scroll region: how wide the table is against the region, and whether the
    region is one a keyboard and a screen reader can find."""
    return page.evaluate(
        """() => [...document.querySelectorAll('table')].map(t => {
            const region = t.closest('.table-scroll');
            const card = t.closest('.card') || document.querySelector('main');
            return {
                caption: t.querySelector('caption')?.textContent.trim(),
                inRegion: !!region,
                tabindex: region?.getAttribute('tabindex'),
                role: region?.getAttribute('role'),
                label: region?.getAttribute('aria-label'),
                table: t.scrollWidth,
                region: region?.clientWidth,
                regionRight: region?.getBoundingClientRect().right,
                cardRight: card.getBoundingClientRect().right,
            };
        })"""
    )


def _every_table_fits_a_focusable_region(page: Page) -> list[dict[str, Any]]:
    regions = _regions(page)
    assert regions
    for r in regions:
        assert r["inRegion"], f"{r['caption']}: ingen region omkring tabellen"
        assert r["tabindex"] == "0", r
        assert r["role"] == "region", r
        assert r["label"], r
        assert r["table"] <= r["region"], (
            f"{r['caption']}: tabellen er {r['table']} px i en {r['region']} px bred region"
        )
        assert r["regionRight"] <= r["cardRight"] + 1, r
    _no_sideways_scroll(page)
    return regions


def _looks(field: Locator) -> dict[str, str]:
    return field.evaluate(
        """el => {
            const s = getComputedStyle(el);
            const field = el.closest('.field').getBoundingClientRect().width;
            return {border: s.borderTopStyle + ' ' + s.borderTopWidth + ' ' + s.borderTopColor,
                    radius: s.borderTopLeftRadius, padding: s.paddingLeft,
                    font: s.fontSize + ' ' + s.fontFamily,
                    background: s.backgroundColor, color: s.color,
                    fills: String(Math.abs(el.getBoundingClientRect().width - field) < 1)};
        }"""
    )


def _tab_reaches_every_region(page: Page, labels: list[str], start: str) -> None:
    """Tab from `start` reaches each region in turn, and the region shows it has focus."""
    page.locator(start).focus()
    reached = []
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (el?.getAttribute('role') !== 'region') return null;
                const style = getComputedStyle(el);
                return {label: el.getAttribute('aria-label'), outline: style.outlineStyle,
                        width: parseFloat(style.outlineWidth)};
            }"""
        )
        if focused:
            assert focused["outline"] != "none", focused
            assert focused["width"] >= 2, focused
            reached.append(focused["label"])
        if len(reached) == len(labels):
            break
    assert reached == labels


@pytest.fixture
def full_area(settings: Any) -> User:
    """A leader's area with every panel filled: long team and service names, and yearly costs
    of more than 100.000 kr."""
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()
    handicap = TeamFactory(navn="Handicap og Socialpsykiatri Nord")
    psykiatri = TeamFactory(navn="Socialpsykiatri og Misbrug Syd")
    leder = UserFactory(username="leder.lis", leder=True, teams=[handicap, psykiatri])
    anna = UserFactory(teams=[handicap], first_name="Anna-Margrethe", last_name="Andersen")
    bo = UserFactory(teams=[psykiatri], first_name="Bo", last_name="Bertelsen-Kristiansen")
    for n, (team, caseworker, kode) in enumerate(
        [
            (handicap, anna, "R-85"),
            (handicap, anna, "R-85"),
            (handicap, anna, "R-BO"),
            (psykiatri, bo, "V-85"),
            (psykiatri, bo, "V-107"),
        ]
    ):
        full_case(team, caseworker, kode, n)
    noegletal_refresh()
    return leder


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_no_table_is_clipped_and_the_keyboard_reaches_each(
    live_server: LiveServer, page: Page, artifacts: Path, full_area: User, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, live_server.url, full_area)
    expect(page.get_by_role("heading", name="Ledelsesoverblik", level=1)).to_be_visible()
    costs = page.locator("#udgift_paragraf")
    expect(costs.get_by_role("table")).to_contain_text("260.000 kr.")
    # A narrow table stays beside its chart.
    chart_box = costs.locator("figure.chart").bounding_box()
    table_box = costs.get_by_role("table").bounding_box()
    assert chart_box is not None
    assert table_box is not None
    assert table_box["x"] >= chart_box["x"] + chart_box["width"]

    regions = _every_table_fits_a_focusable_region(page)
    assert len(regions) >= 10
    labels = [r["label"] for r in regions]
    # A region is named by its table.
    assert labels == [r["caption"] for r in regions]
    first = page.get_by_role("region", name="Åbne sager pr. team og fase")
    expect(first).to_have_attribute("tabindex", "0")
    _tab_reaches_every_region(page, labels, ".dashboard-toc li:last-child a")
    # The month pickers look like the filter's other fields.
    assert _looks(page.get_by_label("Fra måned")) == _looks(page.get_by_label("Team", exact=True))
    page.screenshot(path=str(artifacts / f"ledelsesoverblik-{width}.png"), full_page=True)

    # The whole of a long table, on its own page.
    page.goto(f"{live_server.url}/ledelse/tabel/udgift_udfoerer/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Årlig udgift pr. udfører")
    _every_table_fits_a_focusable_region(page)

    # The cases behind a figure.
    page.goto(f"{live_server.url}/ledelse/sager/?fase=levering")
    expect(page.get_by_role("heading", name="Sager bag tallet", level=1)).to_be_visible()
    _every_table_fits_a_focusable_region(page)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_finance_list_fits_and_shows_danish_amounts(
    live_server: LiveServer, page: Page, artifacts: Path, width: int
) -> None:
    udfoerer = OrganisationFactory(
        navn="Socialpædagogisk opholdssted X-Hus og Bostøtte", p_nummer="1012345678"
    )
    for n, pris in enumerate(["93600.00", "1234567.5"]):
        BestillingFactory(
            udfoerer=udfoerer,
            status=Bestilling.Status.SENDT,
            sendt=timezone.now(),
            slutdato=timezone.localdate().replace(year=2027),
            version=n + 1,
            indhold={
                "pris_i_alt": pris,
                "betaling": {"ean": "5798000000001"},
                "indsatser": [{"konto": "5.38.50.1"}, {"konto": "5.38.42.2"}],
            },
        )
    okonomi = UserFactory(username="okonomi.ole", role=Role.OEKONOMI, teams=[])
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, live_server.url, okonomi)
    expect(page.get_by_role("heading", name="Bestillinger til betaling", level=1)).to_be_visible()
    table = page.get_by_role("table", name="Bestillinger til betaling, nyeste først")
    expect(table).to_contain_text("93.600,00 kr.")
    expect(table).to_contain_text("1.234.567,50 kr.")
    labels = [r["label"] for r in _every_table_fits_a_focusable_region(page)]
    assert labels == ["Bestillinger til betaling"]
    _tab_reaches_every_region(page, labels, "main h1")
    page.screenshot(path=str(artifacts / f"oekonomi-{width}.png"), full_page=True)
