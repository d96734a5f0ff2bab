"""Serializers for the assessment API: the udredning, scores, requests for information,
partshøring, the sagsvurdering, indstillinger and the visitationsudvalg.

Output serializers describe what the API shows. Input serializers only shape the request body:
every rule (the phase, consent, the 14-day answer deadline, scores only in Aktivitet og
deltagelse, ...) lives in assessment.services, whose Danish ValidationErrors the project's
exception handler turns into 400 answers.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from assessment.models import (
    Afgoerelse,
    AfgoerelsesResultat,
    Brev,
    Dagsordenspunkt,
    Delanalyse,
    Funktionsevnevurdering,
    IndhentetTilbud,
    Indhentning,
    Indsats,
    Indsatsmaal,
    Indstilling,
    Kildehenvisning,
    Klage,
    Opfoelgningsinterval,
    Partshoering,
    Prislinje,
    Sagsvurdering,
    TemaOplysning,
    Udredning,
    Udvalgsmoede,
    VurderingMaalgruppe,
)
from assessment.selectors import KategoriView, SagsvurderingView, TemaView
from assessment.services import LETTER_TEXT_KEYS, VURDERING_FIELDS, DecisionRoute
from cases.models import Relation, Samtykke
from vum.accounts.models import Organisation
from vum.catalog.api.serializers import FunktionsevneniveauSerializer
from vum.catalog.models import (
    KommunalYdelse,
    Maalgruppe,
    Maaltype,
    Tilbudstype,
    Undertema,
    VersionedRow,
    Visitationsudfald,
    Ydelse,
)
from vum.catalog.selectors import current_kommune

# The udredning


@extend_schema_field({"type": "string", "enum": [*Samtykke.Form.values, ""]})
class GenbrugSamtykkeFormField(serializers.ChoiceField):
    """How the consent to reuse was given, or blank. Shown inline in the schema: the enum of
    these choices belongs to Samtykke.form (FormEnum)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Samtykke.Form.choices, allow_blank=True, **kwargs)


class UdredningSerializer(serializers.ModelSerializer[Udredning]):
    oprettet_af_navn = serializers.CharField(source="oprettet_af.__str__", read_only=True)
    genbrug_samtykke_form = GenbrugSamtykkeFormField(read_only=True)

    class Meta:
        model = Udredning
        fields = [
            "id",
            "sag",
            "forrige",
            "genbrug_samtykke_givet",
            "genbrug_samtykke_form",
            "oprettet",
            "oprettet_af",
            "oprettet_af_navn",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class BorgerensUdredningField(serializers.PrimaryKeyRelatedField[Udredning]):
    """An udredning id, looked up only among the udredninger of the citizen of the case in the
    URL: an earlier udredning may belong to another of the citizen's cases."""

    def get_queryset(self) -> models.QuerySet[Udredning]:
        return Udredning.objects.filter(sag__borger_id=self.context["sag"].borger_id)


class UdredningStartSerializer(serializers.Serializer[Udredning]):
    forrige = BorgerensUdredningField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "Id på en tidligere udredning af borgeren, som den nye bygger på. Temaerne overføres "
            "og markeres som ikke opdateret. Kræver borgerens samtykke til genbrug."
        ),
    )
    genbrug_samtykke_givet = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Hvornår borgeren samtykkede til genbrug (påkrævet med `forrige`).",
    )
    genbrug_samtykke_form = GenbrugSamtykkeFormField(
        required=False,
        default="",
        help_text="Hvordan samtykket er givet (påkrævet med `forrige`).",
    )


class KildehenvisningSerializer(serializers.ModelSerializer[Kildehenvisning]):
    class Meta:
        model = Kildehenvisning
        fields = ["id", "titel", "dato", "journalnummer", "udsagn_af"]
        read_only_fields = ["id"]
        extra_kwargs = {
            "titel": {"help_text": "F.eks. 'Statusattest fra praktiserende læge'."},
            "dato": {"required": False},
            "journalnummer": {"required": False},
            "udsagn_af": {"required": False},
        }


class TemaOplysningSerializer(serializers.ModelSerializer[TemaOplysning]):
    tema_navn = serializers.CharField(source="tema.navn", read_only=True)
    oplyst = serializers.BooleanField(
        source="is_informed",
        read_only=True,
        help_text="Er der skrevet noget om temaet (borgeren, andre eller bemærkninger)?",
    )
    kilder = KildehenvisningSerializer(many=True, read_only=True)

    class Meta:
        model = TemaOplysning
        fields = [
            "id",
            "udredning",
            "tema",
            "tema_navn",
            "fra_borgeren",
            "fra_andre",
            "bemaerkninger",
            "fremhaevede_undertemaer",
            "mestringsevne",
            "netvaerkets_villighed",
            "udeladt_oplysning",
            "udeladt_begrundelse",
            "overfoert",
            "oplyst",
            "opdateret",
            "kilder",
        ]
        read_only_fields = fields


def _text(help_text: str) -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, help_text=help_text
    )


class TemaOplysningInputSerializer(serializers.Serializer[TemaOplysning]):
    """The whole theme: fields left out become empty (PUT replaces)."""

    fra_borgeren = _text("Kun borgerens egne udsagn om ressourcer og udfordringer.")
    fra_andre = _text("Oplysninger fra andre, med kildehenvisning.")
    bemaerkninger = _text(
        "Sagsbehandlers observationer, analyse og begrundelse for scoringer; ingen vurdering "
        "af støtte."
    )
    fremhaevede_undertemaer = serializers.PrimaryKeyRelatedField(
        queryset=Undertema.objects.all(),
        many=True,
        required=False,
        default=list,
        help_text="Id'er på temaets undertemaer, der fremhæves.",
    )
    mestringsevne = _text("Borgerens mestringsevne.")
    netvaerkets_villighed = _text(
        "Netværkets tilkendegivelse af at ville hjælpe; indgår ikke i vurderingen af "
        "funktionsevnen."
    )
    udeladt_oplysning = _text("Oplysning, borgeren ønskede med, som er udeladt.")
    udeladt_begrundelse = _text("Begrundelse for udeladelsen (påkrævet med en udeladt oplysning).")


class DelanalyseSerializer(serializers.ModelSerializer[Delanalyse]):
    kategori_navn = serializers.CharField(source="kategori.navn", read_only=True)

    class Meta:
        model = Delanalyse
        fields = ["id", "udredning", "kategori", "kategori_navn", "tekst", "opdateret"]
        read_only_fields = fields


class DelanalyseInputSerializer(serializers.Serializer[Delanalyse]):
    tekst = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text="Delanalysen for kategorien."
    )


# Scores


class FunktionsevnevurderingSerializer(serializers.ModelSerializer[Funktionsevnevurdering]):
    undertema_navn = serializers.CharField(source="undertema.navn", read_only=True)
    tema = serializers.IntegerField(source="undertema.tema_id", read_only=True)
    vaerdi = serializers.IntegerField(
        source="niveau.vaerdi", read_only=True, help_text="Funktionsevneniveau 0-4."
    )
    niveau_navn = serializers.CharField(source="niveau.navn", read_only=True)
    vurderet_af_navn = serializers.CharField(source="vurderet_af.__str__", read_only=True)

    class Meta:
        model = Funktionsevnevurdering
        fields = [
            "id",
            "udredning",
            "undertema",
            "undertema_navn",
            "tema",
            "vaerdi",
            "niveau",
            "niveau_navn",
            "vurderingsdato",
            "vurderet_af",
            "vurderet_af_navn",
            "oprettet",
        ]
        read_only_fields = fields


class FunktionsevnevurderingCreateSerializer(serializers.Serializer[Funktionsevnevurdering]):
    undertema = serializers.PrimaryKeyRelatedField(
        queryset=Undertema.objects.all(),
        help_text="Id på et undertema under Aktivitet og deltagelse.",
    )
    vaerdi = serializers.IntegerField(
        min_value=0, max_value=4, help_text="Funktionsevneniveau: 0 (ingen) til 4 (fuldstændig)."
    )
    vurderingsdato = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Standard er i dag."
    )


# The overview on the FFB structure (assessment.selectors.UdredningView)


class UndertemaOversigtSerializer(serializers.Serializer[Any]):
    """A sub-theme of a theme in the overview, with its current score (built as a dict)."""

    id = serializers.IntegerField()
    navn = serializers.CharField()
    scores = serializers.BooleanField(help_text="Scores undertemaet 0-4?")
    fremhaevet = serializers.BooleanField(help_text="Fremhævet i temaets oplysning?")
    aktuel_score = FunktionsevnevurderingSerializer(
        allow_null=True, help_text="Den seneste score på tværs af sagens udredninger, eller null."
    )


class TemaOversigtSerializer(serializers.Serializer[TemaView]):
    id = serializers.IntegerField(source="tema.id")
    navn = serializers.CharField(source="tema.navn")
    definition = serializers.CharField(source="tema.definition")
    oplysning = TemaOplysningSerializer(
        allow_null=True, help_text="Det, der er oplyst i temaet, eller null."
    )
    undertemaer = serializers.SerializerMethodField()

    @extend_schema_field(UndertemaOversigtSerializer(many=True))
    def get_undertemaer(self, view: TemaView) -> list[dict[str, Any]]:
        highlighted = (
            {u.pk for u in view.oplysning.fremhaevede_undertemaer.all()}
            if view.oplysning is not None
            else set()
        )
        rows = [
            {
                "id": u.pk,
                "navn": u.navn,
                "scores": u.scores,
                "fremhaevet": u.pk in highlighted,
                "aktuel_score": view.scores.get(u.pk),
            }
            for u in view.undertemaer
        ]
        return list(UndertemaOversigtSerializer(rows, many=True).data)


class KategoriOversigtSerializer(serializers.Serializer[KategoriView]):
    id = serializers.IntegerField(source="kategori.id")
    navn = serializers.CharField(source="kategori.navn")
    scores = serializers.BooleanField(
        source="kategori.scores", help_text="Scores kategoriens undertemaer 0-4?"
    )
    delanalyse = serializers.CharField(help_text="Delanalysen; tom hvis ikke skrevet.")
    temaer = TemaOversigtSerializer(many=True)


class UdredningOversigtSerializer(serializers.Serializer[Any]):
    """The current udredning on the FFB structure, in the recommended order of work."""

    udredning = UdredningSerializer(
        allow_null=True, help_text="Den aktuelle udredning, eller null hvis ingen er startet."
    )
    kategorier = KategoriOversigtSerializer(many=True)
    niveauer = FunktionsevneniveauSerializer(
        many=True, help_text="Funktionsevneniveauerne 0-4 med deres kriterier."
    )


# Obtaining information


class IndhentningSerializer(serializers.ModelSerializer[Indhentning]):
    part_navn = serializers.CharField(source="get_part_display", read_only=True)
    anmodet_af_navn = serializers.CharField(source="anmodet_af.__str__", read_only=True)

    class Meta:
        model = Indhentning
        fields = [
            "id",
            "sag",
            "samtykke",
            "part",
            "part_navn",
            "specifikation",
            "hvad",
            "anmodet",
            "anmodet_af",
            "anmodet_af_navn",
            "modtaget",
        ]
        read_only_fields = fields


class IndhentningCreateSerializer(serializers.Serializer[Indhentning]):
    part = serializers.ChoiceField(
        choices=Samtykke.Part.choices, help_text="Hvem oplysningerne indhentes fra."
    )
    specifikation = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Hos hvem."
    )
    hvad = serializers.CharField(help_text="Hvilke oplysninger der indhentes.")


# Partshøring


class PartshoeringSerializer(serializers.ModelSerializer[Partshoering]):
    modtager_type_navn = serializers.CharField(source="get_modtager_display", read_only=True)
    sendt_af_navn = serializers.CharField(source="sendt_af.__str__", read_only=True)
    afventer_svar = serializers.SerializerMethodField(
        help_text="Afventer høringen svar inden for fristen (og blokerer dermed afgørelsen)?"
    )
    brev = serializers.SerializerMethodField(help_text="Adressen på partshøringsbrevet (PDF).")

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
        return hoering.blocks_decision(timezone.localdate())

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
    svarfrist = serializers.DateField(help_text="Svarfristen: mindst 14 dage fra i dag.")


class PartshoeringSvarSerializer(serializers.Serializer[Partshoering]):
    svar = serializers.CharField(help_text="Borgerens svar eller et resumé af det.")
    modtaget = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Modtaget; standard er i dag."
    )


# Sagsvurdering


def _amount(help_text: str, *, max_digits: int = 14) -> serializers.DecimalField:
    """A read-only amount shown as a JSON number (kroner, hours), not as a string."""
    return serializers.DecimalField(
        max_digits=max_digits,
        decimal_places=2,
        coerce_to_string=False,
        read_only=True,
        help_text=help_text,
    )


@extend_schema_field(OpenApiTypes.INT)
class CurrentCatalogField(serializers.PrimaryKeyRelatedField[VersionedRow]):
    """An id of a row of a reference table valid today (looked up when the request comes, so a
    catalog version that starts or ends is respected without a restart)."""

    def __init__(self, model: type[VersionedRow], **kwargs: Any) -> None:
        self.catalog_model = model
        super().__init__(**kwargs)

    def get_queryset(self) -> models.QuerySet[VersionedRow]:
        return self.catalog_model.objects.current()


@extend_schema_field(OpenApiTypes.INT)
class KommunalYdelseField(serializers.PrimaryKeyRelatedField[KommunalYdelse]):
    """An id of a service in the municipality's catalog, valid today."""

    def get_queryset(self) -> models.QuerySet[KommunalYdelse]:
        return KommunalYdelse.objects.current().filter(kommune=current_kommune())


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
    antal_pr_periode = _amount("Antal i hver periode.", max_digits=8)
    enhedspris = _amount("Enhedspris i kr.")
    beloeb = _amount("Antal i hver periode * antal gentagelser * enhedspris, i kr.")

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
    pris = _amount("Summen af prislinjerne, i kr.")

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
    timer_pr_uge_i_alt = _amount("Summen af målenes timer pr. uge.", max_digits=8)
    indsatser = IndsatsSerializer(source="view.indsatser", many=True)
    pris_i_alt = _amount(
        "Summen af prislinjerne for alle indsatser (også alternativer), i kr.",
    )
    aarlig_udgift = _amount(
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


# Indstilling


class IndhentetTilbudSerializer(serializers.ModelSerializer[IndhentetTilbud]):
    pris_pr_aar = serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=False, help_text="Pris pr. år i kr."
    )

    class Meta:
        model = IndhentetTilbud
        fields = ["id", "tilbud", "pris_pr_aar", "dialog"]
        read_only_fields = ["id"]
        extra_kwargs = {"dialog": {"required": False}}


class IndstillingDagsordenSerializer(serializers.ModelSerializer[Dagsordenspunkt]):
    """Where the recommendation has been on an agenda, and what the committee decided."""

    udvalg_navn = serializers.CharField(source="moede.udvalg.navn", read_only=True)
    dato = serializers.DateField(source="moede.dato", read_only=True)
    udfald = serializers.CharField(source="udfald.slug", read_only=True, allow_null=True)
    udfald_navn = serializers.CharField(source="udfald.navn", read_only=True, allow_null=True)

    class Meta:
        model = Dagsordenspunkt
        fields = [
            "id",
            "moede",
            "udvalg_navn",
            "dato",
            "udfald",
            "udfald_navn",
            "aendringer",
            "begrundelse",
            "behandlet",
        ]
        read_only_fields = fields


class IndstillingSerializer(serializers.ModelSerializer[Indstilling]):
    status_navn = serializers.CharField(source="get_status_display", read_only=True)
    oprettet_af_navn = serializers.CharField(source="oprettet_af.__str__", read_only=True)
    pdf = serializers.SerializerMethodField(
        help_text="Adressen på den fastfrosne indstilling (PDF); null, før den er sendt."
    )
    indhentede_tilbud = IndhentetTilbudSerializer(many=True, read_only=True)
    dagsorden = IndstillingDagsordenSerializer(
        source="dagsordenspunkter", many=True, read_only=True
    )

    class Meta:
        model = Indstilling
        fields = [
            "id",
            "sag",
            "vurdering",
            "indstilling",
            "status",
            "status_navn",
            "pdf",
            "pdf_sha256",
            "oprettet",
            "oprettet_af",
            "oprettet_af_navn",
            "indhentede_tilbud",
            "dagsorden",
        ]
        read_only_fields = fields

    def get_pdf(self, indstilling: Indstilling) -> str | None:
        if not indstilling.pdf_sha256:
            return None
        return reverse(
            "api-indstilling-pdf",
            kwargs={"sag_pk": indstilling.sag_id, "pk": indstilling.pk},
            request=self.context.get("request"),
        )


class IndstillingCreateSerializer(serializers.Serializer[Indstilling]):
    indstilling = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text="Hvad sagsbehandleren indstiller: indsats eller afslag, og hvorfor.",
    )


class IndstillingSendSerializer(serializers.Serializer[Any]):
    moede = serializers.PrimaryKeyRelatedField(
        queryset=Udvalgsmoede.objects.filter(afsluttet__isnull=True),
        help_text="Id på et kommende, ikke afsluttet udvalgsmøde.",
    )


class KommendeMoedeSerializer(serializers.ModelSerializer[Udvalgsmoede]):
    udvalg_navn = serializers.CharField(source="udvalg.navn", read_only=True)

    class Meta:
        model = Udvalgsmoede
        fields = ["id", "udvalg", "udvalg_navn", "dato"]
        read_only_fields = fields


# The visitationsudvalg


class UdvalgsmoedeSerializer(serializers.ModelSerializer[Udvalgsmoede]):
    udvalg_navn = serializers.CharField(source="udvalg.navn", read_only=True)
    antal_punkter = serializers.SerializerMethodField(help_text="Antal punkter på dagsordenen.")
    referat = serializers.SerializerMethodField(
        help_text="Adressen på referatet (PDF); null, før mødet er afsluttet."
    )

    class Meta:
        model = Udvalgsmoede
        fields = [
            "id",
            "udvalg",
            "udvalg_navn",
            "dato",
            "afsluttet",
            "antal_punkter",
            "referat",
            "referat_sha256",
        ]
        read_only_fields = fields

    def get_antal_punkter(self, moede: Udvalgsmoede) -> int:
        counted = getattr(moede, "antal_punkter", None)
        return int(counted) if counted is not None else moede.punkter.count()

    def get_referat(self, moede: Udvalgsmoede) -> str | None:
        if moede.afsluttet is None or not moede.referat_sha256:
            return None
        return reverse(
            "api-udvalgsmoede-referat",
            kwargs={"pk": moede.pk},
            request=self.context.get("request"),
        )


class DagsordenspunktSerializer(serializers.ModelSerializer[Dagsordenspunkt]):
    borger = serializers.IntegerField(source="sag.borger_id", read_only=True)
    borger_navn = serializers.CharField(source="sag.borger.navn", read_only=True)
    sagsbehandler_navn = serializers.CharField(
        source="sag.sagsbehandler.__str__", read_only=True, allow_null=True
    )
    indstilling_tekst = serializers.CharField(
        source="indstilling.indstilling", read_only=True, allow_null=True
    )
    indstilling_pdf = serializers.SerializerMethodField(
        help_text="Adressen på indstillingen (PDF), som den blev sat på dagsordenen."
    )
    udfald = serializers.CharField(
        source="udfald.slug", read_only=True, allow_null=True, help_text="Udfaldets slug."
    )
    udfald_navn = serializers.CharField(source="udfald.navn", read_only=True, allow_null=True)
    behandlet_af_navn = serializers.CharField(
        source="behandlet_af.__str__", read_only=True, allow_null=True
    )

    class Meta:
        model = Dagsordenspunkt
        fields = [
            "id",
            "sag",
            "borger",
            "borger_navn",
            "sagsbehandler_navn",
            "indstilling",
            "indstilling_tekst",
            "indstilling_pdf",
            "udfald",
            "udfald_navn",
            "aendringer",
            "begrundelse",
            "behandlet",
            "behandlet_af",
            "behandlet_af_navn",
        ]
        read_only_fields = fields

    def get_indstilling_pdf(self, punkt: Dagsordenspunkt) -> str | None:
        if punkt.indstilling_id is None:
            return None
        return reverse(
            "api-indstilling-pdf",
            kwargs={"sag_pk": punkt.sag_id, "pk": punkt.indstilling_id},
            request=self.context.get("request"),
        )


class UdvalgsmoedeDetailSerializer(UdvalgsmoedeSerializer):
    """A meeting with its agenda; the items come read (and audited) in the context's
    `punkter` (assessment.selectors.udvalgsmoede_dagsorden)."""

    punkter = serializers.SerializerMethodField(help_text="Dagsordenen.")

    class Meta(UdvalgsmoedeSerializer.Meta):
        fields = [*UdvalgsmoedeSerializer.Meta.fields, "punkter"]
        read_only_fields = fields

    @extend_schema_field(DagsordenspunktSerializer(many=True))
    def get_punkter(self, moede: Udvalgsmoede) -> list[dict[str, Any]]:
        punkter = self.context["punkter"]
        return list(DagsordenspunktSerializer(punkter, many=True, context=self.context).data)

    def get_antal_punkter(self, moede: Udvalgsmoede) -> int:
        return len(self.context["punkter"])


@extend_schema_field(
    {
        "type": "string",
        "description": (
            "godkendes · godkendes-med-aendringer · "
            "returneres-til-raadgiver-til-yderligere-belysning · afvises-og-der-meddeles-afslag"
        ),
    }
)
class UdfaldField(serializers.SlugRelatedField[Visitationsudfald]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="slug", **kwargs)

    def get_queryset(self) -> models.QuerySet[Visitationsudfald]:
        return Visitationsudfald.objects.current()


class UdfaldInputSerializer(serializers.Serializer[Dagsordenspunkt]):
    udfald = UdfaldField(help_text="Udfaldets slug.")
    aendringer = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Hvad udvalget ændrede (påkrævet ved 'Godkendes med ændringer').",
    )
    begrundelse = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Udvalgets begrundelse (påkrævet ved returnering og afvisning).",
    )


# Afgørelse, letters and complaints


def _inline_choice(choices: type[models.TextChoices], **kwargs: Any) -> serializers.ChoiceField:
    """A choice field whose enum stays inline in the schema (wrapped in oneOf, which the enum
    naming hook leaves alone): the field's name is shared with another choice set, and a named
    enum would need an ENUM_NAME_OVERRIDES entry. (A class per choice set: serializers deep-copy
    their fields, which drops an annotation on an instance.)"""
    schema = {"oneOf": [{"type": "string", "enum": list(choices.values)}]}
    field_class = extend_schema_field(schema)(
        type("InlineChoiceField", (serializers.ChoiceField,), {})
    )
    return field_class(choices=choices.choices, **kwargs)


class AfgoerelsesResultatSerializer(serializers.ModelSerializer[AfgoerelsesResultat]):
    resultat_navn = serializers.CharField(source="get_resultat_display", read_only=True)

    class Meta:
        model = AfgoerelsesResultat
        fields = [
            "id",
            "beskrivelse",
            "resultat",
            "resultat_navn",
            "omfang",
            "virkningsdato",
            "nedsaettelse",
            "kommunal_ydelse",
            "indsats",
        ]
        read_only_fields = fields


class AfgoerelseSerializer(serializers.ModelSerializer[Afgoerelse]):
    form = _inline_choice(Afgoerelse.Form, read_only=True)
    resultater = AfgoerelsesResultatSerializer(many=True, read_only=True)
    breve: serializers.PrimaryKeyRelatedField[Brev] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Id'er på afgørelsesbrevene (også rettelser)."
    )

    class Meta:
        model = Afgoerelse
        fields = [
            "id",
            "sag",
            "vurdering",
            "erstatter",
            "truffet_af",
            "form",
            "truffet",
            "meddelt",
            "fuldt_medhold",
            "begrundelse_vurdering",
            "begrundelse_oplysninger",
            "begrundelse_regler",
            "saerligt_om_synspunkter",
            "egenbetaling",
            "egenbetaling_tekst",
            "maalgruppe",
            "klagefrist",
            "resultater",
            "breve",
            "oprettet",
            "oprettet_af",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class SagensIndsatsField(serializers.PrimaryKeyRelatedField[Indsats]):
    """An indsats id, looked up only in the assessments of the case in the URL."""

    def get_queryset(self) -> models.QuerySet[Indsats]:
        return Indsats.objects.filter(vurdering__sag=self.context["sag"])


@extend_schema_field(OpenApiTypes.INT)
class SagensAfgoerelseField(serializers.PrimaryKeyRelatedField[Afgoerelse]):
    """A decision id, looked up only among the decisions of the case in the URL."""

    def get_queryset(self) -> models.QuerySet[Afgoerelse]:
        return Afgoerelse.objects.filter(sag=self.context["sag"])


class ResultatlinjeInputSerializer(serializers.Serializer[Any]):
    beskrivelse = serializers.CharField(max_length=300, help_text="Hvad der er søgt om.")
    resultat = serializers.ChoiceField(choices=AfgoerelsesResultat.Resultat.choices)
    omfang = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Fx '6 timer'."
    )
    virkningsdato = serializers.DateField()
    kommunal_ydelse = KommunalYdelseField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id på ydelsen i kommunens katalog (giver hjemmel og varsel).",
    )
    indsats = SagensIndsatsField(
        required=False, allow_null=True, default=None, help_text="Id på sagsvurderingens indsats."
    )
    nedsaettelse = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Nedsættelse eller frakendelse (efter §§ 95, 96, 98 tidligst 14 uger efter).",
    )


class AfgoerelseCreateSerializer(serializers.Serializer[Afgoerelse]):
    truffet_af = serializers.ChoiceField(choices=Afgoerelse.TruffetAf.choices)
    form = _inline_choice(Afgoerelse.Form)
    fuldt_medhold = serializers.BooleanField(
        help_text="Præcis det, der er søgt om; ellers kræves begrundelsen."
    )
    resultater = ResultatlinjeInputSerializer(many=True, allow_empty=True)
    truffet = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Standard er i dag."
    )
    meddelt = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Hvornår borgeren fik afgørelsen (påkrævet for en mundtlig afgørelse).",
    )
    begrundelse_vurdering = serializers.CharField(required=False, allow_blank=True, default="")
    begrundelse_oplysninger = serializers.CharField(required=False, allow_blank=True, default="")
    begrundelse_regler = serializers.CharField(required=False, allow_blank=True, default="")
    saerligt_om_synspunkter = serializers.CharField(required=False, allow_blank=True, default="")
    egenbetaling = serializers.BooleanField(required=False, default=False)
    egenbetaling_tekst = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    maalgruppe = CurrentCatalogField(
        Maalgruppe,
        required=False,
        allow_null=True,
        default=None,
        help_text="Id på den bekræftede primære målgruppe.",
    )
    erstatter = SagensAfgoerelseField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id på den afgørelse, denne erstatter (efter medhold i en klage).",
    )


class BrevteksterSerializer(serializers.Serializer[Any]):
    """The letter's free texts. Sections left out keep their default text."""

    overskrift = serializers.CharField(required=False, allow_blank=True)
    begrundelse_vurdering = serializers.CharField(required=False, allow_blank=True)
    begrundelse_oplysninger = serializers.CharField(required=False, allow_blank=True)
    begrundelse_regler = serializers.CharField(required=False, allow_blank=True)
    saerligt_om_synspunkter = serializers.CharField(required=False, allow_blank=True)
    indsatsformaal = serializers.CharField(required=False, allow_blank=True)
    opfoelgning = serializers.CharField(required=False, allow_blank=True)
    kontakt = serializers.CharField(required=False, allow_blank=True)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            unknown = set(data) - set(LETTER_TEXT_KEYS)
            if unknown:
                raise serializers.ValidationError(
                    {"non_field_errors": [f"Ukendte afsnit: {', '.join(sorted(unknown))}."]}
                )
        return dict(super().to_internal_value(data))


class AfgoerelseForhaandsvisningSerializer(serializers.Serializer[Any]):
    tekster = BrevteksterSerializer(required=False, default=dict)


@extend_schema_field(OpenApiTypes.INT)
class AfgoerelsensBrevField(serializers.PrimaryKeyRelatedField[Brev]):
    """A letter id, looked up only among the letters of the decision in the URL."""

    def get_queryset(self) -> models.QuerySet[Brev]:
        return Brev.objects.filter(afgoerelse=self.context["afgoerelse"]).defer("pdf")


class AfgoerelseSendSerializer(serializers.Serializer[Any]):
    tekster = BrevteksterSerializer(required=False, default=dict)
    retter = AfgoerelsensBrevField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id på det sendte brev, som dette retter (påkrævet, når et brev er sendt).",
    )


class ForsendelseSerializer(serializers.Serializer[Any]):
    kanal = serializers.CharField(read_only=True)
    reference = serializers.CharField(read_only=True)
    sendt = serializers.DateTimeField(read_only=True)


class BrevSerializer(serializers.ModelSerializer[Brev]):
    modtager = serializers.CharField(source="modtager_navn", read_only=True)
    forsendelse = serializers.SerializerMethodField(
        help_text="Hvornår og hvordan brevet blev sendt; null indtil det er sendt."
    )
    pdf = serializers.SerializerMethodField(help_text="Adressen på brevet (PDF).")

    class Meta:
        model = Brev
        fields = [
            "id",
            "sag",
            "art",
            "afgoerelse",
            "retter",
            "modtager",
            "kopi_til",
            "indhold",
            "sha256",
            "pdf",
            "forsendelse",
            "oprettet",
            "oprettet_af",
        ]
        read_only_fields = fields

    @extend_schema_field(ForsendelseSerializer(allow_null=True))
    def get_forsendelse(self, brev: Brev) -> dict[str, Any] | None:
        first = next(iter(brev.forsendelser.all()), None)
        return None if first is None else dict(ForsendelseSerializer(first).data)

    def get_pdf(self, brev: Brev) -> str:
        return reverse(
            "api-brev-pdf",
            kwargs={"sag_pk": brev.sag_id, "pk": brev.pk},
            request=self.context.get("request"),
        )


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
    resultat = _inline_choice(Klage.Ankestyrelsen)
    dato = serializers.DateField(help_text="Dagen for Ankestyrelsens afgørelse.")
