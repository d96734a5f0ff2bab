"""Documents about a citizen that the register itself produces: the citizen's log, for their own
request to know who has looked at and changed their data."""

import csv
import io

from django.utils import timezone

from cases.models import Borger
from cases.selectors import LogLine
from vum.pdf import Pdf, render_pdf
from vum.spreadsheet import safe_cell

LOG_COLUMNS = ["Tidspunkt", "Bruger", "Handling", "Hvad", "Beskrivelse"]


def borger_log_pdf(*, borger: Borger, lines: list[LogLine], kommune: str) -> Pdf:
    return render_pdf(
        template_name="letters/borger_log.html",
        context={
            "borger": borger,
            "lines": lines,
            "kommune": kommune,
            "dato": timezone.localdate(),
        },
    )


def borger_log_csv(*, lines: list[LogLine]) -> str:
    """Semicolon-separated, as Danish spreadsheets expect; with a BOM so that Excel reads UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(LOG_COLUMNS)
    for line in lines:
        writer.writerow(
            [
                safe_cell(timezone.localtime(line.tidspunkt).strftime("%d.%m.%Y %H:%M:%S")),
                safe_cell(line.bruger),
                safe_cell(line.handling),
                safe_cell(line.objekt),
                safe_cell(line.beskrivelse),
            ]
        )
    return out.getvalue()
