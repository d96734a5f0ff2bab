"""Ledsageordning (serviceloven § 97): the hours a grant gives each month, and the savings.

- 15 hours of ledsagelse a month (§ 97, stk. 1; seed 004 l. 2272-2278).
- Hours not used may be saved and used within 6 months (§ 97, stk. 6; seed 004 l. 2299-2301),
  at most 90 hours (Viborg Kommune's guideline, seed 004 l. 1040-1043). Hours saved in a month
  can be used in that month's next five months; the oldest are used first.
- A month may use its 15 hours and the savings it has; more is refused where it is recorded
  (`orders.services.ledsagelse.ledsagetimer_register`).

Pure functions of the months' use, so that the service that records and the selector that shows
the balance read the same rule.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

PARAGRAPH = 97
MONTHLY_HOURS = Decimal(15)
SAVING_WINDOW = relativedelta(months=6)
MAX_SAVED = Decimal(90)


@dataclass(frozen=True)
class Maaned:
    """One month of a grant: the hours it could use, used, and the savings after it."""

    maaned: date
    til_raadighed: Decimal
    brugt: Decimal
    opsparet: Decimal
    over: Decimal  # hours used beyond what was available; 0 within the rule

    @property
    def ok(self) -> bool:
        return self.over == 0


def months(usage: Mapping[date, Decimal], *, start: date, until: date) -> list[Maaned]:
    """Each month from `start` to `until` (first days of months) with its balance, given the
    hours used per month (a month without a row used none)."""
    savings: list[tuple[date, Decimal]] = []  # (month saved in, hours), oldest first
    rows = []
    month = start.replace(day=1)
    while month <= until:
        savings = [(saved_in, h) for saved_in, h in savings if saved_in > month - SAVING_WINDOW]
        available = MONTHLY_HOURS + sum((h for _, h in savings), Decimal(0))
        used = usage.get(month, Decimal(0))
        from_savings = max(Decimal(0), used - MONTHLY_HOURS)
        remaining = []
        for saved_in, hours in savings:
            taken = min(hours, from_savings)
            from_savings -= taken
            if hours > taken:
                remaining.append((saved_in, hours - taken))
        unused = max(Decimal(0), MONTHLY_HOURS - used)
        room = MAX_SAVED - sum((h for _, h in remaining), Decimal(0))
        if unused and room > 0:
            remaining.append((month, min(unused, room)))
        savings = remaining
        rows.append(
            Maaned(
                maaned=month,
                til_raadighed=available,
                brugt=used,
                opsparet=sum((h for _, h in savings), Decimal(0)),
                over=max(Decimal(0), used - available),
            )
        )
        month += relativedelta(months=1)
    return rows
