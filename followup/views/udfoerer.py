"""The provider's (udfører's) follow-up page, made for a phone or tablet like the rest of the
provider's workspace: the follow-up's date and why, the deadlines the provider answers for, the
meeting it calls (when, how, where, who takes part) and its statusnotat, written per ordered goal
beside the provider's own delmål notes of the period.

Views only translate between HTTP and followup.selectors (audited reads) and followup.services
(writes that check the access policy, validate and audit). The provider reaches a follow-up only
through its active bestilling on the case, and sees only what that bestilling carries and what its
own organisation wrote; everything else, and every other role, answers 404. A service's Danish
ValidationError is shown on the form that caused it, with the input kept.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cases.forms import DateInput, add_service_errors
from followup import selectors
from followup.models import Opfoelgning, Statusnotat, StatusnotatMaal
from followup.services.opfoelgning import opfoelgning_call, statusnotat_save
from orders.forms.udfoerer import TimeInput
from orders.models import Bestilling, Delmaalsnotat
from vum.access import NotFoundForUser
from vum.accounts.models import Role, User
from vum.deadlines.models import Frist

# The deadlines of the timeline the provider answers for or takes part in.
PROVIDER_DEADLINES = (Frist.Art.STATUSNOTAT, Frist.Art.OPFOELGNING)
OPEN = (Opfoelgning.Status.PLANLAGT, Opfoelgning.Status.INDKALDT)
GOAL_FIELDS = ("vurdering_af_arbejdet", "maalopfyldelse", "niveauaendring")


def _provider(request: HttpRequest) -> User:
    """The signed-in provider; the page is not one of any other role."""
    user = request.user
    assert isinstance(user, User)
    if user.role != Role.UDFOERER:
        raise NotFoundForUser("Siden findes ikke.")
    return user


def _goals(order: Bestilling) -> list[dict[str, Any]]:
    """The order's own goals as its frozen content words them (ids are Indsatsmaal pks)."""
    return [g for g in (order.indhold or {}).get("maal", []) if isinstance(g.get("id"), int)]


# Forms


class IndkaldForm(forms.Form):
    """The provider calls the meeting: when, how, where and who takes part."""

    dato = forms.DateField(
        label="Dato", widget=DateInput(), error_messages={"required": "Angiv mødets dato."}
    )
    klokken = forms.TimeField(
        label="Klokken", widget=TimeInput(), error_messages={"required": "Angiv klokkeslættet."}
    )
    form = forms.ChoiceField(
        label="Form",
        choices=Opfoelgning.Form.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Vælg mødeformen.", "invalid_choice": "Vælg mødeformen."},
    )
    sted = forms.CharField(
        label="Sted",
        required=False,
        max_length=300,
        help_text="Skal udfyldes, når det er et møde. Ved telefon eller video: fx nummer eller "
        "link.",
    )
    deltagere = forms.CharField(
        label="Deltagere",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Borgeren, pårørende, værge og andre, der deltager. Én pr. linje.",
    )

    def tidspunkt(self) -> datetime:
        """The date and time as an aware datetime in the local time zone."""
        naive = datetime.combine(self.cleaned_data["dato"], self.cleaned_data["klokken"])
        return timezone.make_aware(naive)


def _goal_key(goal_id: int, name: str) -> str:
    return f"maal_{goal_id}_{name}"


class StatusnotatForm(forms.Form):
    """The statusnotat: per ordered goal the provider's assessment of the work, goal attainment
    and change in level; then significant changes and remarks. What must be filled in before it
    is sent is the service's rule (its error is shown on top)."""

    vaesentlige_aendringer = forms.CharField(
        label="Væsentlige ændringer i borgerens situation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    bemaerkninger = forms.CharField(
        label="Bemærkninger",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Fx behov for nye mål.",
    )

    def __init__(self, *args: Any, goals: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goal_ids = [int(g["id"]) for g in goals]
        labels = {
            "vurdering_af_arbejdet": ("Vurdering af arbejdet med målet", 3),
            "maalopfyldelse": ("Målopfyldelse", 2),
            "niveauaendring": ("Ændring i funktionsevneniveau", 2),
        }
        for goal_id in self.goal_ids:
            for name, (label, rows) in labels.items():
                self.fields[_goal_key(goal_id, name)] = forms.CharField(
                    label=label, required=False, widget=forms.Textarea(attrs={"rows": rows})
                )

    def goal_fields(self, goal_id: int) -> list[forms.BoundField]:
        return [self[_goal_key(goal_id, name)] for name in GOAL_FIELDS]

    def maal(self) -> dict[int, dict[str, str]]:
        return {
            goal_id: {
                name: self.cleaned_data.get(_goal_key(goal_id, name), "") for name in GOAL_FIELDS
            }
            for goal_id in self.goal_ids
        }


def _deltagere_forslag(order: Bestilling) -> str:
    """Who usually takes part, from what the order carries: the citizen, the contact persons
    (relatives) and a guardian."""
    baggrund = (order.indhold or {}).get("baggrund") or {}
    lines = []
    if baggrund.get("navn"):
        lines.append(f"{baggrund['navn']} (borger)")
    for k in baggrund.get("kontakter") or []:
        if k.get("navn"):
            relation = k.get("relation") or k.get("type") or ""
            lines.append(f"{k['navn']} ({relation})" if relation else str(k["navn"]))
    vaergemaal = str(baggrund.get("vaergemaal") or "Nej")
    if vaergemaal != "Nej" and not any("værge" in line.lower() for line in lines):
        lines.append(f"Værge ({vaergemaal.lower()})")
    return "\n".join(lines)


def _indkald_form(opfoelgning: Opfoelgning, order: Bestilling) -> IndkaldForm:
    initial: dict[str, Any] = {"deltagere": opfoelgning.deltagere or _deltagere_forslag(order)}
    if opfoelgning.moede_tidspunkt is not None:
        when = timezone.localtime(opfoelgning.moede_tidspunkt)
        initial.update(
            dato=when.date(),
            klokken=when.time().replace(second=0, microsecond=0),
            form=opfoelgning.moede_form,
            sted=opfoelgning.moede_sted,
        )
    else:
        initial["dato"] = opfoelgning.dato
    return IndkaldForm(initial=initial, auto_id="id_indkald_%s")


def _statusnotat_form(
    note: Statusnotat | None, rows: dict[int, StatusnotatMaal], goals: list[dict[str, Any]]
) -> StatusnotatForm:
    initial: dict[str, Any] = {}
    if note is not None:
        initial = {
            "vaesentlige_aendringer": note.vaesentlige_aendringer,
            "bemaerkninger": note.bemaerkninger,
        }
        for goal_id, row in rows.items():
            for name in GOAL_FIELDS:
                initial[_goal_key(goal_id, name)] = getattr(row, name)
    return StatusnotatForm(initial=initial, goals=goals, auto_id="id_statusnotat_%s")


# The page


@dataclass
class MaalRow:
    """One ordered goal: its frozen wording, the provider's notes of the period towards it, and
    what the statusnotat says about it."""

    maal: dict[str, Any]
    notater: list[Delmaalsnotat]
    felter: list[forms.BoundField] = field(default_factory=list)
    svar: StatusnotatMaal | None = None


def _page(
    request: HttpRequest,
    pk: int,
    *,
    indkald_form: IndkaldForm | None = None,
    statusnotat_form: StatusnotatForm | None = None,
) -> HttpResponse:
    user = _provider(request)
    opfoelgning, order = selectors.udfoerer_opfoelgning(user=user, pk=pk)
    goals = _goals(order)
    # The one statusnotat of a follow-up is written by the provider that calls the meeting; a
    # second provider on the case never sees another organisation's note.
    ansvarlig = opfoelgning.udfoerer_id in (None, order.udfoerer_id)
    note = getattr(opfoelgning, "statusnotat", None)
    if note is not None and note.udfoerer_id != order.udfoerer_id:
        note = None
    rows = {r.indsatsmaal_id: r for r in note.maal.all()} if note is not None else {}
    aaben = opfoelgning.status in OPEN
    kan_skrive = ansvarlig and aaben and (note is None or note.indsendt is None)
    if kan_skrive and statusnotat_form is None:
        statusnotat_form = _statusnotat_form(note, rows, goals)
    notes = selectors.period_notes(opfoelgning, udfoerer_id=order.udfoerer_id)
    maal = []
    for goal in goals:
        towards = [n for n in notes if any(g.pk == goal["id"] for g in n.delmaal.indsatsmaal.all())]
        maal.append(
            MaalRow(
                maal=goal,
                notater=towards,
                felter=statusnotat_form.goal_fields(goal["id"]) if statusnotat_form else [],
                svar=rows.get(goal["id"]),
            )
        )
    frister = [f for f in opfoelgning.frister.all() if f.art in PROVIDER_DEADLINES]
    return render(
        request,
        "followup/udfoerer_opfoelgning.html",
        {
            "opfoelgning": opfoelgning,
            "bestilling": order,
            "navn": ((order.indhold or {}).get("baggrund") or {}).get("navn", ""),
            "frister": frister,
            "ansvarlig": ansvarlig,
            "aaben": aaben,
            "kan_indkalde": ansvarlig and aaben,
            "indkald_form": indkald_form or _indkald_form(opfoelgning, order),
            "statusnotat": note,
            "kan_skrive": kan_skrive,
            "statusnotat_form": statusnotat_form,
            "maal": maal,
        },
    )


@login_required
@require_GET
def opfoelgning(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


@login_required
@require_POST
def indkald(request: HttpRequest, pk: int) -> HttpResponse:
    user = _provider(request)
    found, _order = selectors.udfoerer_opfoelgning(user=user, pk=pk)
    form = IndkaldForm(request.POST, auto_id="id_indkald_%s")
    if form.is_valid():
        try:
            called = opfoelgning_call(
                actor=user,
                opfoelgning=found,
                tidspunkt=form.tidspunkt(),
                form=form.cleaned_data["form"],
                sted=form.cleaned_data["sted"],
                deltagere=form.cleaned_data["deltagere"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "tidspunkt" in exc.error_dict:
                for error in exc.error_dict.pop("tidspunkt"):
                    form.add_error("dato", error)
            add_service_errors(form, exc)
        else:
            when = timezone.localtime(called.moede_tidspunkt)
            messages.success(
                request,
                f"Mødet er indkaldt til {when:%d.%m.%Y} kl. {when:%H:%M}. "
                "Sagsbehandleren har fået besked.",
            )
            return redirect("followup:udfoerer-opfoelgning", pk=found.pk)
    return _page(request, pk, indkald_form=form)


@login_required
@require_POST
def statusnotat(request: HttpRequest, pk: int) -> HttpResponse:
    user = _provider(request)
    found, order = selectors.udfoerer_opfoelgning(user=user, pk=pk)
    indsend = request.POST.get("handling") == "indsend"
    form = StatusnotatForm(request.POST, goals=_goals(order), auto_id="id_statusnotat_%s")
    if form.is_valid():
        try:
            statusnotat_save(
                actor=user,
                opfoelgning=found,
                maal=form.maal(),
                vaesentlige_aendringer=form.cleaned_data["vaesentlige_aendringer"],
                bemaerkninger=form.cleaned_data["bemaerkninger"],
                indsend=indsend,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "Statusnotatet er sendt til sagsbehandleren."
                if indsend
                else "Statusnotatet er gemt. Det er ikke sendt endnu.",
            )
            return redirect("followup:udfoerer-opfoelgning", pk=found.pk)
    return _page(request, pk, statusnotat_form=form)
