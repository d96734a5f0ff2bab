"""`manage.py bench_email_drain`: how long a large e-mail outbox takes to drain, through a real
SMTP connection. A benchmark, not a test: run it against a scratch PostgreSQL database, e.g.

    createdb vum_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vum_bench uv run python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vum_bench \\
        uv run python manage.py bench_email_drain --emails 45000 --senders 2

It writes `--emails` outgoing e-mails (as a deadline sweep's warnings would), starts an SMTP
server on a loopback port that accepts and counts every message (aiosmtpd, a dev dependency),
and drains the outbox with `--senders` concurrent senders, each doing what one worker's chain of
`vum.notifications.send_emails` tasks does: batches of EMAIL_BATCH, one SKIP LOCKED claim per
e-mail, until none is left. It prints the time, the rate, and what the server received: each
e-mail exactly once. The rows it wrote are removed afterwards.
"""

import socket
import threading
import time
import uuid
from argparse import ArgumentParser
from collections import Counter
from email import message_from_bytes
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.test.utils import override_settings

from vum.accounts.models import User
from vum.notifications.models import Notifikation, UdgaaendeEmail
from vum.notifications.outbox import EMAIL_BATCH, emails_send


class _CountingHandler:
    """The SMTP server's handler: accepts every message and counts its Message-ID."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message_id = message_from_bytes(envelope.content)["Message-ID"]
        with self._lock:
            self.received[message_id] += 1
        return "250 OK"


class Command(BaseCommand):
    help = "Time draining a large e-mail outbox through a local SMTP server (scratch database)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--emails", type=int, default=45_000)
        parser.add_argument("--senders", type=int, default=1, help="concurrent senders (workers)")

    def handle(self, *args: Any, emails: int, senders: int, **options: Any) -> None:
        from aiosmtpd.controller import Controller

        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL (set DATABASE_URL).")
        if UdgaaendeEmail.objects.filter(afsendelse_paabegyndt__isnull=True).exists():
            raise CommandError("The outbox is not empty: use a scratch database.")
        recipient = User.objects.exclude(email="").first() or User.objects.first()
        if recipient is None:
            raise CommandError("No user to write to: run `seed_demo` first.")

        run = uuid.uuid4().hex[:8]
        self.stdout.write(f"Writing {emails:,} outgoing e-mails...")
        notes = Notifikation.objects.bulk_create(
            (
                Notifikation(modtager=recipient, titel=f"Frist {n}", kilde=f"bench-{run}-{n}")
                for n in range(emails)
            ),
            batch_size=5000,
        )
        UdgaaendeEmail.objects.bulk_create(
            (
                UdgaaendeEmail(
                    notifikation=note,
                    til="sagsbehandler@kommune.example",
                    emne=note.titel,
                    tekst="En frist er overskredet. Se vum.",
                    message_id=f"<bench-{run}-{note.pk}@vum.local>",
                )
                for note in notes
            ),
            batch_size=5000,
        )

        handler = _CountingHandler()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = Controller(handler, hostname="127.0.0.1", port=port)
        server.start()
        smtp = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": port,
            "EMAIL_USE_TLS": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }
        sent_by: list[int] = []

        def sender() -> None:
            try:
                sent = 0
                while batch := emails_send(limit=EMAIL_BATCH):
                    sent += batch
                sent_by.append(sent)
            finally:
                connections.close_all()

        try:
            with override_settings(**smtp):
                started = time.perf_counter()
                threads = [threading.Thread(target=sender) for _ in range(senders)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                elapsed = time.perf_counter() - started
        finally:
            server.stop()
            Notifikation.objects.filter(kilde__startswith=f"bench-{run}-").delete()

        doubled = sum(1 for n in handler.received.values() if n > 1)
        lost = emails - len(handler.received)
        self.stdout.write(
            self.style.SUCCESS(
                f"{sum(sent_by):,} e-mails sent by {senders} sender(s) in {elapsed:.1f} s "
                f"({sum(sent_by) / elapsed:,.0f}/s); the SMTP server received "
                f"{sum(handler.received.values()):,}: {doubled} twice, {lost} never"
            )
        )
