"""Klager: a complaint about a decision, the municipality's reconsideration (genvurdering)
within 4 weeks, and the case sent to and decided by Ankestyrelsen."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.models import Afgoerelse, Klage
from vum import calendar
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.calendar import end_of_day
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_create, frist_meet


@transaction.atomic
def klage_register(
    *, actor: User, afgoerelse: Afgoerelse, modtaget: datetime, kanal: str, tekst: str
) -> Klage:
    """Register a complaint. A late one is flagged, never refused; the municipality must
    reassess and answer or forward it within four weeks."""
    require(actor, Action.EDIT, afgoerelse.sag)
    errors: dict[str, str] = {}
    if kanal not in Klage.Kanal.values:
        errors["kanal"] = "Angiv hvordan klagen er modtaget."
    if not tekst.strip():
        errors["tekst"] = "Skriv klagen eller et resumé af en mundtlig klage."
    if modtaget > timezone.now():
        errors["modtaget"] = "En klage kan ikke være modtaget i fremtiden."
    if errors:
        raise ValidationError(errors)
    received_decision = afgoerelse.meddelt
    late = received_decision is not None and not calendar.complaint_in_time(
        received_decision, modtaget
    )
    klage = Klage.objects.create(
        sag=afgoerelse.sag,
        afgoerelse=afgoerelse,
        modtaget=modtaget,
        kanal=kanal,
        tekst=tekst,
        for_sent=late,
        registreret_af=actor,
    )
    frist_create(
        sag=afgoerelse.sag,
        art=Frist.Art.KLAGE,
        frist=end_of_day(calendar.add(timezone.localtime(modtaget).date(), 4, calendar.Unit.WEEKS)),
        beskrivelse="Genvurdér klagen og giv medhold eller send den til Ankestyrelsen",
        regel="Klagen genvurderes og besvares eller videresendes inden 4 uger",
        ansvarlig=afgoerelse.sag.sagsbehandler,
        ansvarligt_team=afgoerelse.sag.team,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=klage,
        summary="Klage registreret" + (" (efter klagefristen)" if late else ""),
    )
    return klage


def _meet_complaint_deadline(klage: Klage, actor: User) -> None:
    for frist in Frist.objects.open().filter(sag=klage.sag, art=Frist.Art.KLAGE):
        frist_meet(frist=frist, actor=actor)


@transaction.atomic
def klage_genvurder(
    *,
    actor: User,
    klage: Klage,
    genvurdering: str,
    dato: date | None = None,
    ny_afgoerelse: Afgoerelse | None = None,
) -> Klage:
    """The municipality's reassessment. Medhold (full or partial) is a new afgørelse that replaces
    the old; an upheld decision goes on to Ankestyrelsen."""
    require(actor, Action.EDIT, klage.sag)
    locked = Klage.objects.select_for_update().get(pk=klage.pk)
    if locked.genvurdering:
        raise ValidationError("Klagen er allerede genvurderet.")
    if genvurdering not in Klage.Genvurdering.values:
        raise ValidationError({"genvurdering": "Ukendt udfald af genvurderingen."})
    gives_new = genvurdering in (Klage.Genvurdering.MEDHOLD, Klage.Genvurdering.DELVIST_MEDHOLD)
    if gives_new and (ny_afgoerelse is None or ny_afgoerelse.erstatter_id != locked.afgoerelse_id):
        raise ValidationError(
            {"ny_afgoerelse": "Medhold giver en ny afgørelse, der erstatter den påklagede."}
        )
    locked.genvurdering = genvurdering
    locked.genvurderet = dato or timezone.localdate()
    locked.ny_afgoerelse = ny_afgoerelse if gives_new else None
    locked.save(update_fields=["genvurdering", "genvurderet", "ny_afgoerelse"])
    if genvurdering == Klage.Genvurdering.MEDHOLD:
        _meet_complaint_deadline(locked, actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Klage genvurderet: {locked.get_genvurdering_display()}",
    )
    return locked


@transaction.atomic
def klage_send_to_ankestyrelsen(*, actor: User, klage: Klage, dato: date) -> Klage:
    require(actor, Action.EDIT, klage.sag)
    locked = Klage.objects.select_for_update().get(pk=klage.pk)
    if locked.genvurdering not in (
        Klage.Genvurdering.FASTHOLDT,
        Klage.Genvurdering.DELVIST_MEDHOLD,
    ):
        raise ValidationError(
            "Kun en klage, hvor afgørelsen helt eller delvis fastholdes, sendes til Ankestyrelsen."
        )
    if locked.sendt_til_ankestyrelsen is not None:
        raise ValidationError("Klagen er allerede sendt til Ankestyrelsen.")
    locked.sendt_til_ankestyrelsen = dato
    locked.save(update_fields=["sendt_til_ankestyrelsen"])
    _meet_complaint_deadline(locked, actor)
    audit_record(
        actor=actor, action=AuditAction.EXPORT, obj=locked, summary="Klage sendt til Ankestyrelsen"
    )
    return locked


@transaction.atomic
def klage_ankestyrelsens_afgoerelse(
    *, actor: User, klage: Klage, resultat: str, dato: date
) -> Klage:
    require(actor, Action.EDIT, klage.sag)
    locked = Klage.objects.select_for_update().get(pk=klage.pk)
    if locked.sendt_til_ankestyrelsen is None:
        raise ValidationError("Klagen er ikke sendt til Ankestyrelsen.")
    if resultat not in Klage.Ankestyrelsen.values:
        raise ValidationError({"resultat": "Ukendt afgørelse fra Ankestyrelsen."})
    locked.ankestyrelsens_afgoerelse, locked.ankestyrelsens_dato = resultat, dato
    locked.save(update_fields=["ankestyrelsens_afgoerelse", "ankestyrelsens_dato"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Ankestyrelsen: {locked.get_ankestyrelsens_afgoerelse_display()}",
    )
    return locked
