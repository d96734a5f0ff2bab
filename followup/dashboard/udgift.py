"""The cost panels: the yearly cost of the services in force, by paragraph, provider, kind of
offer and team, and for the whole area."""

from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    QuerySet,
    Sum,
)

from followup.dashboard.figures import (
    OVERVIEW_ROWS,
    Celle,
    Soejle,
    Tabel,
    fmt_kroner,
)
from followup.dashboard.udsnit import Udsnit, names_by_id
from vum.accounts.models import Organisation
from vum.catalog.models import (
    KommunalYdelse,
    Maalgruppe,
    Tilbudstype,
)

COST_DIMENSIONS = {
    "paragraf": ("Ydelse (paragraf)", "kommunal_ydelse_id"),
    "maalgruppe": ("Primær målgruppe", "noegle"),
    "tilbud": ("Tilbudstype", "noegle2"),
    "udfoerer": ("Udfører", "noegle3"),
}


def cost(u: Udsnit) -> list[Tabel]:
    """The page shows each group's citizens: the cost facts have a row per citizen, so the
    database counts them exactly."""
    tables = []
    for key, (title, path) in COST_DIMENSIONS.items():
        rows = _cost_rows(u, key, path)
        names = _cost_names(key, [row[path] for row in rows])
        tabel = Tabel(
            key=f"udgift_{key}",
            title=f"Årlig udgift pr. {title.lower()}",
            description="Indsatser i kraft (sager i bestilling, levering eller opfølgning) "
            "efter den seneste bevilling, omregnet til et år ud fra prislinjerne.",
            columns=[title, "Borgere", "Årlig udgift"],
            chart_title=f"Årlig udgift pr. {title.lower()}"
            + (f" (de {OVERVIEW_ROWS} største)" if len(rows) > OVERVIEW_ROWS else ""),
            shown_rows=OVERVIEW_ROWS,
        )
        for row in rows:
            value, amount, borgere = row[path], Decimal(row["beloeb"]), row["borgere_i_alt"]
            label = names.get(value, "Ikke angivet")
            link = f"udfoerer={value}" if key == "udfoerer" and value else ""
            tabel.rows.append(
                [
                    Celle(label),
                    Celle(borgere, borgere, link),
                    Celle(amount.quantize(Decimal(1)), borgere),
                ]
            )
            if len(tabel.chart) < OVERVIEW_ROWS:
                tabel.chart.append(Soejle(label, float(amount), fmt_kroner(amount)))
        tables.append(tabel)
    return tables


def _cost_rows(u: Udsnit, table: str, path: str) -> list[dict[str, Any]]:
    """A cost table's rows by amount: each row's value (at `path`), amount and citizens."""
    area = u.whole_area_cost(table)
    rows: list[dict[str, Any]]
    if area is None:
        rows = list(
            u.snapshot("udgift")
            .values(path)
            .annotate(beloeb=Sum("sum1"), borgere_i_alt=Count("borger_id", distinct=True))
            .order_by()
        )
    else:
        rows = [
            {path: value, "beloeb": amount, "borgere_i_alt": citizens}
            for value, amount, citizens in area.values_list("noegle2", "sum1", "borgere")
        ]
        if path == "kommunal_ydelse_id":
            for row in rows:
                row[path] = int(row[path]) if row[path] else None
    return sorted(rows, key=lambda row: (-row["beloeb"], str(row[path] or "")))


def _cost_names(key: str, ids: list[Any]) -> dict[Any, str]:
    if key == "paragraf":
        ydelser = KommunalYdelse.objects.filter(pk__in=[i for i in ids if i]).prefetch_related(
            "hjemler__lovhenvisning"
        )
        return {y.pk: _paragraf_label(y) for y in ydelser}
    names: QuerySet[Any] = {
        "maalgruppe": Maalgruppe.objects.all(),
        "tilbud": Tilbudstype.objects.all(),
        "udfoerer": Organisation.objects.all(),
    }[key]
    return names_by_id(names, ids)


def _paragraf_label(ydelse: KommunalYdelse) -> str:
    paragraphs = sorted(
        {h.lovhenvisning.paragraf for h in ydelse.hjemler.all() if h.lovhenvisning.paragraf}
    )
    law = f" (§ {', '.join(paragraphs)})" if paragraphs else ""
    return f"{ydelse.kode} {ydelse.navn}{law}"
