"""Numbers and amounts the Danish way, for every app's templates: "1.234,5" and "93.600,00 kr."
(a "." between thousands, a "," before the decimals).

`{% load dansk_tal %}` then `{{ beloeb|kr }}` ("93.600,00 kr."), `{{ beloeb|kr:0 }}`
("104.000 kr.") or `{{ antal|tal }}` ("1.234"). A value that is not a number (an empty one, a
text) is shown as it is.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

Number = int | float | Decimal | str | None


def _decimal(value: Number) -> Decimal | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def tal_tekst(value: Number, decimals: int | None = None) -> str:
    """A number with a "." between thousands and a "," before the decimals. `decimals` None
    keeps the value's own (an int has none). Not a number: the value as text."""
    if isinstance(value, int) and not isinstance(value, bool) and not decimals:
        return f"{value:,}".replace(",", ".")  # the common case, kept cheap for long tables
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{number:,f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def kroner_tekst(value: Number, decimals: int = 2) -> str:
    """An amount in kroner: "93.600,00 kr." (with `decimals`=0: "104.000 kr.")."""
    if _decimal(value) is None:
        return "" if value is None else str(value)
    return f"{tal_tekst(value, decimals)} kr."


@register.filter
def tal(value: Number, decimals: int | None = None) -> str:
    return tal_tekst(value, decimals)


@register.filter
def kr(value: Number, decimals: int = 2) -> str:
    return kroner_tekst(value, decimals)
