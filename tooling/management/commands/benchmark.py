"""`manage.py benchmark`: p50/p95 time and query count of the busiest pages and API lists, each
against its SQL floor (see `tooling/benchmark.py`). A benchmark, not a test: run it against a
database seeded with `seed_scale`, e.g.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vum_scale200k \
        uv run python manage.py benchmark --runs 30 --json var/benchmark-200k.json

The requests write what real ones write (sessions, audit events), so use a scratch database.
"""

import json
import os
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cases.models import Borger, Sag
from tooling import benchmark, dashboard_update


class Command(BaseCommand):
    help = (
        "Måler p50/p95-tid og antal databaseforespørgsler for indbakken, sagens side, udførerens "
        "borgerliste og API-listerne, hver mod én håndskrevet SQL-forespørgsel (gulvet), og hvad "
        "det koster at føre én ændret sag ind i ledelsesoverblikkets tal."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        names = [s.name for s in benchmark.SCENARIOS] + [dashboard_update.NAME]
        parser.add_argument("--runs", type=int, default=30, help="målinger pr. scenarie (30)")
        parser.add_argument(
            "--subjects", type=int, default=5, help="eksempler (brugere, sager) pr. scenarie (5)"
        )
        parser.add_argument(
            "--json", dest="json_path", type=Path, help="skriv resultaterne som JSON hertil"
        )
        parser.add_argument(
            "--only", action="append", choices=names, help="kun dette scenarie (kan gentages)"
        )

    def handle(
        self,
        *args: Any,
        runs: int,
        subjects: int,
        json_path: Path | None,
        only: list[str] | None,
        **options: Any,
    ) -> None:
        if runs < 1 or subjects < 1:
            raise CommandError("--runs og --subjects skal være mindst 1.")
        scenarios = [s for s in benchmark.SCENARIOS if not only or s.name in only]
        load_before = os.getloadavg()
        borgere, sager = Borger.objects.count(), Sag.objects.count()
        self.stdout.write(
            f"Database {connection.settings_dict['NAME']}: {borgere:,} borgere, {sager:,} sager. "
            f"{runs} målinger over op til {subjects} eksempler pr. scenarie."
        )
        started = time.perf_counter()
        updating = not only or dashboard_update.NAME in only
        try:
            results = benchmark.run(scenarios, runs=runs, subjects=subjects, log=self.stdout.write)
            update = (
                dashboard_update.measure(runs=runs, subjects=subjects, log=self.stdout.write)
                if updating
                else None
            )
        except benchmark.BenchmarkError as exc:
            raise CommandError(str(exc)) from exc
        load_after = os.getloadavg()
        self.stdout.write("")
        if results:
            self.stdout.write(benchmark.table(results))
            self.stdout.write("")
        if update is not None:
            self.stdout.write("Ledelsesoverblikkets tal holdt ajour, én ændret sag ad gangen:")
            self.stdout.write(dashboard_update.table(update))
            self.stdout.write("")
        for r in results:
            if r.floor_note:
                self.stdout.write(f"Gulvet for {r.name} er {r.floor_note}.")
        if results:
            self.stdout.write(
                "DB: summen af sidens egne forespørgslers tid; læs: kun dens læsninger (SELECT), "
                "som holdes op mod gulvet. Målene gælder ved 200.000 borgere."
            )
        self.stdout.write(
            f"Belastning (1 min) før {load_before[0]:.2f}, efter {load_after[0]:.2f}; "
            f"{time.perf_counter() - started:.0f} s i alt."
        )
        if json_path is not None:
            self._write_json(
                json_path, results, update, borgere=borgere, sager=sager, load=load_after
            )
            self.stdout.write(f"Resultaterne er skrevet til {json_path}.")

    def _write_json(
        self,
        path: Path,
        results: list[benchmark.Result],
        update: dashboard_update.UpdateResult | None,
        *,
        borgere: int,
        sager: int,
        load: tuple[float, float, float],
    ) -> None:
        payload = {
            "database": connection.settings_dict["NAME"],
            "borgere": borgere,
            "sager": sager,
            "load": load,
            "results": [r.as_dict() for r in results],
            "dashboard_update": update.as_dict() if update is not None else None,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
