"""The deadline engine: create, move, meet and cancel deadlines, and deliver their warnings.

The database is the only source of truth. Warnings are rows (`Varsel`) armed when a deadline is
created or moved; a Celery beat sweep delivers the due ones. Each batch is claimed with
FOR UPDATE SKIP LOCKED and delivered (notification, e-mail in the outbox, delivered mark) in one
transaction, so two sweeps at once split the work, and a worker killed mid-sweep rolls its batch
back for the next sweep: no warning is lost and none is delivered twice. There are no long-lived
ETA tasks to lose when Redis restarts.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone

from vum.accounts.models import Organisation, Role, Team, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, audit_record_many
from vum.calendar import end_of_day
from vum.deadlines.models import Frist, FristFlytning, Varsel
from vum.notifications.services import Besked, notifikationer_create


@dataclass(frozen=True)
class WarningStep:
    trin: str
    titel: str
    # Days before the due day, at VUM_WARNING_HOUR; None means just after the deadline has passed.
    dage_foer: int | None

    def due(self, frist: datetime) -> datetime:
        if self.dage_foer is None:
            return frist + timedelta(seconds=1)
        day = timezone.localtime(frist).date() - timedelta(days=self.dage_foer)
        return timezone.make_aware(datetime.combine(day, time(settings.VUM_WARNING_HOUR)))


def warning_steps() -> list[WarningStep]:
    steps: list[dict[str, Any]] = settings.VUM_DEADLINE_WARNINGS
    return [WarningStep(**step) for step in steps]


def _arm(frist: Frist, *, now: datetime) -> None:
    """Create the warnings of the deadline's current generation, each at its step's time.

    A step whose time has already passed is skipped (nobody is warned seven days ahead of a
    deadline set for tomorrow), except the overdue warning, which always comes, and the
    on-the-day warning of a deadline created (or moved) on its day after the warning hour, which
    comes at once. Created before the warning hour, the on-the-day warning waits for that hour
    like every other: warnings reach people at the start of their working day, not in the night.
    A warning that would come only after the deadline itself is not armed (a meeting at 06:30
    gets no "Frist i dag" at 07:00): the overdue warning says it."""
    due_today = timezone.localtime(frist.frist).date() == timezone.localtime(now).date()
    varsler = []
    for step in warning_steps():
        due = step.due(frist.frist)
        if step.dage_foer is not None and due >= frist.frist:
            continue
        if due <= now and step.dage_foer is not None:
            if step.dage_foer == 0 and due_today and frist.frist > now:
                due = now  # the warning hour has passed on the day itself: warn at once
            else:
                continue
        varsler.append(
            Varsel(frist=frist, generation=frist.generation, trin=step.trin, forfald=due)
        )
    Varsel.objects.bulk_create(varsler)


def _disarm(frist: Frist) -> None:
    Varsel.objects.filter(frist=frist, leveret__isnull=True, annulleret=False).update(
        annulleret=True
    )


def _snapshot(frist: Frist) -> dict[str, Any]:
    return {"frist": frist.frist.isoformat(), "status": frist.status}


@transaction.atomic
def frist_create(
    *,
    sag: Any,
    art: str,
    frist: datetime,
    beskrivelse: str,
    regel: str = "",
    kilde: str = "",
    ansvarlig: User | None = None,
    ansvarligt_team: Team | None = None,
    ansvarlig_udfoerer: Organisation | None = None,
    actor: User | None = None,
) -> Frist:
    created = Frist(
        sag=sag,
        art=art,
        frist=frist,
        beskrivelse=beskrivelse,
        regel=regel,
        kilde=kilde,
        ansvarlig=ansvarlig,
        ansvarligt_team=ansvarligt_team,
        ansvarlig_udfoerer=ansvarlig_udfoerer,
    )
    created.full_clean(exclude=["sag", "ansvarlig", "ansvarligt_team", "ansvarlig_udfoerer"])
    created.save()
    _arm(created, now=timezone.now())
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=created,
        borger_id=sag.borger_id,
        summary=f"Frist oprettet: {created.get_art_display()}",
        changes={"frist": {"old": None, "new": frist.isoformat()}, "regel": regel},
    )
    return created


def _locked_open(frist: Frist) -> Frist:
    locked = Frist.objects.select_for_update().select_related("sag").get(pk=frist.pk)
    if locked.status != Frist.Status.AABEN:
        raise ValidationError(f"Fristen er allerede {locked.get_status_display().lower()}.")
    return locked


@transaction.atomic
def frist_move(
    *, frist: Frist, til: datetime, begrundelse: str, actor: User | None = None
) -> Frist:
    """Move an open deadline. Its pending warnings are cancelled and new ones armed for the new
    due time, so "seven days before" comes again before the new date."""
    if not begrundelse.strip():
        raise ValidationError({"begrundelse": "Angiv hvorfor fristen flyttes."})
    if til <= timezone.now():
        raise ValidationError(
            {"til": "En frist kan ikke flyttes til et tidspunkt, der er passeret."}
        )
    locked = _locked_open(frist)
    if locked.art == Frist.Art.PARTSHOERING:
        _refuse_shortening_a_hearing(locked, til)
    before = _snapshot(locked)
    before_due = locked.frist
    FristFlytning.objects.create(
        frist=locked, fra=locked.frist, til=til, begrundelse=begrundelse, flyttet_af=actor
    )
    _disarm(locked)
    locked.frist = til
    locked.generation += 1
    locked.save(update_fields=["frist", "generation"])
    _arm(locked, now=timezone.now())
    if locked.art == Frist.Art.SAGSBEHANDLINGSFRIST and til > before_due:
        _ask_to_inform_the_citizen(locked, begrundelse)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        borger_id=locked.sag.borger_id,
        summary=f"Frist flyttet: {locked.get_art_display()}",
        changes={
            "frist": {"old": before["frist"], "new": til.isoformat()},
            "begrundelse": begrundelse,
        },
    )
    return locked


def _refuse_shortening_a_hearing(frist: Frist, til: datetime) -> None:
    """A partshøring's answer deadline is the citizen's time to answer (forvaltningslovens
    § 19): it may be extended at their request, never shortened below the deadline their letter
    gave or the statutory minimum (`Partshoering.earliest_answer_day`)."""
    hearing = getattr(frist, "partshoering", None)
    if hearing is None:
        return
    earliest = hearing.earliest_answer_day()
    if til < end_of_day(earliest):  # a deadline runs to the end of its day
        raise ValidationError(
            {
                "til": (
                    "Svarfristen for en partshøring kan kun forlænges, ikke forkortes "
                    f"(forvaltningslovens § 19): borgeren har frist til {earliest:%d.%m.%Y}, "
                    "så fristen kan tidligst flyttes til den dag."
                )
            }
        )


def _ask_to_inform_the_citizen(frist: Frist, begrundelse: str) -> None:
    """A processing deadline that cannot be kept must be explained to the citizen, with when a
    decision can be expected (RSL § 3 stk. 2): the caseworker is asked to write to them."""
    due = formats.date_format(timezone.localtime(frist.frist), "j. F Y")
    notifikationer_create(
        beskeder=[
            Besked(
                modtager=modtager,
                titel=f"Orientér borgeren om forlænget sagsbehandlingsfrist, sag {frist.sag_id}",
                tekst=(
                    f"Sagsbehandlingsfristen er forlænget til {due} ({begrundelse}). Borgeren skal "
                    "have besked om, hvornår der kan forventes en afgørelse."
                ),
                link=reverse("sag_detail", args=[frist.sag_id]),
                kilde=f"forlaenget:{frist.pk}:{frist.generation}",
            )
            for modtager in _recipients(frist)
        ]
    )


@transaction.atomic
def frist_meet(*, frist: Frist, actor: User | None = None, now: datetime | None = None) -> Frist:
    """Close a deadline as done: met if on time, missed (overskredet) if late."""
    locked = _locked_open(frist)
    now = now or timezone.now()
    before = _snapshot(locked)
    locked.status = Frist.Status.OVERHOLDT if now <= locked.frist else Frist.Status.OVERSKREDET
    locked.afsluttet = now
    locked.save(update_fields=["status", "afsluttet"])
    _disarm(locked)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        borger_id=locked.sag.borger_id,
        summary=f"Frist afsluttet: {locked.get_status_display().lower()}",
        changes={"status": {"old": before["status"], "new": locked.status}},
    )
    return locked


@transaction.atomic
def frist_cancel(*, frist: Frist, begrundelse: str, actor: User | None = None) -> Frist:
    if not begrundelse.strip():
        raise ValidationError({"begrundelse": "Angiv hvorfor fristen annulleres."})
    locked = _locked_open(frist)
    locked.status = Frist.Status.ANNULLERET
    locked.afsluttet = timezone.now()
    locked.save(update_fields=["status", "afsluttet"])
    _disarm(locked)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        borger_id=locked.sag.borger_id,
        summary=f"Frist annulleret: {locked.get_art_display()}",
        changes={
            "status": {"old": Frist.Status.AABEN, "new": locked.status},
            "begrundelse": begrundelse,
        },
    )
    return locked


def _recipients(frist: Frist) -> list[User]:
    """Who answers for a deadline, by the same rule as "Mine frister" (`FristQuerySet.for_user`):
    the responsible person; else the responsible team's caseworkers; else the case's caseworker;
    else, for a case nobody has taken yet, its team's caseworkers. A provider's deadline warns
    the provider's staff."""
    if frist.ansvarlig_udfoerer is not None:
        return list(frist.ansvarlig_udfoerer.staff.filter(is_active=True, role=Role.UDFOERER))
    if frist.ansvarlig is not None:
        return [frist.ansvarlig] if frist.ansvarlig.is_active else []
    if frist.ansvarligt_team is None and frist.sag.sagsbehandler is not None:
        caseworker = frist.sag.sagsbehandler
        return [caseworker] if caseworker.is_active else []
    team = frist.ansvarligt_team or frist.sag.team
    return [u for u in team.members.all() if u.role == Role.SAGSBEHANDLER and u.is_active]


def _besked(varsel: Varsel, step: WarningStep, modtager: User) -> Besked:
    frist = varsel.frist
    due = formats.date_format(timezone.localtime(frist.frist), "j. F Y")
    runs_out = "udløb" if step.dage_foer is None else "udløber"
    return Besked(
        modtager=modtager,
        titel=f"{step.titel}: {frist.get_art_display().lower()}, sag {frist.sag_id}",
        tekst=f"{frist.beskrivelse}. Fristen {runs_out} {due}.",
        link=(
            reverse("orders:udfoerer-borgere")
            if frist.ansvarlig_udfoerer_id is not None
            else reverse("sag_detail", args=[frist.sag_id])
        ),
        kilde=f"varsel:{varsel.pk}",
    )


def varsler_deliver_due(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Deliver every warning that is due. Safe to run in several processes at once and to run
    again after a crash. Returns how many warnings this call delivered."""
    now = now or timezone.now()
    batch_size = batch_size or settings.VUM_WARNING_BATCH_SIZE
    steps = {step.trin: step for step in warning_steps()}
    delivered = 0
    while True:
        with transaction.atomic():
            batch = list(
                Varsel.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(leveret__isnull=True, annulleret=False, forfald__lte=now)
                .select_related(
                    "frist__sag__team",
                    "frist__sag__sagsbehandler",
                    "frist__ansvarlig",
                    "frist__ansvarligt_team",
                )
                .prefetch_related("frist__sag__team__members", "frist__ansvarligt_team__members")
                .order_by("forfald", "id")[:batch_size]
            )
            if not batch:
                return delivered
            beskeder = [
                _besked(v, steps[v.trin], modtager)
                for v in batch
                if v.trin in steps
                for modtager in _recipients(v.frist)
            ]
            notifikationer_create(beskeder=beskeder)
            Varsel.objects.filter(pk__in=[v.pk for v in batch]).update(leveret=now)
            audit_record_many(
                actor=None,
                action=AuditAction.UPDATE,
                objects=[v.frist for v in batch],
                summary="Varsel om frist leveret",
            )
            delivered += len(batch)


@transaction.atomic
def frist_close_passed_meetings(*, now: datetime) -> int:
    """An agreed meeting is kept by taking place: once its time has passed it no longer is the
    case's next deadline. Returns how many were closed; running it again closes none."""
    passed = list(
        Frist.objects.select_for_update(skip_locked=True, of=("self",))
        .overdue(now)
        .filter(art=Frist.Art.AFTALE)
        .select_related("sag")
    )
    if not passed:
        return 0
    Frist.objects.filter(pk__in=[f.pk for f in passed]).update(
        status=Frist.Status.OVERHOLDT, afsluttet=now
    )
    Varsel.objects.filter(frist__in=passed, leveret__isnull=True, annulleret=False).update(
        annulleret=True
    )
    audit_record_many(
        actor=None,
        action=AuditAction.UPDATE,
        objects=passed,
        summary="Aftalt møde afholdt; fristen er lukket",
    )
    return len(passed)
