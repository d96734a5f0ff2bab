"""The suite's clock (tests/clock.py) and the programs a test may need (tests/programs.py)."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from tests.clock import DEFAULT_NOW, ENV_VAR, local_instant, suite_instant
from tests.programs import require_program


def test_a_test_without_an_instant_runs_at_the_suites(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert suite_instant() == local_instant(DEFAULT_NOW)
    monkeypatch.setenv(ENV_VAR, "2030-12-31 23:30")
    assert suite_instant() == datetime(2030, 12, 31, 22, 30, tzinfo=UTC)


@pytest.mark.now("2030-12-31 23:30")
def test_a_test_states_its_own_instant_in_local_time() -> None:
    assert timezone.localtime().strftime("%Y-%m-%d %H:%M") == "2030-12-31 23:30"
    assert timezone.now().strftime("%Y-%m-%d %H:%M") == "2030-12-31 22:30"


@pytest.mark.now("2026-11-18 10:00", tick=False)
def test_a_stopped_clock_stands_still() -> None:
    assert timezone.now() == timezone.now() == local_instant("2026-11-18 10:00")


def test_a_local_time_that_is_missing_or_twice_must_name_its_offset() -> None:
    with pytest.raises(ValueError, match="does not exist"):
        local_instant("2027-03-28 02:30")  # skipped by the spring change
    with pytest.raises(ValueError, match="ambiguous"):
        local_instant("2026-10-25 02:30")  # the autumn change's hour comes twice
    first, second = local_instant("2026-10-25 02:30+02:00"), local_instant("2026-10-25 02:30+01:00")
    assert second.timestamp() - first.timestamp() == 3600


def test_a_missing_program_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = "/usr/bin/no-such-program-here"
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y no-such-package"):
        require_program(missing, install="no-such-package")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI runs every test"):
        require_program(missing, install="no-such-package")
    require_program("/bin/sh", install="dash")  # present: nothing happens
