"""Sagsoplysning: the udredning theme by theme, scores with history, consent before obtaining
information, and partshøring (PDF, deadline, blocking the decision).

Dates are relative to the suite's instant (tests/clock.py), except the dated home visit of
Mads's udredning, which is pinned: consents given today, answer deadlines days ahead, a catalog
version ended yesterday. None of the rules depends on which day today is.
"""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from assessment.models import Funktionsevnevurdering, Partshoering
from assessment.selectors.udredning import current_scores, udredning_overview
from assessment.services.partshoering import partshoering_answer, partshoering_send
from assessment.services.udredning import (
    funktionsevne_score,
    indhentning_request,
    kilde_add,
    tema_oplysning_save,
    udredning_start,
)
from cases.lifecycle import Fase, blockers
from cases.models import Relation, Sag, Samtykke
from cases.services.sag import TransitionBlocked, sag_transition
from cases.services.sagsaabning import samtykke_register, samtykke_withdraw
from tests.catalogs import load_catalog
from tests.factories import RelationFactory, UserFactory, assess_as_refusal, sag_in_phase
from tests.pdf import pdf_text
from vum.access import NotFoundForUser
from vum.audit.models import AuditAction, AuditEvent
from vum.catalog.models import Tema, Undertema
from vum.deadlines.models import Frist

pytestmark = pytest.mark.django_db

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


@pytest.fixture(autouse=True)
def catalog(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


@pytest.fixture
def sag(caseworker) -> Sag:
    return sag_in_phase(Fase.SAGSOPLYSNING, team=caseworker.teams.get(), sagsbehandler=caseworker)


def undertema(navn: str) -> Undertema:
    return Undertema.objects.current().get(navn=navn)


def tema(navn: str) -> Tema:
    return Tema.objects.current().get(navn=navn)


@pytest.mark.now("2026-09-04 10:00")  # the day after the home visit
def test_the_mads_udredning_with_scores_and_history(caseworker, sag: Sag) -> None:
    udredning = udredning_start(actor=caseworker, sag=sag)
    relationer = tema_oplysning_save(
        actor=caseworker,
        udredning=udredning,
        tema=tema("Relationer"),
        fra_borgeren=(
            "Jeg har omkring 100 venner. Der er tit venner, der sover her. Jeg kan ikke sige nej."
        ),
        bemaerkninger="Hjemmebesøg 3. september, moren deltog.",
        fremhaevede_undertemaer=[undertema("Indgå i samspil og kontakt")],
    )
    kilde_add(
        actor=caseworker,
        tema_oplysning=relationer,
        titel="Notat fra hjemmebesøg",
        dato=date(2026, 9, 3),
        udsagn_af="Malene (mor)",
    )
    for navn, vaerdi in MADS_SCORES.items():
        funktionsevne_score(
            actor=caseworker,
            udredning=udredning,
            undertema=undertema(navn),
            vaerdi=vaerdi,
            vurderingsdato=date(2026, 9, 3),
        )
    scores = {s.undertema.navn: s.niveau.vaerdi for s in current_scores(sag=sag).values()}
    assert scores == MADS_SCORES

    funktionsevne_score(
        actor=caseworker, udredning=udredning, undertema=undertema("Varetage bolig"), vaerdi=2
    )
    assert current_scores(sag=sag)[undertema("Varetage bolig").pk].niveau.vaerdi == 2
    history = Funktionsevnevurdering.objects.filter(undertema=undertema("Varetage bolig"))
    assert [h.niveau.vaerdi for h in history] == [2, 1]

    overview = udredning_overview(user=caseworker, sag=sag)
    assert [k.kategori.navn for k in overview.kategorier] == [
        "Funktioner og forhold",
        "Omgivelsesfaktorer",
        "Aktivitet og deltagelse",
    ]
    assert sum(len(k.temaer) for k in overview.kategorier) == 11
    assert [n.vaerdi for n in overview.niveauer] == [0, 1, 2, 3, 4]
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="assessment.Udredning"
    ).exists()


def test_funktioner_og_forhold_take_no_score(caseworker, sag: Sag) -> None:
    """Grete's udredning informs Fysiske funktioner in words; a score there is refused."""
    udredning = udredning_start(actor=caseworker, sag=sag)
    tema_oplysning_save(
        actor=caseworker,
        udredning=udredning,
        tema=tema("Fysiske funktioner"),
        fra_borgeren="Jeg har KOL og bliver hurtigt forpustet.",
    )
    with pytest.raises(ValidationError, match="kan ikke have et funktionsevneniveau"):
        funktionsevne_score(
            actor=caseworker, udredning=udredning, undertema=undertema("Bevægelse"), vaerdi=2
        )
    with pytest.raises(ValidationError, match="0 til 4"):
        funktionsevne_score(
            actor=caseworker, udredning=udredning, undertema=undertema("Lave mad"), vaerdi=5
        )
    assert not Funktionsevnevurdering.objects.exists()


def test_left_out_information_needs_a_reason(caseworker, sag: Sag) -> None:
    udredning = udredning_start(actor=caseworker, sag=sag)
    with pytest.raises(ValidationError) as excinfo:
        tema_oplysning_save(
            actor=caseworker,
            udredning=udredning,
            tema=tema("Sociale forhold"),
            udeladt_oplysning="Borgerens syn på naboerne",
        )
    assert "udeladt_begrundelse" in excinfo.value.message_dict


def test_sagsvurdering_needs_an_informed_theme(caseworker, sag: Sag) -> None:
    assert blockers(sag, "start_sagsvurdering") == [
        "Mindst ét tema i udredningen skal være oplyst."
    ]
    udredning = udredning_start(actor=caseworker, sag=sag)
    tema_oplysning_save(
        actor=caseworker, udredning=udredning, tema=tema("Relationer"), fra_borgeren=" "
    )
    assert blockers(sag, "start_sagsvurdering")  # blank text informs nothing
    tema_oplysning_save(
        actor=caseworker, udredning=udredning, tema=tema("Relationer"), fra_borgeren="Mange venner."
    )
    moved = sag_transition(actor=caseworker, sag=sag, name="start_sagsvurdering")
    assert moved.fase == Fase.SAGSVURDERING
    with pytest.raises(ValidationError, match="kun ændres, mens sagen er i sagsoplysning"):
        tema_oplysning_save(
            actor=caseworker, udredning=udredning, tema=tema("Relationer"), fra_borgeren="Ændret"
        )


def test_a_reused_udredning_needs_consent_and_carries_the_themes(caseworker, sag: Sag) -> None:
    first = udredning_start(actor=caseworker, sag=sag)
    tema_oplysning_save(
        actor=caseworker, udredning=first, tema=tema("Relationer"), fra_borgeren="Mange venner."
    )
    with pytest.raises(ValidationError, match="samtykke"):
        udredning_start(actor=caseworker, sag=sag, forrige=first)
    second = udredning_start(
        actor=caseworker,
        sag=sag,
        forrige=first,
        genbrug_samtykke_givet=timezone.localdate(),
        genbrug_samtykke_form=Samtykke.Form.MUNDTLIGT,
    )
    carried = second.temaer.get()
    assert (carried.fra_borgeren, carried.overfoert) == ("Mange venner.", True)
    updated = tema_oplysning_save(
        actor=caseworker, udredning=second, tema=tema("Relationer"), fra_borgeren="Færre venner."
    )
    assert updated.overfoert is False
    assert first.temaer.get().fra_borgeren == "Mange venner."


def test_scores_cannot_be_rewritten_in_the_database(caseworker, sag: Sag) -> None:
    udredning = udredning_start(actor=caseworker, sag=sag)
    funktionsevne_score(
        actor=caseworker, udredning=udredning, undertema=undertema("Lave mad"), vaerdi=3
    )
    with (
        pytest.raises(DatabaseError, match="kan kun tilføjes rækker"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE assessment_funktionsevnevurdering SET vurderingsdato = now()")


# Obtaining information


def test_obtaining_information_needs_an_unwithdrawn_matching_consent(caseworker, sag: Sag) -> None:
    with pytest.raises(ValidationError) as excinfo:
        indhentning_request(
            actor=caseworker, sag=sag, part=Samtykke.Part.EGEN_LAEGE, hvad="Statusattest"
        )
    assert "ikke givet et gældende samtykke" in excinfo.value.message_dict["part"][0]

    samtykke = samtykke_register(
        actor=caseworker,
        sag=sag,
        retning=Samtykke.Retning.INDHENTELSE,
        part=Samtykke.Part.EGEN_LAEGE,
        form=Samtykke.Form.SKRIFTLIGT,
        givet=timezone.localdate() - timedelta(days=3),
    )
    request = indhentning_request(
        actor=caseworker, sag=sag, part=Samtykke.Part.EGEN_LAEGE, hvad="Statusattest"
    )
    assert request.samtykke == samtykke

    # Consent to pass information on is not consent to obtain it.
    samtykke_register(
        actor=caseworker,
        sag=sag,
        retning=Samtykke.Retning.VIDEREGIVELSE,
        part=Samtykke.Part.HOSPITAL,
        form=Samtykke.Form.SKRIFTLIGT,
        givet=timezone.localdate(),
    )
    with pytest.raises(ValidationError):
        indhentning_request(
            actor=caseworker, sag=sag, part=Samtykke.Part.HOSPITAL, hvad="Udskrivningsbrev"
        )

    samtykke_withdraw(actor=caseworker, samtykke=samtykke, tilbagekaldt=timezone.localdate())
    with pytest.raises(ValidationError):
        indhentning_request(
            actor=caseworker, sag=sag, part=Samtykke.Part.EGEN_LAEGE, hvad="Journal"
        )


# Partshøring


def _send(caseworker, sag: Sag, days: int = 14, **kwargs) -> Partshoering:
    return partshoering_send(
        actor=caseworker,
        sag=sag,
        hvad_hoeres=kwargs.pop(
            "hvad_hoeres", "Statusattest fra egen læge af 2. juni om dit helbred."
        ),
        modtager=kwargs.pop("modtager", Partshoering.Modtager.BORGER),
        svarfrist=timezone.localdate() + timedelta(days=days),
        **kwargs,
    )


def test_the_answer_deadline_is_at_least_14_days(caseworker, sag: Sag) -> None:
    with pytest.raises(ValidationError, match="mindst 14 dage"):
        _send(caseworker, sag, days=13)
    assert not Partshoering.objects.exists()


def test_the_hearing_letter_is_a_pdf_with_the_heard_information(caseworker, sag: Sag) -> None:
    hoering = _send(caseworker, sag, days=21)
    pdf = bytes(hoering.brev_pdf)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Partshøring" in text
    assert "Statusattest fra egen læge af 2. juni om dit helbred." in text
    assert sag.borger.navn in text
    svarfrist = hoering.svarfrist
    assert f"{svarfrist.day}. " in text
    assert "Randers Kommune" in text
    assert hoering.frist is not None
    assert hoering.frist.art == Frist.Art.PARTSHOERING
    assert AuditEvent.objects.filter(action=AuditAction.PRINT, borger_id=sag.borger_id).exists()


def test_a_guardian_gets_the_letter_only_when_registered(caseworker, sag: Sag) -> None:
    with pytest.raises(ValidationError, match="værge"):
        _send(caseworker, sag, modtager=Partshoering.Modtager.VAERGE)
    vaerge = RelationFactory(borger=sag.borger, type=Relation.Type.VAERGE, vaergemaalsform="par5")
    hoering = _send(
        caseworker, sag, modtager=Partshoering.Modtager.VAERGE, modtager_relation=vaerge
    )
    assert hoering.modtager_navn == vaerge.navn


def test_an_open_hearing_blocks_the_decision_until_answered_or_expired(
    caseworker, sag: Sag
) -> None:
    vurdering = sag_in_phase(Fase.SAGSVURDERING, team=sag.team, sagsbehandler=caseworker)
    assess_as_refusal(vurdering)
    hoering = _send(caseworker, vurdering, days=14)
    reasons = blockers(vurdering, "start_afgoerelse")
    assert len(reasons) == 1
    assert "afventer svar" in reasons[0]
    with pytest.raises(TransitionBlocked):
        sag_transition(actor=caseworker, sag=vurdering, name="start_afgoerelse")

    partshoering_answer(
        actor=caseworker,
        partshoering=hoering,
        svar="Jeg er uenig i lægens vurdering.",
        modtaget=timezone.localdate(),
    )
    assert blockers(vurdering, "start_afgoerelse") == []
    assert Frist.objects.get(pk=hoering.frist_id).status == Frist.Status.OVERHOLDT

    expired = _send(caseworker, vurdering, days=14)
    assert blockers(vurdering, "start_afgoerelse")
    deadline = Frist.objects.get(pk=expired.frist_id).frist
    with time_machine.travel(deadline):  # the last moment of the last day: still open
        assert blockers(vurdering, "start_afgoerelse")
    with time_machine.travel(deadline + timedelta(seconds=1)):
        moved = sag_transition(actor=caseworker, sag=vurdering, name="start_afgoerelse")
    assert moved.fase == Fase.AFGOERELSE


def test_a_guardian_whose_guardianship_ended_gets_no_letter(caseworker, sag: Sag) -> None:
    former = RelationFactory(
        borger=sag.borger,
        type=Relation.Type.VAERGE,
        vaergemaalsform="par5",
        gyldig_til=timezone.localdate() - timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="er ikke værge i dag"):
        _send(caseworker, sag, modtager=Partshoering.Modtager.VAERGE, modtager_relation=former)


def test_another_teams_udredning_cannot_be_copied(caseworker, sag: Sag) -> None:
    other_team_case = sag_in_phase(Fase.SAGSOPLYSNING, borger=sag.borger)
    colleague = other_team_case.sagsbehandler or UserFactory(teams=[other_team_case.team])
    theirs = udredning_start(actor=colleague, sag=other_team_case)
    with pytest.raises(NotFoundForUser):
        udredning_start(
            actor=caseworker,
            sag=sag,
            forrige=theirs,
            genbrug_samtykke_givet=timezone.localdate(),
            genbrug_samtykke_form=Samtykke.Form.MUNDTLIGT,
        )
