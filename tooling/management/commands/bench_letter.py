"""`manage.py bench_letter`: how long rendering one afgørelsesbrev takes (median of N renders).

A benchmark, not a test. It renders the letter of an existing decision (`--afgoerelse`, default
the newest) with WeasyPrint, N times after one warm-up render (the first pays for loading fonts),
and prints the median and the spread. Run it against a database with a decision, e.g. after the
tests' Jørn scenario or in the demo once a decision has been made.
"""

import statistics
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from assessment.letters import afgoerelse_preview
from assessment.models import Afgoerelse


class Command(BaseCommand):
    help = "Median time to render one afgørelsesbrev to PDF."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--afgoerelse", type=int)
        parser.add_argument("--runs", type=int, default=20)

    def handle(self, *args: Any, afgoerelse: int | None, runs: int, **options: Any) -> None:
        decisions = Afgoerelse.objects.select_related("sag__sagsbehandler", "oprettet_af")
        decision = decisions.filter(pk=afgoerelse).first() if afgoerelse else decisions.first()
        if decision is None:
            raise CommandError("Der er ingen afgørelse at gengive.")
        actor = decision.sag.sagsbehandler or decision.oprettet_af
        afgoerelse_preview(actor=actor, afgoerelse=decision, tekster={})  # warm-up
        timings = []
        size = 0
        for _ in range(runs):
            started = time.perf_counter()
            size = len(afgoerelse_preview(actor=actor, afgoerelse=decision, tekster={}))
            timings.append((time.perf_counter() - started) * 1000)
        median = statistics.median(timings)
        self.stdout.write(
            self.style.SUCCESS(
                f"Afgørelsesbrev {decision.pk} ({size:,} bytes): median {median:.0f} ms over "
                f"{runs} renders (min {min(timings):.0f}, max {max(timings):.0f})"
            )
        )
