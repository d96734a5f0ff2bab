"""The follow-up phase's guards on the case lifecycle (registered when the app loads)."""

from collections.abc import Iterator

from cases.lifecycle import Fase, register_guard
from cases.models import Sag
from followup.models import Opfoelgning, Opfoelgningsskema

GOES_ON = (Opfoelgningsskema.Udfald.FORTSAET, Opfoelgningsskema.Udfald.REVIDER)


@register_guard("start_opfoelgning")
def a_follow_up_is_planned(sag: Sag) -> Iterator[str]:
    if sag.fase != Fase.LEVERING:
        return
    planned = Opfoelgning.objects.filter(
        sag=sag, status__in=[Opfoelgning.Status.PLANLAGT, Opfoelgning.Status.INDKALDT]
    )
    if not planned.exists():
        yield "Der er ingen planlagt opfølgning."


@register_guard("fortsaet_levering")
def the_follow_up_decided_to_go_on(sag: Sag) -> Iterator[str]:
    """Delivery goes on only by a completed follow-up form that says so."""
    if sag.fase != Fase.OPFOELGNING:
        return
    latest = (
        Opfoelgningsskema.objects.filter(opfoelgning__sag=sag)
        .order_by("-opfoelgning__dato", "-pk")
        .first()
    )
    if latest is None or latest.afsluttet is None:
        yield "Opfølgningsskemaet er ikke afsluttet."
    elif latest.udfald not in GOES_ON:
        yield "Opfølgningen besluttede ikke, at indsatsen fortsætter."
