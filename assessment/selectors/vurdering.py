"""Reads of the sagsvurdering: everything its page and API show."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from assessment.models import (
    Funktionsevnevurdering,
    Indsats,
    Indsatsmaal,
    Prislinje,
    Sagsvurdering,
    VurderingMaalgruppe,
)
from assessment.selectors.udredning import current_scores
from cases.models import Sag
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record


@dataclass
class SagsvurderingView:
    vurdering: Sagsvurdering | None
    maal: list[Indsatsmaal]
    indsatser: list[Indsats]
    maalgrupper: list[VurderingMaalgruppe]
    scores: dict[int, Funktionsevnevurdering]

    @property
    def timer_i_alt(self) -> Decimal:
        return sum((m.timer_pr_uge or Decimal(0) for m in self.maal), Decimal(0))

    @property
    def pris_i_alt(self) -> Decimal:
        return sum((i.pris for i in self.indsatser), Decimal(0))


def sagsvurdering_overview(*, user: User, sag: Sag) -> SagsvurderingView:
    """The case's current sagsvurdering with its goals, indsatser (with ydelser and price lines)
    and target groups, in a fixed number of queries however many there are. Audited as a read
    of the sagsvurdering."""
    vurdering = (
        sag.sagsvurderinger.select_related("stoettebehov").order_by("-oprettet", "-id").first()
    )
    if vurdering is None:
        return SagsvurderingView(vurdering=None, maal=[], indsatser=[], maalgrupper=[], scores={})
    maal = list(
        vurdering.maal.select_related(
            "maaltype", "primaert_undertema__tema", "aktuel_vurdering__niveau", "udfoerer"
        ).prefetch_related("relaterede_undertemaer")
    )
    indsatser = list(
        vurdering.indsatser.select_related(
            "kommunal_ydelse", "tilbudstype", "udfoerer"
        ).prefetch_related(
            "ydelser",
            Prefetch("prislinjer", queryset=Prislinje.objects.select_related("ydelse")),
        )
    )
    maalgrupper = list(
        vurdering.maalgrupper.select_related("maalgruppe").order_by("-primaer", "maalgruppe__navn")
    )
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=vurdering,
        borger_id=sag.borger_id,
        summary="Sagsvurdering vist",
    )
    return SagsvurderingView(
        vurdering=vurdering,
        maal=maal,
        indsatser=indsatser,
        maalgrupper=maalgrupper,
        scores=current_scores(sag=sag),
    )


def maalgrupper_chosen(*, vurdering_pk: int) -> dict[str, Any]:
    """The target groups chosen now, as the target group form holds them."""
    rows = list(VurderingMaalgruppe.objects.filter(vurdering_id=vurdering_pk))
    primary = next((r.maalgruppe_id for r in rows if r.primaer), None)
    return {"primaer": primary, "andre": sorted(r.maalgruppe_id for r in rows if not r.primaer)}
