"""Forms for the sagsoplysning pages.

The forms only collect and type the input; the rules live in assessment.services, whose Danish
ValidationErrors are put back on the form with `cases.forms.add_service_errors`. Choices that
depend on the catalog or the case are handed in by the view from data it has already read, so
that rendering many forms costs no queries.
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone

from assessment.models import Funktionsevnevurdering, Kildehenvisning, Partshoering, TemaOplysning
from assessment.services.udredning import TEMA_FIELDS
from cases.forms import DateInput
from cases.models import Relation, Samtykke
from vum.catalog.models import Funktionsevneniveau, Undertema


def _text_field(model_field_name: str, rows: int = 3) -> forms.CharField:
    field = TemaOplysning._meta.get_field(model_field_name)
    assert isinstance(field, models.Field)
    return forms.CharField(
        label=str(field.verbose_name).capitalize(),
        help_text=field.help_text,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class UdredningStartForm(forms.Form):
    """Start from scratch: nothing to fill in."""


class UdredningGenbrugForm(forms.Form):
    """Start from an earlier udredning of the citizen: needs the citizen's consent."""

    forrige = forms.TypedChoiceField(label="Byg videre på", coerce=int)
    genbrug_samtykke_givet = forms.DateField(
        label="Borgeren samtykkede til genbrug den", widget=DateInput(), required=False
    )
    genbrug_samtykke_form = forms.ChoiceField(
        label="Samtykkets form",
        choices=Samtykke.Form.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args: Any, udredninger: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["forrige"].choices = [  # type: ignore[attr-defined]
            (u.pk, f"Udredning fra sag {u.sag_id}, startet {u.oprettet:%d.%m.%Y}")
            for u in udredninger
        ]


class TemaForm(forms.Form):
    fra_borgeren = _text_field("fra_borgeren", rows=4)
    fra_andre = _text_field("fra_andre", rows=4)
    bemaerkninger = _text_field("bemaerkninger", rows=4)
    fremhaevede_undertemaer = forms.TypedMultipleChoiceField(
        label="Fremhævede undertemaer",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="De undertemaer, hvor borgerens ressourcer og udfordringer især viser sig.",
    )
    mestringsevne = _text_field("mestringsevne", rows=2)
    netvaerkets_villighed = _text_field("netvaerkets_villighed", rows=2)
    udeladt_oplysning = _text_field("udeladt_oplysning", rows=2)
    udeladt_begrundelse = _text_field("udeladt_begrundelse", rows=2)

    def __init__(
        self,
        *args: Any,
        undertemaer: Iterable[Undertema] = (),
        niveauer: Iterable[Funktionsevneniveau] = (),
        **kwargs: Any,
    ) -> None:
        """With `niveauer` (a theme of Aktivitet og deltagelse), each sub-theme's level is a
        field of the theme's form, `niveau_<id>`, with one date for the levels chosen."""
        super().__init__(*args, **kwargs)
        undertemaer = list(undertemaer)
        self.fields["fremhaevede_undertemaer"].choices = [  # type: ignore[attr-defined]
            (u.pk, u.navn) for u in undertemaer
        ]
        choices = [
            (n.vaerdi, f"{niveau_label(n)}: {n.kriterium}" if n.kriterium else niveau_label(n))
            for n in niveauer
        ]
        if not choices:
            return
        for u in undertemaer:
            self.fields[f"niveau_{u.pk}"] = forms.TypedChoiceField(
                label=u.navn,
                coerce=int,
                empty_value=None,
                required=False,
                choices=choices,
                widget=forms.RadioSelect,
            )
        self.fields["vurderingsdato"] = forms.DateField(
            label="Niveauerne er vurderet den",
            required=False,  # today, when left empty
            initial=timezone.localdate,
            widget=DateInput(),
            help_text="Gælder de niveauer, der ændres ved denne gemning.",
        )

    def niveau_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("niveau_")]

    def levels(self) -> dict[int, int]:
        """The levels chosen, by sub-theme id (after `is_valid`)."""
        return {
            int(name.removeprefix("niveau_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("niveau_") and value is not None
        }
        self.fields[
            "udeladt_oplysning"
        ].help_text = "Oplysninger borgeren ønskede med i udredningen, men som ikke er medtaget."
        self.fields["udeladt_begrundelse"].help_text = "Skal udfyldes, når noget er udeladt."

    @staticmethod
    def initial_from(
        oplysning: TemaOplysning | None, scores: dict[int, Funktionsevnevurdering]
    ) -> dict[str, Any]:
        """The saved information, and each sub-theme's current level (so that saving the form
        unchanged adds no score)."""
        initial: dict[str, Any] = {f"niveau_{pk}": s.niveau.vaerdi for pk, s in scores.items()}
        if oplysning is None:
            return initial
        initial.update({name: getattr(oplysning, name) for name in TEMA_FIELDS})
        # Prefetched by the overview: no query.
        initial["fremhaevede_undertemaer"] = [u.pk for u in oplysning.fremhaevede_undertemaer.all()]
        return initial


class KildeForm(forms.ModelForm):
    class Meta:
        model = Kildehenvisning
        fields = ["titel", "dato", "journalnummer", "udsagn_af"]
        widgets = {"dato": DateInput()}
        labels = {"udsagn_af": "Udsagn af"}
        help_texts = {
            "titel": "F.eks. 'Statusattest fra praktiserende læge'.",
            "udsagn_af": "Hvem har udtalt det.",
        }


def niveau_label(niveau: Funktionsevneniveau) -> str:
    return f"{niveau.vaerdi} · {niveau.navn}"


class DelanalyseForm(forms.Form):
    tekst = forms.CharField(
        label="Delanalyse",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Sammenfatning af kategoriens temaer: sammenhænge, ressourcer og udfordringer.",
    )


class IndhentningForm(forms.Form):
    part = forms.ChoiceField(label="Part", choices=Samtykke.Part.choices)
    specifikation = forms.CharField(
        label="Hos hvem",
        max_length=200,
        required=False,
        help_text="F.eks. navnet på lægen eller tilbuddet. Skal svare til samtykket.",
    )
    hvad = forms.CharField(label="Hvilke oplysninger", widget=forms.Textarea(attrs={"rows": 3}))


class PartshoeringForm(forms.Form):
    hvad_hoeres = forms.CharField(
        label="Hvad høres borgeren om",
        help_text=(
            "De oplysninger, borgeren ikke kender, som er til ugunst og af væsentlig betydning "
            "(FVL § 19). Ikke interne vurderinger eller scoringer."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    modtager = forms.ChoiceField(
        label="Modtager", choices=Partshoering.Modtager.choices, widget=forms.RadioSelect
    )
    modtager_relation = forms.TypedChoiceField(
        label="Værge eller partsrepræsentant",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Kun når brevet sendes til borgerens værge eller partsrepræsentant.",
    )
    svarfrist = forms.DateField(label="Svarfrist", widget=DateInput())

    def __init__(self, *args: Any, relationer: Iterable[Relation] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["modtager_relation"].choices = [  # type: ignore[attr-defined]
            ("", "Ingen (brevet sendes til borgeren)"),
            *((r.pk, f"{r.navn} ({r.get_type_display().lower()})") for r in relationer),
        ]


class SvarForm(forms.Form):
    svar = forms.CharField(
        label="Borgerens svar",
        help_text="Svaret eller et resumé af det.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    modtaget = forms.DateField(label="Modtaget den", widget=DateInput())
