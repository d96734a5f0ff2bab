"""Serializers of the bestilling: its frozen content, the provider's list and answer, and the
caseworker's orders and drafts."""

from typing import Any

from rest_framework import serializers

from assessment.models import Indsats, Indsatsmaal
from orders.api.serializers.levering import (
    AnmodningSerializer,
    DelmaalSerializer,
    MagtanvendelseSerializer,
)
from orders.content import Udkast
from orders.models import (
    Bestilling,
)
from orders.selectors.bestilling import SagensBestillinger
from vum.accounts.models import User

# The frozen content of a bestilling (orders.content.bestilling_content). Every field is
# optional: the content is frozen when sent, and an older version may lack a newer key.


# The frozen content is a JSON document: a key that a bestilling frozen before the key existed
# lacks is answered as "" (text), null (an object) or [] (a list), so every key is always there.


def read_only_text(help_text: str = "") -> serializers.CharField:
    return serializers.CharField(read_only=True, default="", help_text=help_text)


class KontaktSerializer(serializers.Serializer[Any]):
    navn = read_only_text()
    type = read_only_text("Pårørende, værge, partsrepræsentant, bisidder, ...")
    relation = read_only_text()
    telefon = read_only_text()
    partsrettigheder = serializers.BooleanField(read_only=True, required=False)


class DiagnoseSerializer(serializers.Serializer[Any]):
    diagnose = read_only_text()
    stillet_af = read_only_text()
    dato = read_only_text("ÅÅÅÅ-MM-DD, eller tom.")


class BaggrundSerializer(serializers.Serializer[Any]):
    navn = read_only_text()
    cpr = read_only_text("CPR-nummer (DDMMÅÅ-XXXX).")
    adresse = read_only_text()
    telefon = read_only_text()
    kontakter = KontaktSerializer(many=True, read_only=True, required=False)
    diagnoser = DiagnoseSerializer(many=True, read_only=True, required=False)
    vaergemaal = read_only_text()
    repraesentation = read_only_text()
    fuldmagt = read_only_text()
    bilag = read_only_text("Hvad af handleplanen der er vedlagt.")


class KoordinerendeSagsbehandlerSerializer(serializers.Serializer[Any]):
    navn = read_only_text()
    telefon = read_only_text()
    email = read_only_text()
    team = read_only_text()


class KoordineringSerializer(serializers.Serializer[Any]):
    koordinerende_sagsbehandler = KoordinerendeSagsbehandlerSerializer(
        read_only=True, required=False
    )
    samarbejdspartnere = read_only_text()
    andre_indsatser = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        required=False,
        help_text="Borgerens andre indsatser (kun navn og udfører).",
    )
    behov_for_koordinering = serializers.BooleanField(read_only=True, required=False)


class FundSerializer(serializers.Serializer[Any]):
    situation = read_only_text("Vurderingen af borgerens situation.")
    stoettebehov = read_only_text()
    perspektiv = read_only_text("Borgerens perspektiv.")
    ressourcer = read_only_text("Borgerens ressourcer.")
    maalgrupper = serializers.ListField(
        child=serializers.CharField(), read_only=True, required=False
    )


class BestiltMaalSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(
        read_only=True, required=False, help_text="Indsatsmålets id (bruges til delmål)."
    )
    nr = serializers.IntegerField(read_only=True, required=False)
    formulering = read_only_text()
    maaltype = read_only_text()
    tema = read_only_text("Det primære undertema.")
    aktuelt_niveau = serializers.IntegerField(read_only=True, required=False, allow_null=True)
    forventet_niveau = serializers.IntegerField(read_only=True, required=False, allow_null=True)
    opfoelgning = read_only_text()
    udfoerer = read_only_text()
    timer_pr_uge = read_only_text("Timer pr. uge (decimaltal som tekst), eller tom.")


class BestiltPrislinjeSerializer(serializers.Serializer[Any]):
    ydelse = read_only_text()
    enhed = read_only_text()
    antal = read_only_text()
    frekvens = read_only_text()
    gentagelser = serializers.IntegerField(read_only=True, required=False)
    enhedspris = read_only_text()
    beloeb = read_only_text()


class BestiltIndsatsSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True, required=False)
    ydelser = serializers.ListField(child=serializers.CharField(), read_only=True, required=False)
    lovgrundlag = read_only_text()
    kommunal_ydelse = read_only_text()
    tilbud = read_only_text()
    udfoerer = read_only_text()
    p_nummer = read_only_text()
    start = read_only_text("ÅÅÅÅ-MM-DD, eller tom.")
    slut = read_only_text("ÅÅÅÅ-MM-DD, eller tom.")
    konto = read_only_text()
    prislinjer = BestiltPrislinjeSerializer(many=True, read_only=True, required=False)
    pris = read_only_text("Beløb i kroner (decimaltal som tekst).")


class BetalingSerializer(serializers.Serializer[Any]):
    ean = read_only_text()
    handlekommune = read_only_text()
    betalingskommune = read_only_text()


class BestiltAfgoerelseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True, required=False)
    truffet = read_only_text("ÅÅÅÅ-MM-DD.")


class BestillingIndholdSerializer(serializers.Serializer[Any]):
    """What the bestilling carries to the provider, frozen when it was sent: background,
    coordination, central findings, wishes, purpose, this provider's own goals and indsatser,
    follow-up, prices and payment. Never the udredning or other providers' goals."""

    baggrund = BaggrundSerializer(read_only=True, default=None, allow_null=True)
    koordinering = KoordineringSerializer(read_only=True, default=None, allow_null=True)
    fund = FundSerializer(read_only=True, default=None, allow_null=True)
    oensker = read_only_text("Borgerens ønsker for fremtiden.")
    indsatsformaal = read_only_text()
    maal = BestiltMaalSerializer(many=True, read_only=True, default=list)
    indsatser = BestiltIndsatsSerializer(many=True, read_only=True, default=list)
    opfoelgning = read_only_text()
    betaling = BetalingSerializer(read_only=True, default=None, allow_null=True)
    egenbetaling = read_only_text()
    afgoerelse = BestiltAfgoerelseSerializer(read_only=True, default=None, allow_null=True)
    pris_i_alt = read_only_text("Beløb i kroner pr. bevillingsperiode (decimaltal som tekst).")


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
    # As it may be shown today: a protected citizen's address is not (orders.content.shown).
    indhold = BestillingIndholdSerializer(
        source="shown_indhold",
        read_only=True,
        help_text="Bestillingens indhold, som det blev frosset ved afsendelsen.",
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


# The caseworker's view of the case's orders


class SagBestillingSerializer(BestillingListSerializer):
    """A bestilling as the caseworker follows it; the content is at GET bestillinger/{id}/."""

    sendt_af_navn = serializers.StringRelatedField[User](source="sendt_af", allow_null=True)
    besvaret_af_navn = serializers.StringRelatedField[User](source="besvaret_af", allow_null=True)
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
