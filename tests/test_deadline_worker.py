"""Warnings survive a real Celery worker killed mid-sweep and a Redis that lost its queue.

The worker is a separate process on the real Redis broker and the test database, its clock
started at the test's instant (tests/timed.py); it is killed with SIGKILL while it
delivers, then the remaining sweeps run. Each warning must end up delivered
exactly once, and no e-mail may be sent twice.

The due warnings are five minutes before the suite's instant (tests/clock.py), which the worker
process shares: due on any day.
"""

import os
import signal
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import connections
from django.utils import timezone

from tests import mailfolder
from tests.factories import SagFactory
from tests.timed import environment, worker_command
from vum.celery import app
from vum.deadlines.models import Frist, Varsel
from vum.deadlines.services import varsler_deliver_due
from vum.deadlines.tasks import deliver_due_warnings
from vum.notifications.models import Notifikation, UdgaaendeEmail
from vum.notifications.outbox import emails_send

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
QUEUE = app.conf.task_default_queue


def _due_warnings(count: int, caseworker) -> None:
    caseworker.email = "sb@kommune.dk"
    caseworker.save()
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    past = timezone.now() - timedelta(minutes=5)
    frister = Frist.objects.bulk_create(
        Frist(
            sag=sag,
            art=Frist.Art.SAGSBEHANDLINGSFRIST,
            beskrivelse=f"Frist {n}",
            frist=past,
            ansvarlig=caseworker,
        )
        for n in range(count)
    )
    Varsel.objects.bulk_create(
        Varsel(frist=f, generation=1, trin="overskredet", forfald=past) for f in frister
    )


def _start_worker(mail_dir: Path) -> subprocess.Popen[bytes]:
    env = environment(
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        EMAIL_URL=mailfolder.url(mail_dir),
        VUM_WARNING_BATCH_SIZE="5",
    )
    return subprocess.Popen(  # noqa: S603 (our own interpreter and fixed arguments)
        worker_command(QUEUE),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(condition, seconds: float, what: str) -> None:
    # A bound on a real worker's time, not a speed target: a busy machine slows it down.
    deadline = time.monotonic() + seconds * 3
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def _sent_message_ids(mail_dir: Path) -> list[str]:
    """E-mails the worker sent (files) and the test's own sweeps sent (Django's test outbox)."""
    return mailfolder.message_ids(mail_dir) + [m.extra_headers["Message-ID"] for m in mail.outbox]


def _sweep_twice_at_once() -> None:
    def sweep() -> None:
        try:
            varsler_deliver_due()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def test_a_worker_killed_mid_sweep_loses_no_warning_and_sends_none_twice(
    caseworker, tmp_path: Path
) -> None:
    total = 1500
    _due_warnings(total, caseworker)
    app.control.purge()
    worker = _start_worker(tmp_path)
    try:
        deliver_due_warnings.delay()
        _wait_for(lambda: Notifikation.objects.count() >= 50, 60, "the worker to start delivering")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    delivered_before_kill = Notifikation.objects.count()
    assert 0 < delivered_before_kill < total, "the kill must land in the middle of the sweep"

    _sweep_twice_at_once()
    emails_send(limit=total)

    assert Varsel.objects.filter(leveret__isnull=True).count() == 0
    assert Notifikation.objects.count() == total
    assert Notifikation.objects.values("kilde").distinct().count() == total
    ids = _sent_message_ids(tmp_path)
    assert len(ids) == len(set(ids)), "an e-mail was sent twice"
    in_doubt = UdgaaendeEmail.objects.filter(
        afsendelse_paabegyndt__isnull=False, afsendt__isnull=True
    ).count()
    assert in_doubt <= 1  # a solo worker holds at most one claim when it dies
    assert len(ids) + in_doubt == total


def test_a_sweep_lost_with_redis_is_caught_up_by_the_next(caseworker, tmp_path: Path) -> None:
    """Redis here keeps nothing on disk: a restart empties the queue. The database still knows
    every due warning, so the next scheduled sweep delivers them all, once."""
    _due_warnings(20, caseworker)
    app.control.purge()
    deliver_due_warnings.delay()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(QUEUE)  # what a restart leaves

    worker = _start_worker(tmp_path)
    try:
        deliver_due_warnings.delay()  # the next beat tick
        _wait_for(lambda: Notifikation.objects.count() == 20, 60, "the next sweep")
    finally:
        worker.kill()
        worker.wait(timeout=10)
    assert Notifikation.objects.count() == 20
    assert Varsel.objects.filter(leveret__isnull=True).count() == 0
