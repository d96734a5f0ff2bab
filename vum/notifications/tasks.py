from celery import shared_task

from vum.notifications.outbox import emails_send


@shared_task(name="vum.notifications.send_emails")
def send_emails() -> int:
    return emails_send()
