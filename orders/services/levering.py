"""Levering: the provider documents delivery on an accepted order (delmål, their actions and
notes, other notes), reports a use of force, and asks the caseworker for a change."""

from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessment.models import Indsatsmaal
from orders.models import (
    Anmodning,
    Bestilling,
    Delmaal,
    Delmaalsnotat,
    Handling,
    Leveringsnotat,
    Magtanvendelse,
)
from orders.services.common import (
    bestilling_navn,
    caseworkers_notify,
    fornavn_initialer,
    order_staff_notify,
    udfoerer_link,
)
from vum import calendar
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.catalog.models import Undertema
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_create, frist_meet
from vum.notifications.services import notifikationer_handled

# Levering: what the provider writes, always through its current, active bestilling


def _require_delivering(actor: User, bestilling: Bestilling) -> None:
    require(actor, Action.DELIVER, bestilling)


def _require_documenting(actor: User, bestilling: Bestilling) -> None:
    """Sub-goals and notes are written on an order the provider has taken on. (A use of force
    is reported, and a request sent, whatever the order's answer.)"""
    _require_delivering(actor, bestilling)
    # Read again: the object in hand may be from before the answer.
    if not Bestilling.objects.get(pk=bestilling.pk).taken_on:
        raise ValidationError("Accepter bestillingen, før I dokumenterer på den.")


def _ordered_goals(bestilling: Bestilling, goals: Iterable[Indsatsmaal]) -> list[Indsatsmaal]:
    chosen = list(goals)
    ordered = set(bestilling.maal.values_list("pk", flat=True))
    if not chosen:
        raise ValidationError({"indsatsmaal": "Knyt delmålet til mindst ét indsatsmål."})
    if any(g.pk not in ordered for g in chosen):
        raise ValidationError({"indsatsmaal": "Delmål kan kun knyttes til bestillingens mål."})
    return chosen


@transaction.atomic
def delmaal_create(
    *,
    actor: User,
    bestilling: Bestilling,
    formulering: str,
    indsatsmaal: Iterable[Indsatsmaal],
    tidsfrist: date | None = None,
) -> Delmaal:
    _require_documenting(actor, bestilling)
    if not formulering.strip():
        raise ValidationError({"formulering": "Skriv delmålet sammen med borgeren."})
    if tidsfrist is not None and tidsfrist < timezone.localdate():
        raise ValidationError({"tidsfrist": "Tidsfristen ligger i fortiden."})
    goals = _ordered_goals(bestilling, indsatsmaal)
    delmaal = Delmaal.objects.create(
        sag=bestilling.sag,
        udfoerer=bestilling.udfoerer,
        formulering=formulering.strip(),
        tidsfrist=tidsfrist,
        oprettet_af=actor,
    )
    delmaal.indsatsmaal.set(goals)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=delmaal,
        summary="Delmål oprettet",
        changes={"indsatsmaal": [g.pk for g in goals]},
    )
    return delmaal


def _own_delmaal(actor: User, bestilling: Bestilling, delmaal: Delmaal) -> None:
    _require_documenting(actor, bestilling)
    if delmaal.sag_id != bestilling.sag_id or delmaal.udfoerer_id != bestilling.udfoerer_id:
        raise ValidationError("Delmålet hører ikke til denne bestilling.")


@transaction.atomic
def delmaal_set_status(
    *, actor: User, bestilling: Bestilling, delmaal: Delmaal, status: str
) -> Delmaal:
    _own_delmaal(actor, bestilling, delmaal)
    if status not in Delmaal.Status.values:
        raise ValidationError({"status": "Ukendt status."})
    old = delmaal.status
    delmaal.status = status
    delmaal.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=delmaal,
        summary=f"Delmål: {Delmaal.Status(status).label.lower()}",
        changes={"status": {"old": old, "new": status}},
    )
    return delmaal


@transaction.atomic
def handling_add(
    *, actor: User, bestilling: Bestilling, delmaal: Delmaal, beskrivelse: str
) -> Handling:
    _own_delmaal(actor, bestilling, delmaal)
    if not beskrivelse.strip():
        raise ValidationError({"beskrivelse": "Beskriv handlingen."})
    handling = Handling.objects.create(
        delmaal=delmaal, beskrivelse=beskrivelse.strip(), oprettet_af=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=handling,
        borger_id=bestilling.sag.borger_id,
        summary="Handling tilføjet til delmål",
    )
    return handling


@transaction.atomic
def delmaalsnotat_add(
    *, actor: User, bestilling: Bestilling, delmaal: Delmaal, tekst: str, dato: date | None = None
) -> Delmaalsnotat:
    _own_delmaal(actor, bestilling, delmaal)
    dato = dato or timezone.localdate()
    errors: dict[str, str] = {}
    if not tekst.strip():
        errors["tekst"] = "Skriv hvad du har observeret."
    if dato > timezone.localdate():
        errors["dato"] = "Et notat kan ikke dateres frem i tiden."
    if errors:
        raise ValidationError(errors)
    notat = Delmaalsnotat.objects.create(
        delmaal=delmaal, dato=dato, tekst=tekst.strip(), oprettet_af=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=notat,
        borger_id=bestilling.sag.borger_id,
        summary="Delmålsnotat skrevet",
    )
    return notat


@transaction.atomic
def leveringsnotat_add(
    *,
    actor: User,
    bestilling: Bestilling,
    tekst: str,
    undertemaer: Iterable[Undertema] = (),
    dato: date | None = None,
) -> Leveringsnotat:
    _require_documenting(actor, bestilling)
    dato = dato or timezone.localdate()
    errors: dict[str, str] = {}
    if not tekst.strip():
        errors["tekst"] = "Skriv notatet."
    if dato > timezone.localdate():
        errors["dato"] = "Et notat kan ikke dateres frem i tiden."
    tags = list(undertemaer)
    if tags and Undertema.objects.current().filter(pk__in=[t.pk for t in tags]).count() != len(
        {t.pk for t in tags}
    ):
        errors["undertemaer"] = "Vælg undertemaer fra det gældende FFB-katalog."
    if errors:
        raise ValidationError(errors)
    notat = Leveringsnotat.objects.create(
        sag=bestilling.sag,
        udfoerer=bestilling.udfoerer,
        dato=dato,
        tekst=tekst.strip(),
        oprettet_af=actor,
    )
    notat.undertemaer.set(tags)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=notat,
        summary="Notat skrevet",
        changes={"undertemaer": [t.slug for t in tags]},
    )
    return notat


@transaction.atomic
def magtanvendelse_report(
    *, actor: User, bestilling: Bestilling, tidspunkt: datetime, type: str, beskrivelse: str
) -> Magtanvendelse:
    """Report a use of force; the caseworker is notified at once."""
    _require_delivering(actor, bestilling)
    errors: dict[str, str] = {}
    if type not in Magtanvendelse.Type.values:
        errors["type"] = "Vælg typen af magtanvendelse."
    if not beskrivelse.strip():
        errors["beskrivelse"] = "Beskriv hvad der skete."
    if tidspunkt > timezone.now():
        errors["tidspunkt"] = "Tidspunktet ligger i fremtiden."
    elif timezone.localtime(tidspunkt).date() < bestilling.startdato:
        # The provider acts under this order only from its start: an earlier instant is a typo
        # (a wrong year) or belongs to another order.
        errors["tidspunkt"] = (
            f"Tidspunktet ligger før indsatsen startede ({bestilling.startdato:%d.%m.%Y})."
        )
    if errors:
        raise ValidationError(errors)
    report = Magtanvendelse.objects.create(
        sag=bestilling.sag,
        udfoerer=bestilling.udfoerer,
        tidspunkt=tidspunkt,
        type=type,
        beskrivelse=beskrivelse.strip(),
        oprettet_af=actor,
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=report, summary="Magtanvendelse indberettet"
    )
    borger = fornavn_initialer(bestilling.sag.borger)
    # What happened stays in the case (the e-mail copy leaves the system): the link leads to it.
    caseworkers_notify(
        sag=bestilling.sag,
        titel=f"Magtanvendelse indberettet: {borger}",
        tekst=f"{bestilling.udfoerer} har indberettet en magtanvendelse over for {borger} "
        f"(sag {bestilling.sag_id}) under bestillingen af {bestilling_navn(bestilling)}. "
        "Se indberetningen i sagen.",
        link=reverse("orders:sag-bestillinger", args=[bestilling.sag_id])
        + f"#magtanvendelse-{report.pk}",
        kilde=f"magtanvendelse-{report.pk}",
    )
    return report


@transaction.atomic
def anmodning_create(
    *, actor: User, bestilling: Bestilling, art: str, begrundelse: str
) -> Anmodning:
    """The provider asks for revisitation or new goals: a task with a deadline for the
    caseworker, who is notified at once."""
    _require_delivering(actor, bestilling)
    errors: dict[str, str] = {}
    if art not in Anmodning.Art.values:
        errors["art"] = "Vælg hvad der anmodes om."
    if not begrundelse.strip():
        errors["begrundelse"] = "Beskriv hvad der har ændret sig hos borgeren."
    if errors:
        raise ValidationError(errors)
    sag = bestilling.sag
    anmodning = Anmodning.objects.create(
        sag=sag,
        udfoerer=bestilling.udfoerer,
        art=art,
        begrundelse=begrundelse.strip(),
        oprettet_af=actor,
    )
    days = settings.VUM_ANMODNING_WORKING_DAYS
    anmodning.frist = frist_create(
        sag=sag,
        art=Frist.Art.ANMODNING,
        frist=calendar.end_of_day(calendar.add_working_days(timezone.localdate(), days)),
        beskrivelse=f"Besvar anmodning om {anmodning.get_art_display().lower()} fra "
        f"{bestilling.udfoerer}",
        regel=f"{days} arbejdsdage til at besvare en anmodning fra udfører",
        ansvarlig=sag.sagsbehandler,
        ansvarligt_team=sag.team,
        actor=actor,
    )
    anmodning.save(update_fields=["frist"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=anmodning,
        summary=f"Anmodning om {anmodning.get_art_display().lower()}",
    )
    art = anmodning.get_art_display().lower()
    borger = fornavn_initialer(sag.borger)
    caseworkers_notify(
        sag=sag,
        titel=f"Anmodning om {art}: {borger}",
        tekst=f"{bestilling.udfoerer} anmoder om {art} for {borger} (sag {sag.pk}) under "
        f"bestillingen af {bestilling_navn(bestilling)}. "
        f"Svar senest {timezone.localtime(anmodning.frist.frist):%d.%m.%Y}.",
        link=reverse("orders:sag-bestillinger", args=[sag.pk]) + f"#anmodning-{anmodning.pk}",
        kilde=_anmodning_kilde(anmodning),
    )
    return anmodning


def _anmodning_kilde(anmodning: Anmodning) -> str:
    """The cause of the caseworker's notification of a request: the request to answer."""
    return f"anmodning-{anmodning.pk}"


@transaction.atomic
def anmodning_answer(*, actor: User, anmodning: Anmodning, svar: str) -> Anmodning:
    """The caseworker answers; the provider's staff are told, and the task's deadline is met."""
    require(actor, Action.EDIT, anmodning.sag)
    locked = (
        Anmodning.objects.select_for_update(of=("self",))
        .select_related("frist", "udfoerer")
        .get(pk=anmodning.pk)
    )
    if locked.besvaret is not None:
        raise ValidationError("Anmodningen er allerede besvaret.")
    if not svar.strip():
        raise ValidationError({"svar": "Skriv svaret til udføreren."})
    locked.svar = svar.strip()
    locked.besvaret = timezone.now()
    locked.besvaret_af = actor
    locked.save(update_fields=["svar", "besvaret", "besvaret_af"])
    if locked.frist is not None and locked.frist.status == Frist.Status.AABEN:
        frist_meet(frist=locked.frist, actor=actor)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, summary="Anmodning besvaret")
    # Answered by one of the team or another caseworker, it waits for none of those told.
    notifikationer_handled(kilde=_anmodning_kilde(locked))
    # The request was made through the provider's order on the case; its latest version is the
    # one the provider works from.
    order = (
        Bestilling.objects.filter(sag_id=locked.sag_id, udfoerer_id=locked.udfoerer_id)
        .current()
        .select_related("sag__borger", "udfoerer")
        .latest("sendt", "pk")
    )
    borger = fornavn_initialer(order.sag.borger)
    order_staff_notify(
        bestilling=order,
        titel=f"Svar på anmodning: {borger}",
        tekst=f"Sagsbehandleren har besvaret jeres anmodning om "
        f"{locked.get_art_display().lower()} for {borger} under bestillingen af "
        f"{bestilling_navn(order)}.",
        link=udfoerer_link(order, "anmodninger"),
        kilde=f"anmodning-svar-{locked.pk}",
    )
    return locked
