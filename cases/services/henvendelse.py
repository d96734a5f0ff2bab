"""An enquiry (henvendelse) registered and triaged: advice only, referral, or a case in a team
with its processing deadline."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import (
    Borger,
    Henvendelse,
    Sag,
    Sagsaabning,
)
from cases.services.sagsaabning import sag_ansoegning_set
from vum.access import Action, require
from vum.accounts.models import Team, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, diff, snapshot
from vum.catalog.models import KommunalYdelse

# Enquiries and opening a case


OPENS_CASE = (Henvendelse.Triage.SAG, Henvendelse.Triage.KLAR_SAG)


@transaction.atomic
def henvendelse_register(
    *,
    actor: User,
    borger: Borger,
    kilde: str,
    aarsag: str,
    team: Team,
    triage: str,
    modtaget: date | None = None,
    kilde_navn: str = "",
    kilde_kontakt: str = "",
    triage_notat: str = "",
    henvist_til: str = "",
    kommunal_ydelse: KommunalYdelse | None = None,
    ansoegningstype: str = "",
) -> Henvendelse:
    """Register an enquiry and its triage. A case is opened only when triage says so; advice and
    referrals are logged with no case (handbook l. 641-643). Naming the service applied for
    starts the case's processing deadline at once."""
    require(actor, Action.OPEN_CASE)
    require(actor, Action.REGISTER_HENVENDELSE, borger)
    if not actor.teams.filter(pk=team.pk).exists():
        raise ValidationError({"team": "Du kan kun registrere henvendelser i dine egne teams."})
    henvendelse = Henvendelse(
        borger=borger,
        kilde=kilde,
        aarsag=aarsag,
        team=team,
        triage=triage,
        modtaget=modtaget or timezone.localdate(),
        kilde_navn=kilde_navn,
        kilde_kontakt=kilde_kontakt,
        triage_notat=triage_notat,
        henvist_til=henvist_til,
        registreret_af=actor,
    )
    henvendelse.full_clean(exclude=["sag"])
    errors = {}
    if henvendelse.modtaget > timezone.localdate():
        errors["modtaget"] = "Modtagelsesdatoen kan ikke ligge i fremtiden."
    if triage == Henvendelse.Triage.HENVIST and not henvist_til.strip():
        errors["henvist_til"] = "Angiv hvem borgeren er henvist til."
    if triage == Henvendelse.Triage.RAADGIVNING and not triage_notat.strip():
        errors["triage_notat"] = "Notér den rådgivning, borgeren har fået."
    if errors:
        raise ValidationError(errors)
    if triage in OPENS_CASE:
        sag = Sag.objects.create(borger=borger, team=team, sagsbehandler=actor, aarsag=aarsag)
        Sagsaabning.objects.create(sag=sag, klar_sag=triage == Henvendelse.Triage.KLAR_SAG)
        henvendelse.sag = sag
        audit_record(actor=actor, action=AuditAction.CREATE, obj=sag, summary="Sag oprettet")
    henvendelse.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=henvendelse,
        summary=f"Henvendelse registreret: {henvendelse.get_triage_display()}",
        changes=diff({}, snapshot(henvendelse)),
    )
    if henvendelse.sag is not None and kommunal_ydelse is not None:
        sag_ansoegning_set(
            actor=actor,
            sag=henvendelse.sag,
            kommunal_ydelse=kommunal_ydelse,
            ansoegningstype=ansoegningstype,
        )
    return henvendelse
