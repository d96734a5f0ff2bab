"""Serializers of the partshøring and its answer."""

from django.db import models
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from assessment.models import Partshoering
from cases.models import Relation


class PartshoeringSerializer(serializers.ModelSerializer[Partshoering]):
    modtager_type_navn = serializers.CharField(source="get_modtager_display", read_only=True)
    sendt_af_navn = serializers.CharField(source="sendt_af.__str__", read_only=True)
    afventer_svar = serializers.SerializerMethodField(
        help_text="Afventer høringen svar inden for fristen (og blokerer dermed afgørelsen)?"
    )
    brev = serializers.SerializerMethodField(help_text="Adressen på partshøringsbrevet (PDF).")
    svarfrist_gaeldende = serializers.DateField(
        source="answer_deadline_day",
        read_only=True,
        help_text=(
            "Sidste dag for svar, som fristen står nu: flyttet, hvis borgeren har fået længere "
            "tid, og på en arbejdsdag."
        ),
    )

    class Meta:
        model = Partshoering
        fields = [
            "id",
            "sag",
            "hvad_hoeres",
            "modtager",
            "modtager_type_navn",
            "modtager_relation",
            "modtager_navn",
            "sendt",
            "svarfrist",
            "svarfrist_gaeldende",
            "sendt_af",
            "sendt_af_navn",
            "brev",
            "brev_sha256",
            "svar",
            "svar_modtaget",
            "frist",
            "afventer_svar",
        ]
        read_only_fields = fields

    def get_afventer_svar(self, hoering: Partshoering) -> bool:
        return hoering.blocks_decision(timezone.now())

    def get_brev(self, hoering: Partshoering) -> str:
        return reverse(
            "api-partshoering-brev",
            kwargs={"sag_pk": hoering.sag_id, "pk": hoering.pk},
            request=self.context.get("request"),
        )


@extend_schema_field(OpenApiTypes.INT)
class BorgerensRelationField(serializers.PrimaryKeyRelatedField[Relation]):
    """A relation id, looked up only among the relations of the citizen of the case in the URL."""

    def get_queryset(self) -> models.QuerySet[Relation]:
        return Relation.objects.filter(borger_id=self.context["sag"].borger_id)


class PartshoeringCreateSerializer(serializers.Serializer[Partshoering]):
    hvad_hoeres = serializers.CharField(
        help_text="De oplysninger, borgeren får mulighed for at udtale sig om."
    )
    modtager = serializers.ChoiceField(
        choices=Partshoering.Modtager.choices, help_text="Hvem brevet sendes til."
    )
    modtager_relation = BorgerensRelationField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id på borgerens værge eller partsrepræsentant (påkrævet for dem).",
    )
    svarfrist = serializers.DateField(
        help_text="Svarfristen: mindst 14 dage fra i dag, på en arbejdsdag."
    )


class PartshoeringSvarSerializer(serializers.Serializer[Partshoering]):
    svar = serializers.CharField(help_text="Borgerens svar eller et resumé af det.")
    modtaget = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Modtaget; standard er i dag."
    )
