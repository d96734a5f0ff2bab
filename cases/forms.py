"""Forms for the caseworker's pages.

The forms only collect and type the input; the rules live in cases.services, whose Danish
ValidationErrors are put back on the form with `add_service_errors`.
"""

from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.forms.boundfield import BoundField

from cases import cpr as cpr_rules
from cases.models import (
    Aftale,
    Diagnose,
    EksisterendeOplysning,
    Henvendelse,
    Relation,
    Sagsaabning,
    Samtykke,
    TidligereHenvendelse,
)
from cases.selectors import Soegeformaal
from vum.accounts.models import Organisation, Team, User
from vum.catalog.models import Ansoegningstype, KommunalYdelse
from vum.catalog.selectors import kommunale_ydelser
from vum.versions import VersionField

UNANSWERED = "Ikke besvaret"


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form: field errors to their fields, the rest on
    top. Keys the form does not have (e.g. a model field the form leaves out) go on top too."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class JaNejSelect(forms.RadioSelect):
    """Ja / Nej / Ikke besvaret for the nullable yes-no questions."""


def _blank_label(form: forms.BaseForm, label: str = "Vælg …") -> None:
    """Replace Django's "---------" empty choice with words."""
    for field in form.fields.values():
        choices = getattr(field, "choices", None)
        if isinstance(field.widget, forms.Select) and choices:
            field.choices = [  # type: ignore[attr-defined]
                (value, label if value == "" else text) for value, text in choices
            ]


def _ja_nej(field: forms.Field) -> None:
    field.choices = [(True, "Ja"), (False, "Nej"), ("", UNANSWERED)]  # type: ignore[attr-defined]
    field.widget = JaNejSelect(choices=field.choices)  # type: ignore[attr-defined]


# Citizens


class BorgerSearchForm(forms.Form):
    q = forms.CharField(
        label="Navn eller CPR-nummer",
        max_length=100,
        help_text="Søg på navn, fødselsdato (DDMMÅÅ) eller helt eller delvist CPR-nummer.",
    )
    formaal = forms.ChoiceField(
        label="Formål med søgningen",
        choices=[("", "Vælg formål"), *Soegeformaal.choices],
        help_text="Søgningen og formålet logges.",
        error_messages={"required": "Angiv formålet med søgningen."},
    )


class BorgerCreateForm(forms.Form):
    cpr = forms.CharField(label="CPR-nummer", max_length=11, help_text="DDMMÅÅ-XXXX")
    fornavn = forms.CharField(label="Fornavn", max_length=100)
    efternavn = forms.CharField(label="Efternavn", max_length=100)
    adresse = forms.CharField(label="Adresse", max_length=200, required=False)
    postnummer = forms.CharField(label="Postnummer", max_length=4, required=False)
    by = forms.CharField(label="By", max_length=100, required=False)
    telefon = forms.CharField(label="Telefon", max_length=20, required=False)
    email = forms.EmailField(label="E-mail", required=False)


class BorgerCprForm(forms.Form):
    """Registration from CPR: the number is all the caseworker types."""

    cpr = forms.CharField(label="CPR-nummer", max_length=11, help_text="DDMMÅÅ-XXXX")

    def clean_cpr(self) -> str:
        return _cpr_number(self.cleaned_data["cpr"])


class BorgerCprRefreshForm(forms.Form):
    """ "Hent fra CPR" on the citizen page: the version the page showed."""

    version = VersionField()


def _cpr_number(raw: str) -> str:
    """A CPR number as stored (10 digits), or the Danish reason it is not one."""
    number = cpr_rules.normalise(raw)
    cpr_rules.validate_cpr(number)
    return number


class RelationForm(forms.ModelForm):
    # Typed with or without the hyphen (11 characters); stored without it.
    cpr = forms.CharField(
        label="CPR-nummer",
        max_length=11,
        required=False,
        help_text="DDMMÅÅ-XXXX. For en værge eller partsrepræsentant: Digital Post når personen "
        "på CPR-nummeret.",
    )

    class Meta:
        model = Relation
        fields = [
            "type",
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
        ]
        widgets = {"gyldig_fra": DateInput(), "gyldig_til": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _blank_label(self)

    def clean_cpr(self) -> str:
        raw = self.cleaned_data["cpr"]
        return _cpr_number(raw) if raw else ""


class AnsoegningFields(forms.Form):
    """What the citizen applies for; it decides the processing deadline (sagsbehandlingsfrist)."""

    kommunal_ydelse = forms.ModelChoiceField(
        label="Ansøgt ydelse",
        queryset=KommunalYdelse.objects.none(),
        required=False,
        empty_label="Ikke angivet",
        help_text="Fra kommunens ydelseskatalog. Sagsbehandlingsfristen følger ydelsen.",
    )
    ansoegningstype = forms.ChoiceField(
        label="Ansøgningstype",
        choices=[("", "Ikke angivet"), *Ansoegningstype.choices],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kommunal_ydelse"]
        assert isinstance(field, forms.ModelChoiceField)
        try:
            field.queryset = kommunale_ydelser()
        except ImproperlyConfigured:
            field.disabled = True
            field.help_text = (
                "Kommunens ydelseskatalog er ikke indlæst, så der kan ikke beregnes en "
                "sagsbehandlingsfrist. En administrator kører 'manage.py load_catalog'."
            )


class AnsoegningForm(AnsoegningFields):
    pass


class HenvendelseForm(AnsoegningFields):
    modtaget = forms.DateField(label="Modtaget", widget=DateInput())
    kilde = forms.ChoiceField(label="Henvendelse fra", choices=Henvendelse.Kilde.choices)
    kilde_navn = forms.CharField(label="Henvenderens navn", max_length=200, required=False)
    kilde_kontakt = forms.CharField(
        label="Henvenderens kontaktoplysninger", max_length=300, required=False
    )
    aarsag = forms.CharField(
        label="Hvad drejer henvendelsen sig om?", widget=forms.Textarea(attrs={"rows": 4})
    )
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.none(), empty_label=None)
    triage = forms.ChoiceField(
        label="Udfald", choices=Henvendelse.Triage.choices, widget=forms.RadioSelect
    )
    triage_notat = forms.CharField(
        label="Notat om rådgivning eller henvisning",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Skal udfyldes ved rådgivning alene.",
    )
    henvist_til = forms.CharField(
        label="Henvist til",
        max_length=200,
        required=False,
        help_text="Skal udfyldes, når borgeren henvises til anden myndighed.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = user.teams.all()


# Sagsåbning


SAGSAABNING_FIELDSETS: list[tuple[str, list[str]]] = [
    ("Orientering af borgeren", ["borger_indforstaaet", "borger_orienteret_dato"]),
    ("Borgerens ønsker for fremtiden", ["oensker_for_fremtiden"]),
    ("Klar sag", ["klar_sag", "klar_sag_ydelse", "klar_sag_tilbudstype"]),
    ("Værgemål", ["vaergemaal", "vaergemaalsform", "vaerge_undersoeges"]),
    (
        "Bisidder og partsrepræsentation",
        ["informeret_om_bisidder", "repraesenteret", "repraesentationsform", "fuldmagt"],
    ),
    ("Elektronisk registrering", ["informeret_om_elektronisk_registrering"]),
    ("Samtykke", ["samtykke_relevant"]),
    ("Helhedssyn", ["helhedssyn_vejledt", "helhedssyn_hvilke"]),
    ("Borgersamarbejde", ["borgersamarbejde"]),
    ("Handle- og betalingskommune", ["handlekommune", "betalingskommune"]),
]


class SagsaabningForm(forms.ModelForm):
    """All single-valued fields of the sagsåbning, grouped as in the method (phases.md §1), the
    version they were read at, and the purpose of the udredning (a new version when changed)."""

    version = VersionField()
    formaal = forms.CharField(
        label="Formålet med udredningen",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Aftalt med borgeren. En ændring gemmes som en ny version.",
    )
    analysespoergsmaal = forms.CharField(
        label="Analysespørgsmål", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = Sagsaabning
        fields = [name for _, names in SAGSAABNING_FIELDSETS for name in names]
        widgets = {
            "borger_orienteret_dato": DateInput(),
            "oensker_for_fremtiden": forms.Textarea(attrs={"rows": 4}),
            "fuldmagt": forms.Textarea(attrs={"rows": 2}),
            "helhedssyn_hvilke": forms.Textarea(attrs={"rows": 3}),
            "borgersamarbejde": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in ("version", "formaal", "analysespoergsmaal"):
                continue
            model_field = Sagsaabning._meta.get_field(name)
            if isinstance(model_field, models.BooleanField) and model_field.null:
                _ja_nej(field)
        self.fields["version"].initial = self.instance.version
        current = self.instance.sag.formaal_versioner.first()
        if current is not None:
            self.fields["formaal"].initial = current.formaal
            self.fields["analysespoergsmaal"].initial = current.analysespoergsmaal
        _blank_label(self, "Ikke angivet")

    def _post_clean(self) -> None:
        # The service validates the whole record (model.clean) and reports it; skipping the
        # ModelForm's own model validation keeps one source of errors and no half-saved state.
        pass

    def fieldsets(self) -> list[tuple[str, list[BoundField]]]:
        return [
            *((legend, [self[name] for name in names]) for legend, names in SAGSAABNING_FIELDSETS),
            ("Formålet med udredningen", [self["formaal"], self["analysespoergsmaal"]]),
        ]


class TidligereHenvendelseForm(forms.ModelForm):
    class Meta:
        model = TidligereHenvendelse
        fields = ["hvem", "dato", "indhold"]
        widgets = {"dato": DateInput(), "indhold": forms.Textarea(attrs={"rows": 2})}


class DiagnoseForm(forms.ModelForm):
    class Meta:
        model = Diagnose
        fields = ["diagnose", "icd10", "stillet_af", "dato", "dokumentreference"]
        widgets = {"dato": DateInput()}


class EksisterendeOplysningForm(forms.ModelForm):
    class Meta:
        model = EksisterendeOplysning
        fields = [
            "type",
            "beskrivelse",
            "paragraf",
            "udfoerer",
            "forfatter",
            "dato",
            "journalnummer",
        ]
        widgets = {"dato": DateInput()}


class AftaleForm(forms.ModelForm):
    class Meta:
        model = Aftale
        fields = ["tidspunkt", "sted", "deltagere", "emne"]
        widgets = {"tidspunkt": DateTimeInput()}


class SamtykkeForm(forms.Form):
    retning = forms.ChoiceField(label="Retning", choices=Samtykke.Retning.choices)
    part = forms.ChoiceField(label="Part", choices=Samtykke.Part.choices)
    specifikation = forms.CharField(
        label="Specifikation",
        max_length=200,
        required=False,
        help_text="F.eks. navnet på lægen.",
    )
    tilbud = forms.ModelChoiceField(
        label="Tilbud",
        queryset=Organisation.objects.all(),
        required=False,
        empty_label="Alle tilbud",
        help_text="Når samtykket gælder videregivelse til et tilbud: hvilket.",
    )
    form = forms.ChoiceField(
        label="Samtykkets form", choices=Samtykke.Form.choices, widget=forms.RadioSelect
    )
    givet = forms.DateField(label="Givet den", widget=DateInput())


class SamtykkeWithdrawForm(forms.Form):
    tilbagekaldt = forms.DateField(label="Tilbagekaldt den", widget=DateInput())
    begrundelse = forms.CharField(
        label="Bemærkning", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# Journal and lifecycle


class JournalnotatForm(forms.Form):
    dato = forms.DateField(label="Dato for det noterede", widget=DateInput())
    emne = forms.CharField(label="Emne", max_length=200)
    tekst = forms.CharField(label="Notat", widget=forms.Textarea(attrs={"rows": 5}))


class TransitionForm(forms.Form):
    name = forms.CharField(widget=forms.HiddenInput)
    expected_fase = forms.CharField(widget=forms.HiddenInput)
    begrundelse = forms.CharField(
        label="Begrundelse", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# Deadlines


class FristFlytForm(forms.Form):
    til = forms.DateField(
        label="Ny frist", widget=DateInput(), help_text="Fristen løber til og med dagen."
    )
    # Not required here: the service owns the rule and its Danish message.
    begrundelse = forms.CharField(
        label="Begrundelse",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Skal udfyldes: hvorfor flyttes fristen?",
    )


class FristAnnullerForm(forms.Form):
    begrundelse = forms.CharField(
        label="Begrundelse",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Skal udfyldes: hvorfor annulleres fristen?",
    )


# Audit log


class BorgerLogForm(forms.Form):
    cpr = forms.CharField(label="Borgerens CPR-nummer", max_length=11, help_text="DDMMÅÅ-XXXX")


ROW_FORMS: dict[str, type[forms.ModelForm]] = {
    "tidligere-henvendelse": TidligereHenvendelseForm,
    "diagnose": DiagnoseForm,
    "eksisterende-oplysning": EksisterendeOplysningForm,
    "aftale": AftaleForm,
}
