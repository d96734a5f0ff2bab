"""Forms for the afgørelse page: the decision with one result line per indsats, the letter's
free texts, and the complaint's steps.

The forms only collect and type the input; the rules (reasons without full medhold, the 14-week
notice, the complaint's order of steps) live in assessment.services, whose Danish
ValidationErrors the view puts back on the form that caused them.
"""

from typing import Any

from django import forms

from assessment.letters import LETTER_TEXT_KEYS
from assessment.models import Afgoerelse, AfgoerelsesResultat, Klage
from cases.forms import DateInput, DateTimeInput

Choices = list[Any]


def _blank(choices: Choices, label: str = "Vælg …") -> Choices:
    return [("", label), *choices]


def _area(label: str, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class AfgoerelseForm(forms.Form):
    truffet_af = forms.ChoiceField(
        label="Truffet af", choices=_blank(list(Afgoerelse.TruffetAf.choices))
    )
    form = forms.ChoiceField(
        label="Form",
        choices=list(Afgoerelse.Form.choices),
        initial=Afgoerelse.Form.SKRIFTLIG,
        widget=forms.RadioSelect,
    )
    truffet = forms.DateField(label="Truffet den", widget=DateInput())
    meddelt = forms.DateField(
        label="Meddelt borgeren den",
        required=False,
        widget=DateInput(),
        help_text="Ved en mundtlig afgørelse: hvornår den blev meddelt borgeren.",
    )
    fuldt_medhold = forms.BooleanField(
        label="Fuldt medhold",
        required=False,
        help_text="Præcis det, der er søgt om, i indhold og omfang.",
    )
    begrundelse_vurdering = _area("Den konkrete vurdering", rows=5)
    begrundelse_oplysninger = _area(
        "Oplysninger der er lagt vægt på", help_text="Også borgerens egne synspunkter."
    )
    begrundelse_regler = _area(
        "De juridiske krav", help_text="Lov, paragraf og principmeddelelser."
    )
    saerligt_om_synspunkter = _area(
        "Særligt om borgerens synspunkter", help_text="Hvor borgeren har været uenig."
    )
    ukendte_oplysninger_til_ugunst = forms.BooleanField(
        label="Afgørelsen bygger på oplysninger til borgerens ugunst, som borgeren ikke kender",
        help_text="Så skal borgeren partshøres først (forvaltningslovens § 19).",
        required=False,
    )
    egenbetaling = forms.BooleanField(label="Egenbetaling", required=False)
    egenbetaling_tekst = forms.CharField(
        label="Egenbetaling (beløb)", required=False, max_length=300
    )
    maalgruppe = forms.TypedChoiceField(
        label="Bekræftet primær målgruppe", coerce=int, empty_value=None, required=False
    )
    erstatter = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, maalgrupper: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["maalgruppe"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _blank(maalgrupper, "Ikke angivet")


class ResultatForm(forms.Form):
    """One result line; prefilled from an indsats of the current sagsvurdering."""

    indsats = forms.IntegerField(required=False, widget=forms.HiddenInput)
    beskrivelse = forms.CharField(label="Hvad der er søgt om", max_length=300)
    kommunal_ydelse = forms.TypedChoiceField(
        label="Ydelse", coerce=int, empty_value=None, required=False
    )
    resultat = forms.ChoiceField(
        label="Resultat", choices=list(AfgoerelsesResultat.Resultat.choices)
    )
    omfang = forms.CharField(
        label="Omfang", required=False, max_length=200, help_text="Fx '6 timer om ugen'."
    )
    virkningsdato = forms.DateField(label="Virkningsdato", widget=DateInput())
    nedsaettelse = forms.BooleanField(
        label="Nedsættelse eller frakendelse",
        required=False,
        help_text="Efter §§ 95, 96, 98 tidligst 14 uger efter, borgeren er orienteret.",
    )

    def __init__(self, *args: Any, ydelser: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kommunal_ydelse"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _blank(ydelser, "Ingen")


ResultatFormSet = forms.formset_factory(ResultatForm, extra=0, min_num=0)

LETTER_LABELS = {
    "overskrift": "Overskrift",
    "begrundelse_vurdering": "Begrundelse: den konkrete vurdering",
    "begrundelse_oplysninger": "Begrundelse: oplysninger der er lagt vægt på",
    "begrundelse_regler": "Begrundelse: de juridiske krav",
    "saerligt_om_synspunkter": "Særligt om dine synspunkter",
    "indsatsformaal": "Indsatsformål",
    "opfoelgning": "Opfølgning",
    "kontakt": "Kontakt",
}


class BrevForm(forms.Form):
    """The letter's free texts, edited before it is sent (or corrected)."""

    retter = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in LETTER_TEXT_KEYS:
            self.fields[key] = _area(
                LETTER_LABELS.get(key, key), rows=2 if key == "overskrift" else 4
            )

    def tekster(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key) or "" for key in LETTER_TEXT_KEYS}


class KlageForm(forms.Form):
    modtaget = forms.DateTimeField(label="Modtaget", widget=DateTimeInput())
    kanal = forms.ChoiceField(label="Kanal", choices=_blank(list(Klage.Kanal.choices)))
    tekst = forms.CharField(
        label="Klagen",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Klagen eller et resumé af en mundtlig klage.",
    )


class GenvurderingForm(forms.Form):
    genvurdering = forms.ChoiceField(
        label="Genvurdering", choices=_blank(list(Klage.Genvurdering.choices))
    )
    dato = forms.DateField(label="Genvurderet den", required=False, widget=DateInput())
    ny_afgoerelse = forms.TypedChoiceField(
        label="Ny afgørelse",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Ved medhold: den nye afgørelse, der erstatter den påklagede.",
    )

    def __init__(self, *args: Any, nye: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["ny_afgoerelse"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _blank(nye, "Ingen")


class AnkestyrelsenSendForm(forms.Form):
    dato = forms.DateField(label="Sendt til Ankestyrelsen den", widget=DateInput())


class AnkestyrelsensAfgoerelseForm(forms.Form):
    resultat = forms.ChoiceField(
        label="Ankestyrelsens afgørelse", choices=_blank(list(Klage.Ankestyrelsen.choices))
    )
    dato = forms.DateField(label="Afgørelsen er truffet den", widget=DateInput())
