"""Notifications: the in-app bell and its e-mail copy through the outbox."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from vum.access import Action, require
from vum.accounts.models import Role, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.notifications.models import Notifikation, UdgaaendeEmail
from vum.notifications.tasks import send_emails
from vum.queue import enqueue_after_commit


@dataclass(frozen=True)
class Besked:
    modtager: User
    titel: str
    tekst: str
    link: str
    kilde: str


def notifikationer_create(*, beskeder: Sequence[Besked]) -> list[Notifikation]:
    """Create notifications and their outgoing e-mails. Call inside the transaction that records
    why they were sent; a cause (`kilde`) reaches each recipient at most once: one already sent
    (or sent by a concurrent transaction meanwhile) is left out, never an error."""
    pending = _not_yet_sent(beskeder)
    try:
        with transaction.atomic():
            created = _insert(pending)
    except IntegrityError:
        # Another transaction sent one of them at the same moment; it has committed now.
        created = _insert(_not_yet_sent(pending))
    base_url = settings.VUM_BASE_URL.rstrip("/")
    domain = settings.VUM_EMAIL_DOMAIN
    UdgaaendeEmail.objects.bulk_create(
        [
            UdgaaendeEmail(
                notifikation=n,
                til=n.modtager.email,
                emne=n.titel,
                tekst=f"{n.tekst}\n\n{base_url}{n.link}" if n.link else n.tekst,
                message_id=f"<notifikation-{n.pk}@{domain}>",
            )
            for n in created
            if n.modtager.email
        ]
    )
    if any(n.modtager.email for n in created):
        enqueue_after_commit(send_emails)
    return created


def _not_yet_sent(beskeder: Sequence[Besked]) -> list[Besked]:
    keys = {(b.kilde, b.modtager.pk) for b in beskeder}
    sent = set(
        Notifikation.objects.filter(
            kilde__in={kilde for kilde, _ in keys}, modtager__in={pk for _, pk in keys}
        ).values_list("kilde", "modtager_id")
    )
    pending: dict[tuple[str, int], Besked] = {}
    for besked in beskeder:
        key = (besked.kilde, besked.modtager.pk)
        if key not in sent:
            pending.setdefault(key, besked)
    return list(pending.values())


def _insert(beskeder: Sequence[Besked]) -> list[Notifikation]:
    return Notifikation.objects.bulk_create(
        [
            Notifikation(
                modtager=b.modtager, titel=b.titel, tekst=b.tekst, link=b.link, kilde=b.kilde
            )
            for b in beskeder
        ]
    )


@transaction.atomic
def administrators_notify(*, titel: str, tekst: str, link: str, kilde: str) -> list[Notifikation]:
    """An operational alert to each active administrator not yet told of this `kilde` (name it
    by the hour, say, to repeat it hourly while the cause lasts)."""
    administrators = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True)
    return notifikationer_create(
        beskeder=[
            Besked(modtager=administrator, titel=titel, tekst=tekst, link=link, kilde=kilde)
            for administrator in administrators
        ]
    )


def notifikationer_handled(*, kilde: str | Collection[str]) -> int:
    """Mark every recipient's unread notification from `kilde` (or each of several) read: its
    task is done, by whoever did it, so it no longer asks anyone for attention. Call inside the
    transaction of the act that handled it."""
    kilder = [kilde] if isinstance(kilde, str) else list(kilde)
    unread = Notifikation.objects.filter(kilde__in=kilder, laest__isnull=True)
    return unread.update(laest=timezone.now())


@transaction.atomic
def notifikation_mark_read(*, user: User, notifikation_id: int) -> None:
    Notifikation.objects.filter(pk=notifikation_id, modtager=user, laest__isnull=True).update(
        laest=timezone.now()
    )


@transaction.atomic
def notifikationer_mark_all_read(*, user: User) -> int:
    return Notifikation.objects.filter(modtager=user, laest__isnull=True).update(
        laest=timezone.now()
    )


@transaction.atomic
def email_resend(*, actor: User, email_id: int) -> UdgaaendeEmail:
    """Put an e-mail in doubt back in the outbox, keeping its Message-ID (so a mail system that
    did take it the first time can recognise the copy). The administrator has confirmed that it
    should go again; the next sending takes it."""
    require(actor, Action.RESEND_EMAIL)
    email = UdgaaendeEmail.objects.select_for_update().get(pk=email_id)
    if not email.is_in_doubt(timezone.now()):
        raise ValidationError(
            "E-mailen er ikke i tvivl: den er sendt, venter på afsendelse eller er ved at blive "
            "sendt lige nu."
        )
    email.afsendelse_paabegyndt = None
    email.fejl = ""
    email.save(update_fields=["afsendelse_paabegyndt", "fejl"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=email,
        summary="Udgående e-mail i tvivl sat til afsendelse igen",
    )
    enqueue_after_commit(send_emails)
    return email
