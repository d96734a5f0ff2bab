"""Forms for the caseworker's bestilling and handleplan pages.

The forms only collect and type the input; the rules live in orders.services, whose Danish
ValidationErrors are put back on the form with `cases.forms.add_service_errors`. Choices (the
providers) are handed in by the view, read once, so that many forms on one page cost no queries.
"""

from typing import Any

from django import forms
from django.db import models

from assessment.forms.vurdering import ja_nej
from orders.models import Handleplan
from vum.versions import VersionField


def _plan_text(name: str, rows: int = 3, help_text: str = "") -> forms.CharField:
    model_field = Handleplan._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    max_length = model_field.max_length if isinstance(model_field, models.CharField) else None
    return forms.CharField(
        label=str(model_field.verbose_name).capitalize(),
        help_text=help_text,
        required=False,
        max_length=max_length,
        widget=forms.TextInput() if max_length else forms.Textarea(attrs={"rows": rows}),
    )


class HandleplanForm(forms.Form):
    """The caseworker's texts of the handleplan, and the version they were read at; goals and
    indsatser come from the decisions."""

    version = VersionField()
    tilbudt = ja_nej("Handleplan tilbudt")
    ikke_tilbudt_begrundelse = _plan_text(
        "ikke_tilbudt_begrundelse",
        rows=2,
        help_text="Skal udfyldes, når handleplan ikke er tilbudt.",
    )
    oensket = ja_nej("Borgeren ønsker handleplan")
    formaal = _plan_text(
        "formaal", help_text="Formålet med indsatsen, gerne med borgerens egne ord."
    )
    bolig = _plan_text("bolig", rows=2)
    beskaeftigelse = _plan_text("beskaeftigelse", rows=2)
    personlig_hjaelp = _plan_text("personlig_hjaelp", rows=2)
    behandling = _plan_text("behandling", rows=2)
    hjaelpemidler = _plan_text("hjaelpemidler", rows=2)
    aftaler = _plan_text("aftaler", help_text="Hvad er aftalt med borgeren, og hvem gør hvad?")
    andre_indsatser = _plan_text("andre_indsatser", rows=2)
    samarbejdspartnere = _plan_text(
        "samarbejdspartnere", rows=2, help_text="Følger med i bestillingen til udførerne."
    )
    koordinering = _plan_text("koordinering")

    SAERLIGE_FORHOLD = (
        "bolig",
        "beskaeftigelse",
        "personlig_hjaelp",
        "behandling",
        "hjaelpemidler",
    )

    @classmethod
    def initial_from(cls, plan: Handleplan) -> dict[str, Any]:
        return {name: getattr(plan, name) for name in cls.base_fields}


class SendForm(forms.Form):
    """Send the bestillinger of the decision the page showed."""

    afgoerelse = forms.IntegerField(widget=forms.HiddenInput)


class UdfoererForm(forms.Form):
    """Choose another provider for an indsats, e.g. after a refusal."""

    udfoerer = forms.TypedChoiceField(label="Ny udfører", coerce=int)

    def __init__(self, *args: Any, udfoerere: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["udfoerer"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Vælg …"), *udfoerere]


class AnmodningSvarForm(forms.Form):
    svar = forms.CharField(
        label="Svar til udføreren",
        help_text="Udførerens medarbejdere får besked, og fristen er overholdt.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Skriv svaret til udføreren."},
    )


class LedsagetimerForm(forms.Form):
    """The hours of ledsagelse (§ 97) used in a month."""

    maaned = forms.DateField(
        label="Måned",
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    timer = forms.DecimalField(label="Timer brugt", min_value=0, max_digits=6, decimal_places=2)
