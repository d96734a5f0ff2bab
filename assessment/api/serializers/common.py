"""Fields and helpers the assessment API's serializers share."""

from typing import Any

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vum.catalog.models import KommunalYdelse
from vum.catalog.selectors import current_kommune


def optional_text(help_text: str) -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, help_text=help_text
    )


def amount_field(help_text: str, *, max_digits: int = 14) -> serializers.DecimalField:
    """A read-only amount shown as a JSON number (kroner, hours), not as a string."""
    return serializers.DecimalField(
        max_digits=max_digits,
        decimal_places=2,
        coerce_to_string=False,
        read_only=True,
        help_text=help_text,
    )


@extend_schema_field(OpenApiTypes.INT)
class KommunalYdelseField(serializers.PrimaryKeyRelatedField[KommunalYdelse]):
    """An id of a service in the municipality's catalog, valid today."""

    def get_queryset(self) -> models.QuerySet[KommunalYdelse]:
        return KommunalYdelse.objects.current().filter(kommune=current_kommune())


def inline_choice(choices: type[models.TextChoices], **kwargs: Any) -> serializers.ChoiceField:
    """A choice field whose enum stays inline in the schema (wrapped in oneOf, which the enum
    naming hook leaves alone): the field's name is shared with another choice set, and a named
    enum would need an ENUM_NAME_OVERRIDES entry. (A class per choice set: serializers deep-copy
    their fields, which drops an annotation on an instance.)"""
    schema = {"oneOf": [{"type": "string", "enum": list(choices.values)}]}
    field_class = extend_schema_field(schema)(
        type("InlineChoiceField", (serializers.ChoiceField,), {})
    )
    return field_class(choices=choices.choices, **kwargs)
