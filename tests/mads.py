"""The handbook's Mads (scenarios.md) brought through the services to a granted, communicated
§ 85 decision, ready to be ordered from X-Hus. Needs the Randers catalog loaded.

His story has fixed dates: decided 15 September 2026, supported from 1 October 2026, first
followed up on 30 December 2026 (at the latest three months on: New Year's Day and the closed
nytårsaftensdag come back to the working day before). A test that takes him through it runs at
`MADS_NOW` (mark it `@mads_time`, or its module), between the start of his support and the
statusnotat due before his first follow-up."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from assessment.models import Afgoerelse, Indsats, Partshoering, Sagsvurdering
from assessment.services.afgoerelse import Resultatlinje, afgoerelse_create, afgoerelse_send
from assessment.services.partshoering import (
    minimum_answer_date,
    partshoering_answer,
    partshoering_send,
)
from assessment.services.udredning import funktionsevne_score, tema_oplysning_save, udredning_start
from assessment.services.vurdering import (
    indsats_add,
    maal_add,
    maalgrupper_set,
    prislinje_add,
    sagsvurdering_start,
    sagsvurdering_update,
    stoettebehov_set,
)
from cases.lifecycle import Fase
from cases.models import Diagnose, Sag, Sagsaabning
from cases.services.sag import sag_transition
from tests.factories import sag_in_phase
from vum.accounts.models import Organisation, User
from vum.catalog.models import (
    KommunalYdelse,
    Maalgruppe,
    Maaltype,
    Tema,
    Tilbudstype,
    Undertema,
    Ydelse,
)

MADS_NOW = "2026-11-18 10:00"
mads_time = pytest.mark.now(MADS_NOW)

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
MADS_GOALS = [
    ("Jeg passer selv min lejlighed, laver mad og vasker tøj", "Gøre rent", 1, "3.5"),
    (
        "Jeg har fokus på mine egne behov og siger fra og har en god fritidsaktivitet og et godt "
        "forhold til min familie",
        "Indgå i samspil og kontakt",
        0,
        "3",
    ),
    ("Jeg er stoppet med at ryge hash og har six pack", "Varetage egen sundhed", 1, "1"),
    (
        "Jeg har fundet ud af, hvilken uddannelse jeg gerne vil have og er i gang med at tage den",
        "Varetage uddannelse",
        1,
        "0.5",
    ),
]


@dataclass
class Mads:
    sag: Sag
    vurdering: Sagsvurdering
    afgoerelse: Afgoerelse
    x_hus: Organisation
    indsats: Indsats
    other: Organisation | None = None


def _current(model, **lookup):  # type: ignore[no-untyped-def]
    return model.objects.current().get(**lookup)


def mads_decided(caseworker: User, *, second_provider: bool = False) -> Mads:
    """Mads with a sent § 85 decision, in the bestilling phase. With `second_provider`, goal 3
    (the hash goal) is supported by a misbrugscenter with an indsats of its own."""
    sag = sag_in_phase(Fase.SAGSOPLYSNING, team=caseworker.teams.get(), sagsbehandler=caseworker)
    sag.borger.fornavn, sag.borger.efternavn = "Mads", "Madsen"
    sag.borger.save()
    Sagsaabning.objects.filter(sag=sag).update(
        oensker_for_fremtiden="Jeg vil gerne stoppe med at ryge hash og have mere styr på det hele",
        repraesenteret=True,
        repraesentationsform="bisidder",
        fuldmagt="Fuldmagt til mor, Malene",
    )
    Diagnose.objects.create(sag=sag, diagnose="Tourettes syndrom (F 95.2)", stillet_af="BUP")
    udredning = udredning_start(actor=caseworker, sag=sag)
    tema_oplysning_save(
        actor=caseworker,
        udredning=udredning,
        tema=_current(Tema, navn="Relationer"),
        fra_borgeren="Jeg har omkring 100 venner og kan ikke sige nej, når de vil sove hos mig.",
    )
    for navn, vaerdi in MADS_SCORES.items():
        funktionsevne_score(
            actor=caseworker,
            udredning=udredning,
            undertema=_current(Undertema, navn=navn),
            vaerdi=vaerdi,
        )
    sag = sag_transition(actor=caseworker, sag=sag, name="start_sagsvurdering")
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
        handleplan_tilbudt=True,
        handleplan_oensket=True,
        handleplan_status="under_udarbejdelse",
    )
    x_hus, _ = Organisation.objects.get_or_create(
        navn="Socialpædagogisk opholdssted X-Hus", defaults={"p_nummer": "1012345678"}
    )
    other = (
        Organisation.objects.get_or_create(navn="Misbrugscenter Randers")[0]
        if second_provider
        else None
    )
    for nr, (text, sub, expected, hours) in enumerate(MADS_GOALS, start=1):
        maal_add(
            actor=caseworker,
            vurdering=vurdering,
            maalformulering=text,
            maaltype=_current(Maaltype, navn="Udvikle funktionsevne"),
            primaert_undertema=_current(Undertema, navn=sub),
            forventet_niveau=expected,
            udfoerer=other if other is not None and nr == 3 else x_hus,
            timer_pr_uge=Decimal(hours),
        )
    stoettebehov_set(actor=caseworker, vurdering=vurdering, vaerdi=3)
    r85 = KommunalYdelse.objects.current().get(kommune__slug="randers", kode="R-85")
    indsats = indsats_add(
        actor=caseworker,
        vurdering=vurdering,
        ydelser=[
            _current(Ydelse, navn="Støtte til daglige opgaver i hjemmet"),
            _current(Ydelse, navn="Støtte til administration"),
            _current(Ydelse, navn="Støtte til uddannelse"),
            _current(Ydelse, navn="Støtte til sociale relationer"),
        ],
        kommunal_ydelse=r85,
        tilbudstype=_current(Tilbudstype, navn="Mobilt tilbud"),
        udfoerer=x_hus,
        forventet_start=date(2026, 10, 1),
    )
    prislinje_add(
        actor=caseworker,
        indsats=indsats,
        ydelse=_current(Ydelse, navn="Støtte til daglige opgaver i hjemmet"),
        enhed="time",
        antal_pr_periode=Decimal(7),
        frekvens="uge",
        gentagelser=26,
        enhedspris=Decimal(500),
    )
    indsatser = [indsats]
    if other is not None:
        indsatser.append(
            indsats_add(
                actor=caseworker,
                vurdering=vurdering,
                ydelser=[_current(Ydelse, navn="Støtte til sund levevis")],
                kommunal_ydelse=r85,
                udfoerer=other,
                forventet_start=date(2026, 10, 1),
            )
        )
    maalgrupper_set(
        actor=caseworker,
        vurdering=vurdering,
        primaer=_current(Maalgruppe, navn="Anden intellektuel/kognitiv forstyrrelse"),
        andre=[_current(Maalgruppe, navn="Stofmisbrug")],
    )
    sag, afgoerelse = granted_in_writing(
        caseworker,
        sag,
        indsatser,
        truffet=date(2026, 9, 15),
        virkningsdato=date(2026, 10, 1),
        beskrivelse="socialpædagogisk støtte efter servicelovens § 85",
        kommunal_ydelse=r85,
        omfang="8 timer om ugen",
    )
    afgoerelse.refresh_from_db()
    return Mads(sag, vurdering, afgoerelse, x_hus, indsats, other)


def granted_in_writing(
    caseworker: User,
    sag: Sag,
    indsatser: list[Indsats],
    *,
    truffet: date,
    virkningsdato: date,
    beskrivelse: str,
    kommunal_ydelse: KommunalYdelse,
    omfang: str = "",
) -> tuple[Sag, Afgoerelse]:
    """The caseworker grants every indsats in full by a written decision, sends its letter and
    moves the case on to bestilling."""
    sag = sag_transition(actor=caseworker, sag=sag, name="start_afgoerelse")
    afgoerelse = afgoerelse_create(
        actor=caseworker,
        sag=sag,
        truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
        form=Afgoerelse.Form.SKRIFTLIG,
        fuldt_medhold=True,
        truffet=truffet,
        resultater=[
            Resultatlinje(
                beskrivelse=beskrivelse,
                resultat="bevilget",
                omfang=omfang,
                virkningsdato=virkningsdato,
                indsats=indsats,
                kommunal_ydelse=kommunal_ydelse,
            )
            for indsats in indsatser
        ],
    )
    afgoerelse_send(actor=caseworker, afgoerelse=afgoerelse, tekster={})
    sag = sag_transition(actor=caseworker, sag=sag, name="start_bestilling")
    return sag, afgoerelse


def mads_heard_before_the_end(caseworker: User, sag: Sag) -> Partshoering:
    """The partshøring Randers' catalog asks before R-85 ends, answered by Mads."""
    hoering = partshoering_send(
        actor=caseworker,
        sag=sag,
        hvad_hoeres="Opfølgningen viser, at du har nået dine mål; vi vil stoppe støtten.",
        modtager=Partshoering.Modtager.BORGER,
        svarfrist=minimum_answer_date(),
    )
    return partshoering_answer(
        actor=caseworker,
        partshoering=hoering,
        svar="Jeg er enig i, at støtten kan stoppe.",
        modtaget=timezone.localdate(),  # MADS_NOW's day: the tests run under mads_time
    )
