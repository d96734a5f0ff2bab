"""The FFB data set's benchmark (`manage.py bench_ffb`): a day's delta and the load of every
citizen, timed on a `seed_scale` database (docs/ffb-reporting.md, "Measured").

What it does, on the database in DATABASE_URL (a scratch one: it writes):

1. **The day before**: a sample of citizens with FFB facts is delivered as they are
   (`ffb_levering_run` with their ids), as a full load would have delivered them. Its rate
   (citizens a second) is the full load's: a full load is the same work for every citizen.
2. **The day**: `--aendrede` of them get a change the data set holds (a new dated score of a
   sub-theme they were scored on, at another level, as a follow-up or a new assessment writes),
   and `--uroerte` others get a write it does not hold (a journal note's audit row). Both are
   written as the services would leave them, with their audit rows dated that day.
3. **The delta**: the day's run (`ffb_levering_run(dag=...)`, what the nightly task calls) is
   timed: it finds the candidates in the day's audit trail, reads their facts in batches,
   builds, validates and delivers the changed ones, and passes over the others.

Each run uses days of its own after any delivered before, so it can be repeated on the same
database.
"""

import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from assessment.models import Funktionsevnevurdering
from cases.models import Borger
from followup.ffb_dataset.transport import FolderTransport
from followup.models import FfbLevering
from followup.services.ffb_levering import ffb_alle, ffb_levering_run
from vum.catalog.models import Funktionsevneniveau


@dataclass(frozen=True)
class Timing:
    citizens: int
    seconds: float
    delivered: int
    unchanged: int
    refused: int

    @property
    def rate(self) -> float:
        return self.citizens / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class FfbBenchResult:
    population: int
    day: date
    select_all_seconds: float
    before: Timing
    delta: Timing

    def full_load_estimate(self) -> float:
        """Seconds for every citizen with FFB facts, at the day before's rate."""
        return self.population / self.before.rate if self.before.rate else 0.0


def ffb_bench(
    *,
    aendrede: int,
    uroerte: int,
    seed: int,
    log: Callable[[str], None],
) -> FfbBenchResult:
    rng = random.Random(seed)  # noqa: S311 (which citizens, not a secret)
    started = time.perf_counter()
    population = ffb_alle()
    select_all = time.perf_counter() - started
    log(f"{len(population):,} borgere med FFB-oplysninger (fundet på {select_all:.1f} s)")
    if len(population) < aendrede + uroerte:
        raise ValueError(
            f"Databasen har {len(population):,} borgere med FFB-oplysninger; der skal være "
            f"mindst {aendrede + uroerte:,}. Kør seed_scale med flere borgere."
        )
    sample = rng.sample(population, aendrede + uroerte)
    changed, untouched = sample[:aendrede], sample[aendrede:]
    last = FfbLevering.objects.aggregate(last=Max("dag"))["last"]
    before_day = max(timezone.localdate(), (last or date.min) + timedelta(days=1))
    day = before_day + timedelta(days=1)

    with tempfile.TemporaryDirectory(prefix="vum-ffb-bench-") as folder:
        transport = FolderTransport(folder)
        log(f"Dagen før ({before_day:%d.%m.%Y}): {len(sample):,} borgere leveres, som de er ...")
        before = _timed(
            lambda: ffb_levering_run(dag=before_day, borger_ids=sample, transport=transport)
        )
        log(f"  {before.seconds:.1f} s, {before.rate:.0f} borgere/s")
        when = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=10)
        log(
            f"Dagen ({day:%d.%m.%Y}): {aendrede:,} borgere får en ny scoring, "
            f"{uroerte:,} et journalnotat ..."
        )
        _write_the_day(changed=changed, untouched=untouched, when=when, rng=rng)
        log("Dagens delta ...")
        delta = _timed(lambda: ffb_levering_run(dag=day, transport=transport))
        log(f"  {delta.seconds:.1f} s for {delta.citizens:,} kandidater")
    return FfbBenchResult(
        population=len(population),
        day=day,
        select_all_seconds=select_all,
        before=before,
        delta=delta,
    )


def _timed(deliver: Callable[[], FfbLevering]) -> Timing:
    started = time.perf_counter()
    run = deliver()
    seconds = time.perf_counter() - started
    return Timing(
        citizens=run.kandidater,
        seconds=seconds,
        delivered=run.leveret,
        unchanged=run.uaendret,
        refused=run.afvist,
    )


@transaction.atomic
def _write_the_day(
    *, changed: list[int], untouched: list[int], when: datetime, rng: random.Random
) -> None:
    """A new score for each changed citizen (their latest one, moved a level), and a journal
    note's audit row for each untouched one; every write's audit row dated `when`."""
    latest = (
        Funktionsevnevurdering.objects.filter(udredning__sag__borger_id=OuterRef("pk"))
        .order_by("-vurderingsdato", "-id")
        .values("id")[:1]
    )
    score_ids = dict(
        Borger.objects.filter(pk__in=changed)
        .annotate(score=Subquery(latest))
        .values_list("pk", "score")
    )
    scores = Funktionsevnevurdering.objects.in_bulk([s for s in score_ids.values() if s])
    levels = {
        level.vaerdi: level
        for level in Funktionsevneniveau.objects.current().exclude(ffb_kode=None)
    }
    new_scores = []
    audit_rows: list[tuple[Any, ...]] = []
    for borger_id, score_id in score_ids.items():
        score = scores.get(score_id) if score_id else None
        if score is None:
            continue
        current = score.niveau.vaerdi
        moved = current - 1 if current > 0 and (current == 4 or rng.random() < 0.5) else current + 1
        new_scores.append(
            Funktionsevnevurdering(
                udredning_id=score.udredning_id,
                undertema_id=score.undertema_id,
                niveau=levels[moved],
                vurderingsdato=when.date(),
                vurderet_af_id=score.vurderet_af_id,
            )
        )
        audit_rows.append(
            _audit(when, score.vurderet_af_id, "create", borger_id, "assessment.Udredning", score)
        )
    Funktionsevnevurdering.objects.bulk_create(new_scores)
    for borger_id in untouched:
        audit_rows.append(_audit(when, None, "create", borger_id, "cases.Journalnotat", None))
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO audit_auditevent (occurred_at, actor_id, actor_label, action, "
            "borger_id, object_type, object_id, summary, changes, ip_address, user_agent) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '{}', NULL, 'bench_ffb')",
            audit_rows,
        )


def _audit(
    when: datetime,
    actor_id: int | None,
    action: str,
    borger_id: int,
    object_type: str,
    score: Funktionsevnevurdering | None,
) -> tuple[Any, ...]:
    summary = "Funktionsevne vurderet" if score is not None else "Journalnotat oprettet"
    object_id = str(score.udredning_id) if score is not None else ""
    label = "bench_ffb" if actor_id is None else f"bruger {actor_id}"
    return (when, actor_id, label, action, borger_id, object_type, object_id, summary)
