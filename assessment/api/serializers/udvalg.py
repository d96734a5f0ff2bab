"""Serializers of the indstilling and the visitationsudvalg's meetings and outcomes."""

from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from assessment.models import Dagsordenspunkt, IndhentetTilbud, Indstilling, Udvalgsmoede
from vum.accounts.models import User
from vum.catalog.models import Visitationsudfald


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
    sagsbehandler_navn = serializers.StringRelatedField[User](
        source="sag.sagsbehandler", allow_null=True
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
    behandlet_af_navn = serializers.StringRelatedField[User](source="behandlet_af", allow_null=True)

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
    `punkter` (assessment.selectors.udvalg.dagsorden)."""

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
