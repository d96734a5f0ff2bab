"""Forsendelse: a frozen letter sent through the dispatcher, once to each recipient: the
addressee, and the citizen's copy of a letter addressed to the one who holds their rights. The
complaint deadline runs from the dispatch to the addressee."""

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


def brev_dispatch(*, brev_id: int) -> Forsendelse:
    """Send a frozen letter to its addressee and, where it has one, its copy to the citizen.
    Each dispatch is its own transaction, so one that has gone out is recorded before the next
    is tried, and a second call (a retry) sends only what has not gone. Returns the dispatch to
    the addressee."""
    forsendelse = _dispatch_to(brev_id=brev_id, modtager=Forsendelse.Modtager.ADRESSAT)
    if forsendelse.brev.kopi_til:
        _dispatch_to(brev_id=brev_id, modtager=Forsendelse.Modtager.KOPI_TIL_BORGER)
    return forsendelse


@transaction.atomic
def _dispatch_to(*, brev_id: int, modtager: str) -> Forsendelse:
    brev = (
        Brev.objects.select_for_update(of=("self",))
        .select_related("sag__borger", "afgoerelse")
        .get(pk=brev_id)
    )
    existing = Forsendelse.objects.filter(brev=brev, modtager=modtager).first()
    if existing is not None:
        return existing
    subject = f"{brev.get_art_display()} fra {current_kommune().navn}"
    if modtager == Forsendelse.Modtager.ADRESSAT:
        recipient, _copy = letter_recipient(brev.sag)
        letter = Letter(
            brev_id=brev.pk,
            recipient_name=brev.modtager_navn,
            recipient_email=recipient["email"],
            subject=subject,
            pdf=bytes(brev.pdf),
        )
    else:
        borger = brev.sag.borger
        letter = Letter(
            brev_id=brev.pk,
            recipient_name=borger.navn,
            recipient_email=borger.email,
            subject=f"Kopi: {subject}",
            pdf=bytes(brev.pdf),
            copy=True,
        )
    receipt = get_dispatcher().send(letter)
    forsendelse = Forsendelse.objects.create(
        brev=brev,
        modtager=modtager,
        modtager_navn=letter.recipient_name,
        kanal=receipt.channel,
        reference=receipt.reference,
        sendt=receipt.sent_at,
    )
    afgoerelse = brev.afgoerelse
    if afgoerelse is not None and modtager == Forsendelse.Modtager.ADRESSAT:
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
        summary=f"Brev sendt via {receipt.channel} ({forsendelse.get_modtager_display().lower()})",
        changes={"reference": receipt.reference},
    )
    return forsendelse
