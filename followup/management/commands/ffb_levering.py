"""Deliver KL's FFB data set on demand: one day, a period (a report per day, oldest first, as
the IG asks when deliveries have been missed), or a full load of every citizen with FFB facts."""

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from followup.services.ffb_levering import ffb_levering_run


class Command(BaseCommand):
    help = (
        "Lever FFB-datasættet for en dag eller en periode (--fra/--til), eller alle borgere med "
        "FFB-oplysninger (--fuld). Kan køres igen: intet leveres to gange."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fra", type=date.fromisoformat, help="første dag (ÅÅÅÅ-MM-DD)")
        parser.add_argument("--til", type=date.fromisoformat, help="sidste dag (standard: i går)")
        parser.add_argument(
            "--fuld", action="store_true", help="alle borgere med FFB-oplysninger (første levering)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        til: date = options["til"] or timezone.localdate() - timedelta(days=1)
        fra: date = options["fra"] or til
        if fra > til:
            raise CommandError("--fra ligger efter --til.")
        if options["fuld"]:
            self._report(ffb_levering_run(dag=til, fuld=True))
            return
        day = fra
        while day <= til:
            self._report(ffb_levering_run(dag=day))
            day += timedelta(days=1)

    def _report(self, levering: Any) -> None:
        self.stdout.write(
            f"{levering.dag:%d.%m.%Y}: {levering.kandidater} set på, {levering.leveret} leveret, "
            f"{levering.uaendret} uændret, {levering.afvist} afvist"
        )
