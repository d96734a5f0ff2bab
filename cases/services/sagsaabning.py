"""Sagsåbning: the case's opening record and its repeating rows, the agreed purpose, what the
citizen applies for (and so the processing deadline), and consent."""

from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Min
from django.utils import timezone

from cases.models import (
    Aftale,
    Diagnose,
    EksisterendeOplysning,
    Formaal,
    Sag,
    Sagsaabning,
    SagsaabningRow,
    Samtykke,
    TidligereHenvendelse,
)
from vum import calendar
from vum.access import Action, require
from vum.accounts.models import Organisation, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, diff, snapshot
from vum.calendar import end_of_day
from vum.catalog.models import Ansoegningstype, KommunalYdelse
from vum.catalog.selectors import kommunale_ydelser, processing_deadline_rule
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_cancel, frist_create, frist_move
from vum.versions import version_check, version_next

SAGSAABNING_EDITABLE = tuple(
    f.name
    for f in Sagsaabning._meta.get_fields()
    if isinstance(f, models.Field) and f.editable and f.name not in ("id", "sag", "opdateret")
)


@transaction.atomic
def sagsaabning_update(
    *, actor: User, sag: Sag, expected_version: int | None = None, **fields: Any
) -> Sagsaabning:
    """Save the fields given; `expected_version` is the version the editor read (StaleVersion
    if someone saved since)."""
    require(actor, Action.EDIT, sag)
    unknown = set(fields) - set(SAGSAABNING_EDITABLE)
    if unknown:
        raise ValidationError(f"Felterne findes ikke i sagsåbningen: {', '.join(sorted(unknown))}.")
    aabning = Sagsaabning.objects.select_for_update().get(sag=sag)
    version_check(aabning, expected_version)
    before = snapshot(aabning, SAGSAABNING_EDITABLE)
    for name, value in fields.items():
        setattr(aabning, name, value)
    aabning.full_clean(exclude=["sag"])
    changes = diff(before, snapshot(aabning, SAGSAABNING_EDITABLE))
    if changes:
        version_next(aabning)
    aabning.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if changes else AuditAction.VIEW,
        obj=aabning,
        borger_id=sag.borger_id,
        summary="Sagsåbning opdateret" if changes else "Sagsåbning vist (intet ændret)",
        changes=changes,
    )
    return aabning


@transaction.atomic
def sagsaabning_save(
    *,
    actor: User,
    sag: Sag,
    expected_version: int | None,
    formaal: str,
    analysespoergsmaal: str = "",
    **fields: Any,
) -> Sagsaabning:
    """The sagsåbning page's one form: the opening record and the purpose of the udredning,
    all or nothing. The purpose gets a new version only when its text differs from the
    current one, so saving the page unchanged adds none; left empty, it stays as it was."""
    aabning = sagsaabning_update(actor=actor, sag=sag, expected_version=expected_version, **fields)
    current = sag.formaal_versioner.first()
    typed = (formaal.strip(), analysespoergsmaal.strip())
    if typed[0] and (current is None or typed != (current.formaal, current.analysespoergsmaal)):
        formaal_set(actor=actor, sag=sag, formaal=typed[0], analysespoergsmaal=typed[1])
    return aabning


@transaction.atomic
def formaal_set(*, actor: User, sag: Sag, formaal: str, analysespoergsmaal: str = "") -> Formaal:
    """A new version of the purpose; earlier versions are kept as history."""
    require(actor, Action.EDIT, sag)
    if not formaal.strip():
        raise ValidationError({"formaal": "Formålet med udredningen skal udfyldes."})
    previous = sag.formaal_versioner.first()
    version = Formaal.objects.create(
        sag=sag, formaal=formaal, analysespoergsmaal=analysespoergsmaal, oprettet_af=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if previous is None else AuditAction.UPDATE,
        obj=version,
        borger_id=sag.borger_id,
        summary="Formål fastlagt" if previous is None else "Formål ændret (ny version)",
        changes=diff(
            snapshot(previous, ["formaal", "analysespoergsmaal"]) if previous else {},
            snapshot(version, ["formaal", "analysespoergsmaal"]),
        ),
    )
    return version


Row = TypeVar("Row", TidligereHenvendelse, Diagnose, EksisterendeOplysning, Aftale)


@transaction.atomic
def sagsaabning_row_add(*, actor: User, sag: Sag, model: type[Row], **fields: Any) -> Row:
    """Add one repeating row (earlier enquiry, diagnosis, existing information, agreement)."""
    require(actor, Action.EDIT, sag)
    row = model(sag=sag, **fields)
    row.full_clean(exclude=["sag", "frist"])
    if isinstance(row, Aftale):
        row.frist = frist_create(
            sag=sag,
            art=Frist.Art.AFTALE,
            # Deadline texts reach notifications and e-mails: no place or names, the case page
            # (an audited read) has the details.
            beskrivelse="Aftalt møde i sagsåbningen",
            frist=row.tidspunkt,
            ansvarlig=sag.sagsbehandler,
            regel="Aftalt møde i sagsåbningen",
            actor=actor,
        )
    row.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=row,
        borger_id=sag.borger_id,
        summary=f"{str(model._meta.verbose_name).capitalize()} registreret",
        changes=diff({}, snapshot(row)),
    )
    return row


@transaction.atomic
def sagsaabning_row_delete(*, actor: User, row: SagsaabningRow) -> None:
    sag = row.sag
    require(actor, Action.EDIT, sag)
    before = snapshot(row)
    if isinstance(row, Aftale) and row.frist is not None and row.frist.status == Frist.Status.AABEN:
        frist_cancel(frist=row.frist, begrundelse="Aftalen er slettet", actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=row,
        borger_id=sag.borger_id,
        summary=f"{str(row._meta.verbose_name).capitalize()} slettet",
        changes=diff(before, {}),
    )
    row.delete()


# What is applied for, and the processing deadline it gives


def _processing_deadline_sync(*, actor: User, sag: Sag) -> None:
    """Keep the case's sagsbehandlingsfrist in step with its service and application type: it
    runs from the first enquiry, by the municipality's rule for that service and type."""
    processing = Frist.objects.filter(sag=sag, art=Frist.Art.SAGSBEHANDLINGSFRIST)
    if processing.filter(status=Frist.Status.OVERHOLDT).exists():
        # A deadline met is history: no edit reopens it or starts a new one behind it.
        return
    existing = processing.open().first()
    ydelse = sag.kommunal_ydelse
    rule = (
        processing_deadline_rule(ydelse=ydelse, ansoegningstype=sag.ansoegningstype)
        if ydelse is not None
        else None
    )
    first_enquiry = sag.henvendelser.aggregate(first=Min("modtaget"))["first"]
    if rule is None or ydelse is None or first_enquiry is None:
        if existing is not None:
            frist_cancel(
                frist=existing,
                begrundelse="Den ansøgte ydelse har ingen sagsbehandlingsfrist i kataloget",
                actor=actor,
            )
        return
    found = rule.regel
    due = end_of_day(calendar.add(first_enquiry, found.vaerdi, found.enhed))
    regel = (
        f"{ydelse.kode}: {found.vaerdi} {found.get_enhed_display()} fra {found.startbegivenhed} "
        f"({first_enquiry:%d.%m.%Y}); {rule.grundlag}"
    )
    if existing is None:
        frist_create(
            sag=sag,
            art=Frist.Art.SAGSBEHANDLINGSFRIST,
            frist=due,
            beskrivelse=f"Afgørelse om {ydelse.navn}",
            regel=regel,
            ansvarlig=sag.sagsbehandler,
            ansvarligt_team=sag.team,
            actor=actor,
        )
    elif existing.frist != due:
        frist_move(
            frist=existing,
            til=due,
            begrundelse=f"Den ansøgte ydelse eller ansøgningstype er ændret ({regel})",
            actor=actor,
        )


@transaction.atomic
def sag_ansoegning_set(
    *, actor: User, sag: Sag, kommunal_ydelse: KommunalYdelse | None, ansoegningstype: str
) -> Sag:
    """Record what the citizen applies for, and start or move the processing deadline."""
    require(actor, Action.EDIT, sag)
    errors = {}
    if kommunal_ydelse is not None:
        if not kommunale_ydelser().filter(pk=kommunal_ydelse.pk).exists():
            errors["kommunal_ydelse"] = "Ydelsen findes ikke i kommunens gældende katalog."
        if not ansoegningstype:
            errors["ansoegningstype"] = "Angiv ansøgningstypen."
    if ansoegningstype and ansoegningstype not in Ansoegningstype.values:
        errors["ansoegningstype"] = "Ukendt ansøgningstype."
    if errors:
        raise ValidationError(errors)
    locked = Sag.objects.select_for_update().get(pk=sag.pk)
    wanted_type = ansoegningstype if kommunal_ydelse is not None else ""
    if locked.kommunal_ydelse == kommunal_ydelse and locked.ansoegningstype == wanted_type:
        # Saving what is already recorded changes nothing, not even the deadline.
        return locked
    if locked.ansoegning_decided:
        raise ValidationError(
            "Der er truffet afgørelse om ansøgningen, så den kan ikke længere ændres. "
            "En ny ansøgning behandles som en ny sag eller en revisitation."
        )
    before = snapshot(locked, ["kommunal_ydelse", "ansoegningstype"])
    locked.kommunal_ydelse = kommunal_ydelse
    locked.ansoegningstype = wanted_type
    locked.save(update_fields=["kommunal_ydelse", "ansoegningstype"])
    changes = diff(before, snapshot(locked, ["kommunal_ydelse", "ansoegningstype"]))
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            summary="Ansøgt ydelse registreret",
            changes=changes,
        )
    _processing_deadline_sync(actor=actor, sag=locked)
    return locked


# Consent


@transaction.atomic
def samtykke_register(
    *,
    actor: User,
    sag: Sag,
    retning: str,
    part: str,
    form: str,
    givet: date,
    specifikation: str = "",
    tilbud: Organisation | None = None,
) -> Samtykke:
    require(actor, Action.EDIT, sag)
    samtykke = Samtykke(
        sag=sag,
        retning=retning,
        part=part,
        form=form,
        givet=givet,
        specifikation=specifikation,
        tilbud=tilbud,
        registreret_af=actor,
    )
    samtykke.full_clean(exclude=["sag", "registreret_af"])
    if givet > timezone.localdate():
        raise ValidationError({"givet": "Et samtykke kan ikke være givet i fremtiden."})
    samtykke.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=samtykke,
        borger_id=sag.borger_id,
        summary=f"Samtykke registreret: {samtykke}",
        changes=diff({}, snapshot(samtykke)),
    )
    return samtykke


@transaction.atomic
def samtykke_withdraw(
    *, actor: User, samtykke: Samtykke, tilbagekaldt: date, begrundelse: str = ""
) -> Samtykke:
    require(actor, Action.EDIT, samtykke.sag)
    samtykke = Samtykke.objects.select_for_update().get(pk=samtykke.pk)
    if samtykke.tilbagekaldt is not None:
        raise ValidationError("Samtykket er allerede tilbagekaldt.")
    if tilbagekaldt < samtykke.givet:
        raise ValidationError(
            {"tilbagekaldt": "Et samtykke kan ikke tilbagekaldes før det er givet."}
        )
    before = snapshot(samtykke, ["tilbagekaldt", "tilbagekaldt_begrundelse"])
    samtykke.tilbagekaldt = tilbagekaldt
    samtykke.tilbagekaldt_begrundelse = begrundelse
    samtykke.save(update_fields=["tilbagekaldt", "tilbagekaldt_begrundelse"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=samtykke,
        borger_id=samtykke.sag.borger_id,
        summary=f"Samtykke tilbagekaldt: {samtykke}",
        changes=diff(before, snapshot(samtykke, ["tilbagekaldt", "tilbagekaldt_begrundelse"])),
    )
    return samtykke
