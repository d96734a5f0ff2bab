"""`manage.py bench_deadline_sweep`: how fast the warning sweep finds due warnings among many
open deadlines. A benchmark, not a test: run it against a scratch PostgreSQL database, e.g.

    createdb vum_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vum_bench uv run python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vum_bench \
        uv run python manage.py bench_deadline_sweep --deadlines 1000000 --due 1000

It tops the database up to `--deadlines` open deadlines with set-based SQL (three warnings each,
as the default steps arm them, all in the future; a rerun reuses them), makes `--due` of the
pending warnings due, then times the claim query alone and a full sweep that delivers the due
warnings (notifications, e-mail outbox rows, audit events). Sending the e-mails is the outbox
task's work, not the sweep's, and is not timed.
"""

import time
from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from vum.celery import app as celery_app
from vum.deadlines.models import Frist, Varsel
from vum.deadlines.services import varsler_deliver_due


class Command(BaseCommand):
    help = "Time the deadline-warning sweep over many open deadlines (scratch database only)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--deadlines", type=int, default=1_000_000)
        parser.add_argument("--due", type=int, default=1_000)
        parser.add_argument("--sag", type=int, help="case to hang the deadlines on (default: any)")

    def handle(self, *args: Any, deadlines: int, due: int, sag: int | None, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL (set DATABASE_URL).")
        from cases.models import Sag

        target = Sag.objects.filter(pk=sag).first() if sag else Sag.objects.first()
        if target is None:
            raise CommandError("No case to attach deadlines to: run `seed_demo` first.")
        missing = deadlines - Frist.objects.open().count()
        if missing > 0:
            self.stdout.write(f"Inserting {missing:,} open deadlines...")
            started = time.perf_counter()
            self._insert(target.pk, target.sagsbehandler_id, missing, now=timezone.now())
            self.stdout.write(f"  inserted in {time.perf_counter() - started:.1f} s")
        now = timezone.now()
        self._make_due(due, now=now)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE deadlines_frist; ANALYZE deadlines_varsel;")

        pending = Varsel.objects.filter(leveret__isnull=True, annulleret=False).count()
        with transaction.atomic():
            started = time.perf_counter()
            claimed = list(
                Varsel.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(leveret__isnull=True, annulleret=False, forfald__lte=now)
                .order_by("forfald", "id")[:500]
            )
            claim_ms = (time.perf_counter() - started) * 1000
        self.stdout.write(
            f"Claim query: {len(claimed)} due warnings of {pending:,} pending in {claim_ms:.1f} ms"
        )
        # The outbox task sends the e-mails after the sweep commits: queue it rather than run it
        # in-process, as a worker would, so that only the sweep is timed.
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = False
        try:
            started = time.perf_counter()
            delivered = varsler_deliver_due(now=now)
            sweep_s = time.perf_counter() - started
        finally:
            celery_app.conf.task_always_eager = eager
        self.stdout.write(
            self.style.SUCCESS(
                f"Sweep: delivered {delivered:,} due warnings among {pending:,} pending "
                f"({Frist.objects.open().count():,} open deadlines) in {sweep_s:.3f} s"
            )
        )

    # "Now" is the application's (timezone.now()), never PostgreSQL's now(): the two differ
    # under a shifted clock, and the sweep reads the application's.
    def _make_due(self, count: int, *, now: datetime) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE deadlines_varsel SET forfald = %s - interval '1 minute'
                WHERE id IN (
                    SELECT id FROM deadlines_varsel
                    WHERE leveret IS NULL AND NOT annulleret AND trin = '7_dage_foer'
                    ORDER BY id LIMIT %s
                )
                """,
                [now, count],
            )

    def _insert(self, sag_id: int, ansvarlig_id: int | None, count: int, *, now: datetime) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO deadlines_frist
                    (sag_id, art, beskrivelse, frist, status, ansvarlig_id, regel, oprettet,
                     generation)
                SELECT %s, 'sagsbehandlingsfrist', 'Benchmark ' || n,
                       %s + make_interval(days => 8 + n %% 365), 'aaben', %s, 'benchmark',
                       %s, 1
                FROM generate_series(1, %s) AS n
                RETURNING id
                """,
                [sag_id, now, ansvarlig_id, now, count],
            )
            ids = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                """
                INSERT INTO deadlines_varsel (frist_id, generation, trin, forfald, annulleret)
                SELECT f.id, 1, step.trin, f.frist + step.offset_, false
                FROM deadlines_frist f
                CROSS JOIN (VALUES ('7_dage_foer', interval '-7 days'),
                                   ('paa_dagen', interval '-16 hours'),
                                   ('overskredet', interval '1 second')) AS step(trin, offset_)
                WHERE f.id = ANY(%s)
                """,
                [ids],
            )
