"""What the orders phase shows on the citizen's page, across the citizen's cases that the user
may see (`cases.borger_panels`): the orders in force, each with its provider and the indsatser
and goals it carries, and the way to the citizen's handleplan."""

from collections.abc import Sequence
from typing import Any

from cases.models import Borger, Sag
from cases.panels import borger_panels
from orders.models import Bestilling
from vum.accounts.models import User


@borger_panels.register(template="orders/_borger_bestillinger.html", position=20)
def orders_panel(user: User, borger: Borger, sager: Sequence[Sag]) -> dict[str, Any] | None:
    """The latest version of each order in force (`Bestilling.objects.active`), in one query:
    its indsatser and goals are read from the content frozen when it was sent, which is what
    the provider works by. The PDFs are left out; each is fetched by its own link."""
    bestillinger = list(
        Bestilling.objects.active()
        .current()
        .filter(sag_id__in=[sag.pk for sag in sager])
        .select_related("udfoerer")
        .defer("pdf", "bilag_pdf", "pdf_uden_adresse", "bilag_uden_adresse")
        .order_by("sag_id", "udfoerer__navn", "pk")
    )
    return {"borger": borger, "bestillinger": bestillinger} if bestillinger else None
