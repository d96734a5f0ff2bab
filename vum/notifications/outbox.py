"""The e-mail outbox: outgoing e-mails written in the transaction that caused them, sent after
commit one claim at a time (SELECT ... FOR UPDATE SKIP LOCKED), so two senders split the work
and none is sent twice."""

from datetime import datetime

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from vum.notifications.models import UdgaaendeEmail

# E-mails a task sends before it hands the rest to the next task.
EMAIL_BATCH = 100


def emails_send(*, now: datetime | None = None, limit: int = EMAIL_BATCH) -> int:
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
