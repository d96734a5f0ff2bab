"""Ledsageordning (serviceloven § 97): the hours used each month under the case's grant,
recorded by the caseworker, never beyond the month's 15 hours and the savings it has
(`orders.ledsagelse`)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.models import GRANTING_RESULTS, AfgoerelsesResultat
from assessment.varsel import line_paragraphs
from cases.models import Sag
from orders import ledsagelse
from orders.content import latest_grant
from orders.models import Ledsagetimer
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record


def ledsagelse_grant(sag: Sag) -> AfgoerelsesResultat | None:
    """The § 97 line of the case's latest granting decision, if it has one."""
    decision = latest_grant(sag)
    if decision is None:
        return None
    lines = decision.resultater.filter(resultat__in=GRANTING_RESULTS).select_related(
        "kommunal_ydelse", "indsats__kommunal_ydelse", "afgoerelse__sag"
    )
    return next((r for r in lines if ledsagelse.PARAGRAPH in line_paragraphs(r)), None)


def grant_months(bevilling: AfgoerelsesResultat, until: date) -> list[ledsagelse.Maaned]:
    """The grant's months from its effective month to `until`, with their balances."""
    usage = dict(Ledsagetimer.objects.filter(bevilling=bevilling).values_list("maaned", "timer"))
    return ledsagelse.months(usage, start=bevilling.virkningsdato, until=until)


@transaction.atomic
def ledsagetimer_register(*, actor: User, sag: Sag, maaned: date, timer: Decimal) -> Ledsagetimer:
    """Record (or correct) the hours used in a month under the case's § 97 grant. Refused when
    the month would use more than its 15 hours and the savings it has, or when a correction
    would leave a later month short of the savings it used."""
    require(actor, Action.EDIT, sag)
    # The case's row lock: two registrations for the case are checked one after the other.
    Sag.objects.select_for_update().get(pk=sag.pk)
    bevilling = ledsagelse_grant(sag)
    if bevilling is None:
        raise ValidationError("Sagen har ingen bevilling af ledsagelse efter servicelovens § 97.")
    maaned = maaned.replace(day=1)
    this_month = timezone.localdate().replace(day=1)
    start = bevilling.virkningsdato.replace(day=1)
    if maaned > this_month:
        raise ValidationError(
            {"maaned": "Timer registreres for en måned, der er gået eller er i gang."}
        )
    if maaned < start:
        raise ValidationError(
            {"maaned": f"Bevillingen gælder fra {bevilling.virkningsdato:%d.%m.%Y}."}
        )
    if timer < 0:
        raise ValidationError({"timer": "Angiv de brugte timer (0 eller flere)."})
    usage = dict(Ledsagetimer.objects.filter(bevilling=bevilling).values_list("maaned", "timer"))
    usage[maaned] = timer
    over = [m for m in ledsagelse.months(usage, start=start, until=this_month) if not m.ok]
    if over:
        first = over[0]
        raise ValidationError(
            {
                "timer": (
                    f"{first.maaned:%m.%Y} ville bruge {first.brugt} timer, men der er "
                    f"{first.til_raadighed} til rådighed: {ledsagelse.MONTHLY_HOURS} om måneden "
                    f"og de opsparede timer (højst {ledsagelse.MAX_SAVED} inden for 6 måneder; "
                    "servicelovens § 97)."
                )
            }
        )
    row, created = Ledsagetimer.objects.update_or_create(
        bevilling=bevilling,
        maaned=maaned,
        defaults={"sag": sag, "timer": timer, "registreret_af": actor},
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=row,
        borger_id=sag.borger_id,
        summary=f"Timer til ledsagelse registreret for {maaned:%m.%Y}",
    )
    return row
