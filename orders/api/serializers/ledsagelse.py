"""Serializers of the ledsageordning (serviceloven § 97): the grant's months and the hours used."""

from typing import Any

from rest_framework import serializers


class LedsagelseMaanedSerializer(serializers.Serializer[Any]):
    maaned = serializers.DateField(read_only=True, help_text="Den første i måneden.")
    til_raadighed = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        read_only=True,
        coerce_to_string=False,
        help_text="Månedens 15 timer og de opsparede timer, den kan bruge.",
    )
    brugt = serializers.DecimalField(
        max_digits=6, decimal_places=2, read_only=True, coerce_to_string=False
    )
    opsparet = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        read_only=True,
        coerce_to_string=False,
        help_text="Opsparede timer efter måneden (højst 90 inden for 6 måneder).",
    )


class LedsagelseSerializer(serializers.Serializer[Any]):
    bevilling = serializers.IntegerField(source="bevilling.pk", read_only=True)
    beskrivelse = serializers.CharField(source="bevilling.beskrivelse", read_only=True)
    virkningsdato = serializers.DateField(source="bevilling.virkningsdato", read_only=True)
    tilbage_i_maaneden = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        read_only=True,
        coerce_to_string=False,
        help_text="Timer, denne måned endnu kan bruge: 15 og de opsparede, minus det brugte.",
    )
    maaneder = LedsagelseMaanedSerializer(many=True, read_only=True)


class LedsagetimerInputSerializer(serializers.Serializer[Any]):
    maaned = serializers.DateField(
        input_formats=["%Y-%m", "iso-8601"], help_text="Måneden som ÅÅÅÅ-MM (eller en dato i den)."
    )
    timer = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, help_text="Timer brugt i måneden."
    )
