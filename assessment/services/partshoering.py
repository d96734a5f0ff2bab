"""Partshøring (FVL § 19): the hearing letter to the citizen or the one who holds their
rights, its answer deadline, and the answer."""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.letters import letter_context
from assessment.models import Partshoering
from cases.models import Relation, Sag, prints_address
from vum import calendar
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.calendar import end_of_day
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_create, frist_meet
from vum.pdf import render_pdf


def minimum_answer_date(today: date | None = None) -> date:
    """The earliest answer deadline a hearing may be given: VUM_PARTSHOERING_MIN_DAYS days on,
    moved to the next working day (a deadline ends on a working day)."""
    earliest = (today or timezone.localdate()) + timedelta(days=settings.VUM_PARTSHOERING_MIN_DAYS)
    return calendar.next_working_day(earliest)


def hearing_blockers(*, sag: Sag, now: datetime | None = None) -> list[str]:
    """Why no decision may be made or sent now: each hearing that waits for an answer within its
    deadline (FVL § 19)."""
    now = now or timezone.now()
    waiting = Partshoering.objects.filter(sag=sag, svar_modtaget__isnull=True).select_related(
        "frist"
    )
    return [
        f"Partshøringen sendt {timezone.localtime(h.sendt):%d.%m.%Y} til {h.modtager_navn} "
        f"afventer svar (frist {h.answer_deadline_day():%d.%m.%Y})."
        for h in waiting
        if h.blocks_decision(now)
    ]


def require_no_open_hearing(*, sag: Sag) -> None:
    """Refuse an act that makes or sends a decision while a hearing is open. Callers hold the
    case's row lock, which `partshoering_send` takes too, so a hearing sent at the same moment
    is either seen here or sent after the act."""
    reasons = hearing_blockers(sag=sag)
    if reasons:
        raise ValidationError(
            [
                "Der kan ikke træffes eller sendes en afgørelse, mens en partshøring afventer "
                "svar (forvaltningslovens § 19).",
                *reasons,
            ]
        )


def _recipient(
    sag: Sag, modtager: str, relation: Relation | None
) -> tuple[dict[str, Any], Relation | None]:
    borger = sag.borger
    if modtager == Partshoering.Modtager.BORGER:
        return (
            {
                "navn": borger.navn,
                **borger.postal_address,  # none for a protected citizen
                "er_borger": True,
                "rolle": "borger",
            },
            None,
        )
    wanted = {
        Partshoering.Modtager.VAERGE: Relation.Type.VAERGE,
        Partshoering.Modtager.PARTSREPRAESENTANT: Relation.Type.PARTSREPRAESENTANT,
    }.get(Partshoering.Modtager(modtager))
    if relation is None or relation.borger_id != borger.pk or relation.type != wanted:
        raise ValidationError(
            {"modtager_relation": "Vælg borgerens registrerede værge eller partsrepræsentant."}
        )
    if not relation.is_current():
        role = relation.get_type_display().lower()
        raise ValidationError({"modtager_relation": f"{relation.navn} er ikke {role} i dag."})
    return (
        {
            "navn": relation.navn,
            "adresse": relation.adresse,
            "postnummer": "",
            "by": "",
            "er_borger": False,
            "rolle": relation.get_type_display().lower(),
        },
        relation,
    )


@transaction.atomic
def partshoering_send(
    *,
    actor: User,
    sag: Sag,
    hvad_hoeres: str,
    modtager: str,
    svarfrist: date,
    modtager_relation: Relation | None = None,
) -> Partshoering:
    """Send a hearing letter (PDF) and start its deadline. The deadline is at least
    VUM_PARTSHOERING_MIN_DAYS days (14 by the municipalities' practice) and ends on a working
    day."""
    require(actor, Action.EDIT, sag)
    # The case's row lock orders this against a decision being made or sent at the same moment.
    Sag.objects.select_for_update().get(pk=sag.pk)
    errors: dict[str, str] = {}
    if not hvad_hoeres.strip():
        errors["hvad_hoeres"] = "Angiv hvad borgeren høres om."
    if modtager not in Partshoering.Modtager.values:
        errors["modtager"] = "Ukendt modtager."
    earliest = minimum_answer_date()
    if svarfrist < earliest:
        errors["svarfrist"] = (
            f"Svarfristen skal være mindst {settings.VUM_PARTSHOERING_MIN_DAYS} dage og slutte "
            f"på en arbejdsdag, dvs. tidligst {earliest:%d.%m.%Y}."
        )
    elif not calendar.is_working_day(svarfrist):
        errors["svarfrist"] = (
            f"Svarfristen skal slutte på en arbejdsdag; {svarfrist:%d.%m.%Y} er en lukkedag. "
            f"Vælg fx {calendar.next_working_day(svarfrist):%d.%m.%Y}."
        )
    if errors:
        raise ValidationError(errors)
    recipient, relation = _recipient(sag, modtager, modtager_relation)
    now = timezone.now()
    pdf = render_pdf(
        template_name="letters/partshoering.html",
        context={
            **letter_context(sag, actor),
            "modtager": recipient,
            "kopi_til_borger": relation is not None,
            "hvad_hoeres": hvad_hoeres,
            "svarfrist": svarfrist,
        },
    )
    hoering = Partshoering.objects.create(
        sag=sag,
        hvad_hoeres=hvad_hoeres,
        modtager=modtager,
        modtager_relation=relation,
        modtager_navn=recipient["navn"],
        sendt=now,
        svarfrist=svarfrist,
        sendt_af=actor,
        brev_pdf=pdf.content,
        brev_sha256=pdf.sha256,
        # From the reading the letter was rendered with (to the citizen: their own address).
        viser_adresse=recipient["er_borger"] and prints_address(recipient),
    )
    hoering.frist = frist_create(
        sag=sag,
        art=Frist.Art.PARTSHOERING,
        frist=end_of_day(svarfrist),
        beskrivelse="Svar på partshøring",
        regel=f"FVL § 19: mindst {settings.VUM_PARTSHOERING_MIN_DAYS} dages svarfrist",
        ansvarlig=sag.sagsbehandler,
        ansvarligt_team=sag.team,
        actor=actor,
    )
    hoering.save(update_fields=["frist"])
    audit_record(
        actor=actor,
        action=AuditAction.PRINT,
        obj=hoering,
        borger_id=sag.borger_id,
        summary=f"Partshøringsbrev sendt til {recipient['navn']} (SHA-256 {pdf.sha256[:12]}…)",
        changes={"svarfrist": svarfrist.isoformat(), "modtager": modtager},
    )
    return hoering


@transaction.atomic
def partshoering_answer(
    *, actor: User, partshoering: Partshoering, svar: str, modtaget: date
) -> Partshoering:
    require(actor, Action.EDIT, partshoering.sag)
    hoering = Partshoering.objects.select_for_update().get(pk=partshoering.pk)
    if hoering.svar_modtaget is not None:
        raise ValidationError("Svaret på partshøringen er allerede registreret.")
    if not svar.strip():
        raise ValidationError({"svar": "Skriv borgerens svar eller et resumé af det."})
    if modtaget > timezone.localdate() or modtaget < timezone.localtime(hoering.sendt).date():
        raise ValidationError(
            {"modtaget": "Svaret skal være modtaget mellem afsendelsen og i dag."}
        )
    hoering.svar = svar
    hoering.svar_modtaget = modtaget
    hoering.save(update_fields=["svar", "svar_modtaget"])
    if hoering.frist is not None and hoering.frist.status == Frist.Status.AABEN:
        frist_meet(frist=hoering.frist, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=hoering,
        borger_id=hoering.sag.borger_id,
        summary="Svar på partshøring registreret",
        changes={"svar_modtaget": {"old": None, "new": modtaget.isoformat()}},
    )
    return hoering
