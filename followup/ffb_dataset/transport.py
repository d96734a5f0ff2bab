"""Where a validated DeliveryReport goes: `VUM_FFB_TRANSPORT` names a class with the method
`deliver`. Here a folder (one JSON file per citizen and day); the national gateway is a class
with the same method that refuses until its connection is agreed and configured."""

from datetime import date
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from followup.ffb_dataset.bundle import compact_json


class FfbTransport(Protocol):
    name: str

    def deliver(self, *, dag: date, borger_id: int, bundle: dict[str, Any]) -> str:
        """Hand the bundle over; return where it went (a file, a receipt's id)."""
        ...


class FolderTransport:
    """Each bundle as `<VUM_FFB_DIR>/<day>/<bundle id>.json`. Writing the same day's bundle of a
    citizen again writes the same file: a run interrupted before its record was saved is
    repeated without leaving a second copy."""

    name = "mappe"

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder or settings.VUM_FFB_DIR)

    def deliver(self, *, dag: date, borger_id: int, bundle: dict[str, Any]) -> str:
        target = self.folder / dag.isoformat() / f"{bundle['id']}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".tmp")
        partial.write_text(compact_json(bundle), encoding="utf-8")
        partial.replace(target)
        return str(target)


class NationalGatewayTransport:
    """KL's national FFB gateway. The IG names the gateway but not its address, protocol or
    credentials; they come with the municipality's agreement with KL/KOMBIT. Until then this
    refuses, so that nothing is recorded as delivered that was not."""

    name = "national-gateway"

    def deliver(self, *, dag: date, borger_id: int, bundle: dict[str, Any]) -> str:
        raise ImproperlyConfigured(
            "FFB-datasættets nationale modtager er ikke konfigureret: adresse, protokol og "
            "adgang aftales med KL/KOMBIT. Brug followup.ffb_dataset.transport.FolderTransport "
            "indtil da (VUM_FFB_TRANSPORT)."
        )


def ffb_transport() -> FfbTransport:
    transport: FfbTransport = import_string(settings.VUM_FFB_TRANSPORT)()
    return transport
