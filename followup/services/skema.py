"""The caseworker's follow-up form (opfølgningsskema): the goals re-scored from where they stood,
the personrettet tilsyn, and what still blocks completing it."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.models import Indsatsmaal
from cases.lifecycle import Fase
from followup.models import (
    Opfoelgning,
    Opfoelgningsskema,
    SkemaMaal,
)
from followup.services.opfoelgning import phase_move
from orders.content import latest_grant
from orders.models import Magtanvendelse
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_meet


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
        phase_move(actor=actor, sag=sag, name="start_opfoelgning")
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


def require_open_skema(actor: User, skema: Opfoelgningsskema) -> Opfoelgningsskema:
    """The form as stored, locked, if it is still open: of two users completing it at once, the
    second finds it completed, and a refused completion leaves the caller's object as it was.
    Call inside the transaction that writes it."""
    require(actor, Action.EDIT, skema.opfoelgning.sag)
    locked = (
        Opfoelgningsskema.objects.select_for_update(of=("self",))
        .select_related("opfoelgning__sag")
        .get(pk=skema.pk)
    )
    if locked.afsluttet is not None:
        raise ValidationError("Opfølgningsskemaet er afsluttet.")
    return locked


@transaction.atomic
def skema_update(
    *,
    actor: User,
    skema: Opfoelgningsskema,
    maal: dict[int, dict[str, Any]] | None = None,
    **fields: Any,
) -> Opfoelgningsskema:
    skema = require_open_skema(actor, skema)
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


def previous_held_at(opfoelgning: Opfoelgning) -> datetime | None:
    """When the follow-up before this one took place: the start of this one's period."""
    previous = (
        Opfoelgning.objects.filter(sag=opfoelgning.sag_id, status=Opfoelgning.Status.AFSLUTTET)
        .exclude(pk=opfoelgning.pk)
        .select_related("skema")
        .order_by("-dato", "-pk")
        .first()
    )
    return previous.held_at() if previous is not None else None


def magtanvendelser_in_period(opfoelgning: Opfoelgning) -> list[Magtanvendelse]:
    """The uses of force reported since the previous follow-up took place (or the start)."""
    reports = Magtanvendelse.objects.filter(sag=opfoelgning.sag)
    since = previous_held_at(opfoelgning)
    if since is not None:
        reports = reports.filter(tidspunkt__gt=since)
    return list(reports.select_related("udfoerer"))
