"""Serializers of the afgørelse, its results, the decision letter and its dispatch."""

from typing import Any

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from assessment.api.serializers.common import KommunalYdelseField, inline_choice
from assessment.letters import LETTER_TEXT_KEYS
from assessment.models import Afgoerelse, AfgoerelsesResultat, Brev, Forsendelse, Indsats
from vum.api import CurrentCatalogField
from vum.catalog.models import Maalgruppe


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
    form = inline_choice(Afgoerelse.Form, read_only=True)
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
            "ukendte_oplysninger_til_ugunst",
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
    form = inline_choice(Afgoerelse.Form)
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
    ukendte_oplysninger_til_ugunst = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Bygger afgørelsen på oplysninger til borgerens ugunst, som borgeren ikke kender? Så "
            "kræves en partshøring, besvaret eller udløbet (forvaltningslovens § 19)."
        ),
    )
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
    modtager = inline_choice(
        Forsendelse.Modtager,
        read_only=True,
        help_text="Adressaten, eller borgerens kopi af et brev til den, der varetager borgerens "
        "partsrettigheder.",
    )
    modtager_navn = serializers.CharField(read_only=True)
    kanal = serializers.CharField(read_only=True)
    reference = serializers.CharField(read_only=True)
    sendt = serializers.DateTimeField(read_only=True)
    status = inline_choice(
        Forsendelse.Status,
        read_only=True,
        help_text="Leveret i Digital Post, sendt som fysisk post, sendt (fil/e-mail), ikke "
        "leveret (sagsbehandleren skal handle), eller sendes igen.",
    )
    leveret = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Digital Posts kvittering: hvornår brevet kom frem; klagefristen løber herfra.",
    )
    fejl = serializers.CharField(read_only=True, help_text="Hvorfor brevet ikke blev leveret.")
    kvittering = serializers.CharField(
        read_only=True,
        help_text="Digital Posts kvittering gennem Beskedfordeleren (PKO_PostStatus), som Digital "
        "Post formulerer den; tom for en afsendelse. En kvittering er sin egen række efter "
        "afsendelsen, med samme reference, og siger, hvor den afsendelse står.",
    )
    kvitteret = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Hvornår kvitteringens status indtraf."
    )


class BrevSerializer(serializers.ModelSerializer[Brev]):
    modtager = serializers.CharField(source="modtager_navn", read_only=True)
    forsendelse = serializers.SerializerMethodField(
        help_text="Hvor brevet står for adressaten (den seneste forsendelse); null indtil den "
        "første."
    )
    forsendelser = ForsendelseSerializer(
        many=True,
        read_only=True,
        help_text="Hver forsendelse: til adressaten og, hvor brevet har en, kopien til borgeren; "
        "også de, der ikke blev leveret, anmodninger om at sende igen og Digital Posts "
        "kvitteringer (rækker med `kvittering`), i den rækkefølge, de kom.",
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
            "forsendelser",
            "oprettet",
            "oprettet_af",
        ]
        read_only_fields = fields

    @extend_schema_field(ForsendelseSerializer(allow_null=True))
    def get_forsendelse(self, brev: Brev) -> dict[str, Any] | None:
        to_addressee = next(
            (f for f in brev.latest_dispatches() if f.modtager == Forsendelse.Modtager.ADRESSAT),
            None,
        )
        return None if to_addressee is None else dict(ForsendelseSerializer(to_addressee).data)

    def get_pdf(self, brev: Brev) -> str:
        return reverse(
            "api-brev-pdf",
            kwargs={"sag_pk": brev.sag_id, "pk": brev.pk},
            request=self.context.get("request"),
        )
