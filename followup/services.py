"""Writes for the follow-up: planning with its timeline of deadlines, the provider's meeting and
statusnotat, the caseworker's form with the personrettet tilsyn, and the outcomes that close the
VUM loop (continue, revise goals, revisitation, end, moving away). Each checks the access policy,
validates, writes and audits in one transaction."""

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from assessment.models import Afgoerelse, AfgoerelsesResultat, Brev, Indsatsmaal, Partshoering
from assessment.services import Resultatlinje, afgoerelse_create, afgoerelse_send
from cases.lifecycle import Fase
from cases.models import Sag, Samtykke
from cases.services import TransitionError, journalnotat_create, sag_move
from followup import dashboard
from followup.models import (
    Noegletal,
    NoegletalOpgoerelse,
    Opfoelgning,
    Opfoelgningsskema,
    Sagsudlevering,
    SkemaMaal,
    Statusnotat,
    StatusnotatMaal,
)
from followup.scheduling import next_follow_up
from orders.content import latest_grant
from orders.models import Bestilling, HandleplanVersion, Magtanvendelse
from orders.services import bestillinger_send
from vum import calendar
from vum.access import Action, NotFoundForUser, require
from vum.accounts.models import Role, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.catalog.models import StatusPaaIndsats
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_cancel, frist_create, frist_meet, frist_move
from vum.notifications.services import Besked, notifikationer_create

# The timeline around a meeting (seed 000 3.8-3.10.2).
STATUSNOTAT_DAYS_BEFORE = 14
FORM_DAYS_AFTER = 14
HANDLEPLAN_DAYS_AFTER = 14
DELIVERY_PHASES = (Fase.LEVERING, Fase.OPFOELGNING)


def _move(*, actor: User, sag: Sag, name: str, begrundelse: str = "") -> Sag:
    """A phase move as part of a follow-up outcome; a move another user made first, or a guard
    that no longer holds, is told to the user like any other validation error."""
    try:
        return sag_move(actor=actor, sag=sag, name=name, begrundelse=begrundelse)
    except TransitionError as exc:
        raise ValidationError([exc.message, *exc.reasons]) from exc


def _active_order(sag: Sag) -> Bestilling | None:
    return Bestilling.objects.filter(sag=sag).active().select_related("udfoerer").first()


def _provider_staff(bestilling: Bestilling | None) -> list[User]:
    if bestilling is None:
        return []
    return list(bestilling.udfoerer.staff.filter(is_active=True, role=Role.UDFOERER))


def open_follow_up(sag: Sag) -> Opfoelgning | None:
    return (
        Opfoelgning.objects.filter(
            sag=sag, status__in=[Opfoelgning.Status.PLANLAGT, Opfoelgning.Status.INDKALDT]
        )
        .order_by("dato")
        .first()
    )


def _timeline(actor: User | None, opfoelgning: Opfoelgning) -> list[Frist]:
    sag, meeting = opfoelgning.sag, opfoelgning.dato
    note_due = calendar.end_of_day(meeting - timedelta(days=STATUSNOTAT_DAYS_BEFORE))
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
            frist=calendar.end_of_day(meeting),
            beskrivelse="Opfølgningsmøde",
            regel=opfoelgning.grundlag[:300],
            **caseworker,
            **common,
        ),
        frist_create(
            art=Frist.Art.OPFOELGNINGSSKEMA,
            frist=calendar.end_of_day(meeting + timedelta(days=FORM_DAYS_AFTER)),
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
        start = timezone.localtime(held_at(last)).date()
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
    notifikationer_create(
        beskeder=[
            Besked(
                modtager=user,
                titel="Opfølgning planlagt",
                tekst=f"Opfølgning i sag {locked.pk} senest {forslag.dato:%d.%m.%Y}. Indkald til "
                f"mødet og send statusnotatet senest {STATUSNOTAT_DAYS_BEFORE} dage før.",
                link=reverse("orders:udfoerer-borgere"),
                kilde=f"opfoelgning-{opfoelgning.pk}",
            )
            for user in _provider_staff(order)
        ]
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
    due = {
        Frist.Art.STATUSNOTAT: day - timedelta(days=STATUSNOTAT_DAYS_BEFORE),
        Frist.Art.STATUSNOTAT_GENNEMGANG: day - timedelta(days=STATUSNOTAT_DAYS_BEFORE),
        Frist.Art.OPFOELGNING: day,
        Frist.Art.OPFOELGNINGSSKEMA: day + timedelta(days=FORM_DAYS_AFTER),
    }
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


def transferred_levels(goal: Indsatsmaal) -> tuple[int | None, int | None]:
    """The level a goal stands at now: the last follow-up's new baseline, else the udredning's
    score the goal started from; and the expected level."""
    last = (
        SkemaMaal.objects.filter(indsatsmaal=goal, nyt_niveau__isnull=False)
        .order_by("-vurderet", "-id")
        .values_list("nyt_niveau", flat=True)
        .first()
    )
    if last is None and goal.aktuel_vurdering is not None:
        last = goal.aktuel_vurdering.niveau.vaerdi
    return last, goal.forventet_niveau


@transaction.atomic
def skema_start(*, actor: User, opfoelgning: Opfoelgning) -> Opfoelgningsskema:
    """Open the follow-up form: the goals with their transferred levels, the support need
    before. The case moves to opfølgning."""
    sag = opfoelgning.sag
    require(actor, Action.EDIT, sag)
    # Two presses of "start" at once: the second waits here and then finds the first's form.
    opfoelgning = Opfoelgning.objects.select_for_update().get(pk=opfoelgning.pk)
    existing = Opfoelgningsskema.objects.filter(opfoelgning=opfoelgning).first()
    if existing is not None:
        return existing
    if opfoelgning.status not in (Opfoelgning.Status.PLANLAGT, Opfoelgning.Status.INDKALDT):
        raise ValidationError("Opfølgningen er afsluttet eller aflyst.")
    decision = latest_grant(sag)
    if decision is None or decision.vurdering is None:
        raise ValidationError("Der er ingen bevilget indsats at følge op på.")
    vurdering = decision.vurdering
    # The support need stands where the last follow-up left it, else where the assessment set it.
    last_form = (
        Opfoelgningsskema.objects.filter(
            opfoelgning__sag=sag, afsluttet__isnull=False, stoettebehov_efter__isnull=False
        )
        .order_by("-afsluttet")
        .first()
    )
    skema = Opfoelgningsskema.objects.create(
        opfoelgning=opfoelgning,
        stoettebehov_foer=last_form.stoettebehov_efter if last_form else vurdering.stoettebehov,
        form=Opfoelgningsskema.Form.MOEDE
        if opfoelgning.moede_form == Opfoelgning.Form.MOEDE
        else "",
        deltagere=opfoelgning.deltagere,
    )
    rows = []
    for goal in vurdering.maal.select_related("aktuel_vurdering__niveau"):
        level, expected = transferred_levels(goal)
        rows.append(
            SkemaMaal(
                skema=skema,
                indsatsmaal=goal,
                overfoert_niveau=level,
                overfoert_forventet=expected,
            )
        )
    SkemaMaal.objects.bulk_create(rows)
    # The caseworker has read the statusnotat and the meeting has been held by now.
    for frist in opfoelgning.frister.filter(
        art__in=[Frist.Art.STATUSNOTAT_GENNEMGANG, Frist.Art.OPFOELGNING],
        status=Frist.Status.AABEN,
    ):
        frist_meet(frist=frist, actor=actor)
    if sag.fase == Fase.LEVERING:
        _move(actor=actor, sag=sag, name="start_opfoelgning")
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=skema, summary="Opfølgningsskema startet"
    )
    return skema


SKEMA_FIELDS = (
    "form",
    "deltagere",
    "naeste_dato",
    "vaesentlige_aendringer",
    "samlet_konklusion",
    "paaroerendes_kommentarer",
    "status_paa_indsats",
    "stoettebehov_efter",
    "tilsyn_gennemfoert",
    "trives",
    "trivsel_bemaerkninger",
    "magtanvendelser_i_perioden",
    "magtanvendelse_opfoelgning",
    "tilsyn_konklusion",
    "moedt_borgeren",
    "ikke_moedt_begrundelse",
    "nyt_moede",
    "borger_enig",
)
MAAL_FIELDS = (
    "borgerens_vurdering",
    "udfoerers_vurdering",
    "sagsbehandlers_vurdering",
    "nyt_niveau",
    "fremadrettet",
)


def _require_open_skema(actor: User, skema: Opfoelgningsskema) -> None:
    require(actor, Action.EDIT, skema.opfoelgning.sag)
    if skema.afsluttet is not None:
        raise ValidationError("Opfølgningsskemaet er afsluttet.")


@transaction.atomic
def skema_update(
    *,
    actor: User,
    skema: Opfoelgningsskema,
    maal: dict[int, dict[str, Any]] | None = None,
    **fields: Any,
) -> Opfoelgningsskema:
    _require_open_skema(actor, skema)
    unknown = set(fields) - set(SKEMA_FIELDS)
    if unknown:
        raise ValidationError(f"Ukendte felter: {', '.join(sorted(unknown))}.")
    today = timezone.localdate()
    for name in ("naeste_dato", "nyt_moede"):
        if fields.get(name) is not None and fields[name] <= today:
            raise ValidationError({name: "Datoen skal ligge efter i dag."})
    for name, value in fields.items():
        setattr(skema, name, value)
    skema.full_clean(exclude=["opfoelgning"])
    skema.save()
    rows = {row.indsatsmaal_id: row for row in skema.maal.all()}
    for pk, values in (maal or {}).items():
        row = rows.get(pk)
        if row is None:
            raise ValidationError({"maal": "Målet hører ikke til opfølgningen."})
        unknown = set(values) - set(MAAL_FIELDS)
        if unknown:
            raise ValidationError(f"Ukendte felter: {', '.join(sorted(unknown))}.")
        for name, value in values.items():
            setattr(row, name, value)
        if row.nyt_niveau is not None:
            row.vurderet = timezone.localdate()
        row.full_clean(exclude=["skema", "indsatsmaal"])
        row.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=skema,
        summary="Opfølgningsskema gemt",
        changes={"felter": sorted(fields), "maal": sorted(maal or {})},
    )
    return skema


def skema_blockers(skema: Opfoelgningsskema) -> list[str]:
    """What the form lacks before it can be completed. The personrettet tilsyn is required, and
    the follow-up cannot rest on the provider's account alone (handbook l. 8838-8839)."""
    missing: list[str] = []
    if not skema.form:
        missing.append("Angiv om opfølgningen var telefon, møde eller andet.")
    for row in skema.maal.select_related("indsatsmaal", "fremadrettet"):
        nr = row.indsatsmaal.raekkefoelge
        if row.nyt_niveau is None:
            missing.append(f"Mål {nr}: angiv det nye aktuelle funktionsevneniveau.")
        if row.fremadrettet_id is None:
            missing.append(f"Mål {nr}: angiv hvordan målet fortsætter (fremadrettet).")
        if not row.sagsbehandlers_vurdering.strip():
            missing.append(f"Mål {nr}: skriv sagsbehandlers vurdering.")
    if not skema.samlet_konklusion.strip():
        missing.append("Skriv den samlede konklusion.")
    if skema.status_paa_indsats_id is None:
        missing.append("Angiv status på indsatsen.")
    if skema.stoettebehov_efter_id is None:
        missing.append("Angiv støttebehovet efter opfølgningen.")
    if skema.tilsyn_gennemfoert is not True:
        missing.append("Det personrettede tilsyn skal være gennemført.")
    if skema.trives is None:
        missing.append("Tilsyn: angiv om borgeren trives.")
    elif skema.trives is False and not skema.trivsel_bemaerkninger.strip():
        missing.append("Tilsyn: beskriv hvorfor borgeren ikke trives.")
    if skema.magtanvendelser_i_perioden is None:
        missing.append("Tilsyn: angiv om der har været magtanvendelser i perioden.")
    elif skema.magtanvendelser_i_perioden and not skema.magtanvendelse_opfoelgning.strip():
        missing.append("Tilsyn: beskriv opfølgningen på magtanvendelserne.")
    if not skema.tilsyn_konklusion.strip():
        missing.append("Tilsyn: skriv konklusionen på tilsynet.")
    if skema.moedt_borgeren is None:
        missing.append("Angiv om du har mødt borgeren.")
    elif skema.moedt_borgeren is False and (
        not skema.ikke_moedt_begrundelse.strip() or skema.nyt_moede is None
    ):
        missing.append(
            "Du har ikke mødt borgeren: skriv hvorfor, og aftal et nyt møde med borgeren."
        )
    return missing


def held_at(opfoelgning: Opfoelgning) -> datetime:
    """When a follow-up took place: its meeting, else when its form was completed."""
    skema = getattr(opfoelgning, "skema", None)
    if opfoelgning.moede_tidspunkt is not None:
        return opfoelgning.moede_tidspunkt
    if skema is not None and skema.afsluttet is not None:
        return skema.afsluttet
    return calendar.end_of_day(opfoelgning.dato)


def previous_held_at(opfoelgning: Opfoelgning) -> datetime | None:
    """When the follow-up before this one took place: the start of this one's period."""
    previous = (
        Opfoelgning.objects.filter(sag=opfoelgning.sag_id, status=Opfoelgning.Status.AFSLUTTET)
        .exclude(pk=opfoelgning.pk)
        .select_related("skema")
        .order_by("-dato", "-pk")
        .first()
    )
    return held_at(previous) if previous is not None else None


def magtanvendelser_in_period(opfoelgning: Opfoelgning) -> list[Magtanvendelse]:
    """The uses of force reported since the previous follow-up took place (or the start)."""
    reports = Magtanvendelse.objects.filter(sag=opfoelgning.sag)
    since = previous_held_at(opfoelgning)
    if since is not None:
        reports = reports.filter(tidspunkt__gt=since)
    return list(reports.select_related("udfoerer"))


def _status(slug_name: str) -> StatusPaaIndsats:
    return StatusPaaIndsats.objects.current().get(navn=slug_name)


def _complete(actor: User, skema: Opfoelgningsskema, udfald: str) -> Opfoelgningsskema:
    reasons = skema_blockers(skema)
    if reasons:
        raise ValidationError(reasons)
    skema.udfald = udfald
    skema.afsluttet = timezone.now()
    skema.afsluttet_af = actor
    skema.save()
    opfoelgning = Opfoelgning.objects.select_for_update().get(pk=skema.opfoelgning_id)
    if opfoelgning.status not in (Opfoelgning.Status.PLANLAGT, Opfoelgning.Status.INDKALDT):
        raise ValidationError("Opfølgningen er afsluttet eller aflyst.")
    opfoelgning.complete()
    opfoelgning.save()
    for frist in opfoelgning.frister.filter(status=Frist.Status.AABEN):
        if frist.art == Frist.Art.STATUSNOTAT:
            frist_cancel(frist=frist, begrundelse="Opfølgningen er holdt", actor=actor)
        else:
            frist_meet(frist=frist, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=skema,
        summary=f"Opfølgning afsluttet: {Opfoelgningsskema.Udfald(udfald).label.lower()}",
    )
    return skema


def _meeting_day(opfoelgning: Opfoelgning) -> date:
    if opfoelgning.moede_tidspunkt is not None:
        return timezone.localtime(opfoelgning.moede_tidspunkt).date()
    return timezone.localdate()


def _new_handleplan_if_wanted(actor: User, sag: Sag) -> None:
    wanted = sag.borger.handleplan.oensket if hasattr(sag.borger, "handleplan") else False
    if wanted:
        frist_create(
            sag=sag,
            art=Frist.Art.HANDLEPLAN,
            frist=calendar.end_of_day(timezone.localdate() + timedelta(days=HANDLEPLAN_DAYS_AFTER)),
            beskrivelse="Ny handleplan efter opfølgningen",
            regel=f"Inden {HANDLEPLAN_DAYS_AFTER} dage, når indsatsen fortsætter",
            ansvarlig=sag.sagsbehandler,
            ansvarligt_team=sag.team,
            actor=actor,
        )


@transaction.atomic
def opfoelgning_continue(*, actor: User, skema: Opfoelgningsskema) -> Opfoelgning:
    """Continue unchanged: a decision, recorded as a journal note when the citizen agrees
    (handbook l. 9320-9322); the next follow-up is planned and delivery goes on."""
    _require_open_skema(actor, skema)
    if skema.borger_enig is not True:
        raise ValidationError(
            {
                "borger_enig": "Når borgeren ikke er enig, træffes en skriftlig afgørelse: vælg "
                "revisitation."
            }
        )
    if skema.status_paa_indsats is not None and skema.status_paa_indsats.navn != (
        "Træf afgørelse om fortsættelse af indsats"
    ):
        raise ValidationError("Status på indsatsen skal være fortsættelse.")
    _complete(actor, skema, Opfoelgningsskema.Udfald.FORTSAET)
    sag = skema.opfoelgning.sag
    journalnotat_create(
        actor=actor,
        sag=sag,
        emne="Afgørelse om fortsættelse af indsats",
        tekst=(
            "Indsatsen fortsætter uændret efter opfølgningen. Borgeren er enig, så afgørelsen "
            f"noteres her. {skema.samlet_konklusion}"
        ),
    )
    return _go_on(actor, skema)


def _go_on(actor: User, skema: Opfoelgningsskema) -> Opfoelgning:
    sag = Sag.objects.get(pk=skema.opfoelgning.sag_id)
    if sag.fase == Fase.OPFOELGNING:
        sag = _move(actor=actor, sag=sag, name="fortsaet_levering")
    _new_handleplan_if_wanted(actor, sag)
    return opfoelgning_plan(
        actor=actor, sag=sag, after=_meeting_day(skema.opfoelgning), agreed=skema.naeste_dato
    )


@transaction.atomic
def opfoelgning_revise_goals(
    *, actor: User, skema: Opfoelgningsskema, maal: dict[int, dict[str, Any]]
) -> list[Bestilling]:
    """Revise the goals marked "Mål skal revideres" (or end those marked "Mål skal afsluttes"):
    the assessment's goals are updated in place and a new bestilling version, listing what
    changed, goes to each provider concerned."""
    _require_open_skema(actor, skema)
    rows = {r.indsatsmaal_id: r for r in skema.maal.select_related("indsatsmaal", "fremadrettet")}
    revise = {pk for pk, r in rows.items() if r.fremadrettet and "revideres" in r.fremadrettet.navn}
    if not revise:
        raise ValidationError("Ingen mål er markeret 'Mål skal revideres'.")
    if set(maal) - revise:
        raise ValidationError({"maal": "Kun mål markeret 'Mål skal revideres' kan ændres her."})
    allowed = {
        "maalformulering",
        "forventet_niveau",
        "opfoelgning",
        "opfoelgningsdato",
        "timer_pr_uge",
    }
    _complete(actor, skema, Opfoelgningsskema.Udfald.REVIDER)
    for pk, values in maal.items():
        if set(values) - allowed:
            raise ValidationError(f"Ukendte felter: {', '.join(sorted(set(values) - allowed))}.")
        goal = rows[pk].indsatsmaal
        for name, value in values.items():
            setattr(goal, name, value)
        if not goal.maalformulering.strip():
            raise ValidationError({"maalformulering": "Skriv målet med borgerens egne ord."})
        goal.full_clean(exclude=["vurdering", "aktuel_vurdering"])
        goal.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=skema.opfoelgning.sag,
            summary=f"Mål {goal.raekkefoelge} revideret ved opfølgning",
            changes={"felter": sorted(values)},
        )
    decision = latest_grant(skema.opfoelgning.sag)
    assert decision is not None
    sent = bestillinger_send(actor=actor, afgoerelse=decision)
    _go_on(actor, skema)
    return sent


@transaction.atomic
def opfoelgning_revisitation(*, actor: User, skema: Opfoelgningsskema, begrundelse: str) -> Sag:
    """Change tilbud or ydelse, or end and re-assess for something new: back to sagsoplysning
    for a new udredning of the themes that matter, then a new decision."""
    _require_open_skema(actor, skema)
    if not begrundelse.strip():
        raise ValidationError({"begrundelse": "Skriv hvad der skal revisiteres og hvorfor."})
    _complete(actor, skema, Opfoelgningsskema.Udfald.REVISITATION)
    return _move(
        actor=actor, sag=skema.opfoelgning.sag, name="revisitation", begrundelse=begrundelse
    )


@transaction.atomic
def opfoelgning_end(
    *,
    actor: User,
    skema: Opfoelgningsskema,
    virkningsdato: date,
    begrundelse_vurdering: str,
    begrundelse_regler: str,
    begrundelse_oplysninger: str = "",
) -> Afgoerelse:
    """End the indsats: a decision with reasons (the 14-week notice where the service needs it)
    and its letter, the bestillinger end on the effective day (the provider's access with them),
    the case is closed."""
    _require_open_skema(actor, skema)
    sag = skema.opfoelgning.sag
    previous = latest_grant(sag)
    if previous is None:
        raise ValidationError("Der er ingen bevilget indsats at afslutte.")
    _complete(actor, skema, Opfoelgningsskema.Udfald.OPHOER)
    lines = [
        Resultatlinje(
            beskrivelse=f"ophør af {r.beskrivelse}",
            resultat=AfgoerelsesResultat.Resultat.AFSLAG,
            virkningsdato=virkningsdato,
            indsats=r.indsats,
            kommunal_ydelse=r.kommunal_ydelse,
            nedsaettelse=True,
        )
        for r in previous.resultater.filter(resultat__in=["bevilget", "delvist_afslag"])
    ]
    decision = afgoerelse_create(
        actor=actor,
        sag=sag,
        truffet_af=Afgoerelse.TruffetAf.SAGSBEHANDLER,
        form=Afgoerelse.Form.SKRIFTLIG,
        fuldt_medhold=False,
        resultater=lines,
        begrundelse_vurdering=begrundelse_vurdering,
        begrundelse_regler=begrundelse_regler,
        begrundelse_oplysninger=begrundelse_oplysninger,
        erstatter=previous,
    )
    # The letter is built from the reasons just given and frozen; it leaves after commit.
    afgoerelse_send(actor=actor, afgoerelse=decision, tekster={})
    _end_orders(actor, sag, virkningsdato)
    _move(
        actor=actor,
        sag=sag,
        name="afslut",
        begrundelse=f"Indsatsen ophører {virkningsdato:%d.%m.%Y}.",
    )
    return decision


# The case file for a new municipality: what the case holds, as structured JSON, and its letters.
EXPORTED_ROWS: tuple[tuple[str, str], ...] = (
    ("cases.Henvendelse", "sag"),
    ("cases.Sagsaabning", "sag"),
    ("cases.Diagnose", "sag"),
    ("cases.EksisterendeOplysning", "sag"),
    ("cases.Formaal", "sag"),
    ("cases.Samtykke", "sag"),
    ("cases.Journalnotat", "sag"),
    ("cases.Overgang", "sag"),
    ("assessment.Udredning", "sag"),
    ("assessment.TemaOplysning", "udredning__sag"),
    ("assessment.Funktionsevnevurdering", "udredning__sag"),
    ("assessment.Partshoering", "sag"),
    ("assessment.Sagsvurdering", "sag"),
    ("assessment.Indsatsmaal", "vurdering__sag"),
    ("assessment.Indsats", "vurdering__sag"),
    ("assessment.Prislinje", "indsats__vurdering__sag"),
    ("assessment.Afgoerelse", "sag"),
    ("assessment.AfgoerelsesResultat", "afgoerelse__sag"),
    ("assessment.Klage", "sag"),
    ("orders.Bestilling", "sag"),
    ("orders.Delmaal", "sag"),
    ("orders.Delmaalsnotat", "delmaal__sag"),
    ("orders.Magtanvendelse", "sag"),
    ("followup.Opfoelgning", "sag"),
    ("followup.Opfoelgningsskema", "opfoelgning__sag"),
    ("followup.SkemaMaal", "skema__opfoelgning__sag"),
)


def _end_orders(actor: User, sag: Sag, slutdato: date) -> None:
    """The orders end on `slutdato`, and the provider's access with them; its staff are told."""
    for order in Bestilling.objects.filter(sag=sag).active().select_related("udfoerer"):
        order.slutdato = slutdato
        if slutdato <= timezone.localdate():
            order.end()  # ends now: no access for the rest of the day
        order.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=order,
            summary=f"Bestilling ophører {slutdato:%d.%m.%Y}",
        )
        notifikationer_create(
            beskeder=[
                Besked(
                    modtager=user,
                    titel="Bestilling ophører",
                    tekst=f"Bestilling nr. {order.pk} ophører {slutdato:%d.%m.%Y}.",
                    link=reverse("orders:udfoerer-borgere"),
                    kilde=f"bestilling-ophoerer-{order.pk}",
                )
                for user in _provider_staff(order)
            ]
        )


def _case_json(sag: Sag) -> dict[str, Any]:
    from django.apps import apps
    from django.core import serializers
    from django.db.models import BinaryField

    borger = sag.borger
    data: dict[str, Any] = {
        "format": "vum-sagsudlevering/1",
        "udleveret": timezone.now().isoformat(),
        "borger": {
            "cpr": borger.cpr,
            "fornavn": borger.fornavn,
            "efternavn": borger.efternavn,
            "adresse": borger.adresse,
            "postnummer": borger.postnummer,
            "by": borger.by,
        },
        "sag": {
            "id": sag.pk,
            "team": sag.team.navn,
            "fase": sag.fase,
            "aarsag": sag.aarsag,
            "oprettet": sag.oprettet.isoformat(),
        },
    }
    for label, path in EXPORTED_ROWS:
        model = apps.get_model(label)
        binary = [f.name for f in model._meta.fields if isinstance(f, BinaryField)]
        rows = serializers.serialize("python", model.objects.filter(**{path: sag}))
        for row in rows:
            for name in binary:
                row["fields"].pop(name, None)
        data[label] = rows
    return data


def _documents(sag: Sag) -> Iterable[tuple[str, bytes]]:
    for brev in Brev.objects.filter(sag=sag).order_by("oprettet"):
        yield f"breve/{brev.oprettet:%Y-%m-%d}-{brev.art}-{brev.pk}.pdf", bytes(brev.pdf)
    for hoering in Partshoering.objects.filter(sag=sag).order_by("sendt"):
        yield f"partshoering/{hoering.sendt:%Y-%m-%d}-{hoering.pk}.pdf", bytes(hoering.brev_pdf)
    for indstilling in sag.indstillinger.exclude(pdf=None):
        yield f"indstilling/{indstilling.pk}.pdf", bytes(indstilling.pdf or b"")
    for version in HandleplanVersion.objects.filter(handleplan__borger=sag.borger_id):
        yield f"handleplan/version-{version.nummer}.pdf", bytes(version.pdf)
    for order in Bestilling.objects.filter(sag=sag).exclude(pdf=None):
        yield f"bestillinger/{order.pk}-version-{order.version}.pdf", bytes(order.pdf or b"")


@transaction.atomic
def opfoelgning_move_away(
    *, actor: User, skema: Opfoelgningsskema, modtager: str
) -> Sagsudlevering:
    """The citizen moves: with consent to pass the file to the new acting municipality, the
    case file is exported (letters and documents as PDF, the case as JSON), the orders end and
    the case ends here."""
    _require_open_skema(actor, skema)
    sag = skema.opfoelgning.sag
    if not modtager.strip():
        raise ValidationError({"modtager": "Angiv den nye handlekommune."})
    consent = (
        sag.samtykker.active()
        .filter(retning=Samtykke.Retning.VIDEREGIVELSE, part=Samtykke.Part.NY_HANDLEKOMMUNE)
        .first()
    )
    if consent is None:
        raise ValidationError(
            "Sagen kan kun sendes videre med borgerens samtykke til videregivelse til den nye "
            "handlekommune. Registrér samtykket først."
        )
    _complete(actor, skema, Opfoelgningsskema.Udfald.FRAFLYTNING)
    sag = Sag.objects.select_related("borger", "team").get(pk=sag.pk)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "sag.json", json.dumps(_case_json(sag), ensure_ascii=False, indent=2, default=str)
        )
        for name, content in _documents(sag):
            archive.writestr(name, content)
    content = buffer.getvalue()
    udlevering = Sagsudlevering.objects.create(
        sag=sag,
        modtager=modtager.strip(),
        samtykke=consent,
        indhold=content,
        sha256=hashlib.sha256(content).hexdigest(),
        oprettet_af=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=udlevering,
        summary=f"Sagen udleveret til {udlevering.modtager} (SHA-256 {udlevering.sha256[:12]}…)",
    )
    _end_orders(actor, sag, timezone.localdate())
    _move(
        actor=actor,
        sag=sag,
        name="afslut",
        begrundelse=f"Borgeren er flyttet; {udlevering.modtager} er ny handlekommune.",
    )
    return udlevering


# The dashboard's figures


def noegletal_refresh(*, now: datetime | None = None) -> NoegletalOpgoerelse:
    """Rebuild every dashboard figure from the case tables, in one transaction: a leader sees the
    old figures or the new ones, never a mix. The one status row is locked first, so a second
    run waits and then rebuilds again rather than interleaving. Derived numbers only: nothing
    about a citizen is written, so no audit event."""
    now = now or timezone.now()
    started = timezone.now()
    with transaction.atomic():
        status, _ = NoegletalOpgoerelse.objects.select_for_update().get_or_create(pk=1)
        Noegletal.objects.all().delete()
        count = 0
        batch: list[Noegletal] = []
        for row in dashboard.collect_all(now):
            batch.append(row)
            if len(batch) >= 5000:
                Noegletal.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        Noegletal.objects.bulk_create(batch)
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner: the table was just replaced wholesale.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Noegletal._meta.db_table}")
        status.opgjort = now
        status.varighed = timezone.now() - started
        status.grupper = count + len(batch)
        status.save()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The old figures are dead rows now; left to autovacuum (or none), the table would
        # grow by its own size every rebuild and index-only scans would visit the heap.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {Noegletal._meta.db_table}")
    return status
