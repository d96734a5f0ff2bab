"""A real vum process (a Celery worker, or manage.py) whose clock runs with the test's.

The tests run at a stated instant (tests/clock.py), and a process of its own would otherwise read
the real clock and disagree with them about what is due, or call the test's "now" the future.
`command()` gives the command line that starts such a process: it passes the test's instant and
the real time at which the test read it, and the process starts its clock at that instant plus
the real time its own start took, then ticks on, as the test's does. The database, the broker and
the rest come from the environment the test starts the process with (`environment()`).

`python -m tests.timed <instant> <real time> celery <worker options>` runs a worker;
`python -m tests.timed <instant> <real time> manage <command and options>` runs a manage.py
command (e.g. `runserver`).
"""

import os
import sys
import time
from datetime import datetime, timedelta

import time_machine

# A worker for tests: one process, no chatter with other workers, warnings only.
WORKER_OPTIONS = (
    "-P", "solo", "--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "WARNING",
)  # fmt: skip


def _real_time() -> float:
    hatch = time_machine.escape_hatch
    return hatch.time.time() if hatch.is_travelling() else time.time()


def command(kind: str, *args: str) -> list[str]:
    """The command line that runs `kind` (celery or manage) on the calling test's clock."""
    from django.utils import timezone

    instant = timezone.now().isoformat()
    return [sys.executable, "-m", "tests.timed", instant, repr(_real_time()), kind, *args]


def worker_command(queue: str) -> list[str]:
    return command("celery", *WORKER_OPTIONS, "-Q", queue)


def environment(**overrides: str) -> dict[str, str]:
    """The environment of a process on the test's database and Celery queue (and otherwise the
    test's own)."""
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vum.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        **overrides,
    }


def main() -> None:
    instant, read_at, kind, *args = sys.argv[1:]
    started = datetime.fromisoformat(instant) + timedelta(seconds=time.time() - float(read_at))
    with time_machine.travel(started, tick=True):
        time.time()  # time-machine's clock ticks from the first reading: start it now
        if kind == "celery":
            from vum.celery import app

            app.worker_main(["worker", *args])
        elif kind == "manage":
            from django.core.management import execute_from_command_line

            execute_from_command_line(["manage.py", *args])
        else:
            raise SystemExit(f"unknown kind {kind!r}: celery or manage")


if __name__ == "__main__":
    main()
