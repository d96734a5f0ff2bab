"""Forsendelse: a frozen letter sent through the dispatcher, once to each recipient: the
addressee, and the citizen's copy of a letter addressed to the one who holds their rights. The
complaint deadline runs from the dispatch to the addressee."""

import logging

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
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

logger = logging.getLogger(__name__)


def brev_dispatch(*, brev_id: int, wait: bool = True) -> Forsendelse | None:
    """Send a frozen letter to its addressee and, where it has one, its copy to the citizen.
    Each dispatch is its own transaction holding the letter's row, so one that has gone out is
    recorded before the next is tried, and a second call (a retry, or a sweep) sends only what
    has not gone. With `wait=False` a letter another process holds is left to it (None).
    Returns the dispatch to the addressee."""
    forsendelse = _dispatch_to(brev_id=brev_id, modtager=Forsendelse.Modtager.ADRESSAT, wait=wait)
    if forsendelse is not None and forsendelse.brev.kopi_til:
        _dispatch_to(brev_id=brev_id, modtager=Forsendelse.Modtager.KOPI_TIL_BORGER, wait=wait)
    return forsendelse


def pending_letters() -> QuerySet[Brev]:
    """Letters frozen and not yet sent to every recipient: the outbox of letters."""
    sent_to = Forsendelse.objects.filter(brev=OuterRef("pk"))
    return Brev.objects.filter(
        ~Exists(sent_to.filter(modtager=Forsendelse.Modtager.ADRESSAT))
        | (~Q(kopi_til="") & ~Exists(sent_to.filter(modtager=Forsendelse.Modtager.KOPI_TIL_BORGER)))
    ).order_by("oprettet", "id")


def breve_dispatch_pending(*, limit: int = 100) -> int:
    """The sweep: send the letters that are frozen but not sent (their task was never queued,
    say, because the broker was down), oldest first. Each letter is claimed with SKIP LOCKED, so
    two sweeps, or a sweep and the task queued at the send, never send one twice; a letter that
    cannot be sent now is logged and left for the next sweep, not in the way of the others.
    Returns how many letters were sent."""
    sent = 0
    for brev_id in pending_letters().values_list("pk", flat=True)[:limit]:
        try:
            if brev_dispatch(brev_id=brev_id, wait=False) is not None:
                sent += 1
        except Exception:  # one letter's failure must not stop the others
            logger.warning(
                "Brev %s kunne ikke sendes; næste kørsel prøver igen.", brev_id, exc_info=True
            )
    return sent


@transaction.atomic
def _dispatch_to(*, brev_id: int, modtager: str, wait: bool) -> Forsendelse | None:
    brev = (
        Brev.objects.select_for_update(of=("self",), skip_locked=not wait)
        .select_related("sag__borger", "afgoerelse")
        .filter(pk=brev_id)
        .first()
    )
    if brev is None:
        return None  # another process holds the letter and is sending it
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
