"""Notifications: the in-app bell and its e-mail copy through the outbox."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from vum.accounts.models import User
from vum.notifications.models import Notifikation, UdgaaendeEmail


@dataclass(frozen=True)
class Besked:
    modtager: User
    titel: str
    tekst: str
    link: str
    kilde: str


def notifikationer_create(*, beskeder: Sequence[Besked]) -> list[Notifikation]:
    """Create notifications and their outgoing e-mails. Call inside the transaction that records
    why they were sent; a cause (`kilde`) reaches each recipient at most once."""
    created = Notifikation.objects.bulk_create(
        [
            Notifikation(
                modtager=b.modtager, titel=b.titel, tekst=b.tekst, link=b.link, kilde=b.kilde
            )
            for b in beskeder
        ],
        ignore_conflicts=False,
    )
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
        from vum.notifications.tasks import send_emails

        transaction.on_commit(send_emails.delay)
    return created


def emails_send(*, now: datetime | None = None, limit: int = 100) -> int:
    """Send outgoing e-mails, one claim at a time. Returns how many were sent."""
    sent = 0
    connection = get_connection()
    for _ in range(limit):
        with transaction.atomic():
            email = (
                UdgaaendeEmail.objects.select_for_update(skip_locked=True)
                .filter(afsendelse_paabegyndt__isnull=True)
                .order_by("oprettet", "id")
                .first()
            )
            if email is None:
                break
            email.afsendelse_paabegyndt = now or timezone.now()
            email.save(update_fields=["afsendelse_paabegyndt"])
        message = EmailMessage(
            subject=email.emne,
            body=email.tekst,
            to=[email.til],
            headers={"Message-ID": email.message_id},
        )
        try:
            connection.send_messages([message])
        except Exception as exc:
            # Refused before the server took it, so it was not sent: release the claim for the
            # next run and keep the reason for the administrator.
            UdgaaendeEmail.objects.filter(pk=email.pk).update(
                afsendelse_paabegyndt=None, fejl=str(exc)[:2000]
            )
            break
        UdgaaendeEmail.objects.filter(pk=email.pk).update(afsendt=timezone.now())
        sent += 1
    return sent


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
