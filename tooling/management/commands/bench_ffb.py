"""Time KL's FFB data set on a seed_scale database: a day's delta and the rate of a full load
(tooling/ffb_delta.py). Not a test: it writes to the database in DATABASE_URL."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from tooling import scale
from tooling.ffb_delta import ffb_bench

DELTA_TARGET_SECONDS = 60
BENCH_KOMMUNE = "00000000-0000-4000-8000-00000000be0c"


class Command(BaseCommand):
    help = (
        "Mål FFB-datasættets daglige delta (og hastigheden af en fuld levering) på en database "
        "fra seed_scale. Skriver i databasen: brug en kladdedatabase."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--aendrede", type=int, default=2000, help="borgere med FFB-ændring")
        parser.add_argument(
            "--uroerte", type=int, default=3000, help="borgere med en anden skrivning samme dag"
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--json", type=Path, help="gem resultatet som JSON her")

    def handle(self, *args: Any, **options: Any) -> None:
        if not scale.synthetic_citizens().exists():
            raise CommandError("Ingen borgere fra seed_scale i databasen: kør seed_scale først.")
        # The bundles name the municipality's KOMBIT STS organisation: a made-up one will do.
        kommune = settings.VUM_FFB_KOMMUNE or BENCH_KOMMUNE
        try:
            with override_settings(VUM_FFB_KOMMUNE=kommune):
                result = ffb_bench(
                    aendrede=options["aendrede"],
                    uroerte=options["uroerte"],
                    seed=options["seed"],
                    log=self.stdout.write,
                )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        delta, before = result.delta, result.before
        # Fast is no pass if the changes were not delivered (a validation that refuses all, say).
        passed = delta.seconds < DELTA_TARGET_SECONDS and delta.delivered >= options["aendrede"] / 2
        lines = [
            f"Borgere med FFB-oplysninger: {result.population:,}",
            f"Dagens delta {result.day:%d.%m.%Y}: {delta.seconds:.1f} s "
            f"(mål < {DELTA_TARGET_SECONDS} s): {delta.citizens:,} kandidater, "
            f"{delta.delivered:,} leveret, {delta.unchanged:,} uændret, {delta.refused:,} afvist",
            f"Levering som fuld indlæsning: {before.citizens:,} borgere på {before.seconds:.1f} s "
            f"({before.rate:.1f} borgere/s; {before.refused:,} afvist)",
            f"Fuld indlæsning af alle {result.population:,}, ved samme hastighed: "
            f"{result.full_load_estimate() / 60:.0f} min",
        ]
        for line in lines:
            self.stdout.write(line)
        if options["json"]:
            options["json"].write_text(
                json.dumps(
                    {
                        "population": result.population,
                        "day": result.day.isoformat(),
                        "delta": vars(delta),
                        "before": vars(before),
                        "full_load_estimate_seconds": result.full_load_estimate(),
                        "passed": passed,
                    },
                    indent=1,
                )
            )
        style = self.style.SUCCESS if passed else self.style.ERROR
        self.stdout.write(style("Mål nået." if passed else "Målet er ikke nået."))
