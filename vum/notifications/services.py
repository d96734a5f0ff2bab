"""Notifications: the in-app bell and its e-mail copy through the outbox."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vum.accounts.models import User
from vum.notifications.models import Notifikation, UdgaaendeEmail
from vum.notifications.tasks import send_emails


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
        transaction.on_commit(send_emails.delay)
    return created


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
