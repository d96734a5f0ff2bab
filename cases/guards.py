"""Sagsåbning's own guards: the case cannot leave sagsåbning until these hold (phases.md §1)."""

from collections.abc import Iterator

from cases.lifecycle import Blocker, Fase, register_guard, register_phase_page
from cases.models import Henvendelse, Sag


def sagsaabning_blockers(sag: Sag) -> Iterator[str]:
    aabning = sag.sagsaabning
    if aabning.informeret_om_elektronisk_registrering is not True:
        yield Blocker(
            "Borgeren er ikke registreret som informeret om elektronisk registrering.",
            where="id_informeret_om_elektronisk_registrering_0",
        )
    contacted_by_other = sag.henvendelser.exclude(kilde=Henvendelse.Kilde.BORGER).exists()
    if contacted_by_other and aabning.borger_indforstaaet is not True:
        yield Blocker(
            "Henvendelsen kom ikke fra borgeren selv: borgeren skal være indforstået med, "
            "at sagen påbegyndes.",
            where="id_borger_indforstaaet_0",
        )
    if not sag.formaal_versioner.exists():
        yield Blocker("Formålet med udredningen er ikke fastlagt.", where="id_formaal")


@register_guard("start_sagsoplysning")
def ready_for_sagsoplysning(sag: Sag) -> Iterator[str]:
    yield from sagsaabning_blockers(sag)


@register_guard("start_sagsvurdering")
def klar_sag_ready_for_sagsvurdering(sag: Sag) -> Iterator[str]:
    if sag.fase != Fase.SAGSAABNING:
        return
    if not sag.sagsaabning.klar_sag:
        yield "Kun en klar sag kan gå direkte fra sagsåbning til sagsvurdering."
    yield from sagsaabning_blockers(sag)


register_phase_page(Fase.SAGSAABNING, "sagsaabning")
