from collections.abc import Iterator
from datetime import UTC

import pytest
import time_machine
from django.test import Client

from tests.clock import local_instant, suite_instant
from tests.factories import UserFactory
from vum.accounts.models import User


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        'now(instant, tick=True): run the test at this local instant ("2026-11-02 10:00") '
        "instead of the suite's (tests/clock.py)",
    )


@pytest.fixture(autouse=True)
def _clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test runs at a stated instant: its own `now` marker's, or the suite's."""
    marker = request.node.get_closest_marker("now")
    instant = local_instant(marker.args[0]) if marker else suite_instant()
    tick = marker.kwargs.get("tick", True) if marker else True
    # In UTC, so that time-machine leaves the process's TZ alone (Django has set it already).
    with time_machine.travel(instant.astimezone(UTC), tick=tick):
        yield


@pytest.fixture
def caseworker(db: None) -> User:
    return UserFactory()


@pytest.fixture
def login(client: Client):  # type: ignore[no-untyped-def]
    """Log a user in on the test client: `login(user)`."""

    def do_login(user: User) -> Client:
        client.force_login(user)
        return client

    return do_login
