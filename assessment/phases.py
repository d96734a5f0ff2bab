"""What entering this app's phases from their pages begins, and where their work is done
(`cases.lifecycle.register_on_enter`, `register_phase_page`; registered when the app loads)."""

from assessment.models import Udredning
from assessment.services.udredning import udredning_start
from assessment.services.vurdering import sagsvurdering_current, sagsvurdering_start
from cases.lifecycle import Fase, register_on_enter, register_phase_page
from cases.models import Sag
from vum.accounts.models import User

register_phase_page(Fase.SAGSOPLYSNING, "udredning")
register_phase_page(Fase.SAGSVURDERING, "sagsvurdering")
register_phase_page(Fase.AFGOERELSE, "afgoerelse")


@register_on_enter(Fase.SAGSOPLYSNING)
def start_the_udredning(sag: Sag, actor: User) -> None:
    """A first udredning starts with the phase. Where the case already has one (moved back), or
    the citizen has an earlier one that could be reused with their consent, the udredning page
    offers the choice instead."""
    if Udredning.objects.filter(sag__borger_id=sag.borger_id).exists():
        return
    udredning_start(actor=actor, sag=sag)


@register_on_enter(Fase.SAGSVURDERING)
def start_the_sagsvurdering(sag: Sag, actor: User) -> None:
    """Each stay in sagsvurdering has its own assessment: it starts with the phase."""
    current = sagsvurdering_current(sag=sag)
    if current is not None and sag.fase_skiftet and current.oprettet >= sag.fase_skiftet:
        return
    sagsvurdering_start(actor=actor, sag=sag)
