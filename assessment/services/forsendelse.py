"""Forsendelse: a frozen letter sent through the dispatcher, once to each recipient: the
addressee, and the citizen's copy of a letter addressed to the one who holds their rights. The
complaint deadline runs from the delivery to the addressee (Digital Post's receipt; else the
dispatch), and so does the notice of an end or a reduction: a letter that goes out later than it
was frozen is checked again. A letter the dispatcher cannot deliver to a recipient (no CPR
number, refused by Digital Post, a protected citizen without Digital Post) is recorded as not
delivered and becomes the caseworker's task; it goes again when the caseworker says so."""

import hashlib
import logging
import re
import uuid
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import formats, timezone

from assessment.models import (
    Afgoerelse,
    AfgoerelsesResultat,
    Brev,
    Forsendelse,
    KvitteringsFejl,
    ParkeretKvittering,
)
from assessment.varsel import NOTICE_SOURCE, ends_or_reduces, notice_weeks
from cases.models import Borger, Relation, Sag
from cases.services.borger import borger_cpr_current
from vum import calendar
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.catalog.selectors import current_kommune
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_create, frist_meet
from vum.dispatch import DeliveryRefused, Letter, get_dispatcher
from vum.notifications.models import Notifikation
from vum.notifications.services import Besked, administrators_notify, notifikationer_create
from vum.serviceplatformen.beskedfordeler import DeadLetter, PostStatus, receipt_failure_alert
from vum.serviceplatformen.client import ServiceplatformenError
from vum.serviceplatformen.cpr import lookup_enabled
from vum.serviceplatformen.digital_post import DIGITAL, without_cpr

logger = logging.getLogger(__name__)


def brev_dispatch(*, brev_id: int, wait: bool = True, read_cpr: bool = True) -> Forsendelse | None:
    """Send a frozen letter to its addressee and, where it has one, its copy to the citizen.
    Each dispatch is its own transaction holding the letter's row, so one that has gone out is
    recorded before the next is tried, and a second call (a retry, or a sweep) sends only what
    has not gone. With `wait=False` a letter another process holds is left to it (None).
    With `read_cpr`, the citizen is first read from CPR (`letter_citizen_read`).
    Returns the dispatch to the addressee."""
    if read_cpr:
        letter_citizen_read(brev_id=brev_id)
    forsendelse = _dispatch_to(brev_id=brev_id, modtager=Forsendelse.Modtager.ADRESSAT, wait=wait)
    if forsendelse is not None and forsendelse.brev.kopi_til:
        _dispatch_to(brev_id=brev_id, modtager=Forsendelse.Modtager.KOPI_TIL_BORGER, wait=wait)
    return forsendelse


def letter_citizen_read(*, brev_id: int) -> bool:
    """Read the letter's citizen from CPR, when due (`borger_cpr_current`), before the letter
    is claimed: in its own transaction, so a protection found is kept even if the dispatch
    fails, and no row is held while CPR answers. False when CPR could not answer."""
    if not lookup_enabled():
        return True  # the sweep's hot path: no query for the citizen when CPR is not asked
    borger = Borger.objects.filter(sager__breve__pk=brev_id).first()
    return borger is None or borger_cpr_current(borger=borger)


def pending_letters() -> QuerySet[Brev]:
    """Letters frozen and not yet sent to every recipient: the outbox of letters. A recipient
    is waiting while it has no dispatch, or its latest is the caseworker's "send again"; a
    dispatch that failed waits for the caseworker, not for the sweep."""

    def latest(modtager: str) -> Subquery:
        rows = Forsendelse.objects.filter(brev=OuterRef("pk"), modtager=modtager)
        return Subquery(rows.order_by("-id").values("status")[:1])

    again = Forsendelse.Status.SENDES_IGEN
    return (
        Brev.objects.annotate(
            to_addressee=latest(Forsendelse.Modtager.ADRESSAT),
            to_copy=latest(Forsendelse.Modtager.KOPI_TIL_BORGER),
        )
        .filter(
            Q(to_addressee__isnull=True)
            | Q(to_addressee=again)
            | (~Q(kopi_til="") & (Q(to_copy__isnull=True) | Q(to_copy=again)))
        )
        .order_by("oprettet", "id")
    )


def breve_dispatch_pending(*, limit: int = 100) -> int:
    """The sweep: send the letters that are frozen but not sent (their task was never queued,
    say, because the broker was down), oldest first. Each letter is claimed with SKIP LOCKED, so
    two sweeps, or a sweep and the task queued at the send, never send one twice; a letter that
    cannot be sent now is logged and left for the next sweep, not in the way of the others.
    Letters left waiting too long are told to the administrators (`breve_overdue_alert`).
    Returns how many letters were sent."""
    sent = 0
    failure = ""
    cpr_answers = True
    for brev_id in pending_letters().values_list("pk", flat=True)[:limit]:
        try:
            # Once CPR has not answered, the sweep's other letters go on what vum holds.
            cpr_answers = cpr_answers and letter_citizen_read(brev_id=brev_id)
            if brev_dispatch(brev_id=brev_id, wait=False, read_cpr=False) is not None:
                sent += 1
        except ServiceplatformenError as away:
            logger.warning("Brev %s kunne ikke sendes: %s", brev_id, away.reason)
            failure = away.reason
            if away.retryable:
                break  # Digital Post is away: the next sweep tries again, oldest first
        except Exception:  # one letter's failure must not stop the others
            logger.warning(
                "Brev %s kunne ikke sendes; næste kørsel prøver igen.", brev_id, exc_info=True
            )
            failure = "en fejl i vum (se loggen)"
    breve_overdue_alert(failure=failure)
    return sent


def breve_overdue_alert(*, failure: str = "") -> list[Notifikation]:
    """Tell the administrators, once an hour, when the oldest letter in the outbox has waited
    longer than VUM_LETTER_OVERDUE_MINUTES: a fault the sweep cannot get past (Digital Post away
    for long, the service agreement refused, a broken letter) stops letters and their complaint
    deadlines without any one letter being refused, so no caseworker is told. `failure` is the
    sweep's last reason (no citizen data)."""
    waiting = pending_letters()
    oldest = waiting.values_list("oprettet", flat=True).first()
    now = timezone.now()
    if oldest is None or now - oldest < timedelta(minutes=settings.VUM_LETTER_OVERDUE_MINUTES):
        return []
    since = formats.date_format(timezone.localtime(oldest), "j. F Y H:i")
    count = waiting.count()
    return administrators_notify(
        titel="Breve venter på at blive sendt",
        tekst=(
            f"{count} {'brev' if count == 1 else 'breve'} er ikke sendt; det ældste har "
            f"ventet siden {since}. "
            + (f"Seneste fejl: {failure} " if failure else "")
            + "Klagefristen løber ikke, før brevet er sendt. Se serverens log og forbindelsen "
            "til Digital Post (docs/serviceplatformen.md)."
        ),
        link="",
        kilde=f"breve-venter-{timezone.localtime(now):%Y%m%d%H}",
    )


@transaction.atomic
def _dispatch_to(*, brev_id: int, modtager: str, wait: bool) -> Forsendelse | None:
    brev = (
        Brev.objects.select_for_update(of=("self",), skip_locked=not wait)
        .select_related("sag__borger", "sag__team", "afgoerelse")
        .filter(pk=brev_id)
        .first()
    )
    if brev is None:
        return None  # another process holds the letter and is sending it
    latest = Forsendelse.objects.filter(brev=brev, modtager=modtager).order_by("-id").first()
    if latest is not None and latest.status != Forsendelse.Status.SENDES_IGEN:
        return latest  # sent, or failed and waiting for the caseworker
    letter = _letter(
        brev,
        modtager,
        given_cpr=latest.modtager_cpr if latest else "",
        attempt=latest.forsoeg if latest else 0,
    )
    dispatcher = get_dispatcher()
    try:
        if letter.address_protected and not dispatcher.digital_post:
            raise DeliveryRefused(
                f"{letter.recipient_name} har navne- og adressebeskyttelse, og breve til "
                "borgeren må kun sendes med Digital Post, som ikke er sat op her.",
                channel=dispatcher.channel,
            )
        receipt = dispatcher.send(letter)
    except DeliveryRefused as refusal:
        return _record_refusal(brev, modtager, letter, refusal)
    forsendelse = _record(
        brev,
        modtager,
        letter,
        kanal=receipt.channel,
        reference=receipt.reference,
        sendt=receipt.sent_at,
        status=(
            Forsendelse.Status.LEVERET
            if receipt.delivered_at is not None
            else Forsendelse.Status.FYSISK_POST
            if receipt.physical_post
            else Forsendelse.Status.SENDT
        ),
        leveret=receipt.delivered_at,
    )
    afgoerelse = brev.afgoerelse
    if afgoerelse is not None and modtager == Forsendelse.Modtager.ADRESSAT:
        # The decision is received when the letter reaches the recipient: Digital Post's
        # acceptance where it counts as the receipt, else the dispatch (until a receipt from
        # Beskedfordeleren says when, `forsendelse_receipt_record`).
        received = timezone.localtime(receipt.delivered_at or receipt.sent_at).date()
        Afgoerelse.objects.filter(pk=afgoerelse.pk).update(
            meddelt=afgoerelse.meddelt or received,
            klagefrist=calendar.complaint_deadline(received),
        )
        done = [Frist.Art.SAGSBEHANDLINGSFRIST, Frist.Art.SKRIFTLIG_AFGOERELSE]
        if brev.retter_id is not None:
            done.append(Frist.Art.VARSLINGSPERIODE)  # the correcting letter asked for below
        for frist in Frist.objects.open().filter(sag=brev.sag, art__in=done):
            frist_meet(frist=frist, now=receipt.sent_at)
        if brev.retter_id is None:
            _notice_kept_at_dispatch(brev, afgoerelse, received)
    undelivered = Frist.objects.open().filter(
        sag=brev.sag, art=Frist.Art.BREV_IKKE_LEVERET, kilde=_letter_key(brev, modtager)
    )
    for frist in undelivered:
        frist_meet(frist=frist, now=receipt.sent_at)
    audit_record(
        actor=None,
        action=AuditAction.EXPORT,
        obj=brev,
        borger_id=brev.sag.borger_id,
        summary=f"Brev sendt via {receipt.channel} ({forsendelse.get_modtager_display().lower()})",
        changes={"reference": receipt.reference, "status": forsendelse.status},
    )
    return forsendelse


def _record(brev: Brev, modtager: str, letter: Letter, **outcome: Any) -> Forsendelse:
    """One dispatch of the letter to one recipient, with how it went."""
    return Forsendelse.objects.create(
        brev=brev,
        modtager=modtager,
        modtager_navn=letter.recipient_name,
        modtager_cpr=letter.recipient_cpr,
        forsoeg=letter.attempt,
        **outcome,
    )


def _letter(brev: Brev, modtager: str, *, given_cpr: str = "", attempt: int = 0) -> Letter:
    """The letter for one recipient, addressed as it was frozen: the addressee's CPR number and
    e-mail were fixed with the letter (or the number given since for that same addressee), and a
    copy goes to the citizen. Only the protection is read now: a citizen protected since the
    letter was frozen is protected still. `attempt` is the message's number (`Letter.attempt`)."""
    sag = brev.sag
    borger = sag.borger
    subject = f"{brev.get_art_display()} fra {current_kommune().navn}"
    address = borger.postal_address if not brev.kopi_til else _holder_address(brev)
    letter = Letter(
        brev_id=brev.pk,
        recipient_name=brev.modtager_navn,
        recipient_email=brev.modtager_email,
        recipient_cpr=brev.modtager_cpr or given_cpr,
        # The citizen's protection covers letters to the citizen, not to their guardian.
        address_protected=borger.adressebeskyttet and not brev.kopi_til,
        recipient_address=address["adresse"],
        recipient_postcode=address["postnummer"],
        subject=subject,
        pdf=bytes(brev.pdf),
        letter_uuid=brev.meddelelse_uuid,
        team=sag.team.navn,
        team_id=f"vum-team-{sag.team.slug}",
        reply_address=sag.team.svaradresse,
        case_reference=f"sag-{sag.pk}",
        attempt=attempt,
    )
    if modtager == Forsendelse.Modtager.ADRESSAT:
        return letter
    return replace(
        letter,
        recipient_name=borger.navn,
        recipient_email=borger.email,
        recipient_cpr=borger.cpr,
        address_protected=borger.adressebeskyttet,
        recipient_address=borger.postal_address["adresse"],
        recipient_postcode=borger.postal_address["postnummer"],
        subject=f"Kopi: {subject}",
        copy=True,
    )


POSTCODE_AND_TOWN = re.compile(r",?\s*(?P<postnummer>\d{4})\s+(?P<by>[^,\d]+)$")


def _holder_address(brev: Brev) -> dict[str, str]:
    """The postal address of the one the letter was frozen for, when they hold the citizen's
    rights: a relation's address is one line ("Vej 1, 8000 By"), split for physical post."""
    holder = _frozen_holder(brev)
    line = holder.adresse.strip() if holder is not None else ""
    town = POSTCODE_AND_TOWN.search(line)
    if town is None:
        return {"adresse": line, "postnummer": "", "by": ""}
    return {"adresse": line[: town.start()].strip(), **town.groupdict()}


def _letter_key(brev: Brev, modtager: str) -> str:
    """The key of the task for a letter that was not delivered to this recipient
    (`Frist.kilde`), so that the dispatch that delivers it closes that task."""
    return f"brev-ikke-leveret:{brev.pk}:{modtager}"


NOT_DELIVERED_WORKING_DAYS = 1


def _record_refusal(
    brev: Brev, modtager: str, letter: Letter, refusal: DeliveryRefused
) -> Forsendelse:
    """A letter that cannot reach its recipient this way: the failed dispatch is recorded, so
    the sweep does not try it again, and the caseworker gets a task and a notification to see
    to it (add the missing CPR number, send it another way) and send it again. Nothing about the
    decision counts as received."""
    forsendelse = _record(
        brev,
        modtager,
        letter,
        kanal=refusal.channel,
        reference=refusal.reference,
        sendt=timezone.now(),
        status=Forsendelse.Status.FEJLET,
        fejl=refusal.reason[:500],
    )
    _not_delivered(brev, forsendelse, channel=refusal.channel, reason=refusal.reason)
    return forsendelse


def _not_delivered(brev: Brev, forsendelse: Forsendelse, *, channel: str, reason: str) -> None:
    """Audit a dispatch that did not reach its recipient, and give the caseworker the task to
    see to it and send it again (one task while it stands)."""
    sag = brev.sag
    who = forsendelse.get_modtager_display().lower()
    audit_record(
        actor=None,
        action=AuditAction.EXPORT,
        obj=brev,
        borger_id=sag.borger_id,
        summary=f"Brev ikke leveret via {channel} ({who})",
        changes={"status": forsendelse.status},
    )
    key = _letter_key(brev, forsendelse.modtager)
    if Frist.objects.open().filter(sag=sag, art=Frist.Art.BREV_IKKE_LEVERET, kilde=key).exists():
        # Sent again and refused again: the caseworker's task stands, and the case shows why.
        return
    _ask_the_caseworker(
        sag=sag,
        art=Frist.Art.BREV_IKKE_LEVERET,
        due=calendar.add_working_days(timezone.localdate(), NOT_DELIVERED_WORKING_DAYS),
        beskrivelse=(
            f"{brev.get_art_display()} er ikke leveret til {forsendelse.modtager_navn} ({who})"
        ),
        regel=reason[:300],
        task_key=key,
        titel=f"Et brev er ikke leveret, sag {sag.pk}",
        tekst=(
            f"{brev.get_art_display()} ({who}) kunne ikke leveres: {reason} "
            "Se til det, og send brevet igen fra sagen senest {due}."
        ),
        kilde=f"brev-ikke-leveret:{forsendelse.pk}",
    )


# Dispatches a receipt from Digital Post can still change: taken, and not yet failed.
RECEIPTS_APPLY_TO = (
    Forsendelse.Status.SENDT,
    Forsendelse.Status.LEVERET,
    Forsendelse.Status.FYSISK_POST,
)


# How many times vum tries a receipt from Beskedfordeleren before it goes to the dead letters.
RECEIPT_ATTEMPTS = 2


def forsendelse_receipt_handle(status: PostStatus) -> None:
    """Record a receipt fetched from Beskedfordeleren (`forsendelse_receipt_record`), counting
    the times vum fails on it (KvitteringsFejl): after a failure the message comes again, and
    after the second it goes to the dead letters (DeadLetter). A database that is away is never
    the message's fault, and is not counted."""
    key = _receipt_key(status)
    failures = KvitteringsFejl.objects.filter(noegle=key)
    try:
        forsendelse_receipt_record(status=status)
    except (OperationalError, InterfaceError):
        raise
    except Exception as error:
        count = _receipt_failure_count(key)
        if count < RECEIPT_ATTEMPTS:
            raise
        # Put back in the queue by an administrator once vum is mended, it is tried afresh.
        failures.delete()
        name = status.besked_id or "uden BeskedId"
        raise DeadLetter(
            f"vum fejlede {count} gange på Haendelsesbesked {name} ({type(error).__name__})"
        ) from error
    failures.delete()


def _receipt_key(status: PostStatus) -> str:
    key = status.besked_id or f"{status.message_uuid} {status.status} {status.at.isoformat()}"
    return key[:300]


def _receipt_failure_count(key: str) -> int:
    """One more failure on the receipt `key`, in a transaction of its own (the receipt's own
    rolled back); how many there have been."""
    with transaction.atomic():
        KvitteringsFejl.objects.get_or_create(noegle=key)
        KvitteringsFejl.objects.filter(noegle=key).update(fejl=F("fejl") + 1, sidst=timezone.now())
        return KvitteringsFejl.objects.get(noegle=key).fejl


def forsendelse_receipt_record(*, status: PostStatus) -> Forsendelse | None:
    """Digital Post's receipt for a dispatch (PKO_PostStatus, through Beskedfordeleren),
    found by its messageUUID, in one transaction holding the letter's row:
    - delivered: the dispatch is delivered as of the receipt, and a decision letter's
      complaint deadline runs from that day (its notice is checked again from it);
    - failed: the dispatch is not delivered. The caseworker gets the task, as for a letter
      refused at once; a decision whose letter failed is not received (no complaint deadline
      runs); and "send again" sends a new message;
    - anything else (physical post on its way): noted on the dispatch.
    A receipt for an attempt that a later one replaced, older than the one recorded, or
    recorded already changes nothing (None): Beskedfordeleren may bring a receipt twice and out
    of order. A receipt no dispatch claims is parked (`parked_receipts_apply`): its dispatch may
    not be recorded yet, or it is another of the municipality's systems' message."""
    reference = str(status.message_uuid)
    # A message is one letter's to one recipient, for good (dispatches are append-only).
    found = Forsendelse.objects.filter(reference=reference).values_list("brev_id", "modtager")
    if (message := found.first()) is None:
        _park(status)
        return None
    brev_id, modtager = message
    with transaction.atomic():
        brev = (
            Brev.objects.select_for_update(of=("self",))
            .select_related("sag__borger")
            .get(pk=brev_id)
        )
        latest = Forsendelse.objects.filter(brev=brev, modtager=modtager).order_by("-id").first()
        if (
            latest is None
            or latest.reference != reference
            or latest.status not in RECEIPTS_APPLY_TO
            or not _news(status, latest)
        ):
            return None
        # Dispatches are append-only: the receipt is the recipient's new latest row.
        forsendelse = Forsendelse(
            brev=brev,
            modtager=modtager,
            modtager_navn=latest.modtager_navn,
            modtager_cpr=latest.modtager_cpr,
            kanal=latest.kanal,
            reference=reference,
            forsoeg=latest.forsoeg,
            sendt=latest.sendt,
            status=latest.status,
            leveret=latest.leveret,
            kvittering=status.status[:100],
            kvitteret=status.at,
        )
        if status.delivered:
            forsendelse.status = Forsendelse.Status.LEVERET
            forsendelse.leveret = status.at
        elif status.failed:
            forsendelse.status = Forsendelse.Status.FEJLET
            forsendelse.fejl = (
                "Digital Post meldte efter afsendelsen, at brevet ikke blev leveret"
                + (f": {without_cpr(status.error)}" if status.error else ".")
            )[:500]
        forsendelse.save()
        decision = brev.afgoerelse_id
        if modtager == Forsendelse.Modtager.ADRESSAT and decision is not None:
            _decision_receipt(brev, decision, forsendelse, status)
        if status.failed:
            _not_delivered(brev, forsendelse, channel=forsendelse.kanal, reason=forsendelse.fejl)
        else:
            audit_record(
                actor=None,
                action=AuditAction.EXPORT,
                obj=brev,
                borger_id=brev.sag.borger_id,
                summary=(
                    f"Kvittering fra Digital Post: {status.status} "
                    f"({forsendelse.get_modtager_display().lower()})"
                ),
                changes={"status": forsendelse.status},
            )
    return forsendelse


def receipts_overdue_alert() -> list[Notifikation]:
    """Tell the administrators, once an hour, when letters Digital Post took have had no
    receipt for VUM_BESKEDFORDELER_OVERDUE_HOURS: Beskedfordeleren unreachable, its login
    refused or the subscription missing leave no one letter at fault, and a failed delivery
    would not be heard of. (A digital dispatch is *Sendt* only while receipts are on; without
    them it is *Leveret* at once.)"""
    cutoff = timezone.now() - timedelta(hours=settings.VUM_BESKEDFORDELER_OVERDUE_HOURS)
    its_receipts = Forsendelse.objects.filter(
        brev=OuterRef("brev"), modtager=OuterRef("modtager"), reference=OuterRef("reference")
    ).exclude(kvittering="")
    waiting = Forsendelse.objects.filter(
        status=Forsendelse.Status.SENDT, kanal=DIGITAL, kvittering="", sendt__lt=cutoff
    ).exclude(Exists(its_receipts))
    oldest = waiting.order_by("sendt").values_list("sendt", flat=True).first()
    if oldest is None:
        return []
    count = waiting.count()
    since = formats.date_format(timezone.localtime(oldest), "j. F Y H:i")
    return administrators_notify(
        titel="Kvitteringer fra Digital Post udebliver",
        tekst=(
            f"{count} {'brev' if count == 1 else 'breve'}, som Digital Post har taget imod, har "
            f"ingen kvittering; det ældste blev sendt {since}. Tjek forbindelsen til "
            "Beskedfordeleren, login og abonnementet på PKO_PostStatus "
            "(docs/serviceplatformen.md#beskedfordeleren-sf1461)."
        ),
        link="",
        kilde=f"kvitteringer-udebliver-{timezone.localtime():%Y%m%d%H}",
    )


def _news(status: PostStatus, latest: Forsendelse) -> bool:
    """Does the receipt tell more than the dispatch's latest row: it is later than the receipt
    recorded, or final where that was on the way (Digital Post may stamp both within one
    second, and physical post's progress comes from other clocks)?"""
    if latest.kvitteret is None or status.at > latest.kvitteret:
        return True
    # A final status after a progress one, whatever their times (clocks differ).
    return (status.delivered or status.failed) and latest.status != Forsendelse.Status.LEVERET


def _park(status: PostStatus) -> None:
    key = (
        status.besked_id
        or hashlib.sha256(
            f"{status.message_uuid}|{status.status}|{status.at.isoformat()}".encode()
        ).hexdigest()
    )
    ParkeretKvittering.objects.get_or_create(
        besked_id=key,
        defaults={
            "reference": str(status.message_uuid),
            "status": status.status[:100],
            "tidspunkt": status.at,
            "kanal": status.channel[:50],
            "fejl": without_cpr(status.error)[:500],
        },
    )
    logger.info("Kvittering %s parkeret: ingen forsendelse har dens messageUUID", key)


def parked_receipts_apply(*, limit: int) -> int:
    """Apply the parked receipts whose dispatch is now recorded, oldest first, each in one
    transaction with its removal; then delete those unclaimed for VUM_BESKEDFORDELER_PARK_DAYS
    (another system's messages). Safe to run twice at once: applying a receipt twice changes
    nothing. Returns how many were applied."""
    claimed = ParkeretKvittering.objects.filter(
        reference__in=Forsendelse.objects.values("reference")
    ).order_by("tidspunkt", "id")
    too_old = timezone.now() - timedelta(days=settings.VUM_BESKEDFORDELER_PARK_DAYS)
    ParkeretKvittering.objects.filter(modtaget__lt=too_old).delete()
    KvitteringsFejl.objects.filter(sidst__lt=too_old).delete()
    applied = 0
    for parked in claimed[:limit]:
        try:
            with transaction.atomic():
                forsendelse_receipt_record(
                    status=PostStatus(
                        besked_id=parked.besked_id,
                        message_uuid=uuid.UUID(parked.reference),
                        status=parked.status,
                        at=parked.tidspunkt,
                        channel=parked.kanal,
                        error=parked.fejl,
                    )
                )
                parked.delete()
        except (OperationalError, InterfaceError):
            raise  # the database is away: every receipt waits
        except Exception as error:  # one receipt's fault must not hold up the others
            logger.exception("Parkeret kvittering %s kunne ikke anvendes", parked.besked_id)
            receipt_failure_alert(
                reason=f"den parkerede kvittering {parked.besked_id} kunne ikke anvendes "
                f"({type(error).__name__}); den prøves igen ved hver hentning"
            )
            continue
        applied += 1
    return applied


def _decision_receipt(
    brev: Brev, afgoerelse_id: int, forsendelse: Forsendelse, status: PostStatus
) -> None:
    """What Digital Post's receipt for a decision letter means for the decision: the dispatch
    counted it received on the day the letter went; the receipt says the day it arrived, or
    that it did not."""
    # Locked: a correcting letter's dispatch may set the deadline meanwhile.
    afgoerelse = Afgoerelse.objects.select_for_update().get(pk=afgoerelse_id)
    sent_day = timezone.localtime(forsendelse.sendt).date()
    by_this_letter = brev.retter_id is None and afgoerelse.form == Afgoerelse.Form.SKRIFTLIG
    if status.failed:
        # Not received, unless a correcting letter has gone since (its dispatch set the
        # deadline, and its own receipt speaks for it).
        correction_went = Forsendelse.objects.filter(
            brev__afgoerelse=afgoerelse,
            brev__retter__isnull=False,
            modtager=Forsendelse.Modtager.ADRESSAT,
            status__in=RECEIPTS_APPLY_TO,
        ).exists()
        if by_this_letter and afgoerelse.meddelt == sent_day and not correction_went:
            Afgoerelse.objects.filter(pk=afgoerelse.pk).update(meddelt=None, klagefrist=None)
        return
    day = timezone.localtime(status.at).date()
    if not status.delivered or day == sent_day:
        return
    deadline = calendar.complaint_deadline(day)
    Afgoerelse.objects.filter(pk=afgoerelse.pk).update(
        meddelt=day if by_this_letter and afgoerelse.meddelt == sent_day else afgoerelse.meddelt,
        # Never earlier than a later letter (a correction) has made it.
        klagefrist=max(deadline, afgoerelse.klagefrist or deadline),
    )
    if brev.retter_id is None:
        _notice_kept_at_dispatch(brev, afgoerelse, day, delivered=True)


def forsendelse_resend(*, actor: User, forsendelse: Forsendelse) -> Forsendelse:
    """Send again a letter that was not delivered, once the caseworker has seen to the reason.
    The request is recorded, and the letter is then in the outbox again: the next sweep (each
    minute) sends it, outside the caseworker's request, with the same MeMo messageUUID, so
    Digital Post still delivers it once; after Digital Post took the message and then reported
    it failed (its receipt), as the next message, with a new UUID. Returns the request."""
    with transaction.atomic():
        brev = (
            Brev.objects.select_for_update(of=("self",))
            .select_related("sag__borger")
            .get(pk=forsendelse.brev_id)
        )
        require(actor, Action.EDIT, brev.sag)
        latest = (
            Forsendelse.objects.filter(brev=brev, modtager=forsendelse.modtager)
            .order_by("-id")
            .first()
        )
        if latest is None or latest.status != Forsendelse.Status.FEJLET:
            raise ValidationError(
                "Brevet kan kun sendes igen, når det senest ikke blev leveret; se brevets status."
            )
        request = Forsendelse.objects.create(
            brev=brev,
            modtager=latest.modtager,
            modtager_navn=latest.modtager_navn,
            modtager_cpr=_cpr_given_since(brev, latest.modtager),
            kanal=latest.kanal,
            reference="",
            forsoeg=latest.forsoeg + (1 if latest.kvittering else 0),
            sendt=timezone.now(),
            status=Forsendelse.Status.SENDES_IGEN,
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=brev,
            borger_id=brev.sag.borger_id,
            summary=f"Brev sendes igen ({request.get_modtager_display().lower()})",
            changes={"forsendelse": latest.pk},
        )
    return request


def _cpr_given_since(brev: Brev, modtager: str) -> str:
    """The CPR number of a letter's addressee that vum did not know when the letter was frozen,
    if the caseworker has added it since: only for the same person (the one who holds the
    citizen's rights now, by the name the letter was frozen for); another person gets a new
    letter, not this one."""
    if modtager != Forsendelse.Modtager.ADRESSAT or brev.modtager_cpr or not brev.kopi_til:
        return ""
    holder = _frozen_holder(brev)
    return holder.cpr if holder is not None else ""


def _frozen_holder(brev: Brev) -> Relation | None:
    """The relation who holds the citizen's rights now, if they are the one the letter was
    frozen for (by name: the letter holds no other key to them)."""
    return (
        brev.sag.borger.relationer.current()
        .filter(varetager_partsrettigheder=True, navn=brev.modtager_navn)
        .first()
    )


CORRECTION_WORKING_DAYS = 1


def _notice_kept_at_dispatch(
    brev: Brev, afgoerelse: Afgoerelse, sent_day: date, *, delivered: bool = False
) -> None:
    """The citizen receives a written decision when its letter goes out (or, with Digital
    Post's receipt, when it is `delivered`), and an end or a reduction takes effect no earlier
    than that plus its notice (`assessment.varsel`, servicelovens § 3 a). `afgoerelse_send`
    counted from the day the letter was frozen; a letter that goes out or arrives later (the
    broker was down and the sweep sent it) may now give less. Each such date is moved to that
    day plus its notice and audited, and the caseworker gets a deadline (and a notification) to
    send a correcting letter with the new date, which the correction reads from the moved
    result. The letter that went out is never changed."""
    if afgoerelse.form != Afgoerelse.Form.SKRIFTLIG:
        return  # an oral decision was received when it was told; checked when recorded
    moved: list[tuple[AfgoerelsesResultat, date, int]] = []
    rows = afgoerelse.resultater.select_related("kommunal_ydelse", "indsats__kommunal_ydelse")
    for row in rows:
        if not ends_or_reduces(row):
            continue
        weeks = notice_weeks(row)
        earliest = sent_day + timedelta(weeks=weeks)
        if row.virkningsdato >= earliest:
            continue
        old = row.virkningsdato
        row.virkningsdato = earliest
        row.save(update_fields=["virkningsdato"])
        moved.append((row, old, weeks))
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            obj=afgoerelse,
            borger_id=brev.sag.borger_id,
            summary=(
                f"Virkningsdato for {row.beskrivelse} flyttet ved "
                f"{'leveringen' if delivered else 'afsendelsen'} {sent_day:%d.%m.%Y}, så "
                "varslet overholdes; rettelsesbrev skal sendes"
            ),
            changes={
                "brev": brev.pk,
                "virkningsdato": {"old": old.isoformat(), "new": earliest.isoformat()},
                "varsel_uger": weeks,
            },
        )
    if moved:
        _ask_for_a_correcting_letter(brev, sent_day, moved, delivered=delivered)


def _ask_for_a_correcting_letter(
    brev: Brev,
    sent_day: date,
    moved: list[tuple[AfgoerelsesResultat, date, int]],
    *,
    delivered: bool,
) -> None:
    sag = brev.sag
    late = "kom først frem" if delivered else "blev først sendt"

    def day(d: date) -> str:
        return formats.date_format(d, "j. F Y")

    changes = "; ".join(
        f"{row.beskrivelse}: fra {day(old)} til {day(row.virkningsdato)}"
        + (f" ({weeks} ugers varsel)" if weeks else "")
        for row, old, weeks in moved
    )
    _ask_the_caseworker(
        sag=sag,
        art=Frist.Art.VARSLINGSPERIODE,
        due=calendar.add_working_days(sent_day, CORRECTION_WORKING_DAYS),
        beskrivelse="Send et rettelsesbrev: afgørelsens virkningsdato er flyttet, så varslet "
        "overholdes",
        regel=(
            f"Varslet regnes fra borgerens modtagelse af afgørelsen ({NOTICE_SOURCE}); brevet "
            f"{late} {sent_day:%d.%m.%Y}"
        ),
        titel=f"Send et rettelsesbrev om virkningsdatoen, sag {sag.pk}",
        tekst=(
            f"Afgørelsesbrevet {late} {day(sent_day)}, så datoen i brevet "
            f"ville ikke overholde varslet. Virkningsdatoen er flyttet ({changes}). "
            "Send et rettelsesbrev med den nye dato til borgeren, og ret "
            "bestillingernes slutdato. Send det senest {due}."
        ),
        kilde=f"varsel-ved-{'levering' if delivered else 'afsendelse'}:{brev.pk}",
    )


def _ask_the_caseworker(
    *,
    sag: Sag,
    art: str,
    due: date,
    beskrivelse: str,
    regel: str,
    titel: str,
    tekst: str,
    kilde: str,
    task_key: str = "",
) -> Frist:
    """A task on the case for its caseworker, due at the end of `due` (found again by
    `task_key`), and a notification that says what to do (`tekst` names the day where it says
    "{due}"; `kilde` is the notification's cause)."""
    frist = frist_create(
        sag=sag,
        art=art,
        frist=calendar.end_of_day(due),
        beskrivelse=beskrivelse,
        regel=regel,
        kilde=task_key,
        ansvarlig=sag.sagsbehandler,
        ansvarligt_team=sag.team,
    )
    by = formats.date_format(due, "j. F Y")
    notifikationer_create(
        beskeder=[
            Besked(
                modtager=user,
                titel=titel,
                tekst=tekst.replace("{due}", by),
                link=reverse("sag_detail", args=[sag.pk]),
                kilde=kilde,
            )
            for user in sag.caseworkers()
        ]
    )
    return frist
