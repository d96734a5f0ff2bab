"""Forms for the sagsvurdering page: one form for the sagsvurdering's own fields (its sections'
fields in the method's order, `SagsvurderingForm`) and one for each row it lists (a goal, an
indsats, a price line).

The forms only collect and type the input; the rules (refusals, goals before the support need,
fixed ends only under §§ 82 a/b/d, ...) live in assessment.services, whose Danish
ValidationErrors are put back on the form with `cases.forms.add_service_errors`. Catalog choices
are handed in by the view as a `Valg` it has read once, so that rendering many forms (one price
line form per indsats) costs no queries.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models

from assessment.models import (
    Opfoelgningsinterval,
    Prislinje,
    Sagsvurdering,
    VurderingMaalgruppe,
)
from cases.forms import DateInput
from vum.catalog.models import Stoettebehov, Ydelse
from vum.versions import VersionField

UNANSWERED = "Ikke besvaret"

Choices = list[Any]


@dataclass
class Valg:
    """The choices the sagsvurdering's forms offer, read from the current catalog."""

    maaltyper: Choices = field(default_factory=list)
    primaere_undertemaer: Choices = field(default_factory=list)
    undertemaer: Choices = field(default_factory=list)
    niveauer: Choices = field(default_factory=list)
    stoettebehov: list[Stoettebehov] = field(default_factory=list)
    ydelser: Choices = field(default_factory=list)
    kommunale_ydelser: Choices = field(default_factory=list)
    tilbudstyper: Choices = field(default_factory=list)
    udfoerere: Choices = field(default_factory=list)
    maalgrupper: Choices = field(default_factory=list)


def _label(name: str) -> str:
    model_field = Sagsvurdering._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    return str(model_field.verbose_name).capitalize()


def _text(name: str, rows: int = 3, label: str = "", help_text: str = "") -> forms.CharField:
    model_field = Sagsvurdering._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    return forms.CharField(
        label=label or _label(name),
        help_text=help_text or model_field.help_text,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _to_bool(value: str) -> bool:
    return value == "True"


def ja_nej(label: str, *, required: bool = False, help_text: str = "") -> forms.TypedChoiceField:
    """A yes/no question; unanswered (None) unless `required`."""
    choices: Choices = [("True", "Ja"), ("False", "Nej")]
    if not required:
        choices.append(("", UNANSWERED))
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=_to_bool,
        empty_value=None,
        required=required,
        help_text=help_text,
        widget=forms.RadioSelect,
    )


def _blank(choices: Choices, label: str = "Vælg …") -> Choices:
    return [("", label), *choices]


class VurderingSectionForm(forms.Form):
    """A section's fields of the sagsvurdering itself (`SagsvurderingForm` puts them together),
    and the version of the sagsvurdering they were filled in from."""

    version = VersionField()


class SituationForm(VurderingSectionForm):
    vurdering_af_situation = _text("vurdering_af_situation", rows=6)
    indsatsformaal = _text(
        "indsatsformaal",
        rows=2,
        help_text="Ét formål for hele indsatsen, gerne med borgerens egne ord.",
    )
    samme_opfoelgning_for_alle_maal = ja_nej(
        "Samme opfølgningsdato for alle mål",
        required=True,
        help_text="Nej: opfølgningen angives for hvert mål (separat opfølgning på mål).",
    )
    faelles_opfoelgning = forms.ChoiceField(
        label="Opfølgning",
        choices=_blank(list(Opfoelgningsinterval.choices), "Ikke angivet"),
        required=False,
        help_text="Gælder alle mål, når de har samme opfølgningsdato.",
    )
    faelles_opfoelgningsdato = forms.DateField(
        label="Konkret dato", required=False, widget=DateInput(), help_text="Ved 'Konkret dato'."
    )


class MaalForm(forms.Form):
    maalformulering = forms.CharField(
        label="Borgerens målformulering",
        help_text="Hvad gør borgeren, når indsatsen er gennemført? Skriv med borgerens egne ord.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    maaltype = forms.TypedChoiceField(label="Måltype", coerce=int, widget=forms.RadioSelect)
    primaert_undertema = forms.TypedChoiceField(
        label="Primært udredningstema",
        coerce=int,
        help_text="Ét undertema under Aktivitet og deltagelse. Det aktuelle niveau hentes fra "
        "udredningen.",
    )
    forventet_niveau = forms.TypedChoiceField(
        label="Forventet funktionsevneniveau", coerce=int, required=False, empty_value=None
    )
    relaterede_undertemaer = forms.TypedMultipleChoiceField(
        label="Andre relaterede udredningstemaer",
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Uden niveau. Hold Ctrl nede for at vælge flere.",
    )
    opfoelgning = forms.ChoiceField(
        label="Opfølgning på målet",
        choices=_blank(list(Opfoelgningsinterval.choices), "Ikke angivet"),
        required=False,
        help_text="Kun ved separat opfølgning på mål.",
    )
    opfoelgningsdato = forms.DateField(label="Konkret dato", required=False, widget=DateInput())
    ansvarlig_for_opfoelgning = forms.CharField(
        label="Ansvarlig for opfølgning",
        max_length=200,
        required=False,
        help_text="F.eks. 'Voksenenheden, Myndighed'.",
    )
    udfoerer = forms.TypedChoiceField(label="Udfører", coerce=int, required=False, empty_value=None)
    timer_pr_uge = forms.DecimalField(
        label="Timer pr. uge",
        required=False,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0"}),
    )

    def __init__(self, *args: Any, valg: Valg, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["maaltype"].choices = valg.maaltyper  # type: ignore[attr-defined]
        self.fields["primaert_undertema"].choices = _blank(  # type: ignore[attr-defined]
            valg.primaere_undertemaer
        )
        self.fields["forventet_niveau"].choices = _blank(  # type: ignore[attr-defined]
            valg.niveauer, "Ikke angivet"
        )
        self.fields["relaterede_undertemaer"].choices = valg.undertemaer  # type: ignore[attr-defined]
        self.fields["udfoerer"].choices = _blank(valg.udfoerere, "Ikke valgt")  # type: ignore[attr-defined]


class BerettigelseForm(VurderingSectionForm):
    vurdering_af_stoettebehov = _text("vurdering_af_stoettebehov", rows=5)
    berettiget = ja_nej("Er borgeren berettiget til en indsats?")
    berettigelse_begrundelse = _text(
        "berettigelse_begrundelse",
        rows=4,
        label="Begrundelse",
        help_text="Et afslag skal begrundes grundigt og konkret; kommunens kvalitetsstandard "
        "alene er ingen begrundelse.",
    )
    borgerens_behov_vurderet = _text("borgerens_behov_vurderet", rows=4)


def stoettebehov_label(niveau: Stoettebehov) -> str:
    text = f"{niveau.vaerdi} · {niveau.navn}"
    return f"{text}: {niveau.kriterium}" if niveau.kriterium else text


class IndsatsForm(forms.Form):
    ydelser = forms.TypedMultipleChoiceField(
        label="Ydelser",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Fra FFB's ydelseskatalog, med lovgrundlag.",
    )
    kommunal_ydelse = forms.TypedChoiceField(
        label="Kommunens ydelse", coerce=int, required=False, empty_value=None
    )
    tilbudstype = forms.TypedChoiceField(
        label="Tilbud", coerce=int, required=False, empty_value=None
    )
    udfoerer = forms.TypedChoiceField(label="Udfører", coerce=int, required=False, empty_value=None)
    konto = forms.CharField(label="Konto", max_length=50, required=False)
    forventet_start = forms.DateField(label="Forventet start", required=False, widget=DateInput())
    forventet_slut = forms.DateField(
        label="Forventet slut",
        required=False,
        widget=DateInput(),
        help_text="Tom: uden slutdato. Kun §§ 82 a, 82 b og 82 d kan have en fast slutdato.",
    )
    alternativ = forms.BooleanField(
        label="Alternativ indsats",
        required=False,
        help_text=(
            "Et alternativ, der indstilles ved siden af; tæller ikke med i den årlige udgift."
        ),
    )

    def __init__(self, *args: Any, valg: Valg, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ydelser"].choices = valg.ydelser  # type: ignore[attr-defined]
        self.fields["kommunal_ydelse"].choices = _blank(  # type: ignore[attr-defined]
            valg.kommunale_ydelser, "Ikke valgt"
        )
        self.fields["tilbudstype"].choices = _blank(valg.tilbudstyper, "Ikke valgt")  # type: ignore[attr-defined]
        self.fields["udfoerer"].choices = _blank(valg.udfoerere, "Ikke valgt")  # type: ignore[attr-defined]


class PrislinjeForm(forms.Form):
    ydelse = forms.TypedChoiceField(label="Ydelse", coerce=int)
    enhed = forms.ChoiceField(label="Enhed", choices=_blank(list(Prislinje.Enhed.choices)))
    antal_pr_periode = forms.DecimalField(
        label="Antal i hver periode",
        min_value=Decimal(0),
        max_digits=8,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "min": "0"}),
    )
    frekvens = forms.ChoiceField(
        label="Frekvens", choices=_blank(list(Prislinje.Frekvens.choices)), help_text="Pr."
    )
    gentagelser = forms.IntegerField(label="Gentagelser", min_value=1)
    enhedspris = forms.DecimalField(
        label="Enhedspris (kr.)",
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "min": "0"}),
    )

    def __init__(self, *args: Any, ydelser: Iterable[Ydelse] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ydelse"].choices = _blank(  # type: ignore[attr-defined]
            [(y.pk, y.navn) for y in ydelser]
        )


class CivilsamfundForm(VurderingSectionForm):
    civilsamfund = ja_nej("Indsatser i civilsamfundet")
    civilsamfund_hvilke = _text(
        "civilsamfund_hvilke", rows=2, label="Hvilke", help_text="Når der er indsatser."
    )
    borgerens_perspektiv = _text("borgerens_perspektiv", rows=3)
    borgerens_ressourcer = _text("borgerens_ressourcer", rows=3)


def _status_choices() -> Choices:
    return [("", UNANSWERED), *Sagsvurdering.Handleplanstatus.choices]


class HandleplanForm(VurderingSectionForm):
    handleplan_tilbudt = ja_nej("Handleplan tilbudt")
    handleplan_ikke_tilbudt_begrundelse = _text(
        "handleplan_ikke_tilbudt_begrundelse",
        rows=2,
        label="Hvorfor er handleplan ikke tilbudt?",
        help_text="Skal udfyldes, når handleplan ikke er tilbudt.",
    )
    handleplan_oensket = ja_nej("Borgeren ønsker handleplan")
    handleplan_status = forms.ChoiceField(
        label="Handleplanens status",
        choices=_status_choices(),
        required=False,
        widget=forms.RadioSelect,
    )
    helhedsplan_tilbudt = ja_nej(
        "Helhedsorienteret plan tilbudt (§ 141, stk. 7)",
        help_text="Kræver borgerens samtykke.",
    )
    helhedsplan_oensket = ja_nej("Borgeren ønsker helhedsorienteret plan")
    helhedsplan_status = forms.ChoiceField(
        label="Den helhedsorienterede plans status",
        choices=_status_choices(),
        required=False,
        widget=forms.RadioSelect,
    )


# The id of the page's one form: the sections' fields are tied to it with the form attribute, so
# that the goals' and indsatser's own forms can sit between them in the method's order.
VURDERING_FORM_ID = "vurdering-form"


class SagsvurderingForm(SituationForm, BerettigelseForm, CivilsamfundForm, HandleplanForm):
    """The sagsvurdering's own fields, its support need and its target groups: saved together
    (`sagsvurdering_save`), so that no section's typing is lost when another is saved. A support
    need or primary target group left blank is not changed."""

    # Named as the service's error key, so that its refusal lands on this field.
    stoettebehov = forms.TypedChoiceField(
        label="Aktuelt støttebehov",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    primaer = forms.TypedChoiceField(
        label="Primær målgruppe", coerce=int, required=False, empty_value=None
    )
    andre = forms.TypedMultipleChoiceField(
        label="Andre målgrupper",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Valgfrie. Målgruppen er en kladde, indtil afgørelsen bekræfter den.",
    )

    def __init__(self, *args: Any, valg: Valg, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stoettebehov"].choices = [  # type: ignore[attr-defined]
            (n.vaerdi, stoettebehov_label(n)) for n in valg.stoettebehov
        ]
        self.fields["primaer"].choices = _blank(valg.maalgrupper)  # type: ignore[attr-defined]
        self.fields["andre"].choices = valg.maalgrupper  # type: ignore[attr-defined]
        for bound_field in self.fields.values():
            bound_field.widget.attrs["form"] = VURDERING_FORM_ID

    @staticmethod
    def initial_for(
        vurdering: Sagsvurdering, maalgrupper: Iterable[VurderingMaalgruppe]
    ) -> dict[str, Any]:
        chosen = list(maalgrupper)
        return {
            **{name: getattr(vurdering, name) for name in VURDERING_OWN_FIELDS},
            "version": vurdering.version,
            "stoettebehov": getattr(vurdering.stoettebehov, "vaerdi", None),
            "primaer": next((g.maalgruppe_id for g in chosen if g.primaer), None),
            "andre": [g.maalgruppe_id for g in chosen if not g.primaer],
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("andre") and cleaned.get("primaer") is None:
            self.add_error("primaer", "Vælg den primære målgruppe før de andre.")
        return cleaned


VURDERING_OWN_FIELDS = [
    name
    for form in (SituationForm, BerettigelseForm, CivilsamfundForm, HandleplanForm)
    for name in form.base_fields
    if name != "version"
]
