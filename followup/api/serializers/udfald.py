"""The outcomes that close a follow-up (fortsæt, revider, revisitation, ophør, fraflytning): the
request, each outcome reading only the fields it needs, and what the outcome led to."""

from typing import Any

from rest_framework import serializers

from assessment.models import Opfoelgningsinterval
from followup.api.serializers.opfoelgning import OpfoelgningSerializer
from followup.models import Opfoelgningsskema

# Input


class RevideretMaalSerializer(serializers.Serializer[Any]):
    indsatsmaal = serializers.IntegerField(help_text="Id på et mål markeret 'Mål skal revideres'.")
    maalformulering = serializers.CharField(required=False)
    forventet_niveau = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=4
    )
    opfoelgning = serializers.ChoiceField(
        choices=Opfoelgningsinterval.choices, required=False, allow_blank=True
    )
    opfoelgningsdato = serializers.DateField(required=False, allow_null=True)
    timer_pr_uge = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )


class UdfaldSerializer(serializers.Serializer[Any]):
    """How the follow-up ends; each outcome reads only the fields it needs."""

    udfald = serializers.ChoiceField(choices=Opfoelgningsskema.Udfald.choices)
    maal = RevideretMaalSerializer(
        many=True,
        required=False,
        default=list,
        help_text="revider: de reviderede mål (kun mål markeret 'Mål skal revideres').",
    )
    begrundelse = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="revisitation: hvad der skal revisiteres og hvorfor.",
    )
    virkningsdato = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="ophoer: hvornår indsatsen ophører.",
    )
    begrundelse_vurdering = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="ophoer: den konkrete vurdering."
    )
    begrundelse_regler = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="ophoer: regler og praksis."
    )
    begrundelse_oplysninger = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="ophoer: de oplysninger, der er lagt vægt på.",
    )
    modtager = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="fraflytning: den nye handlekommune.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["udfald"] == Opfoelgningsskema.Udfald.OPHOER and attrs["virkningsdato"] is None:
            raise serializers.ValidationError({"virkningsdato": "Angiv hvornår indsatsen ophører."})
        return attrs

    def goals(self) -> dict[int, dict[str, Any]]:
        return {
            row["indsatsmaal"]: {k: v for k, v in row.items() if k != "indsatsmaal"}
            for row in self.validated_data["maal"]
        }


# Output


class UdfaldResultatSerializer(serializers.Serializer[Any]):
    """What the outcome led to; fields that do not apply to it are null or empty."""

    opfoelgning = OpfoelgningSerializer(read_only=True, help_text="Den afsluttede opfølgning.")
    udfald = serializers.ChoiceField(choices=Opfoelgningsskema.Udfald.choices, read_only=True)
    sag_fase = serializers.CharField(read_only=True, help_text="Sagens fase bagefter.")
    naeste_opfoelgning = OpfoelgningSerializer(
        read_only=True, allow_null=True, help_text="fortsaet og revider: den næste opfølgning."
    )
    bestillinger = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="revider: id'er på de nye bestillingsversioner.",
    )
    afgoerelse = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="ophoer: afgørelsen om ophør."
    )
    udlevering = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="fraflytning: sagsudleveringen."
    )
