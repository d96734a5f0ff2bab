"""The case lifecycle: forward moves, the sagsåbning guards, backward moves with reasons.

The one deadline here is 20 days on from the suite's instant (tests/clock.py): the guard reads
that it is open, not its day.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import lifecycle
from cases.lifecycle import Fase, blockers, register_guard
from cases.models import Henvendelse, Overgang, Sag
from cases.services.henvendelse import henvendelse_register
from cases.services.sag import (
    TransitionBlocked,
    TransitionConflict,
    UnknownTransition,
    journalnotat_create,
    sag_transition,
)
from cases.services.sagsaabning import formaal_set, sagsaabning_update
from tests.factories import (
    SagFactory,
    UserFactory,
    assess_as_refusal,
    inform_a_theme,
    sag_in_phase,
)
from vum.access import NotFoundForUser
from vum.audit.models import AuditAction, AuditEvent
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def sag(caseworker) -> Sag:
    return SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)


def move(actor, sag: Sag, name: str, begrundelse: str = "") -> Sag:
    return sag_transition(actor=actor, sag=sag, name=name, begrundelse=begrundelse)


def test_a_new_case_is_blocked_until_sagsaabning_is_complete(caseworker, sag: Sag) -> None:
    with pytest.raises(TransitionBlocked) as excinfo:
        move(caseworker, sag, "start_sagsoplysning")
    assert excinfo.value.reasons == [
        "Borgeren er ikke registreret som informeret om elektronisk registrering.",
        "Formålet med udredningen er ikke fastlagt.",
    ]
    sag.refresh_from_db()
    assert sag.fase == Fase.SAGSAABNING


def test_an_enquiry_from_someone_else_needs_the_citizens_agreement(caseworker) -> None:
    team = caseworker.teams.get()
    henvendelse = henvendelse_register(
        actor=caseworker,
        borger=SagFactory(team=team).borger,
        kilde=Henvendelse.Kilde.LAEGE,
        aarsag="Lægen beder om en vurdering.",
        team=team,
        triage=Henvendelse.Triage.SAG,
    )
    sag = henvendelse.sag
    assert sag is not None
    sagsaabning_update(actor=caseworker, sag=sag, informeret_om_elektronisk_registrering=True)
    formaal_set(actor=caseworker, sag=sag, formaal="Afklare støttebehovet.")
    assert blockers(Sag.objects.get(pk=sag.pk), "start_sagsoplysning") == [
        "Henvendelsen kom ikke fra borgeren selv: borgeren skal være indforstået med, "
        "at sagen påbegyndes."
    ]
    sagsaabning_update(actor=caseworker, sag=sag, borger_indforstaaet=True)
    assert move(caseworker, sag, "start_sagsoplysning").fase == Fase.SAGSOPLYSNING


def test_the_whole_forward_path_is_logged(caseworker) -> None:
    """Sagsåbning to afgørelse; a refusal then closes the case. The later phases have guards of
    their own (a communicated grant, accepted orders), tested with the bestilling."""
    sag = SagFactory(team=caseworker.teams.get(), aabning_ready=True)
    sag = move(caseworker, sag, "start_sagsoplysning")
    inform_a_theme(sag)
    sag = move(caseworker, sag, "start_sagsvurdering")
    assess_as_refusal(sag)
    sag = move(caseworker, sag, "start_afgoerelse")
    assert sag.fase == Fase.AFGOERELSE
    sag = move(caseworker, sag, "afslut", "Afslag; borgeren er orienteret.")
    assert sag.fase == Fase.AFSLUTTET

    log = list(Overgang.objects.filter(sag=sag).values_list("fra_fase", "til_fase", "udfoert_af"))
    assert len(log) == 4
    assert log[0] == (Fase.SAGSAABNING, Fase.SAGSOPLYSNING, caseworker.pk)
    assert log[-1][1] == Fase.AFSLUTTET
    events = AuditEvent.objects.filter(action=AuditAction.TRANSITION, object_id=str(sag.pk))
    assert events.count() == 4
    assert events.filter(borger_id=sag.borger_id, actor=caseworker).count() == 4


def test_follow_up_needs_a_plan_and_delivery_resumes_only_by_its_form(caseworker) -> None:
    """The guards of the follow-up phase; the full round is in tests/test_opfoelgning.py."""
    sag = sag_in_phase(Fase.LEVERING, team=caseworker.teams.get())
    assert blockers(sag, "start_opfoelgning") == ["Der er ingen planlagt opfølgning."]
    sag = sag_in_phase(Fase.OPFOELGNING, team=caseworker.teams.get())
    assert blockers(sag, "fortsaet_levering") == ["Opfølgningsskemaet er ikke afsluttet."]


@pytest.mark.parametrize(
    ("fase", "name", "target"),
    [
        (Fase.SAGSVURDERING, "tilbage_til_sagsoplysning", Fase.SAGSOPLYSNING),
        (Fase.AFGOERELSE, "tilbage_til_sagsvurdering", Fase.SAGSVURDERING),
        (Fase.SAGSOPLYSNING, "afslut", Fase.AFSLUTTET),
    ],
)
def test_backward_moves_need_a_reason_and_keep_it(caseworker, fase, name, target) -> None:
    sag = sag_in_phase(fase, team=caseworker.teams.get())
    with pytest.raises(ValidationError) as excinfo:
        move(caseworker, sag, name, "   ")
    assert "kræver en begrundelse" in str(excinfo.value)
    assert Sag.objects.get(pk=sag.pk).fase == fase

    moved = move(caseworker, sag, name, "Der mangler oplysninger fra egen læge.")
    assert moved.fase == target
    overgang = Overgang.objects.get(sag=sag)
    assert overgang.begrundelse == "Der mangler oplysninger fra egen læge."
    assert (overgang.fra_fase, overgang.til_fase) == (fase, target)


def test_only_a_klar_sag_may_skip_sagsoplysning(caseworker) -> None:
    sag = SagFactory(team=caseworker.teams.get(), aabning_ready=True)
    with pytest.raises(TransitionBlocked) as excinfo:
        move(caseworker, sag, "start_sagsvurdering")
    assert "Kun en klar sag" in excinfo.value.reasons[0]

    sagsaabning_update(
        actor=caseworker, sag=sag, klar_sag=True, klar_sag_ydelse="SEL § 85 socialpædagogisk støtte"
    )
    assert move(caseworker, sag, "start_sagsvurdering").fase == Fase.SAGSVURDERING


def test_unknown_and_impossible_transitions_are_refused(caseworker, sag: Sag) -> None:
    with pytest.raises(UnknownTransition):
        move(caseworker, sag, "delete_everything")
    with pytest.raises(TransitionConflict, match="ikke mulig, når sagen er i sagsåbning"):
        move(caseworker, sag, "start_levering")
    with pytest.raises(TransitionConflict):
        move(caseworker, sag, "revisitation", "Ny vurdering")


def test_the_phase_field_cannot_be_set_directly(sag: Sag) -> None:
    with pytest.raises(AttributeError):
        sag.fase = Fase.AFSLUTTET  # type: ignore[assignment]


def test_a_later_phase_can_register_its_own_guard(caseworker) -> None:
    """Later issues add guards from their own apps; the lifecycle only knows the name."""
    sag = sag_in_phase(Fase.SAGSOPLYSNING, team=caseworker.teams.get())
    inform_a_theme(sag)

    @register_guard("start_sagsvurdering")
    def needs_one_theme(candidate: Sag):
        if candidate.pk == sag.pk:
            yield "Mindst ét tema skal være oplyst."

    try:
        with pytest.raises(TransitionBlocked) as excinfo:
            move(caseworker, sag, "start_sagsvurdering")
        assert excinfo.value.reasons == ["Mindst ét tema skal være oplyst."]
    finally:
        lifecycle._guards["start_sagsvurdering"].remove(needs_one_theme)
    assert move(caseworker, sag, "start_sagsvurdering").fase == Fase.SAGSVURDERING


def test_only_a_caseworker_in_the_team_may_move_the_case(sag: Sag) -> None:
    outsider = UserFactory()
    leader = UserFactory(leder=True, teams=[sag.team])
    for user in (outsider, leader):
        with pytest.raises(NotFoundForUser):
            move(user, sag, "afslut", "Forkert sag")
    assert Sag.objects.get(pk=sag.pk).fase == Fase.SAGSAABNING


def test_closing_a_case_cancels_its_open_deadlines(caseworker) -> None:
    sag = sag_in_phase(Fase.SAGSOPLYSNING, team=caseworker.teams.get())
    frist = frist_create(
        sag=sag,
        art=Frist.Art.SAGSBEHANDLINGSFRIST,
        frist=timezone.now() + timedelta(days=20),
        beskrivelse="Afgørelse",
    )
    move(caseworker, sag, "afslut", "Borgeren har trukket ansøgningen")
    frist.refresh_from_db()
    assert frist.status == Frist.Status.ANNULLERET
    assert not frist.varsler.filter(leveret__isnull=True, annulleret=False).exists()


def test_a_closed_case_is_read_only(caseworker) -> None:
    sag = sag_in_phase(Fase.AFSLUTTET, team=caseworker.teams.get(), sagsbehandler=caseworker)
    with pytest.raises(NotFoundForUser):
        journalnotat_create(actor=caseworker, sag=sag, emne="x", tekst="y")
    with pytest.raises(NotFoundForUser):
        sagsaabning_update(actor=caseworker, sag=sag, borgersamarbejde="Tolk")
