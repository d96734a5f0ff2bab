"""Handing work to the Celery worker after a transaction commits: a shortcut, never the record.

Whatever leaves the database is first a row written in the transaction that causes it: a frozen
letter without its dispatch (`assessment.Brev`), an outgoing e-mail (`notifications.
UdgaaendeEmail`), a due warning (`deadlines.Varsel`). Beat sweeps find those rows and do the
work, each claiming its rows with SELECT ... FOR UPDATE SKIP LOCKED. Queuing a task after commit
only makes the work start sooner: if the broker is down, the failure is logged and the next sweep
does the work, and the request that made the change still answers with its success.
"""

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task: Task, *args: Any) -> None:
    """Queue `task` now; a broker that cannot take it is logged (without the task's arguments),
    not raised."""
    try:
        task.delay(*args)
    except Exception:  # any broker failure: the sweep does the work instead
        logger.warning(
            "Kunne ikke lægge opgaven %s i køen; den planlagte kørsel udfører den.",
            task.name,
            exc_info=True,
        )


def enqueue_after_commit(task: Task, *args: Any) -> None:
    """Queue `task` once the current transaction has committed, as `enqueue`."""
    transaction.on_commit(lambda: enqueue(task, *args))
