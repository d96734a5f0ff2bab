"""The case as a whole: its phase moves (the lifecycle's transitions with their guards), its
caseworker, its journal, and its deadlines moved, met or cancelled from the case page."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.lifecycle import Fase, begin_phase_work, blockers
from cases.models import (
    Journalnotat,
    Overgang,
    Sag,
)
from vum.access import Action, NotFoundForUser, require
from vum.accounts.models import Role, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, diff, snapshot
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_cancel, frist_meet, frist_move


class TransitionError(Exception):
    """A phase change that cannot happen; `message` is shown to the user."""

    def __init__(self, message: str, *, reasons: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reasons = reasons or []


class UnknownTransition(TransitionError):
    pass


class TransitionBlocked(TransitionError):
    pass


class TransitionConflict(TransitionError):
    """Someone else moved the case first."""


# Journal


@transaction.atomic
def journalnotat_create(
    *,
    actor: User,
    sag: Sag,
    emne: str,
    tekst: str,
    dato: date | None = None,
    retter: Journalnotat | None = None,
) -> Journalnotat:
    """A signed note. With `retter` it is a correction of an earlier note in the same case."""
    require(actor, Action.EDIT, sag)
    if retter is not None:
        retter = Journalnotat.objects.select_for_update().get(pk=retter.pk)
        if retter.sag_id != sag.pk:
            raise ValidationError({"retter": "Et notat kan kun rettes inden for samme sag."})
        if Journalnotat.objects.filter(retter=retter).exists():
            raise ValidationError({"retter": "Notatet er allerede rettet; ret det nyeste notat."})
    now = timezone.now()
    notat = Journalnotat(
        sag=sag,
        emne=emne.strip(),
        tekst=tekst,
        dato=dato or timezone.localdate(),
        forfatter=actor,
        retter=retter,
        underskrift=(
            f"{actor.get_full_name() or actor.username}, {timezone.localtime(now):%d.%m.%Y %H:%M}"
        ),
    )
    notat.full_clean(exclude=["sag", "forfatter", "retter"])
    if notat.dato > timezone.localdate():
        raise ValidationError({"dato": "Et notat kan ikke dateres i fremtiden."})
    notat.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=notat,
        borger_id=sag.borger_id,
        summary="Rettelsesnotat skrevet" if retter else "Journalnotat skrevet",
        changes=diff({}, snapshot(notat, ["dato", "emne", "tekst", "retter"])),
    )
    return notat


# The case's deadlines, by hand from its page


def _own_frist(actor: User, sag: Sag, frist: Frist) -> None:
    """The caseworker may write on the case, and the deadline is one of the case's."""
    require(actor, Action.EDIT, sag)
    if frist.sag_id != sag.pk:
        raise NotFoundForUser("Fristen findes ikke i denne sag.")


def sag_frist_move(
    *, actor: User, sag: Sag, frist: Frist, til: datetime, begrundelse: str
) -> Frist:
    _own_frist(actor, sag, frist)
    return frist_move(frist=frist, til=til, begrundelse=begrundelse, actor=actor)


def sag_frist_meet(*, actor: User, sag: Sag, frist: Frist) -> Frist:
    _own_frist(actor, sag, frist)
    return frist_meet(frist=frist, actor=actor)


def sag_frist_cancel(*, actor: User, sag: Sag, frist: Frist, begrundelse: str) -> Frist:
    _own_frist(actor, sag, frist)
    return frist_cancel(frist=frist, begrundelse=begrundelse, actor=actor)


# The lifecycle


def transition_names() -> list[str]:
    return sorted({t.name for t in Sag.transitions()})


def transition_meta(name: str) -> dict[str, Any]:
    for t in Sag.transitions():
        if t.name == name:
            return dict(t.custom)
    raise UnknownTransition(f"Overgangen '{name}' findes ikke.")


def sag_transition(
    *,
    actor: User,
    sag: Sag,
    name: str,
    begrundelse: str = "",
    expected_fase: str | None = None,
    begin_work: bool = False,
) -> Sag:
    """Move the case along one named transition, or refuse with the reason.

    The row is locked first, so of two users moving the same case at once exactly one wins; the
    other sees that the phase changed (`expected_fase` is the phase their screen showed).
    `begin_work`: the pages' one button also begins the new phase's work (the phase's app says
    what, `register_on_enter`), in the same transaction; the API starts it as a call of its own.
    """
    require(actor, Action.TRANSITION, sag)
    with transaction.atomic():
        moved = sag_move(
            actor=actor, sag=sag, name=name, begrundelse=begrundelse, expected_fase=expected_fase
        )
        if begin_work and not transition_meta(name).get("reason_required"):
            begin_phase_work(moved, actor)
    return moved


def sag_move(
    *,
    actor: User,
    sag: Sag,
    name: str,
    begrundelse: str = "",
    expected_fase: str | None = None,
) -> Sag:
    """`sag_transition` for a phase service that has already checked its own permission, such
    as the visitationsudvalg recording its outcome. The guards, the lock and the log apply."""
    meta = transition_meta(name)
    begrundelse = begrundelse.strip()
    if meta.get("reason_required") and not begrundelse:
        raise ValidationError({"begrundelse": f"'{meta['label']}' kræver en begrundelse."})
    with transaction.atomic():
        locked = Sag.objects.select_for_update().get(pk=sag.pk)
        if expected_fase is not None and locked.fase != expected_fase:
            raise TransitionConflict(
                f"Sagen er i mellemtiden flyttet til {locked.get_fase_display().lower()} af en "
                "anden bruger. Opdatér siden og prøv igen.",
            )
        available = {t.name for t in locked.get_available_fase_transitions()}
        if name not in available:
            reasons = blockers(locked, name)
            allowed_from = {t.source for t in Sag.transitions() if t.name == name}
            if locked.fase not in allowed_from and "*" not in allowed_from:
                raise TransitionConflict(
                    f"'{meta['label']}' er ikke mulig, når sagen er i "
                    f"{locked.get_fase_display().lower()}.",
                )
            raise TransitionBlocked(f"'{meta['label']}' er ikke mulig endnu.", reasons=reasons)
        fra = locked.fase
        getattr(locked, name)()
        locked.fase_skiftet = timezone.now()
        locked.save()
        if locked.fase == Fase.AFSLUTTET:
            for frist in Frist.objects.open().filter(sag=locked):
                frist_cancel(
                    frist=frist, begrundelse=f"Sagen er afsluttet: {begrundelse}", actor=actor
                )
        Overgang.objects.create(
            sag=locked,
            navn=name,
            fra_fase=fra,
            til_fase=locked.fase,
            udfoert_af=actor,
            begrundelse=begrundelse,
        )
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=locked,
            summary=f"{meta['label']}: {Fase(fra).label} → {Fase(locked.fase).label}",
            changes={"fase": {"old": fra, "new": locked.fase}, "begrundelse": begrundelse},
        )
    return locked


@transaction.atomic
def sag_assign(*, actor: User, sag: Sag, sagsbehandler: User) -> Sag:
    require(actor, Action.EDIT, sag)
    if (
        sagsbehandler.role != Role.SAGSBEHANDLER
        or not sagsbehandler.teams.filter(pk=sag.team_id).exists()
    ):
        raise ValidationError(
            {"sagsbehandler": "Sagen kan kun tildeles en sagsbehandler i sagens team."}
        )
    locked = Sag.objects.select_for_update().get(pk=sag.pk)
    old = locked.sagsbehandler_id
    locked.sagsbehandler = sagsbehandler
    locked.save(update_fields=["sagsbehandler"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Sag tildelt {sagsbehandler}",
        changes={"sagsbehandler": {"old": old, "new": sagsbehandler.pk}},
    )
    return locked
