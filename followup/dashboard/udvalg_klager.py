"""The panels of the committee's outcomes and of complaints and changed decisions, per quarter."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from followup.dashboard.figures import (
    Celle,
    Soejle,
    Tabel,
    fmt_percent,
    percent,
)
from followup.dashboard.udsnit import Udsnit
from vum.catalog.models import (
    Visitationsudfald,
)


def _quarter(day: date) -> str:
    return f"{day.year} K{(day.month - 1) // 3 + 1}"


def _by_quarter(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    quarters: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        quarters[_quarter(row["maaned"])].append(row)
    return quarters


def committee(u: Udsnit) -> Tabel:
    udfald = list(Visitationsudfald.objects.order_by("pk"))
    quarters = _by_quarter(u.grouped(u.flow("udvalg"), "maaned", "noegle"))
    exact = (
        {
            (q, row["noegle"]): row["b"]
            for q, rows in _by_quarter_exact(u, "udvalg", "noegle").items()
            for row in rows
        }
        if u.exact
        else {}
    )
    tabel = Tabel(
        key="visitationsudvalg",
        title="Visitationsudvalgets udfald pr. kvartal",
        description="Indstillinger, som udvalget har behandlet i perioden.",
        columns=["Kvartal", *[x.navn for x in udfald], "I alt"],
        chart_title="Behandlede indstillinger pr. udfald",
    )
    totals: dict[str, int] = defaultdict(int)
    for quarter, rows in quarters.items():
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in rows:
            counts[row["noegle"]][0] += row["n"]
            counts[row["noegle"]][1] += row["b"]
        cells = [Celle(quarter)]
        for x in udfald:
            n, borgere = counts[str(x.pk)]
            totals[str(x.pk)] += n
            cells.append(Celle(n, exact.get((quarter, str(x.pk)), borgere)))
        # The distinct citizens of the row are at least its largest cell's: suppress on that.
        cells.append(
            Celle(sum(c[0] for c in counts.values()), max(c.borgere or 0 for c in cells[1:]))
        )
        tabel.rows.append(cells)
    tabel.chart = [Soejle(x.navn, totals[str(x.pk)], str(totals[str(x.pk)])) for x in udfald]
    return tabel


def _by_quarter_exact(u: Udsnit, emne: str, *keys: str) -> dict[str, list[dict[str, Any]]]:
    """For an export: the distinct citizens per quarter (and keys), of the rows ("b") and of
    each counting sum ("b1".."b3"), from the groups' ids."""
    citizens: dict[tuple[Any, ...], dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for maaned, *key, ids, subsets in u.flow(emne).values_list(
        "maaned", *keys, "borger_ids", "delmaengder"
    ):
        found = citizens[(_quarter(maaned), *key)]
        found["b"].update(ids)
        for number, members in subsets.items():
            found[f"b{number}"].update(members)
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (quarter, *key), found in citizens.items():
        counts = {name: len(found[name]) for name in ("b", "b1", "b2", "b3")}
        out[quarter].append({**dict(zip(keys, key, strict=True)), **counts})
    return out


def complaints(u: Udsnit) -> Tabel:
    """Complaints received in the period per quarter, and how many of the decisions complained
    about were changed: by the municipality's own reassessment, or by Ankestyrelsen."""
    klager = _by_quarter(u.grouped(u.flow("klage"), "maaned"))
    decided = _by_quarter(u.grouped(u.flow("afgoerelse"), "maaned"))
    exact = {q: rows[0] for q, rows in _by_quarter_exact(u, "klage").items()} if u.exact else {}
    exact_decided = (
        {q: rows[0]["b"] for q, rows in _by_quarter_exact(u, "afgoerelse").items()}
        if u.exact
        else {}
    )
    tabel = Tabel(
        key="klager",
        title="Klager og ændrede afgørelser pr. kvartal",
        description="Klager modtaget i perioden. Ændret ved genvurdering: kommunen gav helt "
        "eller delvist medhold. Ændret af Ankestyrelsen: ændret, hjemvist eller ophævet.",
        columns=[
            "Kvartal",
            "Afgørelser truffet",
            "Klager",
            "Ændret ved genvurdering",
            "Sendt til Ankestyrelsen",
            "Ændret af Ankestyrelsen",
            "Andel af klagerne ændret",
        ],
        chart_title="Andel af klagerne, der førte til en ændret afgørelse",
    )
    for quarter in sorted(set(klager) | set(decided)):
        rows = klager.get(quarter, [])
        n = sum(r["n"] for r in rows)
        merged = {
            "n": n,
            "b": sum(r["b"] for r in rows),
            **{f"s{i}": sum(r[f"s{i}"] for r in rows) for i in (1, 2, 3)},
            **exact.get(quarter, {}),
        }
        borgere = merged["b"]
        reassessed, changed = int(merged["s1"]), int(merged["s3"])
        share = percent(reassessed + changed, n)
        decisions = sum(r["n"] for r in decided.get(quarter, []))
        tabel.rows.append(
            [
                Celle(quarter),
                Celle(decisions, exact_decided.get(quarter, decisions)),
                Celle(n, borgere),
                u.part(merged, 1),
                u.part(merged, 2),
                u.part(merged, 3),
                Celle(fmt_percent(share), borgere),
            ]
        )
        tabel.chart.append(Soejle(quarter, float(share or 0), fmt_percent(share)))
    return tabel
