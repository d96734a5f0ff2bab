"""The panels of support need (now, and how it moved between follow-ups) and of functional
ability read against each goal's type."""

from collections import defaultdict
from decimal import Decimal

from followup.dashboard.figures import (
    Celle,
    Soejle,
    Tabel,
    fmt_percent,
    percent,
)
from followup.dashboard.udsnit import Udsnit, names_by_id
from vum.catalog.models import (
    Maaltype,
    Stoettebehov,
    Undertema,
)


def support_need(u: Udsnit) -> list[Tabel]:
    levels = list(Stoettebehov.objects.order_by("vaerdi"))
    now_rows = {row["noegle"]: row for row in u.grouped(u.snapshot("stoettebehov"), "noegle")}
    now = Tabel(
        key="stoettebehov",
        title="Støttebehov",
        description="Sager med indsatser i kraft (bestilling, levering, opfølgning): det "
        "støttebehov, den seneste opfølgning eller ellers sagsvurderingen fastsatte.",
        columns=["Støttebehov", "Sager"],
        chart_title="Sager pr. støttebehov",
    )
    for key, label in [*[(str(lvl.pk), lvl.navn) for lvl in levels], ("", "Ikke vurderet")]:
        row = now_rows.get(key)
        if key == "" and row is None:
            continue
        n, borgere = (row["n"], row["b"]) if row else (0, 0)
        now.rows.append([Celle(label), Celle(n, borgere)])
        now.chart.append(Soejle(label, n, str(n)))

    moves = {
        (row["noegle"], row["noegle2"]): row
        for row in u.grouped(u.flow("bevaegelse"), "noegle", "noegle2")
    }
    matrix = Tabel(
        key="stoettebehov_bevaegelse",
        title="Støttebehov før og efter opfølgning",
        description="Opfølgninger afsluttet i perioden: støttebehovet ved opfølgningens start "
        "(rækker) og efter den (kolonner).",
        columns=["Før \\ efter", *[lvl.navn for lvl in levels]],
        chart_title="Opfølgninger efter ændring i støttebehov",
    )
    direction = {"Lavere": 0, "Uændret": 0, "Højere": 0}
    for before in levels:
        cells = [Celle(before.navn)]
        for after in levels:
            row = moves.get((str(before.pk), str(after.pk)), {"n": 0, "b": 0})
            cells.append(Celle(row["n"], row["b"]))
            if after.vaerdi == before.vaerdi:
                direction["Uændret"] += row["n"]
            else:
                direction["Lavere" if after.vaerdi < before.vaerdi else "Højere"] += row["n"]
        matrix.rows.append(cells)
    matrix.chart = [Soejle(k, v, str(v)) for k, v in direction.items()]
    return [now, matrix]


def progression(u: Udsnit) -> list[Tabel]:
    rows = u.grouped(u.flow("funktionsevne"), "noegle", "noegle2")
    maaltyper = names_by_id(Maaltype.objects.all(), (r["noegle"] for r in rows))
    undertemaer = names_by_id(Undertema.objects.all(), (r["noegle2"] for r in rows))
    detail = Tabel(
        key="funktionsevne",
        title="Funktionsevne pr. undertema og måltype",
        description="Indsatsmål vurderet ved opfølgninger afsluttet i perioden. Forbedring: "
        "hvor mange niveauer funktionsevnen i gennemsnit er blevet bedre (negativ: et tab). På "
        "rette spor efter måltypen: Udvikle forbedret, Fastholde fastholdt, Begrænse tab intet "
        "eller højst det forventede tab.",
        columns=["Måltype", "Undertema", "Mål", "Gns. forbedring", "På rette spor", "Nået"],
    )
    per_type: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in sorted(rows, key=lambda r: (r["noegle"], -r["n"])):
        n, borgere = row["n"], row["b"]
        totals = per_type[row["noegle"]]
        totals[0] += n
        totals[1] += int(row["s2"])
        totals[2] += int(row["s3"])
        # A citizen has goals under several sub-themes: the type has at least its largest row's.
        totals[3] = max(totals[3], borgere)
        average = (Decimal(row["s1"]) / n).quantize(Decimal("0.01"))
        detail.rows.append(
            [
                Celle(maaltyper.get(row["noegle"], "Ukendt")),
                Celle(undertemaer.get(row["noegle2"], "Ukendt")),
                Celle(n, borgere),
                Celle(f"{average:+}".replace(".", ","), borgere),
                Celle(fmt_percent(percent(row["s2"], n)), borgere),
                Celle(fmt_percent(percent(row["s3"], n)), borgere),
            ]
        )
    summary = Tabel(
        key="maal_naaet",
        title="Mål på rette spor og nåede mål pr. måltype",
        description="Samme mål som nedenfor, lagt sammen pr. måltype.",
        columns=["Måltype", "Mål", "På rette spor", "Nået forventet niveau"],
        chart_title="Andel på rette spor pr. måltype",
    )
    for kind, (n, on, done, borgere) in per_type.items():
        label = maaltyper.get(kind, "Ukendt")
        share = percent(on, n)
        summary.rows.append(
            [
                Celle(label),
                Celle(n, borgere),
                Celle(fmt_percent(share), borgere),
                Celle(fmt_percent(percent(done, n)), borgere),
            ]
        )
        summary.chart.append(Soejle(label, float(share or 0), fmt_percent(share)))
    return [summary, detail]
