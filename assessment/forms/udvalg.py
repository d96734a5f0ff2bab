"""Forms for the indstilling and the visitationsudvalg's meetings.

The forms only collect and type the input; the rules (the phase, the botilbud rule, which outcome
needs what) live in assessment.services, whose Danish ValidationErrors are put back on the form
with `cases.forms.add_service_errors`. Choices are handed in by the view from rows it has already
read, so that rendering a form per agenda item costs no queries.
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.formats import date_format

from assessment.models import IndhentetTilbud, Indstilling, Udvalgsmoede
from vum.catalog.models import Visitationsudfald


class IndstillingForm(forms.Form):
    indstilling = forms.CharField(
        label="Indstilling",
        help_text=Indstilling._meta.get_field("indstilling").help_text,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class TilbudForm(forms.ModelForm):
    class Meta:
        model = IndhentetTilbud
        fields = ["tilbud", "pris_pr_aar", "dialog"]
        labels = {"pris_pr_aar": "Pris pr. år (kr.)"}
        help_texts = {
            "tilbud": "Navnet på tilbuddet.",
            "dialog": "Hvad tilbuddet har oplyst om optagelse, borgerprofil og pris.",
        }
        widgets = {"dialog": forms.Textarea(attrs={"rows": 3})}


def moede_label(moede: Udvalgsmoede) -> str:
    return f"{moede.udvalg.navn}, {date_format(moede.dato, 'l j. F Y')}"


class SendForm(forms.Form):
    moede = forms.TypedChoiceField(label="Møde", coerce=int)

    def __init__(self, *args: Any, moeder: Iterable[Udvalgsmoede] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(m.pk, moede_label(m)) for m in moeder]
        self.has_meetings = bool(choices)
        self.fields["moede"].choices = [("", "Vælg et møde"), *choices]  # type: ignore[attr-defined]


class UdfaldForm(forms.Form):
    udfald = forms.TypedChoiceField(label="Udfald", coerce=int, widget=forms.RadioSelect)
    aendringer = forms.CharField(
        label="Hvad udvalget ændrede",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Skal udfyldes, når indstillingen godkendes med ændringer.",
    )
    begrundelse = forms.CharField(
        label="Udvalgets begrundelse",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Skal udfyldes, når sagen returneres til rådgiveren eller afvises.",
    )

    def __init__(self, *args: Any, udfald: Iterable[Visitationsudfald] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["udfald"].choices = [  # type: ignore[attr-defined]
            (u.pk, u.navn) for u in udfald
        ]


class AfslutForm(forms.Form):
    """Closing a meeting: nothing to fill in; carries the service's error if it cannot close."""
