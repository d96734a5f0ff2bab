"""The periodic deadline task, run by a real Celery worker over the Redis broker.

Meeting times are relative to the suite's instant (tests/clock.py); the in-process worker
shares the test's clock.
"""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from tests.factories import SagFactory
from vum.audit.models import AuditEvent
from vum.celery import app
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_close_passed_meetings
from vum.deadlines.tasks import close_passed_meetings


def _frist(sag, *, hours: int) -> Frist:
    return Frist.objects.create(
        sag=sag,
        art=Frist.Art.AFTALE,
        beskrivelse="Hjemmebesøg",
        frist=timezone.now() + timedelta(hours=hours),
    )


@pytest.mark.django_db
def test_passed_meetings_are_closed_once() -> None:
    sag = SagFactory()
    passed, coming = _frist(sag, hours=-2), _frist(sag, hours=2)
    assert frist_close_passed_meetings(now=timezone.now()) == 1
    assert frist_close_passed_meetings(now=timezone.now()) == 0
    assert Frist.objects.get(pk=passed.pk).status == Frist.Status.OVERHOLDT
    assert Frist.objects.get(pk=coming.pk).status == Frist.Status.AABEN
    event = AuditEvent.objects.get(object_type="deadlines.Frist")
    assert (event.actor, event.actor_label, event.borger_id) == (None, "system", sag.borger_id)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_task_from_the_broker() -> None:
    assert app.conf.broker_url.startswith("redis://")
    assert not app.conf.task_always_eager
    passed = _frist(SagFactory(), hours=-1)
    app.control.purge()
    with start_worker(app, perform_ping_check=False, shutdown_timeout=10):
        close_passed_meetings.delay()
        close_passed_meetings.delay()  # a task safe to run twice
        deadline = time.monotonic() + 20
        while Frist.objects.get(pk=passed.pk).status != Frist.Status.OVERHOLDT:
            assert time.monotonic() < deadline, "the worker never ran the task"
            time.sleep(0.1)
    assert AuditEvent.objects.filter(object_type="deadlines.Frist").count() == 1


def test_the_task_is_scheduled_by_beat() -> None:
    schedule = app.conf.beat_schedule
    assert schedule["close-passed-meetings"]["task"] == close_passed_meetings.name
