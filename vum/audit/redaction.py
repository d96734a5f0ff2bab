"""Audit events point to data, they never copy it.

An event's `changes` keep the names of the fields that changed and the values that are codes
rather than content: numbers, truth values, dates, the choice values the models define (a phase,
a status) and slugs (a catalog row). Every other string, such as free text, names, addresses, a
CPR number or a diagnosis, is replaced by a marker that says that it changed, how long it is and a
keyed hash of it. The hash lets an auditor see that two events wrote the same text, but it cannot
be reversed by trying candidate values without the server's secret key. Fields that hold special
category data (Article 9 of the GDPR) are always marked, even if the value looks like a code.
"""

import re
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.apps import apps
from django.utils.crypto import salted_hmac

MARKER_KEY = "skjult"

# A catalog slug or a similar code has at least one separator: "85-socialpaedagogisk-stoette",
# "aendring_nye_oplysninger". A single lowercase word may be content ("skizofreni"), so it is only
# kept when a model names it as a choice.
SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")
ISO_DATE_OR_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:\d{2})?$"
)
SPECIAL_CATEGORY_FIELDS = frozenset({"diagnose", "diagnoser", "cpr", "helbred"})


@cache
def model_choice_values() -> frozenset[str]:
    """Every string value that some model field offers as a choice: codes, not content."""
    values: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for choice in getattr(field, "flatchoices", None) or ():
                if isinstance(choice[0], str):
                    values.add(choice[0])
    values.discard("")
    return frozenset(values)


def marker(text: str) -> dict[str, Any]:
    digest = salted_hmac("vum.audit.redaction", text, algorithm="sha256").hexdigest()
    return {MARKER_KEY: True, "tegn": len(text), "hash": digest[:16]}


def is_marker(value: Any) -> bool:
    return isinstance(value, dict) and value.get(MARKER_KEY) is True


def _is_code(text: str) -> bool:
    return (
        text == ""
        or text in model_choice_values()
        or bool(SLUG.match(text))
        or bool(ISO_DATE_OR_TIME.match(text))
    )


def redact(value: Any, *, special: bool = False) -> Any:
    """`value` with every string that is content, not a code, replaced by its marker."""
    if is_marker(value):
        return value
    if isinstance(value, dict):
        return {
            key: redact(item, special=special or key in SPECIAL_CATEGORY_FIELDS)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item, special=special) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        if special and value:
            return marker(value)
        return value if _is_code(value) else marker(value)
    return value
