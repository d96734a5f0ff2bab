"""The bestilling phase's guards on the case lifecycle (registered when the app loads)."""

from collections.abc import Iterator

from cases.lifecycle import Fase, register_guard, register_phase_page
from cases.models import Sag
from orders.content import latest_grant, order_plan
from orders.models import Bestilling


@register_guard("start_bestilling")
def a_grant_has_been_communicated(sag: Sag) -> Iterator[str]:
    """Services are ordered once a decision grants them and the citizen has been told."""
    if sag.fase != Fase.AFGOERELSE:
        return
    decision = latest_grant(sag)
    if decision is None:
        yield "Der er ingen afgørelse, der bevilger en indsats."
    elif decision.form == decision.Form.SKRIFTLIG and not decision.breve.exists():
        yield "Afgørelsesbrevet er ikke sendt til borgeren."


@register_guard("start_levering")
def every_provider_has_accepted(sag: Sag) -> Iterator[str]:
    """Delivery starts when each provider the decision orders from has accepted its order."""
    if sag.fase != Fase.BESTILLING:
        return
    decision = latest_grant(sag)
    if decision is None:
        yield "Der er ingen afgørelse, der bevilger en indsats."
        return
    current = {
        b.udfoerer_id: b
        for b in Bestilling.objects.filter(sag=sag)
        .current()
        .exclude(status=Bestilling.Status.OPHOERT)
    }
    for udkast in order_plan(decision).udkast:
        bestilling = current.get(udkast.udfoerer.pk)
        if bestilling is None:
            yield f"Der er ikke sendt en bestilling til {udkast.udfoerer}."
        elif bestilling.status != Bestilling.Status.ACCEPTERET:
            yield (
                f"{udkast.udfoerer} har ikke accepteret bestillingen "
                f"({bestilling.get_status_display().lower()})."
            )


@register_guard("afslut")
def no_order_runs_without_an_end(sag: Sag) -> Iterator[str]:
    """A case with an order still running is ended through the follow-up's outcome, which ends
    the orders (and the provider's access) on the effective day."""
    if sag.fase == Fase.SAGSAABNING:
        return
    running = (
        Bestilling.objects.filter(sag=sag, slutdato__isnull=True)
        .active()
        .select_related("udfoerer")
    )
    for bestilling in running:
        yield (
            f"Bestillingen til {bestilling.udfoerer} løber stadig: afslut indsatsen via "
            "opfølgningen, så bestillingen ophører."
        )


register_phase_page(Fase.BESTILLING, "orders:sag-bestillinger")
