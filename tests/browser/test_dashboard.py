"""The leader's dashboard in a real browser: log in, land on the overview, read the caseload as a
chart with its table beside it, narrow it to one team, drill down from a figure to the cases
behind it and come back. The page does not scroll sideways on a desktop, and every table has a
caption and scoped headers."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cases.lifecycle import Fase
from followup.dashboard.refresh import noegletal_refresh
from tests.factories import PASSWORD, BorgerFactory, TeamFactory, UserFactory, sag_in_phase

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

    # The caseload as a chart, and the same figures as a table beside it.
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
    assert table_box["x"] >= chart_box["x"] + chart_box["width"]  # beside, not below
    assert abs(table_box["y"] - chart_box["y"]) < 50
    _no_sideways_scroll(page)
    _tables_are_labelled(page)
    page.screenshot(path=str(artifacts / "ledelsesoverblik.png"), full_page=True)

    # Narrow it to one team.
    page.get_by_label("Team").select_option(label="Psykiatri")
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page).to_have_url(re.compile(rf"team={psykiatri.pk}"))
    table = page.locator("#sager_fase").get_by_role("table")
    expect(table.get_by_role("rowheader", name="Psykiatri")).to_be_visible()
    expect(table.get_by_role("rowheader", name="Handicap")).to_have_count(0)
    expect(page.get_by_label("Team")).to_have_value(str(psykiatri.pk))

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
    expect(page.get_by_label("Team")).to_have_value(str(psykiatri.pk))
