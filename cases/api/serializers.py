"""Serializers for the case API.

Output serializers describe what the API shows. Input serializers only shape the request body:
every rule (CPR validity, duplicates, triage, consent dates, ...) lives in cases.services, whose
Danish ValidationErrors the project's exception handler turns into 400 answers.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import cpr as cpr_rules
from cases.lifecycle import Fase
from cases.models import (
    Borger,
    Formaal,
    Henvendelse,
    Journalnotat,
    Relation,
    Sag,
    Sagsaabning,
    Samtykke,
)
from cases.selectors import borger_sager, sagsbehandlingsfrist, transition_options
from cases.services.sagsaabning import SAGSAABNING_EDITABLE
from vum.access import borgere_reachable_by
from vum.accounts.models import Organisation, Team, User
from vum.api import OptionalEmailField
from vum.catalog.models import Ansoegningstype, KommunalYdelse
from vum.deadlines.models import Frist


def request_user(serializer: serializers.BaseSerializer[Any]) -> User:
    """The authenticated user of the request the serializer runs in."""
    user = serializer.context["request"].user
    assert isinstance(user, User), "The API only serves authenticated users."
    return user


# Citizens


class BorgerListSerializer(serializers.ModelSerializer[Borger]):
    """A citizen in a list or a search result: identification only, with the CPR number masked,
    as lists are seen over the shoulder and a search reaches the whole register."""

    cpr = serializers.CharField(
        source="cpr_masked", read_only=True, help_text="CPR-nummer, maskeret (DDMMÅÅ-****)."
    )
    navn = serializers.CharField(read_only=True, help_text="Fornavn og efternavn.")
    foedselsdato = serializers.DateField(read_only=True, help_text="Udledt af CPR-nummeret.")
    adgang = serializers.SerializerMethodField(
        help_text="Må du se borgerens oplysninger (GET /borgere/{id}/)? Ellers: registrér en "
        "henvendelse om borgeren først."
    )

    class Meta:
        model = Borger
        fields = ["id", "cpr", "fornavn", "efternavn", "navn", "foedselsdato", "adgang"]
        read_only_fields = fields

    def get_adgang(self, borger: Borger) -> bool:
        # A plain list holds only citizens in the user's scope; a search says which are.
        adgang = self.context.get("adgang")
        return True if adgang is None else borger.pk in adgang


class SagKortSerializer(serializers.ModelSerializer[Sag]):
    """A case as a line in another object (a citizen's cases)."""

    team_navn = serializers.CharField(source="team.navn", read_only=True)
    fase_navn = serializers.CharField(source="get_fase_display", read_only=True)

    class Meta:
        model = Sag
        fields = ["id", "team", "team_navn", "sagsbehandler", "fase", "fase_navn", "oprettet"]
        read_only_fields = fields


class BorgerDetailSerializer(serializers.ModelSerializer[Borger]):
    cpr = serializers.CharField(
        source="cpr_formatted", read_only=True, help_text="CPR-nummer (DDMMÅÅ-XXXX)."
    )
    navn = serializers.CharField(read_only=True)
    foedselsdato = serializers.DateField(read_only=True, help_text="Udledt af CPR-nummeret.")
    alder = serializers.IntegerField(read_only=True, help_text="Alder i dag.")
    email = OptionalEmailField(read_only=True)
    # The address as Borger's one rule shows it: empty when CPR protects it.
    adresse = serializers.CharField(
        source="postal_address.adresse",
        read_only=True,
        help_text="Tom, når borgeren har navne- og adressebeskyttelse.",
    )
    postnummer = serializers.CharField(source="postal_address.postnummer", read_only=True)
    by = serializers.CharField(source="postal_address.by", read_only=True)
    adressebeskyttet = serializers.BooleanField(
        read_only=True,
        help_text="Navne- og adressebeskyttelse i CPR: adressen vises, udskrives og eksporteres "
        "ikke, og breve går kun med Digital Post.",
    )
    cpr_opslag = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Hvornår oplysningerne senest blev hentet fra CPR; tom: indtastet, ikke "
        "verificeret i CPR.",
    )
    sager = serializers.SerializerMethodField(help_text="Borgerens sager, som du har adgang til.")

    class Meta:
        model = Borger
        fields = [
            "id",
            "cpr",
            "fornavn",
            "efternavn",
            "navn",
            "adresse",
            "postnummer",
            "by",
            "adressebeskyttet",
            "telefon",
            "email",
            "foedselsdato",
            "alder",
            "civilstand",
            "doedsdato",
            "cpr_opslag",
            "oprettet",
            "version",
            "sager",
        ]
        read_only_fields = fields

    @extend_schema_field(SagKortSerializer(many=True))
    def get_sager(self, borger: Borger) -> list[dict[str, Any]]:
        sager = borger_sager(user=request_user(self), borger=borger)
        return list(SagKortSerializer(sager, many=True).data)


class BorgerCreateSerializer(serializers.Serializer[Borger]):
    """A new citizen. The CPR number may be written with or without the hyphen."""

    cpr = serializers.CharField(max_length=20, help_text="CPR-nummer, f.eks. 010190-1234.")
    fornavn = serializers.CharField(max_length=100)
    efternavn = serializers.CharField(max_length=100)
    adresse = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postnummer = serializers.CharField(
        max_length=4, required=False, allow_blank=True, help_text="4 cifre."
    )
    by = serializers.CharField(max_length=100, required=False, allow_blank=True)
    telefon = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)

    def validate_cpr(self, value: str) -> str:
        # The service normalises too, but its format error names no field; checking the format
        # here (with the same rule) reports it under "cpr" like the other CPR errors.
        try:
            cpr_rules.normalise(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value


class BorgerCprSerializer(serializers.Serializer[Borger]):
    """A citizen to register from CPR: the number is all it takes."""

    cpr = serializers.CharField(max_length=20, help_text="CPR-nummer, f.eks. 010190-1234.")


class BorgerUpdateSerializer(serializers.Serializer[Borger]):
    """The contact details that may change. The CPR number never changes."""

    fornavn = serializers.CharField(max_length=100, required=False)
    efternavn = serializers.CharField(max_length=100, required=False)
    adresse = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postnummer = serializers.CharField(max_length=4, required=False, allow_blank=True)
    by = serializers.CharField(max_length=100, required=False, allow_blank=True)
    telefon = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


class RelationSerializer(serializers.ModelSerializer[Relation]):
    """A person around the citizen. Shown and registered with the same fields."""

    type_navn = serializers.CharField(source="get_type_display", read_only=True)
    email = OptionalEmailField(required=False)
    cpr = serializers.CharField(
        max_length=11,
        required=False,
        allow_blank=True,
        help_text="CPR-nummer (DDMMÅÅ-XXXX), f.eks. en værges: Digital Post når personen på det.",
    )

    class Meta:
        model = Relation
        fields = [
            "id",
            "borger",
            "type",
            "type_navn",
            "navn",
            "cpr",
            "relation",
            "telefon",
            "email",
            "adresse",
            "vaergemaalsform",
            "fuldmagt",
            "varetager_partsrettigheder",
            "gyldig_fra",
            "gyldig_til",
            "fra_cpr",
        ]
        read_only_fields = ["id", "borger", "type_navn", "fra_cpr"]

    def validate_cpr(self, value: str) -> str:
        # Typed with or without the hyphen; stored without it.
        if not value:
            return ""
        try:
            number = cpr_rules.normalise(value)
            cpr_rules.validate_cpr(number)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return number


# Cases


class SagListSerializer(serializers.ModelSerializer[Sag]):
    borger_navn = serializers.CharField(source="borger.navn", read_only=True)
    borger_cpr = serializers.CharField(
        source="borger.cpr_masked", read_only=True, help_text="Borgerens CPR-nummer, maskeret."
    )
    team_navn = serializers.CharField(source="team.navn", read_only=True)
    sagsbehandler_navn = serializers.SerializerMethodField()
    fase_navn = serializers.CharField(source="get_fase_display", read_only=True)

    class Meta:
        model = Sag
        fields = [
            "id",
            "borger",
            "borger_navn",
            "borger_cpr",
            "team",
            "team_navn",
            "sagsbehandler",
            "sagsbehandler_navn",
            "fase",
            "fase_navn",
            "oprettet",
            "fase_skiftet",
        ]
        read_only_fields = fields

    def get_sagsbehandler_navn(self, sag: Sag) -> str | None:
        return str(sag.sagsbehandler) if sag.sagsbehandler is not None else None


class SagsaabningSerializer(serializers.ModelSerializer[Sagsaabning]):
    """The sagsåbning record. Ja/Nej questions are true/false, or null while unanswered."""

    class Meta:
        model = Sagsaabning
        fields = ["sag", *SAGSAABNING_EDITABLE, "opdateret", "version"]
        read_only_fields = ["sag", "opdateret", "version"]

    def build_standard_field(
        self, field_name: str, model_field: "models.Field[Any, Any]"
    ) -> tuple[type[serializers.Field[Any, Any, Any, Any]], dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, models.BooleanField):
            # The model gives Ja/Nej choices for forms; in JSON a plain boolean is clearer.
            kwargs.pop("choices", None)
            return serializers.BooleanField, kwargs
        return field_class, kwargs


class FormaalSerializer(serializers.ModelSerializer[Formaal]):
    oprettet_af_navn = serializers.CharField(source="oprettet_af.__str__", read_only=True)

    class Meta:
        model = Formaal
        fields = [
            "id",
            "formaal",
            "analysespoergsmaal",
            "oprettet",
            "oprettet_af",
            "oprettet_af_navn",
        ]
        read_only_fields = ["id", "oprettet", "oprettet_af", "oprettet_af_navn"]
        extra_kwargs = {
            "formaal": {"help_text": "Formålet med udredningen, aftalt med borgeren."},
            "analysespoergsmaal": {"required": False},
        }


class TransitionOptionSerializer(serializers.Serializer[Any]):
    """One TransitionOption from cases.selectors."""

    name = serializers.CharField(
        help_text="Overgangens navn, brugt i POST sager/{id}/transitions/{name}/."
    )
    betegnelse = serializers.CharField(source="label", help_text="Overgangens navn på dansk.")
    reason_required = serializers.BooleanField(help_text="Kræver overgangen en begrundelse?")
    available = serializers.BooleanField(help_text="Kan overgangen udføres nu?")
    blocked_by = serializers.ListField(
        child=serializers.CharField(), help_text="Hvad der forhindrer overgangen (dansk tekst)."
    )


class FristSerializer(serializers.ModelSerializer[Frist]):
    art_navn = serializers.CharField(source="get_art_display", read_only=True)
    overskredet = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = Frist
        fields = ["id", "art", "art_navn", "beskrivelse", "frist", "status", "regel", "overskredet"]
        read_only_fields = fields


class AnsoegningSerializer(serializers.Serializer[Sag]):
    kommunal_ydelse = serializers.PrimaryKeyRelatedField(
        queryset=KommunalYdelse.objects.all(),
        allow_null=True,
        help_text="En ydelse i kommunens gældende katalog (/api/v1/katalog/kommunale-ydelser/).",
    )
    ansoegningstype = serializers.ChoiceField(
        choices=Ansoegningstype.choices, required=False, allow_blank=True, default=""
    )


class SagDetailSerializer(SagListSerializer):
    """A case with its sagsåbning record, current purpose and the moves open to the user."""

    sagsaabning = serializers.SerializerMethodField()
    formaal = serializers.SerializerMethodField(help_text="Det gældende formål, eller null.")
    transitions = serializers.SerializerMethodField(
        help_text="Overgange fra sagens fase, som du må udføre, med det der blokerer dem."
    )

    kommunal_ydelse_navn = serializers.CharField(
        source="kommunal_ydelse", read_only=True, allow_null=True, help_text="Den ansøgte ydelse."
    )
    # Declared, as DRF drops allow_blank from a read-only model field: "" (no application) must
    # be in the published enum.
    ansoegningstype = serializers.ChoiceField(
        choices=Ansoegningstype.choices,
        allow_blank=True,
        read_only=True,
        help_text="Tom, når henvendelsen ikke er en ansøgning.",
    )
    sagsbehandlingsfrist = serializers.SerializerMethodField(
        help_text="Den åbne sagsbehandlingsfrist, eller null."
    )

    class Meta(SagListSerializer.Meta):
        fields = [
            *SagListSerializer.Meta.fields,
            "aarsag",
            "kommunal_ydelse",
            "kommunal_ydelse_navn",
            "ansoegningstype",
            "sagsbehandlingsfrist",
            "sagsaabning",
            "formaal",
            "transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(FristSerializer(allow_null=True))
    def get_sagsbehandlingsfrist(self, sag: Sag) -> dict[str, Any] | None:
        frist = sagsbehandlingsfrist(sag=sag)
        return dict(FristSerializer(frist).data) if frist is not None else None

    @extend_schema_field(SagsaabningSerializer(allow_null=True))
    def get_sagsaabning(self, sag: Sag) -> dict[str, Any] | None:
        aabning = Sagsaabning.objects.filter(sag=sag).first()
        return dict(SagsaabningSerializer(aabning).data) if aabning is not None else None

    @extend_schema_field(FormaalSerializer(allow_null=True))
    def get_formaal(self, sag: Sag) -> dict[str, Any] | None:
        current = sag.formaal_versioner.select_related("oprettet_af").first()
        return dict(FormaalSerializer(current).data) if current is not None else None

    @extend_schema_field(TransitionOptionSerializer(many=True))
    def get_transitions(self, sag: Sag) -> list[dict[str, Any]]:
        options = transition_options(user=request_user(self), sag=sag)
        return list(TransitionOptionSerializer(options, many=True).data)


@extend_schema_field({"type": "string", "enum": Fase.values, "nullable": True})
class FaseField(serializers.ChoiceField):
    """A phase by its key. Shown inline in the schema: the Fase component belongs to Sag.fase."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Fase.choices, **kwargs)


class TransitionRequestSerializer(serializers.Serializer[Any]):
    begrundelse = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Begrundelse; påkrævet for tilbageskridt og afslutning.",
    )
    expected_fase = FaseField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "Den fase, sagen havde, da du så den. Er sagen flyttet i mellemtiden, afvises "
            "overgangen med 409."
        ),
    )


class TransitionErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="Hvorfor overgangen ikke kan udføres.")
    reasons = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Hvad der skal være på plads først (kun når overgangen er blokeret).",
    )


class FejlSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


# Enquiries


class HenvendelseSerializer(serializers.ModelSerializer[Henvendelse]):
    kilde_navn_visning = serializers.CharField(source="get_kilde_display", read_only=True)
    triage_navn = serializers.CharField(source="get_triage_display", read_only=True)

    class Meta:
        model = Henvendelse
        fields = [
            "id",
            "borger",
            "modtaget",
            "kilde",
            "kilde_navn_visning",
            "kilde_navn",
            "kilde_kontakt",
            "aarsag",
            "team",
            "triage",
            "triage_navn",
            "triage_notat",
            "henvist_til",
            "sag",
            "registreret_af",
            "registreret",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class ReachableBorgerField(serializers.PrimaryKeyRelatedField[Borger]):
    """A citizen id, looked up only among the citizens the user may see or has just found by a
    search (GET /borgere/?q=...&formaal=...)."""

    def get_queryset(self) -> models.QuerySet[Borger]:
        return borgere_reachable_by(self.context["request"].user)


class HenvendelseCreateSerializer(serializers.Serializer[Henvendelse]):
    borger = ReachableBorgerField(
        help_text="Borgerens id: en borger i dine teams' sager, eller en du lige har fundet ved "
        "søgning."
    )
    modtaget = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Modtaget; standard er i dag."
    )
    kilde = serializers.ChoiceField(
        choices=Henvendelse.Kilde.choices, help_text="Hvem henvendelsen kom fra."
    )
    kilde_navn = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kilde_kontakt = serializers.CharField(max_length=300, required=False, allow_blank=True)
    aarsag = serializers.CharField(help_text="Hvad drejer henvendelsen sig om?")
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), help_text="Dit team, som henvendelsen registreres i."
    )
    triage = serializers.ChoiceField(
        choices=Henvendelse.Triage.choices,
        help_text=(
            "Udfaldet: rådgivning alene og henvisning opretter ingen sag; 'sag' og 'klar_sag' "
            "opretter en sag, hvis id står i svarets felt 'sag'."
        ),
    )
    triage_notat = serializers.CharField(
        required=False, allow_blank=True, help_text="Påkrævet ved rådgivning."
    )
    henvist_til = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Påkrævet ved henvisning."
    )
    kommunal_ydelse = serializers.PrimaryKeyRelatedField(
        queryset=KommunalYdelse.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Den ansøgte ydelse, når henvendelsen er en ansøgning; starter fristen.",
    )
    ansoegningstype = serializers.ChoiceField(
        choices=Ansoegningstype.choices, required=False, allow_blank=True, default=""
    )


# Consent


class SamtykkeSerializer(serializers.ModelSerializer[Samtykke]):
    aktiv = serializers.BooleanField(
        source="is_active", read_only=True, help_text="Gælder samtykket i dag?"
    )
    beskrivelse = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Samtykke
        fields = [
            "id",
            "sag",
            "retning",
            "part",
            "specifikation",
            "tilbud",
            "form",
            "givet",
            "tilbagekaldt",
            "tilbagekaldt_begrundelse",
            "aktiv",
            "beskrivelse",
            "registreret_af",
            "registreret",
        ]
        read_only_fields = fields


class SamtykkeCreateSerializer(serializers.Serializer[Samtykke]):
    retning = serializers.ChoiceField(choices=Samtykke.Retning.choices)
    part = serializers.ChoiceField(choices=Samtykke.Part.choices)
    specifikation = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="F.eks. lægens navn."
    )
    tilbud = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="Ved videregivelse til et tilbud: udførerorganisationens id. Tomt: alle tilbud.",
    )
    form = serializers.ChoiceField(choices=Samtykke.Form.choices)
    givet = serializers.DateField(help_text="Datoen samtykket blev givet.")


class SamtykkeWithdrawSerializer(serializers.Serializer[Samtykke]):
    tilbagekaldt = serializers.DateField(help_text="Datoen samtykket blev tilbagekaldt.")
    begrundelse = serializers.CharField(required=False, allow_blank=True, default="")


# Journal


class JournalnotatSerializer(serializers.ModelSerializer[Journalnotat]):
    forfatter_navn = serializers.CharField(source="forfatter.__str__", read_only=True)
    rettet_af = serializers.SerializerMethodField(
        help_text="Id på det notat, der retter dette, eller null."
    )

    class Meta:
        model = Journalnotat
        fields = [
            "id",
            "sag",
            "dato",
            "emne",
            "tekst",
            "forfatter",
            "forfatter_navn",
            "underskrift",
            "oprettet",
            "retter",
            "rettet_af",
        ]
        read_only_fields = fields

    def get_rettet_af(self, notat: Journalnotat) -> int | None:
        correction = Journalnotat.objects.filter(retter=notat).values_list("pk", flat=True)
        return correction.first()


@extend_schema_field(OpenApiTypes.INT)
class SagensNotatField(serializers.PrimaryKeyRelatedField[Journalnotat]):
    """A note id, looked up only among the notes of the case in the URL."""

    def get_queryset(self) -> models.QuerySet[Journalnotat]:
        return Journalnotat.objects.filter(sag=self.context["sag"])


class JournalnotatCreateSerializer(serializers.Serializer[Journalnotat]):
    emne = serializers.CharField(max_length=200)
    tekst = serializers.CharField()
    dato = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Dato for det noterede."
    )
    retter = SagensNotatField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id på det notat i samme sag, som dette notat retter.",
    )


class FormaalCreateSerializer(serializers.Serializer[Formaal]):
    formaal = serializers.CharField(help_text="Formålet med udredningen, aftalt med borgeren.")
    analysespoergsmaal = serializers.CharField(required=False, allow_blank=True, default="")
