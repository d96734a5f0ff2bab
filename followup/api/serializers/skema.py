"""The caseworker's follow-up form (opfølgningsskema) with its goal rows and the personrettet
tilsyn: as the API shows it, and the body of a PATCH, which changes only what it names."""

from typing import Any

from rest_framework import serializers

from followup.models import Opfoelgningsskema, SkemaMaal
from followup.services.skema import skema_blockers
from vum.api import CurrentCatalogField
from vum.catalog.models import Fremadrettet, StatusPaaIndsats, Stoettebehov

# Output


class SkemaMaalSerializer(serializers.ModelSerializer[SkemaMaal]):
    nr = serializers.IntegerField(source="indsatsmaal.raekkefoelge", read_only=True)
    maalformulering = serializers.CharField(source="indsatsmaal.maalformulering", read_only=True)
    fremadrettet_navn = serializers.CharField(
        source="fremadrettet.navn", read_only=True, allow_null=True
    )

    class Meta:
        model = SkemaMaal
        fields = [
            "indsatsmaal",
            "nr",
            "maalformulering",
            "overfoert_niveau",
            "overfoert_forventet",
            "borgerens_vurdering",
            "udfoerers_vurdering",
            "sagsbehandlers_vurdering",
            "nyt_niveau",
            "vurderet",
            "fremadrettet",
            "fremadrettet_navn",
        ]
        read_only_fields = fields


class SkemaSerializer(serializers.ModelSerializer[Opfoelgningsskema]):
    """The caseworker's follow-up form with the personrettet tilsyn and one row per goal."""

    form_navn = serializers.CharField(source="get_form_display", read_only=True)
    status_paa_indsats_navn = serializers.CharField(
        source="status_paa_indsats.navn", read_only=True, allow_null=True
    )
    stoettebehov_foer_navn = serializers.CharField(
        source="stoettebehov_foer.navn", read_only=True, allow_null=True
    )
    stoettebehov_efter_navn = serializers.CharField(
        source="stoettebehov_efter.navn", read_only=True, allow_null=True
    )
    udfald_navn = serializers.CharField(source="get_udfald_display", read_only=True)
    maal = SkemaMaalSerializer(many=True, read_only=True)
    mangler = serializers.SerializerMethodField(
        help_text="Hvad skemaet mangler, før opfølgningen kan afsluttes (tom når intet mangler)."
    )

    class Meta:
        model = Opfoelgningsskema
        fields = [
            "id",
            "form",
            "form_navn",
            "deltagere",
            "naeste_dato",
            "maal",
            "vaesentlige_aendringer",
            "samlet_konklusion",
            "paaroerendes_kommentarer",
            "status_paa_indsats",
            "status_paa_indsats_navn",
            "stoettebehov_foer",
            "stoettebehov_foer_navn",
            "stoettebehov_efter",
            "stoettebehov_efter_navn",
            "tilsyn_gennemfoert",
            "trives",
            "trivsel_bemaerkninger",
            "magtanvendelser_i_perioden",
            "magtanvendelse_opfoelgning",
            "tilsyn_konklusion",
            "moedt_borgeren",
            "ikke_moedt_begrundelse",
            "nyt_moede",
            "borger_enig",
            "udfald",
            "udfald_navn",
            "afsluttet",
            "opdateret",
            "mangler",
        ]
        read_only_fields = fields

    def get_mangler(self, skema: Opfoelgningsskema) -> list[str]:
        return [] if skema.afsluttet is not None else skema_blockers(skema)


# Input


class SkemaMaalInputSerializer(serializers.Serializer[SkemaMaal]):
    indsatsmaal = serializers.IntegerField(help_text="Indsatsmålets id (en række i skemaet).")
    borgerens_vurdering = serializers.CharField(required=False, allow_blank=True)
    udfoerers_vurdering = serializers.CharField(required=False, allow_blank=True)
    sagsbehandlers_vurdering = serializers.CharField(required=False, allow_blank=True)
    nyt_niveau = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=4,
        help_text="Det nye aktuelle funktionsevneniveau (0-4), dateret i dag.",
    )
    fremadrettet = CurrentCatalogField(
        Fremadrettet,
        required=False,
        allow_null=True,
        help_text="Mål uændret, Mål skal revideres eller Mål skal afsluttes (id).",
    )


class SkemaUpdateSerializer(serializers.Serializer[Opfoelgningsskema]):
    form = serializers.ChoiceField(
        choices=Opfoelgningsskema.Form.choices, required=False, allow_blank=True
    )
    deltagere = serializers.CharField(required=False, allow_blank=True)
    naeste_dato = serializers.DateField(
        required=False, allow_null=True, help_text="Den aftalte næste opfølgning."
    )
    vaesentlige_aendringer = serializers.CharField(required=False, allow_blank=True)
    samlet_konklusion = serializers.CharField(required=False, allow_blank=True)
    paaroerendes_kommentarer = serializers.CharField(required=False, allow_blank=True)
    status_paa_indsats = CurrentCatalogField(StatusPaaIndsats, required=False, allow_null=True)
    stoettebehov_efter = CurrentCatalogField(Stoettebehov, required=False, allow_null=True)
    tilsyn_gennemfoert = serializers.BooleanField(required=False, allow_null=True)
    trives = serializers.BooleanField(required=False, allow_null=True)
    trivsel_bemaerkninger = serializers.CharField(required=False, allow_blank=True)
    magtanvendelser_i_perioden = serializers.BooleanField(required=False, allow_null=True)
    magtanvendelse_opfoelgning = serializers.CharField(required=False, allow_blank=True)
    tilsyn_konklusion = serializers.CharField(required=False, allow_blank=True)
    moedt_borgeren = serializers.BooleanField(required=False, allow_null=True)
    ikke_moedt_begrundelse = serializers.CharField(required=False, allow_blank=True)
    nyt_moede = serializers.DateField(required=False, allow_null=True)
    borger_enig = serializers.BooleanField(required=False, allow_null=True)
    maal = SkemaMaalInputSerializer(
        many=True, required=False, help_text="Kun de mål og felter, der sendes, ændres."
    )

    def goals(self) -> dict[int, dict[str, Any]] | None:
        rows = self.validated_data.get("maal")
        if rows is None:
            return None
        return {
            row["indsatsmaal"]: {k: v for k, v in row.items() if k != "indsatsmaal"} for row in rows
        }

    def fields_changed(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k != "maal"}
