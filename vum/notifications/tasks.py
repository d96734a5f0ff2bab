from celery import shared_task

from vum.notifications.models import UdgaaendeEmail
from vum.notifications.outbox import EMAIL_BATCH, emails_send
from vum.queue import enqueue


@shared_task(name="vum.notifications.send_emails")
def send_emails() -> int:
    """Send a batch from the e-mail outbox, and while more waits, queue the next batch at once:
    a large sweep's e-mails drain in minutes rather than a batch a minute through beat (which
    still runs, so a batch that cannot be queued waits at most a minute)."""
    sent = emails_send(limit=EMAIL_BATCH)
    if sent == EMAIL_BATCH and UdgaaendeEmail.objects.filter(afsendelse_paabegyndt=None).exists():
        enqueue(send_emails)
    return sent
