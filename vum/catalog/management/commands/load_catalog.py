"""manage.py load_catalog: load every catalog file in fixtures/catalog/ (idempotent)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vum.catalog.loading import CatalogFileError, catalog_files, load_file


class Command(BaseCommand):
    help = (
        "Indlæser referencedata (FFB og kommunernes kataloger) fra fixtures/catalog/. "
        "En version, der allerede er indlæst, indlæses ikke igen; en ny version afslutter den "
        "forriges gyldighed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="Mappe med katalogfiler.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            files = catalog_files(options["dir"])
            for path in files:
                result = load_file(path)
                label = f"{result.katalog} {result.version} ({path.name})"
                if result.already_loaded:
                    note = " - filen er ændret siden; ret i admin eller udgiv en ny version" * (
                        result.changed_since_load
                    )
                    self.stdout.write(f"{label}: allerede indlæst{note}.")
                    continue
                counts = ", ".join(f"{name} {count}" for name, count in result.created.items())
                self.stdout.write(
                    self.style.SUCCESS(f"{label}: indlæst ({counts}); {result.closed} afsluttet.")
                )
        except CatalogFileError as exc:
            raise CommandError(str(exc)) from exc
