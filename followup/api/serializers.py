"""Serializers for the follow-up API: the follow-up with its timeline, the provider's statusnotat,
the caseworker's follow-up form with its goal rows and the personrettet tilsyn, and the outcomes.

Output serializers describe what the API shows. Input serializers only shape the request body:
every rule (a place for a meeting in person, a statusnotat only about the order's goals, the
tilsyn block before the form is completed, ...) lives in followup.services, whose Danish
ValidationErrors the project's exception handler turns into 400 answers. Input fields without a
default are left out of the validated data when they are not sent, so a PATCH changes only what
it names.
"""

from dataclasses import dataclass, field
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessment.models import Opfoelgningsinterval
from cases.api.serializers import FristSerializer
from followup.models import (
    Opfoelgning,
    Opfoelgningsskema,
    SkemaMaal,
    Statusnotat,
    StatusnotatMaal,
)
from followup.selectors import Opfoelgningsvisning
from followup.services.skema import skema_blockers
from orders.api.serializers.bestilling import BestiltMaalSerializer
from orders.api.serializers.levering import MagtanvendelseSerializer
from orders.models import Bestilling, Delmaalsnotat
from vum.api import CurrentCatalogField
from vum.catalog.models import Fremadrettet, StatusPaaIndsats, Stoettebehov
from vum.deadlines.models import Frist

# Output


class StatusnotatMaalSerializer(serializers.ModelSerializer[StatusnotatMaal]):
    nr = serializers.IntegerField(source="indsatsmaal.raekkefoelge", read_only=True)

    class Meta:
        model = StatusnotatMaal
        fields = ["indsatsmaal", "nr", "vurdering_af_arbejdet", "maalopfyldelse", "niveauaendring"]
        read_only_fields = fields


class StatusnotatSerializer(serializers.ModelSerializer[Statusnotat]):
    udfoerer_navn = serializers.CharField(source="udfoerer.navn", read_only=True)
    maal = StatusnotatMaalSerializer(many=True, read_only=True)

    class Meta:
        model = Statusnotat
        fields = [
            "id",
            "udfoerer",
            "udfoerer_navn",
            "maal",
            "vaesentlige_aendringer",
            "bemaerkninger",
            "indsendt",
            "opdateret",
        ]
        read_only_fields = fields


class OpfoelgningSerializer(serializers.ModelSerializer[Opfoelgning]):
    """A follow-up as a row: when, why, the meeting the provider called, and its timeline."""

    status_navn = serializers.CharField(source="get_status_display", read_only=True)
    udfoerer_navn = serializers.CharField(source="udfoerer.navn", read_only=True, allow_null=True)
    moede_form_navn = serializers.CharField(source="get_moede_form_display", read_only=True)
    frister = FristSerializer(
        many=True, read_only=True, help_text="Opfølgningens tidslinje, tidligste først."
    )

    class Meta:
        model = Opfoelgning
        fields = [
            "id",
            "sag",
            "dato",
            "grundlag",
            "status",
            "status_navn",
            "udfoerer",
            "udfoerer_navn",
            "moede_tidspunkt",
            "moede_form",
            "moede_form_navn",
            "moede_sted",
            "deltagere",
            "aflyst_begrundelse",
            "oprettet",
            "frister",
        ]
        read_only_fields = fields


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


class PeriodeNotatSerializer(serializers.ModelSerializer[Delmaalsnotat]):
    """A provider's sub-goal note of the period, with the goals its sub-goal works towards."""

    delmaal = serializers.IntegerField(source="delmaal_id", read_only=True)
    delmaal_formulering = serializers.CharField(source="delmaal.formulering", read_only=True)
    indsatsmaal = serializers.SerializerMethodField(help_text="Id'er på indsatsmålene.")
    oprettet_af_navn = serializers.CharField(source="oprettet_af.__str__", read_only=True)

    class Meta:
        model = Delmaalsnotat
        fields = [
            "id",
            "delmaal",
            "delmaal_formulering",
            "indsatsmaal",
            "dato",
            "tekst",
            "oprettet_af_navn",
        ]
        read_only_fields = fields

    def get_indsatsmaal(self, note: Delmaalsnotat) -> list[int]:
        return [g.pk for g in note.delmaal.indsatsmaal.all()]


class OpfoelgningDetailSerializer(serializers.Serializer[Opfoelgningsvisning]):
    """The caseworker's follow-up: the form, the provider's statusnotat once it is sent, and
    the provider's notes and the uses of force of the period."""

    opfoelgning = OpfoelgningSerializer(read_only=True)
    statusnotat = serializers.SerializerMethodField(
        help_text="Udførerens statusnotat, når det er sendt; ellers null."
    )
    skema = SkemaSerializer(read_only=True, allow_null=True, help_text="Null før det er startet.")
    notater = PeriodeNotatSerializer(
        many=True, read_only=True, help_text="Udførernes delmålsnotater siden sidste opfølgning."
    )
    magtanvendelser = MagtanvendelseSerializer(
        many=True, read_only=True, help_text="Indberettede magtanvendelser i perioden."
    )

    @extend_schema_field(StatusnotatSerializer(allow_null=True))
    def get_statusnotat(self, view: Opfoelgningsvisning) -> dict[str, Any] | None:
        note = view.statusnotat
        if note is None or note.indsendt is None:
            return None
        return dict(StatusnotatSerializer(note).data)


@dataclass
class UdfoererVisning:
    """The provider's view of a follow-up: the follow-up, the deadlines it answers for, its own
    statusnotat, the order's goals and its own notes of the period."""

    opfoelgning: Opfoelgning
    bestilling: Bestilling
    ansvarlig: bool
    frister: list[Frist]
    statusnotat: Statusnotat | None
    maal: list[dict[str, Any]] = field(default_factory=list)
    notater: list[Delmaalsnotat] = field(default_factory=list)


class UdfoererOpfoelgningSerializer(serializers.Serializer[UdfoererVisning]):
    id = serializers.IntegerField(source="opfoelgning.pk", read_only=True)
    bestilling = serializers.IntegerField(source="bestilling.pk", read_only=True)
    dato = serializers.DateField(source="opfoelgning.dato", read_only=True)
    grundlag = serializers.CharField(source="opfoelgning.grundlag", read_only=True)
    status = serializers.ChoiceField(
        source="opfoelgning.status", choices=Opfoelgning.Status.choices, read_only=True
    )
    status_navn = serializers.CharField(source="opfoelgning.get_status_display", read_only=True)
    ansvarlig = serializers.BooleanField(
        read_only=True,
        help_text="Om jeres organisation indkalder til mødet og skriver statusnotatet.",
    )
    moede_tidspunkt = serializers.DateTimeField(
        source="opfoelgning.moede_tidspunkt", read_only=True, allow_null=True
    )
    moede_form = serializers.ChoiceField(
        source="opfoelgning.moede_form",
        choices=Opfoelgning.Form.choices,
        allow_blank=True,
        read_only=True,
    )
    moede_sted = serializers.CharField(source="opfoelgning.moede_sted", read_only=True)
    deltagere = serializers.CharField(source="opfoelgning.deltagere", read_only=True)
    frister = FristSerializer(many=True, read_only=True, help_text="Statusnotatets frist og mødet.")
    maal = BestiltMaalSerializer(
        many=True, read_only=True, help_text="Bestillingens mål, som de blev sendt."
    )
    statusnotat = StatusnotatSerializer(
        read_only=True, allow_null=True, help_text="Jeres statusnotat, eller null."
    )
    notater = PeriodeNotatSerializer(
        many=True, read_only=True, help_text="Jeres delmålsnotater siden sidste opfølgning."
    )


# Input


class PlanlaegSerializer(serializers.Serializer[Opfoelgning]):
    aftalt = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="En aftalt dato; ellers beregnes datoen ud fra målene og kataloget.",
    )


class AflysSerializer(serializers.Serializer[Opfoelgning]):
    begrundelse = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Hvorfor mødet aflyses (påkrævet), fx at statusnotatet er utilstrækkeligt.",
    )


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


class RevideretMaalSerializer(serializers.Serializer[Any]):
    indsatsmaal = serializers.IntegerField(help_text="Id på et mål markeret 'Mål skal revideres'.")
    maalformulering = serializers.CharField(required=False)
    forventet_niveau = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=4
    )
    opfoelgning = serializers.ChoiceField(
        choices=Opfoelgningsinterval.choices, required=False, allow_blank=True
    )
    opfoelgningsdato = serializers.DateField(required=False, allow_null=True)
    timer_pr_uge = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )


class UdfaldSerializer(serializers.Serializer[Any]):
    """How the follow-up ends; each outcome reads only the fields it needs."""

    udfald = serializers.ChoiceField(choices=Opfoelgningsskema.Udfald.choices)
    maal = RevideretMaalSerializer(
        many=True,
        required=False,
        default=list,
        help_text="revider: de reviderede mål (kun mål markeret 'Mål skal revideres').",
    )
    begrundelse = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="revisitation: hvad der skal revisiteres og hvorfor.",
    )
    virkningsdato = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="ophoer: hvornår indsatsen ophører.",
    )
    begrundelse_vurdering = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="ophoer: den konkrete vurdering."
    )
    begrundelse_regler = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="ophoer: regler og praksis."
    )
    begrundelse_oplysninger = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="ophoer: de oplysninger, der er lagt vægt på.",
    )
    modtager = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="fraflytning: den nye handlekommune.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["udfald"] == Opfoelgningsskema.Udfald.OPHOER and attrs["virkningsdato"] is None:
            raise serializers.ValidationError({"virkningsdato": "Angiv hvornår indsatsen ophører."})
        return attrs

    def goals(self) -> dict[int, dict[str, Any]]:
        return {
            row["indsatsmaal"]: {k: v for k, v in row.items() if k != "indsatsmaal"}
            for row in self.validated_data["maal"]
        }


class UdfaldResultatSerializer(serializers.Serializer[Any]):
    """What the outcome led to; fields that do not apply to it are null or empty."""

    opfoelgning = OpfoelgningSerializer(read_only=True, help_text="Den afsluttede opfølgning.")
    udfald = serializers.ChoiceField(choices=Opfoelgningsskema.Udfald.choices, read_only=True)
    sag_fase = serializers.CharField(read_only=True, help_text="Sagens fase bagefter.")
    naeste_opfoelgning = OpfoelgningSerializer(
        read_only=True, allow_null=True, help_text="fortsaet og revider: den næste opfølgning."
    )
    bestillinger = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="revider: id'er på de nye bestillingsversioner.",
    )
    afgoerelse = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="ophoer: afgørelsen om ophør."
    )
    udlevering = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="fraflytning: sagsudleveringen."
    )


class IndkaldSerializer(serializers.Serializer[Opfoelgning]):
    tidspunkt = serializers.DateTimeField(help_text="Mødets dato og klokkeslæt.")
    form = serializers.ChoiceField(choices=Opfoelgning.Form.choices)
    sted = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Påkrævet for et møde."
    )
    deltagere = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Borgeren, pårørende, værge og andre, der deltager.",
    )


class StatusnotatMaalInputSerializer(serializers.Serializer[StatusnotatMaal]):
    indsatsmaal = serializers.IntegerField(help_text="Id på et af bestillingens mål.")
    vurdering_af_arbejdet = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Påkrævet, når notatet sendes."
    )
    maalopfyldelse = serializers.CharField(required=False, allow_blank=True, default="")
    niveauaendring = serializers.CharField(required=False, allow_blank=True, default="")


class StatusnotatInputSerializer(serializers.Serializer[Statusnotat]):
    maal = StatusnotatMaalInputSerializer(many=True, required=False, default=list)
    vaesentlige_aendringer = serializers.CharField(required=False, allow_blank=True, default="")
    bemaerkninger = serializers.CharField(required=False, allow_blank=True, default="")
    indsend = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Send notatet til sagsbehandleren; derefter kan det ikke ændres.",
    )

    def goals(self) -> dict[int, dict[str, str]]:
        return {
            row["indsatsmaal"]: {k: v for k, v in row.items() if k != "indsatsmaal"}
            for row in self.validated_data["maal"]
        }
