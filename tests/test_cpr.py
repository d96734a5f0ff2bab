from datetime import date

import pytest
from django.core.exceptions import ValidationError

from cases import cpr

# Ages are asked on the dates given; the instant is stated so that none can quietly come from
# today.
pytestmark = pytest.mark.now("2026-11-18 10:00")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0101901234", "0101901234"), ("010190-1234", "0101901234"), (" 010190 1234 ", "0101901234")],
)
def test_normalise_accepts_common_spellings(raw: str, expected: str) -> None:
    assert cpr.normalise(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "010190123", "01019012345", "01019O1234", "abc"])
def test_normalise_rejects_anything_but_ten_digits(raw: str) -> None:
    with pytest.raises(ValidationError, match="10 cifre"):
        cpr.normalise(raw)


@pytest.mark.parametrize(
    ("number", "born"),
    [
        ("0101901234", date(1990, 1, 1)),  # seventh digit 1: 1900s
        ("0101054234", date(2005, 1, 1)),  # seventh digit 4, year <= 36: 2000s
        ("0101504234", date(1950, 1, 1)),  # seventh digit 4, year > 36: 1900s
        ("0101105234", date(2010, 1, 1)),  # seventh digit 5, year <= 57: 2000s
        ("0101605234", date(1860, 1, 1)),  # seventh digit 5, year > 57: 1800s
        ("2902009234", date(2000, 2, 29)),  # a leap day
    ],
)
def test_birth_date_follows_the_century_rule(number: str, born: date) -> None:
    assert cpr.birth_date(number) == born


@pytest.mark.parametrize("number", ["3102901234", "0013901234", "2902011234", "0000001234"])
def test_impossible_dates_are_refused(number: str) -> None:
    with pytest.raises(ValidationError, match="gyldig fødselsdato"):
        cpr.validate_cpr(number)


def test_age_and_masking() -> None:
    assert cpr.age_on("1505901234", date(2026, 5, 14)) == 35
    assert cpr.age_on("1505901234", date(2026, 5, 15)) == 36
    assert cpr.mask("1505901234") == "150590-****"
    assert cpr.formatted("1505901234") == "150590-1234"
