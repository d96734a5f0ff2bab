"""The live dashboard at scale: what one changed case costs to bring into the figures, and so how
fresh they are.

A change is written as a caseworker's would be (committed, the triggers logging its case), then
`noegletal_update` is timed bringing it into the figures; then the change is undone and that is
timed too, so the database ends as it began. Each kind of change runs over several cases spread
over the data. A figure is current within the schedule's interval (`VUM_NOEGLETAL_SECONDS`: a
change may land just after a run has claimed its cases) plus the update's own time; the issue's
target is 60 s.
"""

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases.lifecycle import Fase
from cases.models import Sag
from followup.dashboard.refresh import noegletal_pending, noegletal_update
from followup.models import NoegletalBidrag, NoegletalOpgoerelse
from tooling.benchmark import BenchmarkError, percentile
from vum.accounts.models import User
from vum.deadlines.models import Frist

NAME = "overblik-opdatering"
TARGET_FRESHNESS_S = 60.0


@dataclass(frozen=True)
class Kind:
    """A kind of change: the cases it can be made to, and the write and its undoing."""

    name: str
    title: str
    cases: Callable[[int], list[int]]
    write: Callable[[int], Callable[[], object]]  # makes the change, returns its undoing


def _spread(pks: list[int], n: int) -> list[int]:
    step = max(1, len(pks) // max(n, 1))
    return pks[::step][:n]


def _cases(fase: str) -> Callable[[int], list[int]]:
    def pick(n: int) -> list[int]:
        pks = list(
            Sag.objects.filter(fase=fase, sagsbehandler__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)[:20000]
        )
        return _spread(pks, n)

    return pick


def _new_caseworker(pk: int) -> Callable[[], object]:
    sag = Sag.objects.get(pk=pk)
    other = (
        User.objects.filter(teams__pk=sag.team_id, is_active=True)
        .exclude(sager=sag)
        .order_by("pk")
        .first()
    )
    if other is None:
        raise BenchmarkError(f"Sag {pk}: teamet har kun én sagsbehandler.")
    Sag.objects.filter(pk=pk).update(sagsbehandler=other)
    return lambda: Sag.objects.filter(pk=pk).update(sagsbehandler=sag.sagsbehandler_id)


def _closed(pk: int) -> Callable[[], object]:
    # The phase written as the transition's service writes it, without its checks: this
    # measures the figures, not the method.
    fase = Sag.objects.values_list("fase", flat=True).get(pk=pk)
    Sag.objects.filter(pk=pk).update(fase=Fase.AFSLUTTET)
    return lambda: Sag.objects.filter(pk=pk).update(fase=fase)


def _deadline_met(pk: int) -> Callable[[], object]:
    frist = Frist.objects.open().filter(sag_id=pk).order_by("frist").first()
    if frist is None:
        raise BenchmarkError(f"Sag {pk} har ingen åben frist.")
    Frist.objects.filter(pk=frist.pk).update(status=Frist.Status.OVERHOLDT)
    return lambda: Frist.objects.filter(pk=frist.pk).update(status=Frist.Status.AABEN)


def _with_open_deadline(n: int) -> list[int]:
    pks = list(
        Frist.objects.open()
        .filter(art=Frist.Art.SAGSBEHANDLINGSFRIST)
        .order_by("sag_id")
        .values_list("sag_id", flat=True)
        .distinct()[:20000]
    )
    return _spread(pks, n)


KINDS = [
    Kind(
        "sagsbehandler",
        "ny sagsbehandler på en sag under sagsoplysning",
        _cases(Fase.SAGSOPLYSNING),
        _new_caseworker,
    ),
    Kind(
        "afsluttet",
        "sag i levering (med udgifter og støttebehov) afsluttet",
        _cases(Fase.LEVERING),
        _closed,
    ),
    Kind(
        "frist",
        "sagsbehandlingsfrist overholdt",
        _with_open_deadline,
        _deadline_met,
    ),
]


@dataclass
class KindResult:
    name: str
    title: str
    runs: int
    p50_ms: float
    p95_ms: float
    queries: list[int]
    times_ms: list[float] = field(default_factory=list, repr=False)


@dataclass
class UpdateResult:
    kinds: list[KindResult]
    interval_s: int
    facts: int
    rebuild_s: float | None

    @property
    def worst_p95_ms(self) -> float:
        return max(k.p95_ms for k in self.kinds)

    @property
    def freshness_s(self) -> float:
        """How old a figure can be: a change that just missed a run waits for the next."""
        return self.interval_s + self.worst_p95_ms / 1000

    @property
    def passed(self) -> bool:
        return self.freshness_s <= TARGET_FRESHNESS_S

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "freshness_s": round(self.freshness_s, 2),
            "passed": self.passed,
        }


def _timed_update() -> float:
    started = time.perf_counter()
    done = noegletal_update()
    elapsed = (time.perf_counter() - started) * 1000
    if done is None:
        raise BenchmarkError(
            "Nøgletallene kunne ikke opdateres: er de bygget (seed_scale), og kører en "
            "genopbygning eller en worker med beat mod samme database?"
        )
    return elapsed


def measure(*, runs: int, subjects: int, log: Callable[[str], None]) -> UpdateResult:
    if connection.vendor != "postgresql":
        raise BenchmarkError("Målingen kræver PostgreSQL: sæt DATABASE_URL.")
    status = NoegletalOpgoerelse.objects.filter(pk=1, ajour__isnull=False).first()
    if status is None:
        raise BenchmarkError("Nøgletallene er ikke bygget: kør seed_scale (eller en genopbygning).")
    if noegletal_pending():
        log("  (ændringer fra før målingen tages med først)")
        while noegletal_pending():
            _timed_update()
    results = []
    for kind in KINDS:
        cases = kind.cases(subjects)
        if not cases:
            raise BenchmarkError(f"Ingen sager til {kind.name}: er databasen fyldt med seed_scale?")
        times: list[float] = []
        for i in range(runs):
            pk = cases[i % len(cases)]
            with transaction.atomic():
                undo = kind.write(pk)
            times.append(_timed_update())
            with transaction.atomic():
                undo()
            times.append(_timed_update())
        queries = []
        for pk in cases:
            with transaction.atomic():
                undo = kind.write(pk)
            with CaptureQueriesContext(connection) as captured:
                noegletal_update()
            queries.append(len(captured.captured_queries))
            with transaction.atomic():
                undo()
            noegletal_update()
        result = KindResult(
            name=kind.name,
            title=kind.title,
            runs=len(times),
            p50_ms=percentile(times, 50),
            p95_ms=percentile(times, 95),
            queries=queries,
            times_ms=times,
        )
        log(
            f"  {NAME} ({kind.name}): p50 {result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms, "
            f"{min(queries)}-{max(queries)} forespørgsler"
        )
        results.append(result)
    status.refresh_from_db()
    return UpdateResult(
        kinds=results,
        interval_s=settings.VUM_NOEGLETAL_SECONDS,
        facts=NoegletalBidrag.objects.count(),
        rebuild_s=status.varighed.total_seconds() if status.varighed else None,
    )


def table(result: UpdateResult) -> str:
    lines = [
        "| ændring | opdateringer | p50 ms | p95 ms | forespørgsler |",
        "|---|---:|---:|---:|---:|",
    ]
    for k in result.kinds:
        lines.append(
            f"| {k.title} | {k.runs} | {k.p50_ms:.1f} | {k.p95_ms:.1f} "
            f"| {min(k.queries)}-{max(k.queries)} |"
        )
    verdict = "bestået" if result.passed else "ikke bestået"
    rebuild = f"{result.rebuild_s:.0f} s" if result.rebuild_s is not None else "ukendt"
    lines += [
        "",
        f"Tallene er ajour inden for {result.freshness_s:.1f} s efter en ændring (planens "
        f"{result.interval_s} s plus den langsomste opdaterings p95), mål ≤ "
        f"{TARGET_FRESHNESS_S:g} s: {verdict}. {result.facts:,} bidrag; seneste fulde "
        f"genopbygning tog {rebuild}.",
    ]
    return "\n".join(lines)
