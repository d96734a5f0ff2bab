"""Serializers of complaints, their reconsideration and Ankestyrelsen's part."""

from rest_framework import serializers

from assessment.api.serializers.afgoerelse import SagensAfgoerelseField
from assessment.api.serializers.common import inline_choice
from assessment.models import Klage


class KlageSerializer(serializers.ModelSerializer[Klage]):
    class Meta:
        model = Klage
        fields = [
            "id",
            "sag",
            "afgoerelse",
            "modtaget",
            "kanal",
            "tekst",
            "for_sent",
            "genvurdering",
            "genvurderet",
            "ny_afgoerelse",
            "sendt_til_ankestyrelsen",
            "ankestyrelsens_afgoerelse",
            "ankestyrelsens_dato",
            "registreret_af",
        ]
        read_only_fields = fields


class KlageCreateSerializer(serializers.Serializer[Klage]):
    afgoerelse = SagensAfgoerelseField(help_text="Id på den påklagede afgørelse.")
    modtaget = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Modtaget; standard er nu."
    )
    kanal = serializers.ChoiceField(choices=Klage.Kanal.choices)
    tekst = serializers.CharField(
        allow_blank=True, help_text="Klagen eller et resumé af en mundtlig klage."
    )


class KlageGenvurderingSerializer(serializers.Serializer[Klage]):
    genvurdering = serializers.ChoiceField(choices=Klage.Genvurdering.choices)
    dato = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Standard er i dag."
    )
    ny_afgoerelse = SagensAfgoerelseField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Ved (delvist) medhold: den nye afgørelse, der erstatter den påklagede.",
    )


class KlageAnkestyrelsenSerializer(serializers.Serializer[Klage]):
    dato = serializers.DateField(help_text="Dagen, klagen blev sendt til Ankestyrelsen.")


class KlageAnkestyrelsensAfgoerelseSerializer(serializers.Serializer[Klage]):
    resultat = inline_choice(Klage.Ankestyrelsen)
    dato = serializers.DateField(help_text="Dagen for Ankestyrelsens afgørelse.")
