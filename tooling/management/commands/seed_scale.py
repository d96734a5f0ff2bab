"""`manage.py seed_scale --borgere N`: realistic synthetic data, fast, for benchmarks.

Run it against a scratch PostgreSQL database only, e.g.

    createdb -h 127.0.0.1 -U postgres vum_scale
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/vum_scale
    uv run python manage.py migrate && uv run python manage.py seed_scale --borgere 1000

It loads the reference data (as `seed_demo` does), then creates teams, caseworkers, leaders,
providers with staff, citizens and their cases in every phase with everything the phases record
(see `tooling/scale.py` for what and in which proportions), with COPY, in one transaction. A run
is reproducible (`--seed`). It refuses to run on a database that already holds its synthetic
citizens, so it never adds a second set by accident: drop the database to seed again.
"""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from followup.dashboard.refresh import noegletal_refresh
from tooling import scale
from vum.catalog.loading import load_all


class Command(BaseCommand):
    help = (
        "Opretter syntetiske data i stor skala (borgere, sager i alle faser, noter, frister, "
        "revisionsspor) til belastningsmålinger. Kun til en skrabedatabase."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--borgere", type=int, required=True, help="antal borgere")
        parser.add_argument(
            "--seed", type=int, default=2026, help="startværdi for tilfældighederne (2026)"
        )

    def handle(self, *args: Any, borgere: int, seed: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale skriver med PostgreSQL's COPY: sæt DATABASE_URL.")
        if borgere < 1:
            raise CommandError("--borgere skal være mindst 1.")
        started = time.perf_counter()
        load_all()  # the reference data (FFB and the municipal catalogs), idempotent
        existing = scale.synthetic_citizens().count()
        if existing:
            raise CommandError(
                f"Databasen har allerede {existing:,} syntetiske borgere fra seed_scale. "
                "Kør den mod en ny, tom database (dropdb/createdb og migrate) i stedet for at "
                "blande to datasæt."
            )
        verbose = int(options.get("verbosity", 1)) > 0
        self.stdout.write(f"Opretter {borgere:,} borgere (seed {seed}) ...")
        try:
            counts = scale.seed(
                borgere=borgere,
                seed=seed,
                log=(lambda line: self.stdout.write(line)) if verbose else (lambda line: None),
            )
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if verbose:
            self.stdout.write("Opgør ledelsesoverblikkets nøgletal ...")
        figures = noegletal_refresh()
        counts["followup.Noegletal"] = figures.grupper
        # The rows were written in one transaction: until a vacuum sets the visibility map,
        # index-only scans visit the table anyway, so a benchmark right after would mislead.
        # (VACUUM cannot run inside a transaction, e.g. a test's.)
        if not connection.in_atomic_block:
            if verbose:
                self.stdout.write("VACUUM (ANALYZE) ...")
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
        elapsed = time.perf_counter() - started
        width = max(len(label) for label in counts)
        self.stdout.write("")
        self.stdout.write(f"  {'tabel':<{width}} {'rækker':>12}")
        for label, count in sorted(counts.items()):
            self.stdout.write(f"  {label:<{width}} {count:>12,}")
        self.stdout.write(f"  {'i alt':<{width}} {sum(counts.values()):>12,}")
        self.stdout.write("")
        self.stdout.write(
            f"Brugere: skala-sb-NNNNN (sagsbehandlere), skala-leder-NNNNN, skala-udf-NNNNN "
            f"(udførere), skala-visitation-NNNNN; adgangskode {scale.SCALE_PASSWORD}"
        )
        self.stdout.write(self.style.SUCCESS(f"Færdig på {elapsed:.1f} s."))
