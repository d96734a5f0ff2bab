"""The dashboard as a file: CSV (semicolon separated, as Danish Excel opens it) and Excel, one
block or sheet per table. A figure that rests on fewer than `SUPPRESS_BELOW` citizens (a count,
or a share, median or amount of a group that small) is written as "<5", and so is every other
figure of its row (secondary suppression), so a small group cannot be told from the file, not
even by subtracting."""

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook

from followup.dashboard.figures import SUPPRESS_BELOW, Celle, Filter, Sektion, Tabel

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
                writer.writerow(
                    [str(v).replace(".", ",") if isinstance(v, Decimal) else v for v in row]
                )
    return out.getvalue()


def to_xlsx(sections: Sequence[Sektion], f: Filter) -> bytes:
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for section in sections:
        for tabel in section.tabeller:
            sheet = workbook.create_sheet(_sheet_name(tabel.title, used))
            sheet.append([tabel.title])
            sheet.append([_heading(f)])
            sheet.append([])
            for row in export_rows(tabel):
                sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    # Excel allows 31 characters and no []:*?/\ in a sheet name, each name once.
    clean = "".join(c for c in title if c not in "[]:*?/\\")[:31]
    name, n = clean, 2
    while name in used:
        suffix = f" {n}"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name
