"""The Danish working-day calendar and deadline arithmetic.

Closed days are weekends, the public holidays (from the maintained `holidays` package, so the
Easter-dependent ones and changes such as the abolished Store Bededag from 2024 are right), and
the days the public administration keeps closed without them being holidays (settings
`VUM_CLOSED_DAYS`: grundlovsdag, juleaftensdag, nytårsaftensdag by default).

Conventions, as in Danish administrative practice:
- "n working days after d" does not count d itself;
- a deadline the law counts forward, within which something may still be done (answer deadlines,
  complaint deadlines, processing deadlines, notice), that ends on a closed day moves to the next
  working day: `add`;
- a date that must not be passed ("senest": a follow-up due at the latest three months after)
  that falls on a closed day moves back to the working day before: `add_no_later`;
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


def previous_working_day(day: date) -> date:
    """`day` itself if it is a working day, otherwise the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
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


def _counted(start: date, value: int, unit: Unit) -> date:
    if value < 0:
        raise ValueError("value must not be negative")
    if unit == Unit.DAYS:
        return start + timedelta(days=value)
    if unit == Unit.WEEKS:
        return start + timedelta(weeks=value)
    return start + relativedelta(months=value)


def add(start: date, value: int, unit: Unit | str) -> date:
    """The last day of a deadline of `value` `unit`s counted forward from `start`: on a closed
    day it runs to the next working day."""
    unit = Unit(unit)
    if unit == Unit.WORKING_DAYS:
        return add_working_days(start, value)
    return next_working_day(_counted(start, value, unit))


def add_no_later(start: date, value: int, unit: Unit | str) -> date:
    """The date at the latest `value` `unit`s after `start` ("senest"): on a closed day it comes
    back to the working day before, so that it is never later than the rule allows."""
    unit = Unit(unit)
    if unit == Unit.WORKING_DAYS:
        return add_working_days(start, value)
    return previous_working_day(_counted(start, value, unit))


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
