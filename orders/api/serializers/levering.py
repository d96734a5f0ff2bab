"""Serializers of the provider's delivery records: delmål with handlinger and notes, other
notes, use of force, and requests to the caseworker with their answers."""

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessment.models import Indsatsmaal
from orders.models import (
    Anmodning,
    Delmaal,
    Delmaalsnotat,
    Handling,
    Leveringsnotat,
    Magtanvendelse,
)
from vum.accounts.models import User
from vum.catalog.models import Undertema

# Delivery records


class HandlingSerializer(serializers.ModelSerializer[Handling]):
    oprettet_af_navn = serializers.CharField(source="oprettet_af.__str__", read_only=True)

    class Meta:
        model = Handling
        fields = ["id", "beskrivelse", "oprettet", "oprettet_af_navn"]
        read_only_fields = fields


class DelmaalsnotatSerializer(serializers.ModelSerializer[Delmaalsnotat]):
    oprettet_af_navn = serializers.CharField(source="oprettet_af.__str__", read_only=True)

    class Meta:
        model = Delmaalsnotat
        fields = ["id", "dato", "tekst", "oprettet", "oprettet_af_navn"]
        read_only_fields = fields


class DelmaalSerializer(serializers.ModelSerializer[Delmaal]):
    udfoerer_navn = serializers.CharField(source="udfoerer.navn", read_only=True)
    status_navn = serializers.CharField(source="get_status_display", read_only=True)
    indsatsmaal: serializers.PrimaryKeyRelatedField[Indsatsmaal] = (
        serializers.PrimaryKeyRelatedField(
            many=True, read_only=True, help_text="Id'er på de bestilte indsatsmål."
        )
    )
    handlinger = HandlingSerializer(many=True, read_only=True)
    notater = DelmaalsnotatSerializer(many=True, read_only=True)

    class Meta:
        model = Delmaal
        fields = [
            "id",
            "udfoerer",
            "udfoerer_navn",
            "formulering",
            "indsatsmaal",
            "tidsfrist",
            "status",
            "status_navn",
            "oprettet",
            "handlinger",
            "notater",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class BestiltMaalField(serializers.PrimaryKeyRelatedField[Indsatsmaal]):
    """A goal id, looked up only among the goals of the bestilling in the URL."""

    default_error_messages = {
        "does_not_exist": "Delmål kan kun knyttes til bestillingens mål.",
        "incorrect_type": "Angiv målets id som et tal.",
    }

    def get_queryset(self) -> models.QuerySet[Indsatsmaal]:
        return self.context["bestilling"].maal.all()


class DelmaalCreateSerializer(serializers.Serializer[Delmaal]):
    formulering = serializers.CharField(
        help_text="Delmålet, skrevet med borgeren: specifikt, målbart og tidsbestemt."
    )
    indsatsmaal = serializers.ListField(
        child=BestiltMaalField(),
        help_text="Id'er på de bestilte indsatsmål, delmålet arbejder hen imod (mindst ét).",
    )
    tidsfrist = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Hvornår delmålet skal være nået."
    )


class DelmaalStatusSerializer(serializers.Serializer[Delmaal]):
    status = serializers.ChoiceField(choices=Delmaal.Status.choices)


class HandlingCreateSerializer(serializers.Serializer[Handling]):
    beskrivelse = serializers.CharField(help_text="Metoden eller tilgangen.")


class DelmaalsnotatCreateSerializer(serializers.Serializer[Delmaalsnotat]):
    tekst = serializers.CharField(help_text="Hvad du har observeret.")
    dato = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Standard er i dag."
    )


class UndertemaKortSerializer(serializers.ModelSerializer[Undertema]):
    class Meta:
        model = Undertema
        fields = ["id", "navn"]
        read_only_fields = fields


class LeveringsnotatSerializer(serializers.ModelSerializer[Leveringsnotat]):
    undertemaer = UndertemaKortSerializer(many=True, read_only=True)
    oprettet_af_navn = serializers.CharField(source="oprettet_af.__str__", read_only=True)

    class Meta:
        model = Leveringsnotat
        fields = ["id", "dato", "tekst", "undertemaer", "oprettet", "oprettet_af_navn"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class CurrentUndertemaField(serializers.PrimaryKeyRelatedField[Undertema]):
    """A sub-theme id in the FFB catalog valid today."""

    default_error_messages = {
        "does_not_exist": "Vælg undertemaer fra det gældende FFB-katalog.",
        "incorrect_type": "Angiv undertemaets id som et tal.",
    }

    def get_queryset(self) -> models.QuerySet[Undertema]:
        return Undertema.objects.current()


class LeveringsnotatCreateSerializer(serializers.Serializer[Leveringsnotat]):
    tekst = serializers.CharField(help_text="Notatet. Det, der hører til et delmål, skrives dér.")
    dato = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Standard er i dag."
    )
    undertemaer = serializers.ListField(
        child=CurrentUndertemaField(),
        required=False,
        default=list,
        help_text="Id'er på FFB-undertemaer, notatet handler om.",
    )


class MagtanvendelseSerializer(serializers.ModelSerializer[Magtanvendelse]):
    udfoerer_navn = serializers.CharField(source="udfoerer.navn", read_only=True)
    type_navn = serializers.CharField(source="get_type_display", read_only=True)
    oprettet_af_navn = serializers.CharField(source="oprettet_af.__str__", read_only=True)

    class Meta:
        model = Magtanvendelse
        fields = [
            "id",
            "udfoerer",
            "udfoerer_navn",
            "tidspunkt",
            "type",
            "type_navn",
            "beskrivelse",
            "oprettet",
            "oprettet_af_navn",
        ]
        read_only_fields = fields


class MagtanvendelseCreateSerializer(serializers.Serializer[Magtanvendelse]):
    tidspunkt = serializers.DateTimeField(help_text="Hvornår magten blev anvendt.")
    type = serializers.ChoiceField(choices=Magtanvendelse.Type.choices)
    beskrivelse = serializers.CharField(help_text="Hvad skete der, og hvorfor.")


class AnmodningSerializer(serializers.ModelSerializer[Anmodning]):
    udfoerer_navn = serializers.CharField(source="udfoerer.navn", read_only=True)
    art_navn = serializers.CharField(source="get_art_display", read_only=True)
    oprettet_af_navn = serializers.CharField(source="oprettet_af.__str__", read_only=True)
    svarfrist = serializers.DateTimeField(
        source="frist.frist",
        read_only=True,
        allow_null=True,
        help_text="Hvornår sagsbehandleren senest svarer.",
    )
    besvaret_af_navn = serializers.StringRelatedField[User](source="besvaret_af", allow_null=True)

    class Meta:
        model = Anmodning
        fields = [
            "id",
            "udfoerer",
            "udfoerer_navn",
            "art",
            "art_navn",
            "begrundelse",
            "oprettet",
            "oprettet_af_navn",
            "svarfrist",
            "besvaret",
            "besvaret_af_navn",
            "svar",
        ]
        read_only_fields = fields


class AnmodningCreateSerializer(serializers.Serializer[Anmodning]):
    art = serializers.ChoiceField(choices=Anmodning.Art.choices)
    begrundelse = serializers.CharField(help_text="Hvad har ændret sig hos borgeren?")


class AnmodningSvarSerializer(serializers.Serializer[Anmodning]):
    svar = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Svaret til udføreren."
    )
