"""Serializers for the orders API: the bestilling (its frozen content), the provider's delivery
records and the handleplan.

Output serializers describe what the API shows. Input serializers only shape the request body:
every rule (the bestilling's goals, dates not in the future, a reason for a refusal, ...) lives in
orders.services, whose Danish ValidationErrors the project's exception handler turns into 400
answers. Ids in a body are looked up only among what the user may refer to, so an id that does
not exist and one outside the user's scope get the same answer.
"""

from typing import Any

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessment.models import Indsats, Indsatsmaal
from orders.content import Udkast
from orders.models import (
    Anmodning,
    Bestilling,
    Delmaal,
    Delmaalsnotat,
    Handleplan,
    HandleplanVersion,
    Handling,
    Leveringsnotat,
    Magtanvendelse,
)
from orders.selectors import HandleplanView, SagensBestillinger
from vum.catalog.models import Undertema

# The frozen content of a bestilling (orders.content.bestilling_content). Every field is
# optional: the content is frozen when sent, and an older version may lack a newer key.


def _text(help_text: str = "") -> serializers.CharField:
    return serializers.CharField(read_only=True, required=False, help_text=help_text)


class KontaktSerializer(serializers.Serializer[Any]):
    navn = _text()
    type = _text("Pårørende, værge, partsrepræsentant, bisidder, ...")
    relation = _text()
    telefon = _text()
    partsrettigheder = serializers.BooleanField(read_only=True, required=False)


class DiagnoseSerializer(serializers.Serializer[Any]):
    diagnose = _text()
    stillet_af = _text()
    dato = _text("ÅÅÅÅ-MM-DD, eller tom.")


class BaggrundSerializer(serializers.Serializer[Any]):
    navn = _text()
    cpr = _text("CPR-nummer (DDMMÅÅ-XXXX).")
    adresse = _text()
    telefon = _text()
    kontakter = KontaktSerializer(many=True, read_only=True, required=False)
    diagnoser = DiagnoseSerializer(many=True, read_only=True, required=False)
    vaergemaal = _text()
    repraesentation = _text()
    fuldmagt = _text()
    bilag = _text("Hvad af handleplanen der er vedlagt.")


class KoordinerendeSagsbehandlerSerializer(serializers.Serializer[Any]):
    navn = _text()
    telefon = _text()
    email = _text()
    team = _text()


class KoordineringSerializer(serializers.Serializer[Any]):
    koordinerende_sagsbehandler = KoordinerendeSagsbehandlerSerializer(
        read_only=True, required=False
    )
    samarbejdspartnere = _text()
    andre_indsatser = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        required=False,
        help_text="Borgerens andre indsatser (kun navn og udfører).",
    )
    behov_for_koordinering = serializers.BooleanField(read_only=True, required=False)


class FundSerializer(serializers.Serializer[Any]):
    situation = _text("Vurderingen af borgerens situation.")
    stoettebehov = _text()
    perspektiv = _text("Borgerens perspektiv.")
    ressourcer = _text("Borgerens ressourcer.")
    maalgrupper = serializers.ListField(
        child=serializers.CharField(), read_only=True, required=False
    )


class BestiltMaalSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(
        read_only=True, required=False, help_text="Indsatsmålets id (bruges til delmål)."
    )
    nr = serializers.IntegerField(read_only=True, required=False)
    formulering = _text()
    maaltype = _text()
    tema = _text("Det primære undertema.")
    aktuelt_niveau = serializers.IntegerField(read_only=True, required=False, allow_null=True)
    forventet_niveau = serializers.IntegerField(read_only=True, required=False, allow_null=True)
    opfoelgning = _text()
    udfoerer = _text()
    timer_pr_uge = _text("Timer pr. uge (decimaltal som tekst), eller tom.")


class BestiltPrislinjeSerializer(serializers.Serializer[Any]):
    ydelse = _text()
    enhed = _text()
    antal = _text()
    frekvens = _text()
    gentagelser = serializers.IntegerField(read_only=True, required=False)
    enhedspris = _text()
    beloeb = _text()


class BestiltIndsatsSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True, required=False)
    ydelser = serializers.ListField(child=serializers.CharField(), read_only=True, required=False)
    lovgrundlag = _text()
    kommunal_ydelse = _text()
    tilbud = _text()
    udfoerer = _text()
    p_nummer = _text()
    start = _text("ÅÅÅÅ-MM-DD, eller tom.")
    slut = _text("ÅÅÅÅ-MM-DD, eller tom.")
    konto = _text()
    prislinjer = BestiltPrislinjeSerializer(many=True, read_only=True, required=False)
    pris = _text("Beløb i kroner (decimaltal som tekst).")


class BetalingSerializer(serializers.Serializer[Any]):
    ean = _text()
    handlekommune = _text()
    betalingskommune = _text()


class BestiltAfgoerelseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True, required=False)
    truffet = _text("ÅÅÅÅ-MM-DD.")


class BestillingIndholdSerializer(serializers.Serializer[Any]):
    """What the bestilling carries to the provider, frozen when it was sent: background,
    coordination, central findings, wishes, purpose, this provider's own goals and indsatser,
    follow-up, prices and payment. Never the udredning or other providers' goals."""

    baggrund = BaggrundSerializer(read_only=True, required=False)
    koordinering = KoordineringSerializer(read_only=True, required=False)
    fund = FundSerializer(read_only=True, required=False)
    oensker = _text("Borgerens ønsker for fremtiden.")
    indsatsformaal = _text()
    maal = BestiltMaalSerializer(many=True, read_only=True, required=False)
    indsatser = BestiltIndsatsSerializer(many=True, read_only=True, required=False)
    opfoelgning = _text()
    betaling = BetalingSerializer(read_only=True, required=False)
    egenbetaling = _text()
    afgoerelse = BestiltAfgoerelseSerializer(read_only=True, required=False)
    pris_i_alt = _text("Beløb i kroner pr. bevillingsperiode (decimaltal som tekst).")


# The bestilling


class BorgerKortSerializer(serializers.Serializer[Any]):
    """The citizen of a bestilling as a line in a list: the CPR number is masked."""

    id = serializers.IntegerField(source="pk", read_only=True)
    navn = serializers.CharField(read_only=True)
    cpr = serializers.CharField(
        source="cpr_masked", read_only=True, help_text="CPR-nummer, maskeret (DDMMÅÅ-****)."
    )


class BestillingListSerializer(serializers.ModelSerializer[Bestilling]):
    borger = BorgerKortSerializer(source="sag.borger", read_only=True)
    udfoerer_navn = serializers.CharField(source="udfoerer.navn", read_only=True)
    status_navn = serializers.CharField(source="get_status_display", read_only=True)
    afventer_svar = serializers.BooleanField(
        source="awaits_answer",
        read_only=True,
        help_text="Udføreren har endnu ikke accepteret eller afvist bestillingen.",
    )

    class Meta:
        model = Bestilling
        fields = [
            "id",
            "borger",
            "udfoerer",
            "udfoerer_navn",
            "version",
            "status",
            "status_navn",
            "afventer_svar",
            "startdato",
            "slutdato",
            "sendt",
        ]
        read_only_fields = fields


class BestillingDetailSerializer(BestillingListSerializer):
    indhold = BestillingIndholdSerializer(
        read_only=True, help_text="Bestillingens indhold, som det blev frosset ved afsendelsen."
    )
    aendringer = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Hvad der er ændret siden forrige version (tom for version 1).",
    )
    vedlagt_handleplan_navn = serializers.CharField(
        source="get_vedlagt_handleplan_display", read_only=True
    )

    class Meta(BestillingListSerializer.Meta):
        fields = [
            *BestillingListSerializer.Meta.fields,
            "modtaget",
            "besvaret",
            "afvist_begrundelse",
            "vedlagt_handleplan",
            "vedlagt_handleplan_navn",
            "indhold",
            "aendringer",
            "sha256",
        ]
        read_only_fields = fields


class BestillingAfvisSerializer(serializers.Serializer[Bestilling]):
    begrundelse = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Hvorfor bestillingen afvises (påkrævet); går tilbage til sagsbehandleren.",
    )


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
    besvaret_af_navn = serializers.CharField(
        source="besvaret_af.__str__", read_only=True, allow_null=True
    )

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


# The caseworker's view of the case's orders


class SagBestillingSerializer(BestillingListSerializer):
    """A bestilling as the caseworker follows it; the content is at GET bestillinger/{id}/."""

    sendt_af_navn = serializers.CharField(
        source="sendt_af.__str__", read_only=True, allow_null=True
    )
    besvaret_af_navn = serializers.CharField(
        source="besvaret_af.__str__", read_only=True, allow_null=True
    )
    vedlagt_handleplan_navn = serializers.CharField(
        source="get_vedlagt_handleplan_display", read_only=True
    )
    aendringer = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(BestillingListSerializer.Meta):
        fields = [field for field in BestillingListSerializer.Meta.fields if field != "borger"] + [
            "afgoerelse",
            "erstatter",
            "sendt_af",
            "sendt_af_navn",
            "modtaget",
            "besvaret",
            "besvaret_af_navn",
            "afvist_begrundelse",
            "vedlagt_handleplan",
            "vedlagt_handleplan_navn",
            "aendringer",
        ]
        read_only_fields = fields


class MaalKortSerializer(serializers.ModelSerializer[Indsatsmaal]):
    nr = serializers.IntegerField(source="raekkefoelge", read_only=True)

    class Meta:
        model = Indsatsmaal
        fields = ["id", "nr", "maalformulering"]
        read_only_fields = fields


class IndsatsKortSerializer(serializers.ModelSerializer[Indsats]):
    ydelser = serializers.SerializerMethodField()

    class Meta:
        model = Indsats
        fields = ["id", "ydelser"]
        read_only_fields = fields

    def get_ydelser(self, indsats: Indsats) -> list[str]:
        return [y.navn for y in indsats.ydelser.all()]


class UdkastSerializer(serializers.Serializer[Udkast]):
    """What one provider would be sent from the latest granting decision."""

    udfoerer = serializers.IntegerField(source="udfoerer.pk", read_only=True)
    udfoerer_navn = serializers.CharField(source="udfoerer.navn", read_only=True)
    maal = MaalKortSerializer(many=True, read_only=True)
    indsatser = IndsatsKortSerializer(many=True, read_only=True)


class SagensBestillingerSerializer(serializers.Serializer[SagensBestillinger]):
    afgoerelse = serializers.IntegerField(
        source="afgoerelse.pk",
        read_only=True,
        allow_null=True,
        help_text="Den seneste afgørelse, der bevilger noget, eller null.",
    )
    bestillinger = SagBestillingSerializer(
        many=True, read_only=True, help_text="Alle versioner, pr. udfører nyeste først."
    )
    udkast = UdkastSerializer(
        many=True, read_only=True, help_text="Hvad afgørelsen vil bestille hos hver udfører."
    )
    uden_bestilling = IndsatsKortSerializer(
        many=True,
        read_only=True,
        help_text="Bevilgede indsatser uden udfører at bestille hos (fx § 100 eller BPA).",
    )
    mangler = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Hvad der forhindrer, at bestillingerne sendes nu.",
    )
    delmaal = DelmaalSerializer(many=True, read_only=True)
    magtanvendelser = MagtanvendelseSerializer(many=True, read_only=True)
    anmodninger = AnmodningSerializer(many=True, read_only=True)


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
    formulering = _text()
    maaltype = _text()
    tema = _text()
    aktuelt_niveau = serializers.IntegerField(read_only=True, required=False, allow_null=True)
    forventet_niveau = serializers.IntegerField(read_only=True, required=False, allow_null=True)
    opfoelgning = _text()
    udfoerer = _text("Hvem der støtter borgeren i målet.")


class HandleplanIndsatsSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True, required=False)
    ydelser = serializers.ListField(child=serializers.CharField(), read_only=True, required=False)
    lovgrundlag = _text()
    kommunal_ydelse = _text()
    tilbud = _text()
    udfoerer = _text()
    p_nummer = _text()
    start = _text("ÅÅÅÅ-MM-DD, eller tom.")
    slut = _text("ÅÅÅÅ-MM-DD, eller tom.")


class HandleplanViewSerializer(serializers.Serializer[HandleplanView]):
    borger = serializers.IntegerField(source="plan.borger_id", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="Udarbejdet, under udarbejdelse eller ikke udarbejdet."
    )
    kan_redigere = serializers.BooleanField(read_only=True)
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
