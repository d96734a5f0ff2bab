"""Who hears of an order: the case's caseworkers and the provider's staff."""

from cases.models import Sag
from orders.models import (
    Bestilling,
)
from vum.accounts.models import Role, User


def case_caseworkers(sag: Sag) -> list[User]:
    """Who hears of the case: its caseworker, else the team's caseworkers."""
    if sag.sagsbehandler is not None and sag.sagsbehandler.is_active:
        return [sag.sagsbehandler]
    return list(sag.team.members.filter(is_active=True, role=Role.SAGSBEHANDLER))


def order_staff(bestilling: Bestilling) -> list[User]:
    return list(bestilling.udfoerer.staff.filter(is_active=True, role=Role.UDFOERER))
