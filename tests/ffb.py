"""What the FFB data set's tests share: the municipality they report for, and the settings that
send the bundles to a folder of the test's own."""

from pathlib import Path
from typing import Any

from tests.catalogs import load_catalog

# The reporting IG's example municipality (its KOMBIT STS organisation UUID).
KOMMUNE = "d4e3f4fb-6761-4d6c-9086-74c49231f11e"


def ffb_configured(settings: Any, folder: Path) -> None:
    """Randers' catalog loaded, the municipality set and the folder transport into `folder`."""
    settings.VUM_MUNICIPALITY = "randers"
    settings.VUM_FFB_KOMMUNE = KOMMUNE
    settings.VUM_FFB_DIR = folder / "ffb"
    settings.VUM_FFB_TRANSPORT = "followup.ffb_dataset.transport.FolderTransport"
    load_catalog()
