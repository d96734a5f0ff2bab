"""Reads of the ledsageordning (servicelovens § 97): a case's grant and its months, with the
hours used and saved. Audited as a read; the rule itself is `orders.ledsagelse`."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from assessment.models import AfgoerelsesResultat
from cases.models import Sag
from orders.ledsagelse import Maaned
from orders.services.ledsagelse import grant_months, ledsagelse_grant
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record


@dataclass(frozen=True)
class Ledsagelse:
    """A case's § 97 grant and its months, oldest first, up to this month."""

    bevilling: AfgoerelsesResultat
    maaneder: list[Maaned]

    @property
    def tilbage_i_maaneden(self) -> Decimal:
        """The hours this month can still use: its 15 and its savings, less what it used."""
        this_month = self.maaneder[-1]
        return this_month.til_raadighed - this_month.brugt


def ledsagelse(*, user: User, sag: Sag) -> Ledsagelse | None:
    """The hours of ledsagelse under the case's § 97 grant, if it has one. Audited as a read."""
    require(user, Action.VIEW, sag)
    bevilling = ledsagelse_grant(sag)
    if bevilling is None:
        return None
    months = grant_months(bevilling, until=timezone.localdate().replace(day=1))
    audit_record(actor=user, action=AuditAction.VIEW, obj=sag, summary="Timer til ledsagelse læst")
    return Ledsagelse(bevilling=bevilling, maaneder=months)
