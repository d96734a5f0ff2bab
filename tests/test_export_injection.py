"""Formula injection in the dashboard's exports (OWASP's "CSV injection"): a team or
caseworker whose name starts like a formula comes out of the CSV with a leading quote and out of
the Excel file as a text cell, never as a formula; figures stay figures."""

import csv
import io
from decimal import Decimal
from typing import cast

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from cases.lifecycle import Fase
from followup.dashboard import export
from followup.dashboard.figures import Celle, Filter, Sektion, Tabel
from followup.dashboard.refresh import noegletal_refresh
from tests.factories import TeamFactory, UserFactory, sag_in_phase
from vum.accounts.models import User
from vum.spreadsheet import FORMULA_START

DASHBOARD = reverse("followup:dashboard")

# One name per character a spreadsheet program may start a formula with.
TEAM_NAMES = [
    "=1+1",
    '+HYPERLINK("http://example.invalid","Klik")',
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]
# A caseworker's name, shown as "first last".
WORKER_FIRST = '=HYPERLINK("http://example.invalid")'
WORKER_NAME = f"{WORKER_FIRST} Sagsbehandler"


@pytest.fixture
def exports(db: None) -> tuple[str, bytes]:
    """The CSV and the Excel file of a leader over teams named like formulas."""
    teams = [TeamFactory(navn=name) for name in TEAM_NAMES]
    leader = cast(User, UserFactory(leder=True, teams=teams))
    worker = UserFactory(teams=teams[:1], first_name=WORKER_FIRST, last_name="Sagsbehandler")
    for team in teams:
        sag_in_phase(Fase.SAGSAABNING, team=team, sagsbehandler=worker)
    noegletal_refresh()
    client = Client()
    client.force_login(leader)
    as_csv = client.get(DASHBOARD, {"format": "csv"})
    as_xlsx = client.get(DASHBOARD, {"format": "xlsx"})
    assert as_csv.status_code == as_xlsx.status_code == 200
    return as_csv.content.decode("utf-8-sig"), as_xlsx.content


def test_the_csv_quotes_every_name_that_starts_like_a_formula(exports: tuple[str, bytes]) -> None:
    text, _ = exports
    cells = {
        cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for cell in row
    }

    for name in [*TEAM_NAMES, WORKER_NAME]:
        assert f"'{name}" in cells, repr(name)
        assert name not in cells, repr(name)
    # Every cell that starts like a formula is quoted (the dashboard's "-" is no formula).
    assert not [c for c in cells if c.startswith(FORMULA_START) and c != "-"]


def test_the_excel_file_writes_every_name_as_text(exports: tuple[str, bytes]) -> None:
    _, content = exports
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]

    assert not [c.coordinate for c in cells if c.data_type == "f"]
    by_value = {}
    for cell in cells:
        if isinstance(cell.value, str):
            # XML turns a carriage return into a line feed when the file is read back.
            by_value[cell.value.replace("\n", "\r") if cell.value[:1] == "\n" else cell.value] = (
                cell
            )
    for name in [*TEAM_NAMES, WORKER_NAME]:
        cell = by_value[name]  # the literal text, not "'=1+1"
        assert cell.data_type == "s", repr(name)
        # Excel's own quote prefix: the cell stays text when the leader edits it.
        assert cell.quotePrefix, repr(name)
    # The figures are still numbers.
    assert any(c.data_type == "n" and isinstance(c.value, int) for c in cells)


def test_numbers_are_never_neutralised_only_text() -> None:
    """A negative figure is a number in both files; text that looks like one is quoted."""
    tabel = Tabel(
        key="t",
        title="Tabel",
        description="",
        columns=["Navn", "Tal", "Beløb", "Andel"],
        rows=[[Celle("-5"), Celle(-3), Celle(Decimal("-1.5")), Celle("-")]],
    )
    sections = [Sektion(key="s", title="Sektion", tabeller=[tabel])]
    f = Filter.default()

    rows = list(csv.reader(io.StringIO(export.to_csv(sections, f)), delimiter=";"))
    assert rows[-1] == ["'-5", "-3", "-1,5", "-"]

    sheet = load_workbook(io.BytesIO(export.to_xlsx(sections, f)))["Tabel"]
    last = list(sheet.iter_rows())[-1]
    assert [c.value for c in last] == ["-5", -3, -1.5, "-"]
    assert [c.data_type for c in last] == ["s", "n", "n", "s"]
    assert [bool(c.quotePrefix) for c in last] == [True, False, False, False]
