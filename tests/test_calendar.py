"""The Danish working-day calendar across several years."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from vum import calendar
from vum.calendar import Unit

# The calendar's answers are functions of the dates they are given; the instant is stated so that
# no answer can quietly come from today.
pytestmark = pytest.mark.now("2026-11-18 10:00")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 3, 28), False),  # skærtorsdag
        (date(2024, 3, 29), False),  # langfredag
        (date(2024, 4, 1), False),  # 2. påskedag
        (date(2025, 4, 17), False),  # skærtorsdag
        (date(2025, 5, 29), False),  # Kristi himmelfartsdag
        (date(2025, 6, 9), False),  # 2. pinsedag
        (date(2026, 4, 6), False),  # 2. påskedag
        (date(2026, 5, 25), False),  # 2. pinsedag
        (date(2023, 5, 5), False),  # store bededag, the last one
        (date(2024, 4, 26), True),  # store bededag abolished from 2024
        (date(2026, 6, 5), False),  # grundlovsdag (administration closed)
        (date(2026, 12, 24), False),  # juleaftensdag
        (date(2026, 12, 25), False),
        (date(2026, 12, 28), True),
        (date(2026, 12, 31), False),  # nytårsaftensdag
        (date(2027, 1, 1), False),
        (date(2026, 11, 21), False),  # a Saturday
        (date(2026, 11, 23), True),
    ],
)
def test_closed_and_working_days(day: date, working: bool) -> None:
    assert calendar.is_working_day(day) is working


def test_closed_days_are_configurable(settings) -> None:
    settings.VUM_CLOSED_DAYS = []
    assert calendar.is_working_day(date(2026, 6, 5))
    assert not calendar.is_working_day(date(2026, 12, 25))


def test_working_days_skip_easter() -> None:
    # Wednesday before Easter 2025 + 1 working day: Thu, Fri, the weekend and Monday are closed.
    assert calendar.add_working_days(date(2025, 4, 16), 1) == date(2025, 4, 22)
    # 22, 23, 24, 25, 28, 29, 30 April, 1 May (a working day), 2 and 5 May.
    assert calendar.add(date(2025, 4, 16), 10, Unit.WORKING_DAYS) == date(2025, 5, 5)
    assert calendar.working_days_between(date(2025, 4, 16), date(2025, 4, 22)) == 1
    assert calendar.add_working_days(date(2025, 4, 16), 0) == date(2025, 4, 16)


def test_working_days_over_christmas_and_new_year() -> None:
    # Monday 21 December 2026 + 5 working days: 22, 23, 28, 29, 30 (24-27 and 31 closed).
    assert calendar.add_working_days(date(2026, 12, 21), 5) == date(2026, 12, 30)
    assert calendar.add_working_days(date(2026, 12, 21), 6) == date(2027, 1, 4)


@pytest.mark.parametrize(
    ("start", "value", "unit", "end"),
    [
        (date(2026, 11, 2), 14, Unit.DAYS, date(2026, 11, 16)),
        (date(2026, 11, 27), 4, Unit.WEEKS, date(2026, 12, 28)),  # 25 Dec → Monday 28 Dec
        (date(2026, 1, 31), 1, Unit.MONTHS, date(2026, 3, 2)),  # 28 Feb is a Saturday
        (date(2025, 5, 12), 4, Unit.WEEKS, date(2025, 6, 10)),  # 9 June is 2. pinsedag
        (date(2025, 10, 1), 8, Unit.WEEKS, date(2025, 11, 26)),
        (date(2026, 5, 22), 3, Unit.DAYS, date(2026, 5, 26)),  # 25 May is 2. pinsedag
    ],
)
def test_deadlines_ending_on_a_closed_day_move_to_the_next_working_day(
    start: date, value: int, unit: Unit, end: date
) -> None:
    assert calendar.add(start, value, unit) == end


def test_complaint_deadline_runs_until_the_end_of_the_last_day() -> None:
    # Decision received Monday 9 March 2026; four weeks later is 2. påskedag, so Tuesday 7 April.
    deadline = calendar.complaint_deadline(date(2026, 3, 9))
    local = timezone.localtime(deadline)
    assert (local.date(), local.hour, local.minute) == (date(2026, 4, 7), 23, 59)
    last_minute = timezone.make_aware(datetime(2026, 4, 7, 23, 59, 30))
    next_morning = timezone.make_aware(datetime(2026, 4, 8, 0, 0, 1))
    assert calendar.complaint_in_time(date(2026, 3, 9), last_minute)
    assert not calendar.complaint_in_time(date(2026, 3, 9), next_morning)


def test_negative_values_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        calendar.add(date(2026, 1, 1), -1, Unit.DAYS)
