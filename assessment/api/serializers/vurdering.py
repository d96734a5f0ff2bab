"""Serializers of the sagsvurdering: goals, support need, indsatser with their prices, target
groups and the decision route."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from assessment.api.serializers.common import KommunalYdelseField, amount_field
from assessment.models import (
    Indsats,
    Indsatsmaal,
    Opfoelgningsinterval,
    Prislinje,
    Sagsvurdering,
    VurderingMaalgruppe,
)
from assessment.selectors.vurdering import SagsvurderingView
from assessment.services.vurdering import VURDERING_FIELDS, DecisionRoute
from vum.accounts.models import Organisation
from vum.api import CurrentCatalogField
from vum.catalog.models import Maalgruppe, Maaltype, Tilbudstype, Undertema, Ydelse


class YdelseKortSerializer(serializers.ModelSerializer[Ydelse]):
    class Meta:
        model = Ydelse
        fields = ["id", "navn", "lovgrundlag"]
        read_only_fields = fields


class SagsvurderingSerializer(serializers.ModelSerializer[Sagsvurdering]):
    stoettebehov = serializers.IntegerField(
        source="stoettebehov.vaerdi",
        read_only=True,
        allow_null=True,
        help_text="Aktuelt støttebehov 0 (intet) til 4 (fuldstændigt), eller null.",
    )
    stoettebehov_navn = serializers.CharField(
        source="stoettebehov.navn", read_only=True, allow_null=True
    )
    oprettet_af_navn = serializers.CharField(source="oprettet_af.__str__", read_only=True)

    class Meta:
        model = Sagsvurdering
        fields = [
            "id",
            "sag",
            "udredning",
            *VURDERING_FIELDS,
            "stoettebehov",
            "stoettebehov_navn",
            "oprettet",
            "oprettet_af",
            "oprettet_af_navn",
            "opdateret",
            "version",
        ]
        read_only_fields = fields


class IndsatsmaalSerializer(serializers.ModelSerializer[Indsatsmaal]):
    maaltype_navn = serializers.CharField(source="maaltype.navn", read_only=True)
    primaert_undertema_navn = serializers.CharField(
        source="primaert_undertema.navn", read_only=True
    )
    aktuelt_niveau = serializers.IntegerField(
        source="aktuel_vurdering.niveau.vaerdi",
        read_only=True,
        allow_null=True,
        help_text=(
            "Aktuelt funktionsevneniveau 0-4, overført fra udredningens seneste score af det "
            "primære undertema, da målet blev sat; null hvis undertemaet ikke var scoret."
        ),
    )
    aktuelt_niveau_vurderet = serializers.DateField(
        source="aktuel_vurdering.vurderingsdato", read_only=True, allow_null=True
    )
    udfoerer_navn = serializers.CharField(source="udfoerer.navn", read_only=True, allow_null=True)
    timer_pr_uge = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        coerce_to_string=False,
        read_only=True,
        allow_null=True,
        help_text="Timer pr. uge til målet.",
    )

    class Meta:
        model = Indsatsmaal
        fields = [
            "id",
            "raekkefoelge",
            "maalformulering",
            "maaltype",
            "maaltype_navn",
            "primaert_undertema",
            "primaert_undertema_navn",
            "aktuel_vurdering",
            "aktuelt_niveau",
            "aktuelt_niveau_vurderet",
            "forventet_niveau",
            "relaterede_undertemaer",
            "opfoelgning",
            "opfoelgningsdato",
            "ansvarlig_for_opfoelgning",
            "udfoerer",
            "udfoerer_navn",
            "timer_pr_uge",
        ]
        read_only_fields = fields


class PrislinjeSerializer(serializers.ModelSerializer[Prislinje]):
    ydelse_navn = serializers.CharField(source="ydelse.navn", read_only=True)
    antal_pr_periode = amount_field("Antal i hver periode.", max_digits=8)
    enhedspris = amount_field("Enhedspris i kr.")
    beloeb = amount_field("Antal i hver periode * antal gentagelser * enhedspris, i kr.")

    class Meta:
        model = Prislinje
        fields = [
            "id",
            "ydelse",
            "ydelse_navn",
            "enhed",
            "antal_pr_periode",
            "frekvens",
            "gentagelser",
            "enhedspris",
            "beloeb",
        ]
        read_only_fields = fields


class IndsatsSerializer(serializers.ModelSerializer[Indsats]):
    ydelser = YdelseKortSerializer(many=True, read_only=True)
    kommunal_ydelse_kode = serializers.CharField(
        source="kommunal_ydelse.kode", read_only=True, allow_null=True
    )
    tilbudstype_navn = serializers.CharField(
        source="tilbudstype.navn", read_only=True, allow_null=True
    )
    udfoerer_navn = serializers.CharField(source="udfoerer.navn", read_only=True, allow_null=True)
    prislinjer = PrislinjeSerializer(many=True, read_only=True)
    pris = amount_field("Summen af prislinjerne, i kr.")

    class Meta:
        model = Indsats
        fields = [
            "id",
            "ydelser",
            "kommunal_ydelse",
            "kommunal_ydelse_kode",
            "tilbudstype",
            "tilbudstype_navn",
            "udfoerer",
            "udfoerer_navn",
            "konto",
            "forventet_start",
            "forventet_slut",
            "alternativ",
            "prislinjer",
            "pris",
        ]
        read_only_fields = fields


class VurderingMaalgruppeSerializer(serializers.ModelSerializer[VurderingMaalgruppe]):
    navn = serializers.CharField(source="maalgruppe.navn", read_only=True)

    class Meta:
        model = VurderingMaalgruppe
        fields = ["maalgruppe", "navn", "primaer"]
        read_only_fields = fields


class AfgoerelseskompetenceSerializer(serializers.Serializer[DecisionRoute]):
    visitationsudvalg = serializers.BooleanField(
        help_text="Skal afgørelsen træffes af visitationsudvalget (ellers af sagsbehandleren)?"
    )
    begrundelser = serializers.ListField(
        source="reasons",
        child=serializers.CharField(),
        help_text="Hvorfor sagen skal til visitationsudvalget (tom, hvis den ikke skal).",
    )


@dataclass(frozen=True)
class SagsvurderingOversigt:
    """The assessment with what follows from it: what blocks the decision, who decides and the
    yearly cost (built by the view from the services)."""

    view: SagsvurderingView
    afgoerelse_blokeringer: list[str]
    afgoerelseskompetence: DecisionRoute
    aarlig_udgift: Decimal


class SagsvurderingOversigtSerializer(serializers.Serializer[SagsvurderingOversigt]):
    vurdering = SagsvurderingSerializer(source="view.vurdering")
    maal = IndsatsmaalSerializer(source="view.maal", many=True)
    timer_pr_uge_i_alt = amount_field("Summen af målenes timer pr. uge.", max_digits=8)
    indsatser = IndsatsSerializer(source="view.indsatser", many=True)
    pris_i_alt = amount_field(
        "Summen af prislinjerne for alle indsatser (også alternativer), i kr.",
    )
    aarlig_udgift = amount_field(
        "Hvad de indstillede indsatser (uden alternativer) koster om året, i kr.; grundlaget "
        "for kommunens beløbsgrænse."
    )
    maalgrupper = VurderingMaalgruppeSerializer(
        source="view.maalgrupper", many=True, help_text="Den primære først."
    )
    afgoerelse_blokeringer = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "Hvad der blokerer overgangen `start_afgoerelse` (tom, når sagsvurderingen er "
            "færdig og intet andet står i vejen)."
        ),
    )
    afgoerelseskompetence = AfgoerelseskompetenceSerializer(
        help_text="Om afgørelsen træffes af sagsbehandleren eller visitationsudvalget."
    )

    def to_representation(self, instance: SagsvurderingOversigt) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        data["timer_pr_uge_i_alt"] = self.fields["timer_pr_uge_i_alt"].to_representation(
            instance.view.timer_i_alt
        )
        data["pris_i_alt"] = self.fields["pris_i_alt"].to_representation(instance.view.pris_i_alt)
        return data


class SagsvurderingUpdateSerializer(serializers.ModelSerializer[Sagsvurdering]):
    """The fields to change; fields left out keep their value."""

    class Meta:
        model = Sagsvurdering
        fields = list(VURDERING_FIELDS)
        extra_kwargs = {name: {"required": False} for name in VURDERING_FIELDS}


class IndsatsmaalCreateSerializer(serializers.Serializer[Indsatsmaal]):
    maalformulering = serializers.CharField(
        allow_blank=True,
        help_text="Borgerens målformulering: hvad gør borgeren, når indsatsen er gennemført?",
    )
    maaltype = CurrentCatalogField(Maaltype, help_text="Id på måltypen.")
    primaert_undertema = CurrentCatalogField(
        Undertema, help_text="Id på præcis ét undertema under Aktivitet og deltagelse."
    )
    forventet_niveau = serializers.IntegerField(
        min_value=0,
        max_value=4,
        required=False,
        allow_null=True,
        default=None,
        help_text="Forventet funktionsevneniveau 0-4.",
    )
    relaterede_undertemaer = CurrentCatalogField(
        Undertema,
        many=True,
        required=False,
        default=list,
        help_text="Id'er på andre relaterede udredningstemaer (uden niveau).",
    )
    opfoelgning = serializers.ChoiceField(
        choices=Opfoelgningsinterval.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Opfølgning på målet (ved separat opfølgning på mål).",
    )
    opfoelgningsdato = serializers.DateField(required=False, allow_null=True, default=None)
    ansvarlig_for_opfoelgning = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    udfoerer = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True, default=None
    )
    timer_pr_uge = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None
    )


class StoettebehovInputSerializer(serializers.Serializer[Any]):
    vaerdi = serializers.IntegerField(
        min_value=0,
        max_value=4,
        help_text="Aktuelt støttebehov: 0 (intet) til 4 (fuldstændigt). Fastsættes efter målene.",
    )


class IndsatsCreateSerializer(serializers.Serializer[Indsats]):
    ydelser = CurrentCatalogField(
        Ydelse, many=True, help_text="Id'er på ydelserne fra FFB-kataloget (mindst én)."
    )
    kommunal_ydelse = KommunalYdelseField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id på ydelsen i kommunens katalog (afgør afgørelseskompetencen).",
    )
    tilbudstype = CurrentCatalogField(
        Tilbudstype, required=False, allow_null=True, default=None, help_text="Id på tilbuddet."
    )
    udfoerer = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True, default=None
    )
    konto = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    forventet_start = serializers.DateField(required=False, allow_null=True, default=None)
    forventet_slut = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Kun for §§ 82 a, 82 b og 82 d; udelades for 'uden slutdato'.",
    )
    alternativ = serializers.BooleanField(
        required=False, default=False, help_text="Et alternativ, der indstilles ved siden af."
    )


class PrislinjeCreateSerializer(serializers.Serializer[Prislinje]):
    ydelse = CurrentCatalogField(Ydelse, help_text="Id på en af indsatsens ydelser.")
    enhed = serializers.ChoiceField(choices=Prislinje.Enhed.choices)
    antal_pr_periode = serializers.DecimalField(max_digits=8, decimal_places=2)
    frekvens = serializers.ChoiceField(choices=Prislinje.Frekvens.choices)
    gentagelser = serializers.IntegerField(min_value=0, help_text="Antal gentagelser.")
    enhedspris = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Enhedspris i kr."
    )


class MaalgrupperInputSerializer(serializers.Serializer[Any]):
    primaer = CurrentCatalogField(Maalgruppe, help_text="Id på den primære målgruppe.")
    andre = CurrentCatalogField(
        Maalgruppe,
        many=True,
        required=False,
        default=list,
        help_text="Id'er på andre målgrupper (valgfrit).",
    )
