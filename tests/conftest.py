from collections.abc import Iterator
from datetime import UTC

import pytest
import time_machine
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.clock import local_instant, suite_instant
from tests.factories import UserFactory
from vum.accounts.models import User
from vum.accounts.two_factor import confirmed_device, two_factor_required


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


@pytest.fixture(autouse=True)
def _force_login_gives_the_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """`client.force_login(user)` signs a user in without their password; for a user who must
    also give a second factor (administrators, vum.accounts.two_factor), it gives that too, with
    a device made for them if they have none, so that a test of what an administrator may see
    need not go through the code page. The second factor itself is tested through the login and
    code pages, as a user meets it (tests/web/test_two_factor.py)."""
    force_login = Client.force_login

    def force_login_verified(self: Client, user: User, backend: str | None = None) -> None:
        force_login(self, user, backend)
        if not two_factor_required(user):
            return
        device = confirmed_device(user) or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True
        )
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login_verified)


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
