"""The provider's side of a follow-up: its view of the follow-up (the deadlines it answers for,
the order's goals, its own statusnotat and sub-goal notes of the period), the meeting it calls and
the statusnotat it writes. The statusnotat and the period's notes are also shown to the
caseworker (`opfoelgning.py`)."""

from dataclasses import dataclass, field
from typing import Any

from rest_framework import serializers

from cases.api.serializers import FristSerializer
from followup.models import Opfoelgning, Statusnotat, StatusnotatMaal
from orders.api.serializers.bestilling import BestiltMaalSerializer
from orders.models import Bestilling, Delmaalsnotat
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
