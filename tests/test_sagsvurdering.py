"""Sagsvurdering: goals on scored sub-themes, the support need after the goals, indsatser with
price lines, target groups, refusals that assess the citizen's own need, and the guard before
the decision. Figures from the handbook's Mads, Bente and pricing examples (scenarios.md)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from assessment.models import Sagsvurdering
from assessment.services.udredning import funktionsevne_score, tema_oplysning_save, udredning_start
from assessment.services.vurdering import (
    indsats_add,
    maal_add,
    maalgrupper_set,
    prislinje_add,
    sagsvurdering_current,
    sagsvurdering_start,
    sagsvurdering_update,
    stoettebehov_set,
)
from cases.lifecycle import Fase, blockers
from cases.models import Sag
from cases.services.sag import sag_transition
from tests.catalogs import load_catalog
from tests.factories import OrganisationFactory, sag_in_phase
from tests.mads import mads_time
from vum.catalog.models import Maalgruppe, Maaltype, Tema, Tilbudstype, Undertema, Ydelse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def catalog(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


def undertema(navn: str) -> Undertema:
    return Undertema.objects.current().get(navn=navn)


def maaltype(navn: str) -> Maaltype:
    return Maaltype.objects.current().get(navn=navn)


def ydelse(navn: str) -> Ydelse:
    return Ydelse.objects.current().get(navn=navn)


def scored_case(caseworker, scores: dict[str, int]) -> Sag:
    """A case informed and scored in sagsoplysning, then moved on to sagsvurdering."""
    sag = sag_in_phase(Fase.SAGSOPLYSNING, team=caseworker.teams.get(), sagsbehandler=caseworker)
    udredning = udredning_start(actor=caseworker, sag=sag)
    tema_oplysning_save(
        actor=caseworker,
        udredning=udredning,
        tema=Tema.objects.current().get(navn="Relationer"),
        fra_borgeren="Jeg kan ikke sige nej til mine venner.",
    )
    for navn, vaerdi in scores.items():
        funktionsevne_score(
            actor=caseworker, udredning=udredning, undertema=undertema(navn), vaerdi=vaerdi
        )
    return sag_transition(actor=caseworker, sag=sag, name="start_sagsvurdering")


MADS_GOALS = [
    # (målformulering, primary sub-theme, expected level, hours per week)
    ("Jeg passer selv min lejlighed, laver mad og vasker tøj", "Gøre rent", 1, Decimal("3.5")),
    (
        "Jeg har fokus på mine egne behov og siger fra og har en god fritidsaktivitet og et godt "
        "forhold til min familie",
        "Indgå i samspil og kontakt",
        0,
        Decimal("3"),
    ),
    ("Jeg er stoppet med at ryge hash og har six pack", "Varetage egen sundhed", 1, Decimal("1")),
    (
        "Jeg har fundet ud af, hvilken uddannelse jeg gerne vil have og er i gang med at tage den",
        "Varetage uddannelse",
        1,
        Decimal("0.5"),
    ),
]
MADS_SCORES = {
    "Varetage uddannelse": 2,
    "Varetage økonomi": 2,
    "Håndtere post": 2,
    "Varetage bolig": 1,
    "Varetage egen sundhed": 2,
    "Gøre rent": 2,
    "Dyrke interesse": 1,
    "Indgå i samspil og kontakt": 2,
}


@mads_time
def test_the_mads_assessment_reaches_the_decision(caseworker) -> None:
    sag = scored_case(caseworker, MADS_SCORES)
    vurdering = sagsvurdering_start(actor=caseworker, sag=sag)
    sagsvurdering_update(
        actor=caseworker,
        vurdering=vurdering,
        vurdering_af_situation="Mads har svært ved at strukturere sin hverdag og sige fra.",
        indsatsformaal="Jeg har stadig min lejlighed, og jeg har taget en uddannelse.",
        samme_opfoelgning_for_alle_maal=True,
        faelles_opfoelgning="3_maaneder",
        berettiget=True,
        berettigelse_begrundelse="Betydelig nedsat funktionsevne; behov for støtte efter § 85.",
        civilsamfund=True,
        civilsamfund_hvilke="Lektiehjælp hos VUC, fællesspisning i Frivilligcentret",
        borgerens_ressourcer="Engelsk, historie, computerspil, rap, lave mad, tegne og male",
        handleplan_tilbudt=True,
        handleplan_oensket=True,
        handleplan_status="under_udarbejdelse",
    )
    with pytest.raises(ValidationError, match="målene først"):
        stoettebehov_set(actor=caseworker, vurdering=vurdering, vaerdi=3)

    x_hus = OrganisationFactory(navn="Socialpædagogisk opholdssted X-Hus")
    for text, sub, expected, hours in MADS_GOALS:
        maal_add(
            actor=caseworker,
            vurdering=vurdering,
            maalformulering=text,
            maaltype=maaltype("Udvikle funktionsevne"),
            primaert_undertema=undertema(sub),
            forventet_niveau=expected,
            udfoerer=x_hus,
            timer_pr_uge=hours,
        )
    goal2 = vurdering.maal.get(raekkefoelge=2)
    assert goal2.aktuel_vurdering is not None
    assert goal2.aktuel_vurdering.niveau.vaerdi == 2  # carried from the udredning
    assert vurdering.maal.aggregate(total=Sum("timer_pr_uge"))["total"] == Decimal("8")

    stoettebehov_set(actor=caseworker, vurdering=vurdering, vaerdi=3)  # Højt (a choice)
    reasons = blockers(Sag.objects.get(pk=sag.pk), "start_afgoerelse")
    assert reasons == ["Der er ingen indsats.", "Der er ikke valgt en primær målgruppe."]

    indsats_add(
        actor=caseworker,
        vurdering=vurdering,
        ydelser=[
            ydelse("Støtte til daglige opgaver i hjemmet"),
            ydelse("Støtte til administration"),
            ydelse("Støtte til uddannelse"),
            ydelse("Støtte til sociale relationer"),
            ydelse("Støtte til psykisk trivsel"),
        ],
        tilbudstype=Tilbudstype.objects.current().get(navn="Mobilt tilbud"),
        udfoerer=x_hus,
        forventet_start=date(2026, 10, 1),
    )
    maalgrupper_set(
        actor=caseworker,
        vurdering=vurdering,
        primaer=Maalgruppe.objects.current().get(navn="Anden intellektuel/kognitiv forstyrrelse"),
        andre=[Maalgruppe.objects.current().get(navn="Stofmisbrug")],
    )
    assert blockers(Sag.objects.get(pk=sag.pk), "start_afgoerelse") == []
    moved = sag_transition(actor=caseworker, sag=sag, name="start_afgoerelse")
    assert moved.fase == Fase.AFGOERELSE


def test_bente_10_hours_per_week_summed_per_goal(caseworker) -> None:
    sag = scored_case(
        caseworker,
        {"Varetage relationer til netværk": 2, "Varetage økonomi": 2, "Håndtere post": 3},
    )
    vurdering = sagsvurdering_start(actor=caseworker, sag=sag)
    goals = [
        ("Jeg er holdt op med at drikke", "Varetage relationer til netværk", Decimal("4")),
        ("Jeg bor i min egen lejlighed og har styr på økonomien", "Varetage økonomi", Decimal("5")),
        ("Jeg ser min søn og mine børnebørn", "Varetage relationer til netværk", Decimal("1")),
    ]
    for text, sub, hours in goals:
        maal_add(
            actor=caseworker,
            vurdering=vurdering,
            maalformulering=text,
            maaltype=maaltype("Udvikle funktionsevne"),
            primaert_undertema=undertema(sub),
            forventet_niveau=0,
            ansvarlig_for_opfoelgning="Voksenenheden, Myndighed, XX Kommune",
            timer_pr_uge=hours,
        )
    assert vurdering.maal.aggregate(total=Sum("timer_pr_uge"))["total"] == Decimal("10")


def test_the_pricing_example_totals_143000(caseworker) -> None:
    sag = scored_case(caseworker, {"Lave mad": 2})
    vurdering = sagsvurdering_start(actor=caseworker, sag=sag)
    daily = ydelse("Støtte til daglige opgaver i hjemmet")
    admin = ydelse("Støtte til administration")
    mobilt = indsats_add(
        actor=caseworker,
        vurdering=vurdering,
        ydelser=[daily, admin],
        tilbudstype=Tilbudstype.objects.current().get(navn="Mobilt tilbud"),
    )
    for y in (daily, admin):
        prislinje_add(
            actor=caseworker,
            indsats=mobilt,
            ydelse=y,
            enhed="time",
            antal_pr_periode=Decimal(2),
            frekvens="uge",
            gentagelser=26,
            enhedspris=Decimal(500),
        )
    social = ydelse("Social aktivitet")  # Aktivitet og samvær, § 104
    samvaer = indsats_add(actor=caseworker, vurdering=vurdering, ydelser=[social])
    prislinje_add(
        actor=caseworker,
        indsats=samvaer,
        ydelse=social,
        enhed="dag",
        antal_pr_periode=Decimal(5),
        frekvens="uge",
        gentagelser=26,
        enhedspris=Decimal(700),
    )
    assert mobilt.pris == Decimal("52000")
    assert samvaer.pris == Decimal("91000")
    assert sum(i.pris for i in vurdering.indsatser.all()) == Decimal("143000")
    with pytest.raises(ValidationError, match="indsatsens ydelser"):
        prislinje_add(
            actor=caseworker,
            indsats=samvaer,
            ydelse=daily,
            enhed="time",
            antal_pr_periode=Decimal(1),
            frekvens="uge",
            gentagelser=1,
            enhedspris=Decimal(1),
        )


@pytest.mark.now("2025-12-01 10:00")  # planning a time-limited indsats for the first half of 2026
def test_only_82a_b_d_may_have_a_fixed_end(caseworker) -> None:
    sag = scored_case(caseworker, {"Lave mad": 2})
    vurdering = sagsvurdering_start(actor=caseworker, sag=sag)
    with pytest.raises(ValidationError, match="uden slutdato"):
        indsats_add(
            actor=caseworker,
            vurdering=vurdering,
            ydelser=[ydelse("Støtte til daglige opgaver i hjemmet")],
            forventet_start=date(2026, 1, 1),
            forventet_slut=date(2026, 6, 30),
        )
    fixed = indsats_add(
        actor=caseworker,
        vurdering=vurdering,
        ydelser=[ydelse("Individuel tidsbegrænset socialpædagogisk hjælp og støtte")],
        forventet_start=date(2026, 1, 1),
        forventet_slut=date(2026, 6, 30),
    )
    assert fixed.forventet_slut == date(2026, 6, 30)


def test_a_goal_needs_an_aktivitet_og_deltagelse_sub_theme(caseworker) -> None:
    sag = scored_case(caseworker, {"Lave mad": 2})
    vurdering = sagsvurdering_start(actor=caseworker, sag=sag)
    with pytest.raises(ValidationError, match="Aktivitet og deltagelse"):
        maal_add(
            actor=caseworker,
            vurdering=vurdering,
            maalformulering="Jeg har mindre ondt",
            maaltype=maaltype("Fastholde funktionsevne"),
            primaert_undertema=undertema("Smerte og sansefunktioner"),
        )


def test_an_unscored_goal_blocks_the_decision(caseworker) -> None:
    sag = scored_case(caseworker, {"Lave mad": 2})
    vurdering = sagsvurdering_start(actor=caseworker, sag=sag)
    maal_add(
        actor=caseworker,
        vurdering=vurdering,
        maalformulering="Jeg køber selv ind",
        maaltype=maaltype("Udvikle funktionsevne"),
        primaert_undertema=undertema("Købe ind"),
    )
    reasons = blockers(Sag.objects.get(pk=sag.pk), "start_afgoerelse")
    assert "Mål 1: 'Købe ind' har intet aktuelt funktionsevneniveau i udredningen." in reasons


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (
            {"berettigelse_begrundelse": "", "borgerens_behov_vurderet": "Vurderet."},
            "berettigelse_begrundelse",
        ),
        (
            {"berettigelse_begrundelse": "Se nedenfor.", "borgerens_behov_vurderet": ""},
            "borgerens_behov_vurderet",
        ),
        (
            {
                "berettigelse_begrundelse": "Ydelsen ligger uden for kvalitetsstandarden.",
                "borgerens_behov_vurderet": "Jf. kommunens kvalitetsstandard.",
            },
            "borgerens_behov_vurderet",
        ),
    ],
)
def test_a_refusal_must_assess_the_citizens_own_need(caseworker, fields, field) -> None:
    sag = scored_case(caseworker, {"Lave mad": 2})
    vurdering = sagsvurdering_start(actor=caseworker, sag=sag)
    with pytest.raises(ValidationError) as excinfo:
        sagsvurdering_update(actor=caseworker, vurdering=vurdering, berettiget=False, **fields)
    assert field in excinfo.value.message_dict
    assert Sagsvurdering.objects.get(pk=vurdering.pk).berettiget is None


def test_a_refusal_with_an_individual_assessment_is_accepted(caseworker) -> None:
    sag = scored_case(caseworker, {"Lave mad": 2})
    vurdering = sagsvurdering_start(actor=caseworker, sag=sag)
    sagsvurdering_update(
        actor=caseworker,
        vurdering=vurdering,
        vurdering_af_situation="Borgeren laver selv mad med lidt hjælp fra sin søster.",
        berettiget=False,
        berettigelse_begrundelse="Borgeren kan med søsterens hjælp klare madlavningen.",
        borgerens_behov_vurderet=(
            "Borgeren oplever at have brug for hjælp hver dag; udredningen viser dog, at hun "
            "laver mad de fleste dage, og at søsteren hjælper i de perioder, hvor hun er træt."
        ),
    )
    stoettebehov_set(actor=caseworker, vurdering=vurdering, vaerdi=1)  # recorded anyway
    assert blockers(Sag.objects.get(pk=sag.pk), "start_afgoerelse") == []


def test_the_assessment_is_only_written_in_sagsvurdering(caseworker) -> None:
    sag = sag_in_phase(Fase.SAGSOPLYSNING, team=caseworker.teams.get(), sagsbehandler=caseworker)
    with pytest.raises(ValidationError, match="kun ændres, mens sagen er i sagsvurdering"):
        sagsvurdering_start(actor=caseworker, sag=sag)


def test_a_goal_set_before_its_score_carries_the_score_once_it_exists(caseworker) -> None:
    sag = scored_case(caseworker, {"Lave mad": 2})
    vurdering = sagsvurdering_start(actor=caseworker, sag=sag)
    goal = maal_add(
        actor=caseworker,
        vurdering=vurdering,
        maalformulering="Jeg køber selv ind",
        maaltype=maaltype("Udvikle funktionsevne"),
        primaert_undertema=undertema("Købe ind"),
    )
    assert goal.aktuel_vurdering is None
    sag = sag_transition(
        actor=caseworker, sag=sag, name="tilbage_til_sagsoplysning", begrundelse="Mangler score"
    )
    funktionsevne_score(
        actor=caseworker, udredning=vurdering.udredning, undertema=undertema("Købe ind"), vaerdi=3
    )
    sag_transition(actor=caseworker, sag=sag, name="start_sagsvurdering")
    sagsvurdering_update(actor=caseworker, vurdering=vurdering, indsatsformaal="Selvstændig")
    goal.refresh_from_db()
    assert goal.aktuel_vurdering is not None
    assert goal.aktuel_vurdering.niveau.vaerdi == 3


def test_one_assessment_per_stay_in_sagsvurdering(caseworker) -> None:
    sag = scored_case(caseworker, {"Lave mad": 2})
    first = sagsvurdering_start(actor=caseworker, sag=sag)
    with pytest.raises(ValidationError, match="allerede startet"):
        sagsvurdering_start(actor=caseworker, sag=sag)
    sag = sag_transition(
        actor=caseworker, sag=sag, name="tilbage_til_sagsoplysning", begrundelse="Ny viden"
    )
    sag = sag_transition(actor=caseworker, sag=sag, name="start_sagsvurdering")
    second = sagsvurdering_start(actor=caseworker, sag=sag)
    assert sagsvurdering_current(sag=sag) == second != first
