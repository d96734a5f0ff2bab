"""Danish CPR numbers: DDMMYY-SSSS, where the seventh digit and the year give the century."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

_CPR = re.compile(r"^(\d{6})-?(\d{4})$")


def normalise(raw: str) -> str:
    """'010190-1234', '0101901234' and ' 010190 1234 ' all become '0101901234'."""
    cleaned = re.sub(r"\s", "", raw or "")
    match = _CPR.match(cleaned)
    if not match:
        raise ValidationError("Et CPR-nummer består af 10 cifre (DDMMÅÅ-XXXX).", code="cpr_format")
    return match.group(1) + match.group(2)


def birth_date(cpr: str) -> date:
    day, month, year2, seventh = int(cpr[0:2]), int(cpr[2:4]), int(cpr[4:6]), int(cpr[6])
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if year2 <= 36 else 1900
    else:
        century = 2000 if year2 <= 57 else 1800
    try:
        return date(century + year2, month, day)
    except ValueError as exc:
        raise ValidationError(
            "CPR-nummeret indeholder ikke en gyldig fødselsdato.", code="cpr_date"
        ) from exc


def validate_cpr(value: str) -> None:
    """A well-formed CPR number whose birth date exists and has come."""
    if birth_date(normalise(value)) > timezone.localdate():
        raise ValidationError("CPR-nummeret angiver en fødselsdato i fremtiden.", code="cpr_future")


def mask(cpr: str) -> str:
    return f"{cpr[:6]}-****"


def formatted(cpr: str) -> str:
    return f"{cpr[:6]}-{cpr[6:]}"


def age_on(cpr: str, today: date) -> int:
    born = birth_date(cpr)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
