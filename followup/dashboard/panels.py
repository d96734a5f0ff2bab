"""The dashboard's sections and the panels of the first two, caseload and waiting time, deadlines
met and overdue: each built from the `Noegletal` groups of the leader's teams and the filter,
one grouped query per panel, as the tables a page and an export show."""

import math
import statistics
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from cases.lifecycle import Fase
from followup.dashboard.figures import (
    OPEN_PHASES,
    OVERDUE_ARTS,
    OVERVIEW_ROWS,
    Celle,
    Filter,
    Sektion,
    Soejle,
    Tabel,
    fmt_percent,
    percent,
)
from followup.dashboard.progression import progression, support_need
from followup.dashboard.udgift import COST_DIMENSIONS, cost
from followup.dashboard.udsnit import Udsnit, ydelse_names
from followup.dashboard.udvalg_klager import committee, complaints
from followup.models import NoegletalOpgoerelse
from vum.accounts.models import User
from vum.deadlines.models import Frist


def caseload(u: Udsnit) -> list[Tabel]:
    labels = dict(Fase.choices)
    rows = u.grouped(u.snapshot("fase"), "team_id", "team__navn", "noegle")
    teams: dict[int, str] = {}
    counts: dict[tuple[int, str], tuple[int, int]] = {}
    for row in rows:
        teams[row["team_id"]] = row["team__navn"]
        counts[(row["team_id"], row["noegle"])] = (row["n"], row["b"])
    by_phase = Tabel(
        key="sager_fase",
        title="Åbne sager pr. team og fase",
        description="Sager, der ikke er afsluttet.",
        columns=["Team", *[labels[p] for p in OPEN_PHASES], "I alt"],
        chart_title="Åbne sager pr. fase",
    )
    totals: dict[str, int] = defaultdict(int)
    for team_id, navn in sorted(teams.items(), key=lambda kv: kv[1]):
        cells = [Celle(navn)]
        for phase in OPEN_PHASES:
            n, borgere = counts.get((team_id, phase), (0, 0))
            totals[phase] += n
            cells.append(Celle(n, borgere, f"fase={phase}&sag_team={team_id}" if n else ""))
        row_counts = [counts.get((team_id, p), (0, 0)) for p in OPEN_PHASES]
        # A citizen can have cases in two phases: the row has at least its largest cell's.
        cells.append(
            Celle(
                sum(n for n, _b in row_counts),
                max(b for _n, b in row_counts),
                f"sag_team={team_id}",
            )
        )
        by_phase.rows.append(cells)
    by_phase.chart = [Soejle(labels[p], totals[p], str(totals[p])) for p in OPEN_PHASES]

    # A caseworker's team has open cases, so it is among the teams above (the same rebuild).
    emne = "sagsbehandler" if u.f.ydelse or u.f.kommune else "sagsbehandler_alle"
    per_worker = sorted(u.grouped(u.snapshot(emne), "noegle", "team_id"), key=lambda r: -r["n"])
    shown = per_worker
    if u.overview and len(per_worker) > OVERVIEW_ROWS:
        # The overview shows the caseworkers with the most cases (and names only them): those
        # down to the count of the last row shown, ties included, as the whole table orders
        # them.
        shown = [r for r in per_worker if r["n"] >= per_worker[OVERVIEW_ROWS - 1]["n"]]
    names = {
        str(pk): f"{first} {last}".strip() or username
        for pk, first, last, username in User.objects.filter(
            pk__in={int(r["noegle"]) for r in shown if r["noegle"]}
        ).values_list("pk", "first_name", "last_name", "username")
    }
    shown = sorted(shown, key=lambda r: (-r["n"], names.get(r["noegle"], "")))
    if u.overview:
        shown = shown[:OVERVIEW_ROWS]
    by_worker = Tabel(
        key="sager_sagsbehandler",
        title="Åbne sager pr. sagsbehandler",
        description="Sager, der ikke er afsluttet, og hvor mange af dem der har en overskredet "
        "frist.",
        columns=["Sagsbehandler", "Team", "Åbne sager", "Med overskredet frist"],
        chart_title="Åbne sager pr. sagsbehandler (de 15 største)",
        shown_rows=OVERVIEW_ROWS,
        hidden_rows=len(per_worker) - len(shown),
    )
    for row in shown:
        if row["noegle"]:
            navn, who = names.get(row["noegle"], "Ukendt"), f"sagsbehandler={row['noegle']}"
        else:
            navn, who = "Ikke tildelt", "uden_sagsbehandler=1"
        by_worker.rows.append(
            [
                Celle(navn),
                Celle(teams.get(row["team_id"], "")),
                Celle(row["n"], row["b"], f"{who}&sag_team={row['team_id']}"),
                u.part(row, 1),
            ]
        )
        if len(by_worker.chart) < 15:
            by_worker.chart.append(Soejle(navn, row["n"], str(row["n"])))
    return [by_phase, by_worker]


def waiting_time(u: Udsnit) -> Tabel:
    """The median and 90th percentile need every case's days, which the groups keep."""
    days: dict[int | None, list[int]] = defaultdict(list)
    citizens: dict[int | None, set[int]] = defaultdict(set)
    upper: dict[int | None, int] = defaultdict(int)
    fields = ["kommunal_ydelse_id", "vaerdier", "borgere"] + (["borger_ids"] if u.exact else [])
    for row in u.flow("ventetid").values(*fields):
        days[row["kommunal_ydelse_id"]].extend(row["vaerdier"])
        upper[row["kommunal_ydelse_id"]] += row["borgere"]
        citizens[row["kommunal_ydelse_id"]].update(row.get("borger_ids", []))
    labels = ydelse_names(days)
    tabel = Tabel(
        key="ventetid",
        title="Ventetid fra henvendelse til afgørelse",
        description="Sager, hvis første afgørelse blev truffet i perioden: dage fra den "
        "henvendelse, der åbnede sagen, til afgørelsen.",
        columns=[
            "Ydelse",
            "Afgjorte sager",
            "Median (dage)",
            "90 % afgjort inden (dage)",
            "Afgjort inden for 30 dage",
        ],
        chart_title="Median ventetid i dage",
    )
    for service in sorted(days, key=lambda pk: labels.get(pk, "")):
        values = sorted(days[service])
        n = len(values)
        median = Decimal(str(statistics.median(values))).quantize(Decimal("0.1"))
        p90 = values[min(n - 1, math.ceil(0.9 * n) - 1)]
        within = percent(sum(1 for d in values if d <= 30), n)
        label = labels.get(service, "Ingen ydelse angivet")
        borgere = len(citizens[service]) if u.exact else upper[service]
        tabel.rows.append(
            [
                Celle(label),
                Celle(n, borgere),
                Celle(median, borgere),
                Celle(p90, borgere),
                Celle(fmt_percent(within), borgere),
            ]
        )
        tabel.chart.append(Soejle(label, float(median), f"{median} dage".replace(".", ",")))
    return tabel


def deadlines_met(u: Udsnit) -> Tabel:
    rows = u.grouped(
        u.flow("frist"),
        "kommunal_ydelse_id",
        "kommunal_ydelse__kode",
        "kommunal_ydelse__navn",
        "kommunal_ydelse__kommune__fristmaal_procent",
    )
    tabel = Tabel(
        key="frister_overholdt",
        title="Overholdte sagsbehandlingsfrister pr. ydelse",
        description="Sagsbehandlingsfrister med frist i perioden. Ikke overholdt: afsluttet for "
        "sent eller stadig åben efter fristen. Målet er kommunens (fx Viborg: 90 %).",
        columns=["Ydelse", "Frister", "Overholdt", "Ikke overholdt", "Andel overholdt", "Mål"],
        chart_title="Andel overholdte frister",
    )
    for row in rows:
        label = (
            f"{row['kommunal_ydelse__kode']} {row['kommunal_ydelse__navn']}"
            if row["kommunal_ydelse_id"]
            else "Ingen ydelse angivet"
        )
        met, missed, total = int(row["s1"]), int(row["s2"]), row["n"]
        share = percent(met, total)
        target = row["kommunal_ydelse__kommune__fristmaal_procent"]
        under = target is not None and share is not None and share < target
        link = (
            f"frist_ikke_overholdt={row['kommunal_ydelse_id']}"
            if missed and row["kommunal_ydelse_id"]
            else ""
        )
        tabel.rows.append(
            [
                Celle(label),
                Celle(total, row["b"]),
                u.part(row, 1),
                Celle(missed, u.part(row, 2).borgere, link),
                Celle(fmt_percent(share) + (" (under målet)" if under else ""), row["b"]),
                Celle(f"{target} %" if target is not None else "Intet mål"),
            ]
        )
        tabel.chart.append(Soejle(label, float(share or 0), fmt_percent(share)))
    return tabel


def overdue(u: Udsnit) -> Tabel:
    rows = {row["noegle"]: row for row in u.grouped(u.snapshot("overskredet"), "noegle")}
    labels = dict(Frist.Art.choices)
    tabel = Tabel(
        key="frister_overskredne",
        title="Overskredne frister",
        description="Åbne frister, hvis tidspunkt er passeret: partshøringer, opfølgninger, "
        "opfølgningsskemaer, statusnotater og de øvrige.",
        columns=["Frist", "Overskredne"],
        chart_title="Overskredne frister pr. art",
    )
    for art in OVERDUE_ARTS:
        row = rows.get(art, {"n": 0, "b": 0})
        link = f"overskredet={art}" if row["n"] else ""
        tabel.rows.append([Celle(labels[art]), Celle(row["n"], row["b"], link)])
        tabel.chart.append(Soejle(labels[art], row["n"], str(row["n"])))
    return tabel


SECTIONS = {
    "sager": "Sagsbelastning og ventetid",
    "frister": "Frister",
    "udvalg": "Visitationsudvalg og klager",
    "progression": "Støttebehov og funktionsevne",
    "oekonomi": "Økonomi",
}


def opgoerelse() -> NoegletalOpgoerelse | None:
    """How current the figures are (None: they have never been built)."""
    return NoegletalOpgoerelse.objects.filter(opgjort__isnull=False).first()


def dashboard(
    *, user: User, f: Filter, exact: bool = False, overview: bool = False
) -> list[Sektion]:
    return panels(Udsnit(user, f, exact=exact, overview=overview))


def panels(u: Udsnit) -> list[Sektion]:
    return [
        Sektion("sager", SECTIONS["sager"], [*caseload(u), waiting_time(u)]),
        Sektion("frister", SECTIONS["frister"], [deadlines_met(u), overdue(u)]),
        Sektion("udvalg", SECTIONS["udvalg"], [committee(u), complaints(u)]),
        Sektion("progression", SECTIONS["progression"], [*support_need(u), *progression(u)]),
        Sektion("oekonomi", SECTIONS["oekonomi"], cost(u)),
    ]


# The long tables the overview shortens, by the panel that builds each.
LONG_TABLES: dict[str, Callable[[Udsnit], list[Tabel]]] = {
    "sager_sagsbehandler": caseload,
    **{f"udgift_{key}": cost for key in COST_DIMENSIONS},
}


def whole_table(*, user: User, f: Filter, key: str) -> Tabel:
    """One of the `LONG_TABLES` with all its rows."""
    (found,) = [t for t in LONG_TABLES[key](Udsnit(user, f)) if t.key == key]
    return found
