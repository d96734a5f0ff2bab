"""Forsendelse: a frozen letter sent through the dispatcher, once; the complaint deadline runs
from the day it is sent."""

from django.db import transaction
from django.utils import timezone

from assessment.letters import letter_recipient
from assessment.models import Afgoerelse, Brev, Forsendelse
from vum import calendar
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.catalog.selectors import current_kommune
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_meet
from vum.dispatch import Letter, get_dispatcher


@transaction.atomic
def brev_dispatch(*, brev_id: int) -> Forsendelse:
    """Send a frozen letter through the dispatcher, once: a second call finds the dispatch. The
    complaint deadline runs from the day it is sent; the case's processing deadline is met."""
    brev = (
        Brev.objects.select_for_update(of=("self",))
        .select_related("sag", "afgoerelse")
        .get(pk=brev_id)
    )
    existing = Forsendelse.objects.filter(brev=brev).first()
    if existing is not None:
        return existing
    recipient, _copy = letter_recipient(brev.sag)
    receipt = get_dispatcher().send(
        Letter(
            brev_id=brev.pk,
            recipient_name=brev.modtager_navn,
            recipient_email=recipient["email"],
            subject=f"{brev.get_art_display()} fra {current_kommune().navn}",
            pdf=bytes(brev.pdf),
        )
    )
    forsendelse = Forsendelse.objects.create(
        brev=brev, kanal=receipt.channel, reference=receipt.reference, sendt=receipt.sent_at
    )
    afgoerelse = brev.afgoerelse
    if afgoerelse is not None:
        sent_day = timezone.localtime(receipt.sent_at).date()
        Afgoerelse.objects.filter(pk=afgoerelse.pk).update(
            meddelt=afgoerelse.meddelt or sent_day,
            klagefrist=calendar.complaint_deadline(sent_day),
        )
        for frist in Frist.objects.open().filter(
            sag=brev.sag,
            art__in=[Frist.Art.SAGSBEHANDLINGSFRIST, Frist.Art.SKRIFTLIG_AFGOERELSE],
        ):
            frist_meet(frist=frist, now=receipt.sent_at)
    audit_record(
        actor=None,
        action=AuditAction.EXPORT,
        obj=brev,
        borger_id=brev.sag.borger_id,
        summary=f"Brev sendt via {receipt.channel}",
        changes={"reference": receipt.reference},
    )
    return forsendelse
