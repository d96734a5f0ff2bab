"""What the FFB data set's tests share: the municipality they report for, and the settings that
send the bundles to a folder of the test's own, and the Mads case as it is delivered."""

from pathlib import Path
from typing import Any

from followup.services.opfoelgning import opfoelgning_plan
from orders.services.bestilling import bestilling_accept, bestillinger_send
from tests.catalogs import load_catalog
from tests.factories import UserFactory
from tests.mads import Mads, mads_decided
from vum.accounts.models import User

# The reporting IG's example municipality (its KOMBIT STS organisation UUID).
KOMMUNE = "d4e3f4fb-6761-4d6c-9086-74c49231f11e"


def ffb_configured(settings: Any, folder: Path) -> None:
    """Randers' catalog loaded, the municipality set and the folder transport into `folder`."""
    settings.VUM_MUNICIPALITY = "randers"
    settings.VUM_FFB_KOMMUNE = KOMMUNE
    settings.VUM_FFB_DIR = folder / "ffb"
    settings.VUM_FFB_TRANSPORT = "followup.ffb_dataset.transport.FolderTransport"
    load_catalog()


def delivering(caseworker: User) -> Mads:
    """Mads decided, ordered from X-Hus, accepted, and his first follow-up planned."""
    mads = mads_decided(caseworker)
    (order,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    bestilling_accept(actor=UserFactory(udfoerer=True, organisation=mads.x_hus), bestilling=order)
    opfoelgning_plan(actor=caseworker, sag=mads.sag)
    return mads
