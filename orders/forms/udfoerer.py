"""Forms for the provider's (udfører's) workspace: the answer to a bestilling, sub-goals with
their actions, status and notes, other notes, use of force and requests to the caseworker.

The forms only collect and type the input; the rules (a reason for a refusal, only the
bestilling's goals, no notes dated ahead) live in orders.services, whose Danish ValidationErrors
the views put back on the form that caused them.
"""

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from cases.forms import DateInput
from orders.models import Anmodning, Delmaal, Magtanvendelse

Choices = list[Any]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


def _text(label: str, missing: str, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": missing},
    )


class SvarForm(forms.Form):
    """The provider's answer to a bestilling: received, accepted or refused (with a reason)."""

    SVAR = [
        ("modtaget", "Kvittér for modtagelse"),
        ("accepteret", "Acceptér"),
        ("afvist", "Afvis"),
    ]

    svar = forms.ChoiceField(
        label="Svar",
        choices=SVAR,
        error_messages={"invalid_choice": "Vælg et svar.", "required": "Vælg et svar."},
    )
    begrundelse = forms.CharField(
        label="Begrundelse for afvisning",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Skal udfyldes, hvis bestillingen afvises. Sagsbehandleren ser begrundelsen.",
    )


class DelmaalForm(forms.Form):
    """A SMART sub-goal towards one or more of the bestilling's goals."""

    formulering = _text(
        "Delmål",
        "Skriv delmålet sammen med borgeren.",
        help_text="Specifikt, målbart, realistisk og tidsbestemt, med borgerens ord.",
    )
    indsatsmaal = forms.TypedMultipleChoiceField(
        label="Hvilke af bestillingens mål arbejder delmålet hen imod?",
        coerce=int,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Knyt delmålet til mindst ét indsatsmål.",
            "invalid_choice": "Delmål kan kun knyttes til bestillingens mål.",
        },
    )
    tidsfrist = forms.DateField(
        label="Nås senest", required=False, widget=DateInput(), help_text="Kan udelades."
    )

    def __init__(self, *args: Any, maal: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indsatsmaal"].choices = maal  # type: ignore[attr-defined]


class DelmaalsnotatForm(forms.Form):
    """The quick note on a sub-goal: one text, dated today unless changed."""

    tekst = forms.CharField(
        label="Nyt notat",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Skriv hvad du har observeret."},
    )
    dato = forms.DateField(label="Dato", required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"dato": timezone.localdate()})
        super().__init__(*args, **kwargs)


class HandlingForm(forms.Form):
    beskrivelse = _text(
        "Ny handling",
        "Beskriv handlingen.",
        rows=2,
        help_text="Den metode eller tilgang, I bruger mod delmålet.",
    )


class DelmaalStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=Delmaal.Status.choices,
        error_messages={"invalid_choice": "Ukendt status.", "required": "Vælg en status."},
    )


class LeveringsnotatForm(forms.Form):
    """A note that is not about a sub-goal, tagged with FFB sub-themes."""

    tekst = _text("Notat", "Skriv notatet.", rows=4)
    dato = forms.DateField(label="Dato", required=False, widget=DateInput())
    undertemaer = forms.TypedMultipleChoiceField(
        label="Undertemaer (FFB)",
        coerce=int,
        choices=[],
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Kan udelades. Hold Ctrl eller ⌘ nede for at vælge flere på en computer.",
        error_messages={"invalid_choice": "Vælg undertemaer fra det gældende FFB-katalog."},
    )

    def __init__(self, *args: Any, undertemaer: Choices, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"dato": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["undertemaer"].choices = undertemaer  # type: ignore[attr-defined]


class MagtanvendelseForm(forms.Form):
    dato = forms.DateField(
        label="Dato", widget=DateInput(), error_messages={"required": "Angiv datoen."}
    )
    klokken = forms.TimeField(
        label="Klokken", widget=TimeInput(), error_messages={"required": "Angiv klokkeslættet."}
    )
    type = forms.ChoiceField(
        label="Type",
        choices=[("", "Vælg …"), *Magtanvendelse.Type.choices],
        error_messages={
            "required": "Vælg typen af magtanvendelse.",
            "invalid_choice": "Vælg typen af magtanvendelse.",
        },
    )
    beskrivelse = _text(
        "Beskrivelse",
        "Beskriv hvad der skete.",
        rows=4,
        help_text="Hvad skete der, og hvorfor var det nødvendigt?",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"dato": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def tidspunkt(self) -> datetime:
        """The date and time as an aware datetime in the local time zone."""
        naive = datetime.combine(self.cleaned_data["dato"], self.cleaned_data["klokken"])
        return timezone.make_aware(naive)


class AnmodningForm(forms.Form):
    art = forms.ChoiceField(
        label="Anmodning om",
        choices=Anmodning.Art.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Vælg hvad der anmodes om.",
            "invalid_choice": "Vælg hvad der anmodes om.",
        },
    )
    begrundelse = _text(
        "Begrundelse",
        "Beskriv hvad der har ændret sig hos borgeren.",
        rows=4,
        help_text="Hvad har ændret sig hos borgeren?",
    )
