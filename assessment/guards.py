"""The sagsoplysning's guards on the case lifecycle (registered when the app loads)."""

from collections.abc import Iterator

from assessment.models import Dagsordenspunkt
from assessment.selectors.udredning import current_scores
from assessment.services.partshoering import hearing_blockers
from assessment.services.udvalg import OUTCOME_MOVES_TO_DECISION
from assessment.services.vurdering import decision_route
from cases.lifecycle import Blocker, Fase, register_guard
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
    """No decision while a hearing waits for an answer and its deadline has not passed. The
    services that make and send a decision check it again (`require_no_open_hearing`)."""
    yield from hearing_blockers(sag=sag)


@register_guard("start_afgoerelse")
def sagsvurdering_is_complete(sag: Sag) -> Iterator[str]:
    """A decision needs a finished sagsvurdering (handbook l. 376-378): the situation assessed,
    entitlement decided, and for a grant the goals (each on a scored primary sub-theme), the
    support need, at least one indsats and one primary target group."""
    if sag.fase != Fase.SAGSVURDERING:
        return
    vurdering = sag.sagsvurderinger.first()
    if vurdering is None:
        yield "Der er ingen sagsvurdering."
        return
    if not vurdering.vurdering_af_situation.strip():
        yield Blocker("Vurderingen af borgerens situation mangler.", where="afsnit-situation")
    if vurdering.berettiget is None:
        yield Blocker(
            "Det er ikke vurderet, om borgeren er berettiget.", where="afsnit-stoettebehov"
        )
    if vurdering.berettiget is False:
        return
    goals = list(vurdering.maal.select_related("primaert_undertema"))
    if not goals:
        yield Blocker("Der er ingen indsatsmål.", where="afsnit-maal")
    scored = current_scores(sag=sag)
    for goal in goals:
        if goal.primaert_undertema_id not in scored:
            yield Blocker(
                f"Mål {goal.raekkefoelge}: '{goal.primaert_undertema.navn}' har intet aktuelt "
                "funktionsevneniveau i udredningen.",
                where="afsnit-maal",
            )
    if vurdering.stoettebehov_id is None:
        yield Blocker("Støttebehovet er ikke fastsat.", where="afsnit-stoettebehov")
    if not vurdering.indsatser.filter(alternativ=False).exists():
        yield Blocker("Der er ingen indsats.", where="afsnit-indsatser")
    if not vurdering.maalgrupper.filter(primaer=True).exists():
        yield Blocker("Der er ikke valgt en primær målgruppe.", where="afsnit-maalgruppe")


@register_guard("start_afgoerelse")
def committee_cases_need_the_committee(sag: Sag) -> Iterator[str]:
    """A case the rules send to the visitationsudvalg cannot be decided by the caseworker alone:
    it moves on only by the committee's outcome on an indstilling of its current assessment."""
    if sag.fase != Fase.SAGSVURDERING:
        return
    vurdering = sag.sagsvurderinger.first()
    if vurdering is None:
        return
    route = decision_route(vurdering=vurdering)
    if not route.visitationsudvalg:
        return
    decided = Dagsordenspunkt.objects.filter(
        sag=sag, indstilling__vurdering=vurdering, udfald__slug__in=OUTCOME_MOVES_TO_DECISION
    ).exists()
    if not decided:
        yield "Sagen skal forelægges visitationsudvalget: " + " ".join(route.reasons)
