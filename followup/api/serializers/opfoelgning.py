"""The follow-up with its timeline of deadlines, and the caseworker's view of it (the form, the
provider's statusnotat once sent, the period's notes and uses of force); planning and cancelling."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.api.serializers import FristSerializer
from followup.api.serializers.skema import SkemaSerializer
from followup.api.serializers.statusnotat import PeriodeNotatSerializer, StatusnotatSerializer
from followup.models import Opfoelgning
from followup.selectors import Opfoelgningsvisning
from orders.api.serializers.levering import MagtanvendelseSerializer

# Output


class OpfoelgningSerializer(serializers.ModelSerializer[Opfoelgning]):
    """A follow-up as a row: when, why, the meeting the provider called, and its timeline."""

    status_navn = serializers.CharField(source="get_status_display", read_only=True)
    udfoerer_navn = serializers.CharField(source="udfoerer.navn", read_only=True, allow_null=True)
    moede_form_navn = serializers.CharField(source="get_moede_form_display", read_only=True)
    frister = FristSerializer(
        many=True, read_only=True, help_text="Opfølgningens tidslinje, tidligste først."
    )

    class Meta:
        model = Opfoelgning
        fields = [
            "id",
            "sag",
            "dato",
            "grundlag",
            "status",
            "status_navn",
            "udfoerer",
            "udfoerer_navn",
            "moede_tidspunkt",
            "moede_form",
            "moede_form_navn",
            "moede_sted",
            "deltagere",
            "aflyst_begrundelse",
            "oprettet",
            "frister",
        ]
        read_only_fields = fields


class OpfoelgningDetailSerializer(serializers.Serializer[Opfoelgningsvisning]):
    """The caseworker's follow-up: the form, the provider's statusnotat once it is sent, and
    the provider's notes and the uses of force of the period."""

    opfoelgning = OpfoelgningSerializer(read_only=True)
    statusnotat = serializers.SerializerMethodField(
        help_text="Udførerens statusnotat, når det er sendt; ellers null."
    )
    skema = SkemaSerializer(read_only=True, allow_null=True, help_text="Null før det er startet.")
    notater = PeriodeNotatSerializer(
        many=True, read_only=True, help_text="Udførernes delmålsnotater siden sidste opfølgning."
    )
    magtanvendelser = MagtanvendelseSerializer(
        many=True, read_only=True, help_text="Indberettede magtanvendelser i perioden."
    )

    @extend_schema_field(StatusnotatSerializer(allow_null=True))
    def get_statusnotat(self, view: Opfoelgningsvisning) -> dict[str, Any] | None:
        note = view.statusnotat
        if note is None or note.indsendt is None:
            return None
        return dict(StatusnotatSerializer(note).data)


# Input


class PlanlaegSerializer(serializers.Serializer[Opfoelgning]):
    aftalt = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="En aftalt dato; ellers beregnes datoen ud fra målene og kataloget.",
    )


class AflysSerializer(serializers.Serializer[Opfoelgning]):
    begrundelse = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Hvorfor mødet aflyses (påkrævet), fx at statusnotatet er utilstrækkeligt.",
    )
