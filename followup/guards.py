"""The follow-up phase's guards on the case lifecycle (registered when the app loads)."""

from collections.abc import Iterator

from cases.lifecycle import Fase, register_guard, register_phase_page
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


def _this_follow_ups_form(sag: Sag) -> Opfoelgningsskema | None:
    """The form completed since the case entered opfølgning, if any."""
    return (
        Opfoelgningsskema.objects.filter(
            opfoelgning__sag=sag, afsluttet__isnull=False, afsluttet__gte=sag.fase_skiftet
        )
        .order_by("-afsluttet", "-pk")
        .first()
    )


@register_guard("fortsaet_levering")
def the_follow_up_decided_to_go_on(sag: Sag) -> Iterator[str]:
    """Delivery goes on only by this follow-up's completed form saying so."""
    if sag.fase != Fase.OPFOELGNING:
        return
    form = _this_follow_ups_form(sag)
    if form is None:
        yield "Opfølgningsskemaet er ikke afsluttet."
    elif form.udfald not in GOES_ON:
        yield "Opfølgningen besluttede ikke, at indsatsen fortsætter."


@register_guard("revisitation")
def the_follow_up_decided_on_revisitation(sag: Sag) -> Iterator[str]:
    """Revisitation after a follow-up rests on its form and personrettet tilsyn."""
    if sag.fase != Fase.OPFOELGNING:
        return
    form = _this_follow_ups_form(sag)
    if form is None or form.udfald != Opfoelgningsskema.Udfald.REVISITATION:
        yield "Revisitation besluttes i opfølgningsskemaet (med det personrettede tilsyn)."


register_phase_page(Fase.OPFOELGNING, "followup:opfoelgninger")
