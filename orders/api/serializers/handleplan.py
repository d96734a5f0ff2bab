"""Serializers of the handleplan and its frozen versions."""

from typing import Any

from rest_framework import serializers

from orders.api.serializers.bestilling import read_only_text
from orders.models import (
    Handleplan,
    HandleplanVersion,
)
from orders.selectors.handleplan import HandleplanView

# The handleplan


class HandleplanVersionSerializer(serializers.ModelSerializer[HandleplanVersion]):
    endelig_af_navn = serializers.CharField(source="endelig_af.__str__", read_only=True)

    class Meta:
        model = HandleplanVersion
        fields = ["nummer", "sha256", "endelig", "endelig_af_navn"]
        read_only_fields = fields


class HandleplanMaalSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True, required=False)
    nr = serializers.IntegerField(read_only=True, required=False)
    formulering = read_only_text()
    maaltype = read_only_text()
    tema = read_only_text()
    aktuelt_niveau = serializers.IntegerField(read_only=True, required=False, allow_null=True)
    forventet_niveau = serializers.IntegerField(read_only=True, required=False, allow_null=True)
    opfoelgning = read_only_text()
    udfoerer = read_only_text("Hvem der støtter borgeren i målet.")


class HandleplanIndsatsSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True, required=False)
    ydelser = serializers.ListField(child=serializers.CharField(), read_only=True, required=False)
    lovgrundlag = read_only_text()
    kommunal_ydelse = read_only_text()
    tilbud = read_only_text()
    udfoerer = read_only_text()
    p_nummer = read_only_text()
    start = read_only_text("ÅÅÅÅ-MM-DD, eller tom.")
    slut = read_only_text("ÅÅÅÅ-MM-DD, eller tom.")


class HandleplanViewSerializer(serializers.Serializer[HandleplanView]):
    borger = serializers.IntegerField(source="plan.borger_id", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="Udarbejdet, under udarbejdelse eller ikke udarbejdet."
    )
    kan_redigere = serializers.BooleanField(read_only=True)
    version = serializers.IntegerField(
        source="plan.version",
        read_only=True,
        help_text=(
            "Planens redigeringsversion, som også er svarets ETag (til If-Match ved PATCH); "
            "ikke de færdiggjorte versioner."
        ),
    )
    tilbudt = serializers.BooleanField(source="plan.tilbudt", read_only=True, allow_null=True)
    ikke_tilbudt_begrundelse = serializers.CharField(
        source="plan.ikke_tilbudt_begrundelse", read_only=True
    )
    oensket = serializers.BooleanField(source="plan.oensket", read_only=True, allow_null=True)
    formaal = serializers.CharField(source="plan.formaal", read_only=True)
    bolig = serializers.CharField(source="plan.bolig", read_only=True)
    beskaeftigelse = serializers.CharField(source="plan.beskaeftigelse", read_only=True)
    personlig_hjaelp = serializers.CharField(source="plan.personlig_hjaelp", read_only=True)
    behandling = serializers.CharField(source="plan.behandling", read_only=True)
    hjaelpemidler = serializers.CharField(source="plan.hjaelpemidler", read_only=True)
    aftaler = serializers.CharField(source="plan.aftaler", read_only=True)
    andre_indsatser = serializers.CharField(source="plan.andre_indsatser", read_only=True)
    samarbejdspartnere = serializers.CharField(source="plan.samarbejdspartnere", read_only=True)
    koordinering = serializers.CharField(source="plan.koordinering", read_only=True)
    maal = HandleplanMaalSerializer(
        source="indhold.maal",
        many=True,
        read_only=True,
        help_text="Målene fra borgerens bevillinger, med hvem der støtter.",
    )
    indsatser = HandleplanIndsatsSerializer(
        source="indhold.indsatser",
        many=True,
        read_only=True,
        help_text="De bevilgede indsatser med forventet start og slut (ingen økonomi).",
    )
    afgoerelser = serializers.ListField(
        source="indhold.afgoerelser",
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Id'er på de afgørelser, planen bygger på.",
    )
    versioner = HandleplanVersionSerializer(
        many=True, read_only=True, help_text="De færdiggjorte versioner, nyeste først."
    )


def _plan_text(help_text: str = "") -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text=help_text
    )


class HandleplanUpdateSerializer(serializers.Serializer[Handleplan]):
    """Only the fields sent are changed."""

    tilbudt = serializers.BooleanField(
        required=False, allow_null=True, help_text="Er borgeren tilbudt en handleplan?"
    )
    ikke_tilbudt_begrundelse = _plan_text("Påkrævet, hvis borgeren ikke er tilbudt en plan.")
    oensket = serializers.BooleanField(
        required=False, allow_null=True, help_text="Ønsker borgeren en handleplan?"
    )
    formaal = _plan_text("Formålet med indsatsen (påkrævet for at færdiggøre).")
    bolig = _plan_text()
    beskaeftigelse = _plan_text()
    personlig_hjaelp = _plan_text()
    behandling = _plan_text()
    hjaelpemidler = _plan_text()
    aftaler = _plan_text()
    andre_indsatser = _plan_text()
    samarbejdspartnere = _plan_text()
    koordinering = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Hvem der er ansvarlig for koordineringen.",
    )
