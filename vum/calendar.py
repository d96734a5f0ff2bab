"""The Danish working-day calendar and deadline arithmetic.

Closed days are weekends, the public holidays (from the maintained `holidays` package, so the
Easter-dependent ones and changes such as the abolished Store Bededag from 2024 are right), and
the days the public administration keeps closed without them being holidays (settings
`VUM_CLOSED_DAYS`: grundlovsdag, juleaftensdag, nytårsaftensdag by default).

Conventions, as in Danish administrative practice:
- "n working days after d" does not count d itself;
- a deadline counted in calendar days, weeks or months that ends on a closed day moves to the next
  working day;
- a deadline runs until the end of its last day (23:59:59 local time).
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.utils import timezone


class Unit(models.TextChoices):
    DAYS = "dage", "kalenderdage"
    WORKING_DAYS = "arbejdsdage", "arbejdsdage"
    WEEKS = "uger", "uger"
    MONTHS = "maaneder", "måneder"


@lru_cache(maxsize=64)
def _closed_days(year: int, extra: tuple[str, ...]) -> frozenset[date]:
    public = holidays.country_holidays("DK", years=year)
    days = set(public)
    for month_day in extra:
        month, day = (int(part) for part in month_day.split("-"))
        days.add(date(year, month, day))
    return frozenset(days)


def closed_days(year: int) -> frozenset[date]:
    """Holidays and administrative closing days of a year (weekends not included)."""
    return _closed_days(year, tuple(settings.VUM_CLOSED_DAYS))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in closed_days(day.year)


def next_working_day(day: date) -> date:
    """`day` itself if it is a working day, otherwise the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, count: int) -> date:
    """The `count`th working day after `start` (start itself not counted)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    for _ in range(count):
        day = next_working_day(day + timedelta(days=1))
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`."""
    days = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        days += is_working_day(day)
    return days


def add(start: date, value: int, unit: Unit | str) -> date:
    """The last day of a deadline of `value` `unit`s counted from `start`."""
    unit = Unit(unit)
    if value < 0:
        raise ValueError("value must not be negative")
    if unit == Unit.WORKING_DAYS:
        return add_working_days(start, value)
    if unit == Unit.DAYS:
        end = start + timedelta(days=value)
    elif unit == Unit.WEEKS:
        end = start + timedelta(weeks=value)
    else:
        end = start + relativedelta(months=value)
    return next_working_day(end)


def end_of_day(day: date) -> datetime:
    """The last moment of `day` in Danish local time, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59, 999999)))


COMPLAINT_WEEKS = 4


def complaint_deadline(decision_received: date) -> datetime:
    """A complaint must be received within four weeks of receiving the decision; a digital
    complaint counts until 23:59 on the last day (handbook l. 6734-6747)."""
    return end_of_day(add(decision_received, COMPLAINT_WEEKS, Unit.WEEKS))


def complaint_in_time(decision_received: date, complaint_received: datetime) -> bool:
    return complaint_received <= complaint_deadline(decision_received)
