"""The sagsoplysning's guards on the case lifecycle (registered when the app loads)."""

from collections.abc import Iterator

from django.utils import timezone

from assessment.models import Partshoering
from cases.lifecycle import Fase, register_guard
from cases.models import Sag


@register_guard("start_sagsvurdering")
def udredning_has_an_informed_theme(sag: Sag) -> Iterator[str]:
    """Moving on to sagsvurdering needs at least one informed theme. A klar sag going straight
    from sagsåbning is the exception the method allows."""
    if sag.fase != Fase.SAGSOPLYSNING:
        return
    udredning = sag.udredninger.first()
    if udredning is None or not any(t.is_informed for t in udredning.temaer.all()):
        yield "Mindst ét tema i udredningen skal være oplyst."


@register_guard("start_afgoerelse")
def no_open_hearing(sag: Sag) -> Iterator[str]:
    """No decision while a hearing waits for an answer and its deadline has not passed."""
    today = timezone.localdate()
    for hoering in Partshoering.objects.filter(sag=sag, svar_modtaget__isnull=True):
        if hoering.blocks_decision(today):
            yield (
                f"Partshøringen sendt {timezone.localtime(hoering.sendt):%d.%m.%Y} til "
                f"{hoering.modtager_navn} afventer svar (frist {hoering.svarfrist:%d.%m.%Y})."
            )
