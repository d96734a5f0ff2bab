"""The dashboard as a file: CSV (semicolon separated, as Danish Excel opens it) and Excel, one
block or sheet per table. A figure that rests on fewer than `SUPPRESS_BELOW` citizens (a count,
or a share, median or amount of a group that small) is written as "<5", and so is every other
figure of its row (secondary suppression), so a small group cannot be told from the file, not
even by subtracting.

Names in the tables are free text (teams, caseworkers, services, providers), and a spreadsheet
program runs a cell that starts like a formula: "=HYPERLINK(...)" in a team's name would become a
live link or worse in the leader's Excel. Such text is neutralised in both files (see
`vum.spreadsheet`)."""

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from followup.dashboard.figures import SUPPRESS_BELOW, Celle, Filter, Sektion, Tabel
from vum.spreadsheet import safe_cell, starts_like_formula

SUPPRESSED = f"<{SUPPRESS_BELOW}"


def _value(cell: Celle) -> str | int | Decimal:
    if cell.suppressed:
        return SUPPRESSED
    return "" if cell.value is None else cell.value


def _row(row: list[Celle]) -> list[str | int | Decimal]:
    """A row with a suppressed figure hides all its figures: otherwise the row's total, share
    or other parts would give the hidden one away (total minus the shown parts)."""
    if any(cell.suppressed for cell in row):
        return [SUPPRESSED if cell.borgere is not None else _value(cell) for cell in row]
    return [_value(cell) for cell in row]


def export_rows(tabel: Tabel) -> list[list[str | int | Decimal]]:
    return [list(tabel.columns), *[_row(row) for row in tabel.rows]]


def _heading(f: Filter) -> str:
    return f"Ledelsesoverblik {f.fra:%d.%m.%Y}-{f.last_day:%d.%m.%Y}"


def to_csv(sections: Sequence[Sektion], f: Filter) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_heading(f)])
    writer.writerow(
        [
            f"Tal, der bygger på færre end {SUPPRESS_BELOW} borgere, vises som {SUPPRESSED}, "
            "og det gør deres rækkes øvrige tal."
        ]
    )
    for section in sections:
        for tabel in section.tabeller:
            writer.writerow([])
            writer.writerow([f"{section.title}: {tabel.title}"])
            for row in export_rows(tabel):
                writer.writerow([_csv_value(v) for v in row])
    return out.getvalue()


def _csv_value(value: str | int | Decimal) -> str | int:
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    return safe_cell(value)


def to_xlsx(sections: Sequence[Sektion], f: Filter) -> bytes:
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for section in sections:
        for tabel in section.tabeller:
            sheet = workbook.create_sheet(_sheet_name(tabel.title, used))
            sheet.append([_xlsx_cell(sheet, tabel.title)])
            sheet.append([_xlsx_cell(sheet, _heading(f))])
            sheet.append([])
            for row in export_rows(tabel):
                sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: str | int | Decimal) -> Cell | int | Decimal:
    """Text as a text cell, always: given a plain string, openpyxl writes one that starts with
    "=" as a formula (and "#N/A" as an error). A text that starts like a formula also gets
    Excel's quote prefix, so that it stays text when the leader edits the cell."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    if starts_like_formula(value):
        cell.quotePrefix = True
    return cell


def _sheet_name(title: str, used: set[str]) -> str:
    # Excel allows 31 characters and no []:*?/\ in a sheet name, each name once.
    clean = "".join(c for c in title if c not in "[]:*?/\\")[:31]
    name, n = clean, 2
    while name in used:
        suffix = f" {n}"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name
