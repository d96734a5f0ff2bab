"""Forms for the caseworker's follow-up pages.

The forms only collect and type the input; the rules (what the form needs before it can be
completed, which goals may be revised, consent before the case file leaves) live in
followup.services, whose Danish ValidationErrors are put back on the form with
`cases.forms.add_service_errors`. Catalog choices are read once by the view as a `Valg` and handed
in, so that rendering one block per goal costs no queries.
"""

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from cases.forms import DateInput
from followup.dashboard.figures import HISTORY_MONTHS, first_kept_month
from followup.models import Opfoelgningsskema, SkemaMaal
from followup.services.skema import MAAL_FIELDS, SKEMA_FIELDS
from vum.access import teams_visible_to
from vum.accounts.models import Team, User
from vum.catalog.models import (
    Fremadrettet,
    Funktionsevneniveau,
    KommunalYdelse,
    Kommune,
    StatusPaaIndsats,
    Stoettebehov,
)
from vum.catalog.selectors import CatalogNotLoaded, kommunale_ydelser

UNANSWERED = "Ikke besvaret"

Choices = list[Any]


@dataclass
class Valg:
    """The catalog's current choices for the follow-up form, by primary key."""

    status_paa_indsats: dict[int, StatusPaaIndsats] = field(default_factory=dict)
    stoettebehov: dict[int, Stoettebehov] = field(default_factory=dict)
    fremadrettet: dict[int, Fremadrettet] = field(default_factory=dict)
    niveauer: list[Funktionsevneniveau] = field(default_factory=list)

    @classmethod
    def load(cls) -> "Valg":
        return cls(
            status_paa_indsats={
                s.pk: s for s in StatusPaaIndsats.objects.current().order_by("raekkefoelge", "pk")
            },
            stoettebehov={s.pk: s for s in Stoettebehov.objects.current().order_by("vaerdi")},
            fremadrettet={
                f.pk: f for f in Fremadrettet.objects.current().order_by("raekkefoelge", "pk")
            },
            niveauer=list(Funktionsevneniveau.objects.current().order_by("vaerdi")),
        )

    def niveau_choices(self) -> Choices:
        if not self.niveauer:
            return [(n, str(n)) for n in range(5)]
        return [(n.vaerdi, f"{n.vaerdi} · {n.navn}") for n in self.niveauer]


def _to_bool(value: str) -> bool:
    return value == "True"


def ja_nej(label: str, *, help_text: str = "") -> forms.TypedChoiceField:
    """A yes/no question that may be left unanswered (None) while the form is being filled."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("True", "Ja"), ("False", "Nej"), ("", UNANSWERED)],
        coerce=_to_bool,
        empty_value=None,
        required=False,
        help_text=help_text,
        widget=forms.RadioSelect,
    )


def _text(label: str, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _pick(label: str, *, radio: bool = False, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=help_text,
        widget=forms.RadioSelect if radio else forms.Select,
    )


def _initial_bool(value: bool | None) -> str:
    return "" if value is None else str(value)


class BegrundelseForm(forms.Form):
    begrundelse = forms.CharField(
        label="Begrundelse", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class AflysForm(BegrundelseForm):
    """Cancel a meeting, e.g. when the statusnotat is inadequate."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_aflys_%s")
        super().__init__(*args, **kwargs)
        self.fields["begrundelse"].label = "Hvorfor aflyses mødet?"
        self.fields["begrundelse"].help_text = "Fx at statusnotatet er utilstrækkeligt."


class SkemaForm(forms.Form):
    """The follow-up form's own fields (services.SKEMA_FIELDS). Saving with blanks is allowed;
    what completing needs is listed by services.skema_blockers."""

    form = forms.ChoiceField(
        label="Form",
        choices=[*Opfoelgningsskema.Form.choices, ("", UNANSWERED)],
        required=False,
        widget=forms.RadioSelect,
    )
    deltagere = _text("Deltagere", rows=2, help_text="Borgeren, pårørende, værge, udfører m.fl.")
    naeste_dato = forms.DateField(
        label="Næste opfølgning",
        required=False,
        widget=DateInput(),
        help_text="Aftalt dato for næste opfølgning. Tom: datoen følger reglerne for indsatsen.",
    )
    vaesentlige_aendringer = _text("Væsentlige ændringer i borgerens situation")
    samlet_konklusion = _text("Samlet konklusion", rows=4)
    paaroerendes_kommentarer = _text("Pårørendes kommentarer")
    status_paa_indsats = _pick("Status på indsats", radio=True)
    stoettebehov_efter = _pick("Støttebehov efter opfølgningen")
    # Personrettet tilsyn (RSL § 16; SEL § 148 stk. 2)
    tilsyn_gennemfoert = ja_nej("Er det personrettede tilsyn gennemført?")
    trives = ja_nej("Trives borgeren?")
    trivsel_bemaerkninger = _text(
        "Bemærkninger om trivsel", help_text="Skal udfyldes, når borgeren ikke trives."
    )
    magtanvendelser_i_perioden = ja_nej("Har der været magtanvendelser i perioden?")
    magtanvendelse_opfoelgning = _text(
        "Opfølgning på magtanvendelserne",
        help_text="Skal udfyldes, når der har været magtanvendelser.",
    )
    tilsyn_konklusion = _text("Konklusion på tilsynet")
    moedt_borgeren = ja_nej(
        "Har du mødt borgeren?",
        help_text="Opfølgningen kan ikke hvile på udførerens beretning alene.",
    )
    ikke_moedt_begrundelse = _text(
        "Hvorfor har du ikke mødt borgeren?", rows=2, help_text="Skal udfyldes ved Nej."
    )
    nyt_moede = forms.DateField(
        label="Nyt møde med borgeren",
        required=False,
        widget=DateInput(),
        help_text="Skal udfyldes ved Nej.",
    )
    borger_enig = ja_nej(
        "Er borgeren enig i, at indsatsen fortsætter?",
        help_text="Ja: afgørelsen om fortsættelse noteres i journalen. Nej: der træffes en "
        "skriftlig afgørelse.",
    )

    def __init__(self, *args: Any, valg: Valg, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_skema_%s")
        super().__init__(*args, **kwargs)
        self.valg = valg
        status = self.fields["status_paa_indsats"]
        assert isinstance(status, forms.TypedChoiceField)
        status.choices = [*((pk, s.navn) for pk, s in valg.status_paa_indsats.items())]
        efter = self.fields["stoettebehov_efter"]
        assert isinstance(efter, forms.TypedChoiceField)
        efter.choices = [
            ("", "Ikke angivet"),
            *((pk, f"{s.vaerdi} · {s.navn}") for pk, s in valg.stoettebehov.items()),
        ]

    @staticmethod
    def initial_from(skema: Opfoelgningsskema) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for name in SKEMA_FIELDS:
            if name in ("status_paa_indsats", "stoettebehov_efter"):
                initial[name] = getattr(skema, f"{name}_id")
            elif name in SkemaForm.BOOLEANS:
                initial[name] = _initial_bool(getattr(skema, name))
            else:
                initial[name] = getattr(skema, name)
        return initial

    BOOLEANS = (
        "tilsyn_gennemfoert",
        "trives",
        "magtanvendelser_i_perioden",
        "moedt_borgeren",
        "borger_enig",
    )

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as services.skema_update takes them (catalog rows, not keys)."""
        data = self.cleaned_data
        values: dict[str, Any] = {name: data.get(name) for name in SKEMA_FIELDS}
        for name in SKEMA_FIELDS:
            if isinstance(self.fields[name], forms.CharField) or name == "form":
                values[name] = (data.get(name) or "").strip()
        status = data.get("status_paa_indsats")
        efter = data.get("stoettebehov_efter")
        values["status_paa_indsats"] = self.valg.status_paa_indsats.get(status) if status else None
        values["stoettebehov_efter"] = self.valg.stoettebehov.get(efter) if efter else None
        return values

    def clean_status_paa_indsats(self) -> int | None:
        return self._known("status_paa_indsats", self.valg.status_paa_indsats)

    def clean_stoettebehov_efter(self) -> int | None:
        return self._known("stoettebehov_efter", self.valg.stoettebehov)

    def _known(self, name: str, rows: dict[int, Any]) -> int | None:
        value = self.cleaned_data.get(name)
        if value is not None and value not in rows:
            raise forms.ValidationError("Vælg en af mulighederne.")
        return value


class SkemaMaalForm(forms.Form):
    """One goal's row of the follow-up form (services.MAAL_FIELDS)."""

    borgerens_vurdering = _text("Borgerens vurdering")
    udfoerers_vurdering = _text("Udførers vurdering")
    sagsbehandlers_vurdering = _text("Sagsbehandlers vurdering")
    nyt_niveau = forms.TypedChoiceField(
        label="Nyt aktuelt funktionsevneniveau",
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text="Den nye baseline for målet, dateret i dag.",
    )
    fremadrettet = _pick("Fremadrettet", radio=True)

    def __init__(self, *args: Any, valg: Valg, row: SkemaMaal, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"maal-{row.indsatsmaal_id}")
        kwargs.setdefault("auto_id", f"id_maal{row.indsatsmaal_id}_%s")
        super().__init__(*args, **kwargs)
        self.valg, self.row = valg, row
        niveau = self.fields["nyt_niveau"]
        assert isinstance(niveau, forms.TypedChoiceField)
        niveau.choices = valg.niveau_choices()
        fremadrettet = self.fields["fremadrettet"]
        assert isinstance(fremadrettet, forms.TypedChoiceField)
        fremadrettet.choices = [(pk, f.navn) for pk, f in valg.fremadrettet.items()]

    @staticmethod
    def initial_from(row: SkemaMaal) -> dict[str, Any]:
        return {
            "borgerens_vurdering": row.borgerens_vurdering,
            "udfoerers_vurdering": row.udfoerers_vurdering,
            "sagsbehandlers_vurdering": row.sagsbehandlers_vurdering,
            "nyt_niveau": row.nyt_niveau,
            "fremadrettet": row.fremadrettet_id,
        }

    def clean_fremadrettet(self) -> int | None:
        value = self.cleaned_data.get("fremadrettet")
        if value is not None and value not in self.valg.fremadrettet:
            raise forms.ValidationError("Vælg en af mulighederne.")
        return value

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {name: data.get(name) for name in MAAL_FIELDS}
        for name in ("borgerens_vurdering", "udfoerers_vurdering", "sagsbehandlers_vurdering"):
            values[name] = (data.get(name) or "").strip()
        pk = data.get("fremadrettet")
        values["fremadrettet"] = self.valg.fremadrettet.get(pk) if pk else None
        return values


# The outcomes


class FortsaetForm(forms.Form):
    """Continue unchanged: everything it needs is in the saved form."""


class RevisionForm(forms.Form):
    """The new wording and expected level of one goal marked "Mål skal revideres"."""

    maalformulering = forms.CharField(
        label="Borgerens målformulering",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Hvad gør borgeren, når indsatsen er gennemført? Med borgerens egne ord.",
    )
    forventet_niveau = forms.TypedChoiceField(
        label="Forventet funktionsevneniveau",
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, valg: Valg, indsatsmaal_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"revider-{indsatsmaal_id}")
        kwargs.setdefault("auto_id", f"id_revider{indsatsmaal_id}_%s")
        super().__init__(*args, **kwargs)
        niveau = self.fields["forventet_niveau"]
        assert isinstance(niveau, forms.TypedChoiceField)
        niveau.choices = [("", "Ikke angivet"), *valg.niveau_choices()]


class RevisitationForm(BegrundelseForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_revisitation_%s")
        super().__init__(*args, **kwargs)
        self.fields["begrundelse"].label = "Hvad skal revisiteres, og hvorfor?"
        self.fields["begrundelse"].help_text = (
            "Fx nyt tilbud eller ny ydelse. Sagen går tilbage til sagsoplysning, og de relevante "
            "temaer udredes igen; leveringen fortsætter imens."
        )


class OphoerForm(forms.Form):
    virkningsdato = forms.DateField(
        label="Indsatsen ophører den",
        widget=DateInput(),
        help_text="Husk varslingsperioden på 14 uger, hvor den gælder.",
    )
    begrundelse_vurdering = forms.CharField(
        label="Begrundelse: vurdering", widget=forms.Textarea(attrs={"rows": 3})
    )
    begrundelse_regler = forms.CharField(
        label="Begrundelse: regler", widget=forms.Textarea(attrs={"rows": 2})
    )
    begrundelse_oplysninger = forms.CharField(
        label="Begrundelse: oplysninger",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_ophoer_%s")
        super().__init__(*args, **kwargs)

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        virkningsdato: date = data["virkningsdato"]
        return {
            "virkningsdato": virkningsdato,
            "begrundelse_vurdering": data["begrundelse_vurdering"].strip(),
            "begrundelse_regler": data["begrundelse_regler"].strip(),
            "begrundelse_oplysninger": (data.get("begrundelse_oplysninger") or "").strip(),
        }


class FraflytningForm(forms.Form):
    modtager = forms.CharField(
        label="Ny handlekommune",
        max_length=200,
        help_text="Fx Aarhus Kommune. Kræver borgerens samtykke til videregivelse til den nye "
        "handlekommune.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_fraflytning_%s")
        super().__init__(*args, **kwargs)


class YdelseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.kode} {obj.navn}"


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m")


class MonthField(forms.DateField):
    """A month as YYYY-MM (what a browser's month picker sends), as its first day."""

    widget = MonthInput
    input_formats = ["%Y-%m"]
    default_error_messages = {"invalid": "Angiv en måned som ÅÅÅÅ-MM."}


class DashboardFilterForm(forms.Form):
    """The leader's dashboard filter: whole months, and optionally one of the leader's teams,
    one service of the deployment's catalog (settings.VUM_MUNICIPALITY), one municipality (an
    empty field means all)."""

    fra = MonthField(label="Fra måned")
    til = MonthField(label="Til og med måned")
    team = forms.ModelChoiceField(
        label="Team", queryset=Team.objects.none(), required=False, empty_label="Alle dine teams"
    )
    ydelse = YdelseChoiceField(
        label="Ydelse",
        queryset=KommunalYdelse.objects.none(),
        required=False,
        empty_label="Alle ydelser",
    )
    kommune = forms.ModelChoiceField(
        label="Kommune",
        queryset=Kommune.objects.filter(ydelser__isnull=False).distinct().order_by("navn"),
        required=False,
        empty_label="Alle kommuner",
    )

    MAX_MONTHS = 60

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = teams_visible_to(user).order_by("navn")
        ydelse_field = self.fields["ydelse"]
        assert isinstance(ydelse_field, forms.ModelChoiceField)
        # Before the deployment's catalog is loaded the field offers only "Alle ydelser".
        with suppress(CatalogNotLoaded):
            ydelse_field.queryset = kommunale_ydelser()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        fra, til = data.get("fra"), data.get("til")
        if fra and til:
            months = (til.year - fra.year) * 12 + til.month - fra.month
            if months < 0:
                self.add_error("til", "Slutmåneden skal ligge efter startmåneden.")
            elif months >= self.MAX_MONTHS:
                self.add_error("fra", "Perioden kan højst være fem år (60 måneder).")
        this_month = timezone.localdate().replace(day=1)
        if til and til > this_month:
            self.add_error("til", "Slutmåneden kan ikke ligge efter denne måned.")
        first = first_kept_month()
        if fra and fra < first:
            self.add_error(
                "fra",
                f"Overblikket går {HISTORY_MONTHS} måneder tilbage: "
                f"vælg {first:%m.%Y} eller senere.",
            )
        return data
