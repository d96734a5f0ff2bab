"""Serializers of the sagsoplysning: the udredning, themes, sources, delanalyser, scores and
requests for information."""

from typing import Any

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessment.api.serializers.common import optional_text
from assessment.models import (
    Delanalyse,
    Funktionsevnevurdering,
    Indhentning,
    Kildehenvisning,
    TemaOplysning,
    Udredning,
)
from assessment.selectors.udredning import KategoriView, TemaView
from cases.models import Samtykke
from vum.catalog.api.serializers import FunktionsevneniveauSerializer
from vum.catalog.models import Undertema


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


class TemaOplysningInputSerializer(serializers.Serializer[TemaOplysning]):
    """The whole theme: fields left out become empty (PUT replaces)."""

    fra_borgeren = optional_text("Kun borgerens egne udsagn om ressourcer og udfordringer.")
    fra_andre = optional_text("Oplysninger fra andre, med kildehenvisning.")
    bemaerkninger = optional_text(
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
    mestringsevne = optional_text("Borgerens mestringsevne.")
    netvaerkets_villighed = optional_text(
        "Netværkets tilkendegivelse af at ville hjælpe; indgår ikke i vurderingen af "
        "funktionsevnen."
    )
    udeladt_oplysning = optional_text("Oplysning, borgeren ønskede med, som er udeladt.")
    udeladt_begrundelse = optional_text(
        "Begrundelse for udeladelsen (påkrævet med en udeladt oplysning)."
    )


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


# The overview on the FFB structure (assessment.selectors.udredning.UdredningView)


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
