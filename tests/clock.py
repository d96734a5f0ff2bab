"""The test suite's clock: every test runs at a stated instant, never at today.

A test without an instant of its own runs at the suite's instant: `DEFAULT_NOW`, or the local
time in `VUM_TEST_NOW` (CI runs the suite a second time at an awkward one, so that a test that
quietly depends on today fails before it lands). A test that is about a particular day says which,
with `@pytest.mark.now("2026-11-02 10:00")`, and is then the same at any suite instant.

Instants are local wall-clock times in the municipality's zone (settings.TIME_ZONE), as a
caseworker would state them. The clock ticks from the instant (time-machine's `tick=True`): code
that waits for a worker or a timeout still sees time pass, and each test starts at the same
instant. `@pytest.mark.now(..., tick=False)` stops it where a test needs an exact instant.
"""

import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings

ENV_VAR = "VUM_TEST_NOW"
# A Wednesday in November, mid-morning: a working day with no holiday near, after the warning
# hour (07:00).
DEFAULT_NOW = "2026-11-18 10:00"


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_instant(text: str) -> datetime:
    """'2030-12-31 23:30' (or an ISO date and time) as an aware local datetime.

    A wall-clock time that does not exist (skipped at the spring change) or exists twice (the
    autumn change) is refused: a test must say which instant it means, with a UTC offset."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is not None:
        return parsed.astimezone(local_zone())
    zone = local_zone()
    instant = parsed.replace(tzinfo=zone)
    if instant.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != parsed:
        raise ValueError(
            f"{text} does not exist in {zone.key} (skipped when the clocks go forward): "
            "give a UTC offset"
        )
    if instant.utcoffset() != instant.replace(fold=1).utcoffset():
        raise ValueError(
            f"{text} is ambiguous in {zone.key} (it comes twice when the clocks go back): "
            f"give a UTC offset, e.g. {text}+02:00 or {text}+01:00"
        )
    return instant


def suite_instant() -> datetime:
    """The instant a test without its own runs at."""
    return local_instant(os.environ.get(ENV_VAR) or DEFAULT_NOW)
