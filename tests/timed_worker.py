"""A real Celery worker process whose clock starts where the test's is.

`python -m tests.timed_worker <ISO instant> <worker options>`: the tests run at a stated instant
(tests/clock.py), and a worker in a process of its own would otherwise read the real clock and
disagree with them about what is due. The clock ticks on from the instant, as the test's does.
"""

import sys
from datetime import datetime

import time_machine


def main() -> None:
    instant = datetime.fromisoformat(sys.argv[1])
    with time_machine.travel(instant, tick=True):
        from vum.celery import app

        app.worker_main(["worker", *sys.argv[2:]])


if __name__ == "__main__":
    main()
