"""Planning a follow-up with its timeline of deadlines (statusnotat, review, meeting, form, new
handleplan), the meeting the provider calls, the provider's statusnotat, and cancelling a
meeting."""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.lifecycle import Fase
from cases.models import Sag
from cases.services.sag import TransitionError, sag_move
from followup.models import (
    Opfoelgning,
    Opfoelgningsskema,
    Statusnotat,
    StatusnotatMaal,
)
from followup.scheduling import next_follow_up
from orders.content import latest_grant
from orders.models import Bestilling
from orders.services.common import (
    bestilling_navn,
    fornavn_initialer,
    order_staff_notify,
    udfoerer_link,
)
from vum import calendar
from vum.access import Action, NotFoundForUser, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_cancel, frist_create, frist_meet, frist_move
from vum.notifications.services import Besked, notifikationer_create

# The timeline around a meeting (seed 000 3.8-3.10.2).
STATUSNOTAT_DAYS_BEFORE = 14


FORM_DAYS_AFTER = 14


HANDLEPLAN_DAYS_AFTER = 14


DELIVERY_PHASES = (Fase.LEVERING, Fase.OPFOELGNING)


def phase_move(*, actor: User, sag: Sag, name: str, begrundelse: str = "") -> Sag:
    """A phase move as part of a follow-up outcome; a move another user made first, or a guard
    that no longer holds, is told to the user like any other validation error."""
    try:
        return sag_move(actor=actor, sag=sag, name=name, begrundelse=begrundelse)
    except TransitionError as exc:
        raise ValidationError([exc.message, *exc.reasons]) from exc


def _active_order(sag: Sag) -> Bestilling | None:
    return Bestilling.objects.filter(sag=sag).active().select_related("udfoerer").first()


def open_follow_up(sag: Sag) -> Opfoelgning | None:
    return (
        Opfoelgning.objects.filter(
            sag=sag, status__in=[Opfoelgning.Status.PLANLAGT, Opfoelgning.Status.INDKALDT]
        )
        .order_by("dato")
        .first()
    )


def _timeline_days(meeting: date) -> dict[str, date]:
    """The last day of each step around a follow-up meeting. The statusnotat and the form are
    due at the latest, so a closed day comes back to the working day before."""
    note = calendar.previous_working_day(meeting - timedelta(days=STATUSNOTAT_DAYS_BEFORE))
    return {
        Frist.Art.STATUSNOTAT: note,
        Frist.Art.STATUSNOTAT_GENNEMGANG: note,
        Frist.Art.OPFOELGNING: meeting,
        Frist.Art.OPFOELGNINGSSKEMA: calendar.add_no_later(
            meeting, FORM_DAYS_AFTER, calendar.Unit.DAYS
        ),
    }


def _timeline(actor: User | None, opfoelgning: Opfoelgning) -> list[Frist]:
    sag = opfoelgning.sag
    days = _timeline_days(opfoelgning.dato)
    note_due = calendar.end_of_day(days[Frist.Art.STATUSNOTAT])
    common: dict[str, Any] = {"sag": sag, "actor": actor}
    caseworker: dict[str, Any] = {"ansvarlig": sag.sagsbehandler, "ansvarligt_team": sag.team}
    frister = [
        frist_create(
            art=Frist.Art.STATUSNOTAT,
            frist=note_due,
            beskrivelse="Udførerens statusnotat til opfølgningen",
            regel=f"Senest {STATUSNOTAT_DAYS_BEFORE} dage før opfølgningsmødet",
            ansvarlig_udfoerer=opfoelgning.udfoerer,
            **common,
        )
        if opfoelgning.udfoerer is not None
        else None,
        frist_create(
            art=Frist.Art.STATUSNOTAT_GENNEMGANG,
            frist=note_due,
            beskrivelse="Gennemgå statusnotatet (mødet kan aflyses, hvis det er utilstrækkeligt)",
            regel=f"{STATUSNOTAT_DAYS_BEFORE} dage før opfølgningsmødet",
            **caseworker,
            **common,
        ),
        frist_create(
            art=Frist.Art.OPFOELGNING,
            frist=calendar.end_of_day(days[Frist.Art.OPFOELGNING]),
            beskrivelse="Opfølgningsmøde",
            regel=opfoelgning.grundlag[:300],
            **caseworker,
            **common,
        ),
        frist_create(
            art=Frist.Art.OPFOELGNINGSSKEMA,
            frist=calendar.end_of_day(days[Frist.Art.OPFOELGNINGSSKEMA]),
            beskrivelse="Udfyld opfølgningsskemaet",
            regel=f"Senest {FORM_DAYS_AFTER} dage efter opfølgningsmødet",
            **caseworker,
            **common,
        ),
    ]
    return [f for f in frister if f is not None]


@transaction.atomic
def opfoelgning_plan(
    *, actor: User | None, sag: Sag, after: date | None = None, agreed: date | None = None
) -> Opfoelgning:
    """Plan the next follow-up from the rules (`followup.scheduling`), with its timeline of
    deadlines. With no actor it is the daily planning task. The provider is told."""
    if actor is not None:
        require(actor, Action.EDIT, sag)
    locked = (
        Sag.objects.select_for_update(of=("self",))
        .select_related("team", "sagsbehandler")
        .get(pk=sag.pk)
    )
    existing = open_follow_up(locked)
    if existing is not None:
        return existing
    decision = latest_grant(locked)
    if decision is None or locked.fase not in DELIVERY_PHASES:
        raise ValidationError("Opfølgning planlægges, når en bevilget indsats leveres.")
    order = _active_order(locked)
    last = (
        Opfoelgning.objects.filter(sag=locked, status=Opfoelgning.Status.AFSLUTTET)
        .select_related("skema")
        .order_by("-dato", "-pk")
        .first()
    )
    held = last is not None
    if after is not None:
        start = after
    elif last is not None:
        start = timezone.localtime(last.held_at()).date()
    else:
        start = order.startdato if order is not None else decision.truffet
    forslag = next_follow_up(afgoerelse=decision, after=start, first=not held, agreed=agreed)
    opfoelgning = Opfoelgning.objects.create(
        sag=locked,
        dato=forslag.dato,
        grundlag=forslag.grundlag,
        udfoerer=order.udfoerer if order is not None else None,
    )
    opfoelgning.frister.set(_timeline(actor, opfoelgning))
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=opfoelgning,
        summary=f"Opfølgning planlagt {forslag.dato:%d.%m.%Y}",
        changes={"grundlag": forslag.grundlag},
    )
    if order is not None:
        borger = fornavn_initialer(locked.borger)
        order_staff_notify(
            bestilling=order,
            titel=f"Opfølgning planlagt: {borger}",
            tekst=f"Opfølgning på bestillingen af {bestilling_navn(order)} til {borger} senest "
            f"{forslag.dato:%d.%m.%Y}. Indkald til mødet, og send statusnotatet senest "
            f"{STATUSNOTAT_DAYS_BEFORE} dage før.",
            link=udfoerer_link(order, "opfoelgning"),
            kilde=f"opfoelgning-{opfoelgning.pk}",
        )
    return opfoelgning


def plan_missing_follow_ups(*, limit: int = 500) -> int:
    """The daily task: every case in delivery has a planned follow-up. Safe to run twice."""
    planned = 0
    cases = Sag.objects.filter(fase=Fase.LEVERING).exclude(
        opfoelgninger__status__in=[Opfoelgning.Status.PLANLAGT, Opfoelgning.Status.INDKALDT]
    )
    for sag in cases[:limit]:
        try:
            opfoelgning_plan(actor=None, sag=sag)
        except ValidationError:
            continue
        planned += 1
    return planned


def _require_provider(actor: User, opfoelgning: Opfoelgning) -> Bestilling:
    """The provider's staff act on a follow-up through their active order on the case; with
    several providers on the case, the one that calls the meeting (and writes the one
    statusnotat) is the follow-up's `udfoerer`."""
    order = (
        Bestilling.objects.filter(sag=opfoelgning.sag, udfoerer_id=actor.organisation_id)
        .active()
        .first()
    )
    if order is None or opfoelgning.udfoerer_id not in (None, order.udfoerer_id):
        raise NotFoundForUser("Opfølgningen findes ikke eller er ikke tilgængelig for dig.")
    require(actor, Action.DELIVER, order)
    return order


def _timeline_follow_the_meeting(actor: User, opfoelgning: Opfoelgning, day: date) -> None:
    """Once the meeting is called, the statusnotat, the check and the form are counted from it
    (never to a time already passed)."""
    earliest = timezone.now() + timedelta(minutes=1)
    due = _timeline_days(day)
    for frist in opfoelgning.frister.filter(status=Frist.Status.AABEN):
        til = max(calendar.end_of_day(due[Frist.Art(frist.art)]), earliest)
        if til != frist.frist:
            frist_move(
                frist=frist,
                til=til,
                begrundelse=f"Mødet er indkaldt til {day:%d.%m.%Y}",
                actor=actor,
            )


@transaction.atomic
def opfoelgning_call(
    *,
    actor: User,
    opfoelgning: Opfoelgning,
    tidspunkt: datetime,
    form: str,
    sted: str = "",
    deltagere: str = "",
) -> Opfoelgning:
    """The provider calls the meeting: when, how, where, and who takes part (the citizen,
    relatives, værge)."""
    _require_provider(actor, opfoelgning)
    locked = Opfoelgning.objects.select_for_update().get(pk=opfoelgning.pk)
    if locked.status not in (Opfoelgning.Status.PLANLAGT, Opfoelgning.Status.INDKALDT):
        raise ValidationError("Opfølgningen er afsluttet eller aflyst.")
    errors: dict[str, str] = {}
    if form not in Opfoelgning.Form.values:
        errors["form"] = "Vælg mødeformen."
    if form == Opfoelgning.Form.MOEDE and not sted.strip():
        errors["sted"] = "Angiv hvor mødet holdes."
    if tidspunkt < timezone.now():
        errors["tidspunkt"] = "Mødet kan ikke indkaldes til et tidspunkt, der er gået."
    elif timezone.localtime(tidspunkt).date() > locked.dato:
        errors["tidspunkt"] = (
            f"Opfølgningen skal holdes senest {locked.dato:%d.%m.%Y}; vælg en tidligere dato."
        )
    if errors:
        raise ValidationError(errors)
    locked.call()
    locked.moede_tidspunkt, locked.moede_form = tidspunkt, form
    locked.moede_sted, locked.deltagere = sted.strip(), deltagere.strip()
    locked.save()
    _timeline_follow_the_meeting(actor, locked, timezone.localtime(tidspunkt).date())
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Opfølgningsmøde indkaldt {timezone.localtime(tidspunkt):%d.%m.%Y %H:%M}",
        changes={"form": form},
    )
    notifikationer_create(
        beskeder=[
            Besked(
                modtager=user,
                titel="Opfølgningsmøde indkaldt",
                tekst=f"Mødet i sag {locked.sag_id} er "
                f"{timezone.localtime(tidspunkt):%d.%m.%Y kl. %H:%M} "
                f"({locked.get_moede_form_display().lower()}).",
                link=reverse("sag_detail", args=[locked.sag_id]),
                kilde=f"opfoelgning-indkaldt-{locked.pk}-{int(tidspunkt.timestamp())}",
            )
            for user in ([locked.sag.sagsbehandler] if locked.sag.sagsbehandler else [])
        ]
    )
    return locked


@transaction.atomic
def statusnotat_save(
    *,
    actor: User,
    opfoelgning: Opfoelgning,
    maal: dict[int, dict[str, str]],
    vaesentlige_aendringer: str = "",
    bemaerkninger: str = "",
    indsend: bool = False,
) -> Statusnotat:
    """The provider's statusnotat, per ordered goal; sending it meets its deadline."""
    order = _require_provider(actor, opfoelgning)
    if opfoelgning.status not in (Opfoelgning.Status.PLANLAGT, Opfoelgning.Status.INDKALDT):
        raise ValidationError("Opfølgningen er afsluttet eller aflyst.")
    note, _ = Statusnotat.objects.get_or_create(
        opfoelgning=opfoelgning, defaults={"udfoerer": order.udfoerer, "oprettet_af": actor}
    )
    if note.udfoerer_id != order.udfoerer_id:
        raise NotFoundForUser("Opfølgningen findes ikke eller er ikke tilgængelig for dig.")
    if note.indsendt is not None:
        raise ValidationError("Statusnotatet er sendt og kan ikke ændres.")
    ordered = {g.pk: g for g in order.maal.all()}
    unknown = set(maal) - set(ordered)
    if unknown:
        raise ValidationError({"maal": "Statusnotatet kan kun handle om bestillingens mål."})
    if indsend:
        missing = [
            g.raekkefoelge
            for pk, g in ordered.items()
            if not (maal.get(pk) or {}).get("vurdering_af_arbejdet", "").strip()
        ]
        if missing:
            raise ValidationError(
                {"maal": f"Skriv vurderingen af arbejdet med mål {', '.join(map(str, missing))}."}
            )
    note.vaesentlige_aendringer = vaesentlige_aendringer.strip()
    note.bemaerkninger = bemaerkninger.strip()
    for pk, values in maal.items():
        StatusnotatMaal.objects.update_or_create(
            statusnotat=note,
            indsatsmaal=ordered[pk],
            defaults={
                "vurdering_af_arbejdet": values.get("vurdering_af_arbejdet", "").strip(),
                "maalopfyldelse": values.get("maalopfyldelse", "").strip(),
                "niveauaendring": values.get("niveauaendring", "").strip(),
            },
        )
    if indsend:
        note.indsendt = timezone.now()
        open_notes = opfoelgning.frister.filter(
            art=Frist.Art.STATUSNOTAT, status=Frist.Status.AABEN
        )
        for frist in open_notes:
            frist_meet(frist=frist, actor=actor)
    note.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=note,
        summary="Statusnotat sendt" if indsend else "Statusnotat gemt",
    )
    return note


@transaction.atomic
def opfoelgning_cancel(*, actor: User, opfoelgning: Opfoelgning, begrundelse: str) -> Opfoelgning:
    """The caseworker cancels a meeting, e.g. when the statusnotat is inadequate, before the
    form is started; the next one is planned from the follow-up page (or by the daily task)."""
    require(actor, Action.EDIT, opfoelgning.sag)
    if not begrundelse.strip():
        raise ValidationError({"begrundelse": "Skriv hvorfor mødet aflyses."})
    locked = Opfoelgning.objects.select_for_update().get(pk=opfoelgning.pk)
    if locked.status not in (Opfoelgning.Status.PLANLAGT, Opfoelgning.Status.INDKALDT):
        raise ValidationError("Opfølgningen er afsluttet eller aflyst.")
    if Opfoelgningsskema.objects.filter(opfoelgning=locked).exists():
        raise ValidationError("Opfølgningsskemaet er startet; mødet kan ikke længere aflyses.")
    locked.cancel()
    locked.aflyst_begrundelse = begrundelse.strip()
    locked.save()
    for frist in locked.frister.filter(status=Frist.Status.AABEN):
        frist_cancel(frist=frist, begrundelse=f"Mødet er aflyst: {begrundelse}", actor=actor)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, summary="Opfølgning aflyst")
    return locked
