"""The caseworker's follow-up pages: the case's follow-ups with their timeline, one follow-up
with the provider's statusnotat beside the follow-up form (with the personrettet tilsyn), the
outcomes that close the VUM loop, and the download of the case file sent to a new municipality.

Views only translate between HTTP and followup.services (writes) and followup.selectors (audited
reads); both ask the access policy. Objects outside the user's scope answer 404; a leader reads
without forms, and a POST from a leader answers 404. A service's Danish ValidationError is shown
on the form that caused it, with the input kept.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.forms import add_service_errors
from cases.lifecycle import Fase
from cases.models import Sag
from followup import selectors
from followup.ffb_dataset.selectors import sag_ffb_afvisning
from followup.forms import (
    AflysForm,
    FortsaetForm,
    FraflytningForm,
    OphoerForm,
    RevisionForm,
    RevisitationForm,
    SkemaForm,
    SkemaMaalForm,
    Valg,
)
from followup.models import Opfoelgning, Opfoelgningsskema, SkemaMaal, StatusnotatMaal
from followup.services.opfoelgning import opfoelgning_cancel, opfoelgning_plan
from followup.services.skema import skema_blockers, skema_start, skema_update
from followup.services.udfald import (
    opfoelgning_continue,
    opfoelgning_end,
    opfoelgning_move_away,
    opfoelgning_revise_goals,
    opfoelgning_revisitation,
)
from vum.access import Action, get_sag_or_404, may, request_user, require
from vum.accounts.models import User
from vum.protected_documents import AddressNotConfirmed, confirmation_page

OPEN = (Opfoelgning.Status.PLANLAGT, Opfoelgning.Status.INDKALDT)
PLANNABLE_PHASES = (Fase.LEVERING, Fase.OPFOELGNING)
REVISE = "Mål skal revideres"
OUTCOMES = ("fortsaet", "revider", "revisitation", "ophoer", "fraflytning")
NOT_SAVED = "Ændringen blev ikke gemt, fordi opfølgningen er ændret imens. Se den igennem igen."

Failed = dict[str, forms.Form]


def _editable_sag(request: HttpRequest, sag_pk: int) -> Sag:
    user = request_user(request)
    sag = get_sag_or_404(user, sag_pk)
    require(user, Action.EDIT, sag)
    return sag


def _list_url(sag: Sag) -> str:
    return reverse("followup:opfoelgninger", args=[sag.pk])


def _page_url(sag: Sag, pk: int, anchor: str = "") -> str:
    url = reverse("followup:opfoelgning", args=[sag.pk, pk])
    return f"{url}#{anchor}" if anchor else url


def _form_errors(form: forms.Form) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


# The case's follow-ups


@dataclass
class OpfoelgningRow:
    opfoelgning: Opfoelgning
    statusnotat_sendt: bool
    skema: Opfoelgningsskema | None


def _list_page(request: HttpRequest, sag: Sag, *, fejl: list[str] | None = None) -> HttpResponse:
    user = request_user(request)
    rows = [
        OpfoelgningRow(
            opfoelgning=o,
            statusnotat_sendt=getattr(getattr(o, "statusnotat", None), "indsendt", None)
            is not None,
            skema=getattr(o, "skema", None),
        )
        for o in selectors.sag_opfoelgninger(user=user, sag=sag)
    ]
    kan_redigere = may(user, Action.EDIT, sag)
    has_open = any(r.opfoelgning.status in OPEN for r in rows)
    context = {
        "sag": sag,
        "borger": sag.borger,
        "rows": rows,
        "kan_redigere": kan_redigere,
        "kan_planlaegge": kan_redigere and not has_open and sag.fase in PLANNABLE_PHASES,
        "udleveringer": selectors.sagsudleveringer(user=user, sag=sag),
        "ffb_afvisning": sag_ffb_afvisning(sag=sag),
        "fejl": fejl or [],
    }
    return render(request, "followup/opfoelgninger.html", context)


@login_required
@require_GET
def opfoelgninger(request: HttpRequest, sag_pk: int) -> HttpResponse:
    return _list_page(request, get_sag_or_404(request_user(request), sag_pk))


@login_required
@require_POST
def planlaeg(request: HttpRequest, sag_pk: int) -> HttpResponse:
    sag = _editable_sag(request, sag_pk)
    try:
        opfoelgning = opfoelgning_plan(actor=request_user(request), sag=sag)
    except ValidationError as exc:
        return _list_page(request, sag, fejl=exc.messages)
    messages.success(
        request,
        f"Opfølgningen er planlagt senest {opfoelgning.dato:%d.%m.%Y} "
        f"({opfoelgning.grundlag}). Udføreren indkalder til mødet.",
    )
    return redirect(_page_url(sag, opfoelgning.pk))


# One follow-up


@dataclass
class MaalBlok:
    """One goal of the follow-up form: the saved row, its form (when it may be edited) and the
    provider's statusnotat on the goal."""

    row: SkemaMaal
    form: SkemaMaalForm | None
    statusnotat: StatusnotatMaal | None


@dataclass
class Revision:
    row: SkemaMaal
    form: RevisionForm


@dataclass
class Udfald:
    """The outcome forms; the one that failed carries its errors and the user's input."""

    fortsaet: forms.Form
    revider: forms.Form
    revisioner: list[Revision]
    revisitation: forms.Form
    ophoer: forms.Form
    fraflytning: forms.Form
    aaben: str = ""


def _to_revise(rows: list[SkemaMaal]) -> list[SkemaMaal]:
    return [r for r in rows if r.fremadrettet is not None and r.fremadrettet.navn == REVISE]


def _udfald(rows: list[SkemaMaal], valg: Valg, failed: Failed) -> Udfald:
    revisioner = []
    for row in _to_revise(rows):
        found = failed.get(f"revider-{row.indsatsmaal_id}")
        if not isinstance(found, RevisionForm):
            goal = row.indsatsmaal
            found = RevisionForm(
                valg=valg,
                indsatsmaal_id=row.indsatsmaal_id,
                initial={
                    "maalformulering": goal.maalformulering,
                    "forventet_niveau": goal.forventet_niveau,
                },
            )
        revisioner.append(Revision(row, found))
    aaben = next((name for name in OUTCOMES if name in failed), "")
    return Udfald(
        fortsaet=failed.get("fortsaet") or FortsaetForm(auto_id="id_fortsaet_%s"),
        revider=failed.get("revider") or FortsaetForm(auto_id="id_revider_%s"),
        revisioner=revisioner,
        revisitation=failed.get("revisitation") or RevisitationForm(),
        ophoer=failed.get("ophoer") or OphoerForm(),
        fraflytning=failed.get("fraflytning") or FraflytningForm(),
        aaben=aaben,
    )


def _opfoelgning_page(
    request: HttpRequest,
    sag: Sag,
    pk: int,
    *,
    failed: Failed | None = None,
    maal_forms: dict[int, SkemaMaalForm] | None = None,
    fejl: list[str] | None = None,
) -> HttpResponse:
    user = request_user(request)
    failed = failed or {}
    view = selectors.opfoelgning_view(user=user, sag=sag, pk=pk)
    opfoelgning, skema = view.opfoelgning, view.skema
    kan_redigere = may(user, Action.EDIT, sag)
    aaben = opfoelgning.status in OPEN
    note = view.statusnotat if view.statusnotat and view.statusnotat.indsendt else None
    note_by_goal = {m.indsatsmaal_id: m for m in view.statusnotat_maal} if note else {}
    redigerbar = kan_redigere and skema is not None and skema.afsluttet is None
    valg = Valg.load() if redigerbar else None
    skema_form: forms.Form | None = None
    blokke = []
    if skema is not None:
        if valg is not None:
            found = failed.get("skema")
            skema_form = (
                found
                if isinstance(found, SkemaForm)
                else SkemaForm(valg=valg, initial=SkemaForm.initial_from(skema))
            )
        for row in view.maal:
            form = None
            if valg is not None:
                form = (maal_forms or {}).get(row.indsatsmaal_id) or SkemaMaalForm(
                    valg=valg, row=row, initial=SkemaMaalForm.initial_from(row)
                )
            blokke.append(MaalBlok(row, form, note_by_goal.get(row.indsatsmaal_id)))
    aflys_form = None
    if kan_redigere and aaben and skema is None:
        found = failed.get("aflys")
        aflys_form = found if isinstance(found, AflysForm) else AflysForm()
    udfald_forms = _udfald(view.maal, valg, failed) if valg is not None else None
    # A form that failed but is no longer offered (e.g. the follow-up was completed meanwhile):
    # say why on top.
    fejl = list(fejl or [])
    for key, posted in failed.items():
        shown = (
            (key == "skema" and skema_form is posted)
            or (key == "aflys" and aflys_form is posted)
            or (udfald_forms is not None and (key in OUTCOMES or key.startswith("revider-")))
        )
        if not shown:
            fejl.extend(_form_errors(posted) or [NOT_SAVED])
    if maal_forms and skema_form is None:
        fejl.append(NOT_SAVED)
    context = {
        "sag": sag,
        "borger": sag.borger,
        "view": view,
        "o": opfoelgning,
        "skema": skema,
        "kan_redigere": kan_redigere,
        "aaben": aaben,
        "statusnotat": note,
        "statusnotat_kladde": view.statusnotat is not None and note is None,
        "statusnotat_maal": view.statusnotat_maal if note else [],
        "kan_starte": kan_redigere and aaben and skema is None,
        "aflys_form": aflys_form,
        "skema_form": skema_form,
        "blokke": blokke,
        "mangler": skema_blockers(skema) if redigerbar and skema is not None else [],
        "udfald": udfald_forms,
        "udleveringer": selectors.sagsudleveringer(user=user, sag=sag)
        if skema is not None and skema.udfald == Opfoelgningsskema.Udfald.FRAFLYTNING
        else [],
        "fejl": fejl,
    }
    return render(request, "followup/opfoelgning.html", context)


@login_required
@require_GET
def opfoelgning(request: HttpRequest, sag_pk: int, pk: int) -> HttpResponse:
    return _opfoelgning_page(request, get_sag_or_404(request_user(request), sag_pk), pk)


@login_required
@require_POST
def aflys(request: HttpRequest, sag_pk: int, pk: int) -> HttpResponse:
    user = request_user(request)
    sag = _editable_sag(request, sag_pk)
    found = selectors.opfoelgning_get(user=user, sag=sag, pk=pk)
    form = AflysForm(request.POST)
    if form.is_valid():
        try:
            opfoelgning_cancel(
                actor=user, opfoelgning=found, begrundelse=form.cleaned_data["begrundelse"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, "Mødet er aflyst, og fristerne er annulleret. Planlæg en ny opfølgning."
            )
            return redirect(_list_url(sag))
    return _opfoelgning_page(request, sag, found.pk, failed={"aflys": form})


@login_required
@require_POST
def skema(request: HttpRequest, sag_pk: int, pk: int) -> HttpResponse:
    """Without a form: start the follow-up form (the case moves to opfølgning). With the form:
    save it; blanks are allowed until it is completed by an outcome."""
    user = request_user(request)
    sag = _editable_sag(request, sag_pk)
    found = selectors.opfoelgning_get(user=user, sag=sag, pk=pk)
    existing = getattr(found, "skema", None)
    if existing is None:
        try:
            skema_start(actor=user, opfoelgning=found)
        except ValidationError as exc:
            return _opfoelgning_page(request, sag, found.pk, fejl=exc.messages)
        messages.success(request, "Opfølgningsskemaet er startet, og sagen er i fasen opfølgning.")
        return redirect(_page_url(sag, found.pk, "skema"))
    if "skema_gem" not in request.POST:  # e.g. "Start" pressed twice: never blank a saved form
        messages.info(request, "Opfølgningsskemaet er allerede startet.")
        return redirect(_page_url(sag, found.pk, "skema"))
    valg = Valg.load()
    form = SkemaForm(request.POST, valg=valg)
    rows = list(existing.maal.select_related("indsatsmaal"))
    maal_forms = {r.indsatsmaal_id: SkemaMaalForm(request.POST, valg=valg, row=r) for r in rows}
    valid = form.is_valid()
    valid = all([f.is_valid() for f in maal_forms.values()]) and valid
    if valid:
        try:
            skema_update(
                actor=user,
                skema=existing,
                maal={goal: f.service_fields() for goal, f in maal_forms.items()},
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Opfølgningsskemaet er gemt.")
            return redirect(_page_url(sag, found.pk, "skema"))
    return _opfoelgning_page(request, sag, found.pk, failed={"skema": form}, maal_forms=maal_forms)


@login_required
@require_POST
def udfald(request: HttpRequest, sag_pk: int, pk: int) -> HttpResponse:
    """The outcome of the follow-up, each through its service; the form must be complete."""
    user = request_user(request)
    sag = _editable_sag(request, sag_pk)
    found = selectors.opfoelgning_get(user=user, sag=sag, pk=pk)
    existing = getattr(found, "skema", None)
    choice = request.POST.get("udfald", "")
    if existing is None or choice not in OUTCOMES:
        messages.error(request, "Start og udfyld opfølgningsskemaet, og vælg derefter et udfald.")
        return redirect(_page_url(sag, found.pk, "skema"))
    handlers = {
        "fortsaet": _fortsaet,
        "revider": _revider,
        "revisitation": _revisitation,
        "ophoer": _ophoer,
        "fraflytning": _fraflytning,
    }
    return handlers[choice](request, user, sag, existing)


def _failed(request: HttpRequest, sag: Sag, skema: Opfoelgningsskema, failed: Failed) -> Any:
    return _opfoelgning_page(request, sag, skema.opfoelgning_id, failed=failed)


def _fortsaet(request: HttpRequest, user: User, sag: Sag, skema: Opfoelgningsskema) -> Any:
    form = FortsaetForm(request.POST, auto_id="id_fortsaet_%s")
    try:
        following = opfoelgning_continue(actor=user, skema=skema)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _failed(request, sag, skema, {"fortsaet": form})
    messages.success(
        request,
        "Afgørelsen om fortsættelse af indsatsen er noteret i journalen, og sagen er tilbage i "
        f"levering. Næste opfølgning er planlagt senest {following.dato:%d.%m.%Y}.",
    )
    return redirect(_list_url(sag))


def _revider(request: HttpRequest, user: User, sag: Sag, skema: Opfoelgningsskema) -> Any:
    form = FortsaetForm(request.POST, auto_id="id_revider_%s")
    valg = Valg.load()
    rows = list(skema.maal.select_related("indsatsmaal", "fremadrettet"))
    revisions = {
        r.indsatsmaal_id: RevisionForm(request.POST, valg=valg, indsatsmaal_id=r.indsatsmaal_id)
        for r in _to_revise(rows)
    }
    failed: Failed = {"revider": form, **{f"revider-{k}": f for k, f in revisions.items()}}
    if not all([f.is_valid() for f in revisions.values()]):
        return _failed(request, sag, skema, failed)
    try:
        sent = opfoelgning_revise_goals(
            actor=user,
            skema=skema,
            maal={
                goal: {
                    "maalformulering": f.cleaned_data["maalformulering"].strip(),
                    "forventet_niveau": f.cleaned_data["forventet_niveau"],
                }
                for goal, f in revisions.items()
            },
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _failed(request, sag, skema, failed)
    if sent:
        names = ", ".join(f"{b.udfoerer} (version {b.version})" for b in sent)
        messages.success(request, f"Målene er revideret, og ny bestilling er sendt: {names}.")
    else:
        messages.success(request, "Målene er revideret; ingen bestilling blev ændret.")
    return redirect(_list_url(sag))


def _revisitation(request: HttpRequest, user: User, sag: Sag, skema: Opfoelgningsskema) -> Any:
    form = RevisitationForm(request.POST)
    if form.is_valid():
        try:
            opfoelgning_revisitation(
                actor=user, skema=skema, begrundelse=form.cleaned_data["begrundelse"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "Sagen er sendt til revisitation og er tilbage i sagsoplysning. Udred de "
                "relevante temaer igen; leveringen fortsætter imens.",
            )
            return redirect(reverse("sag_detail", args=[sag.pk]))
    return _failed(request, sag, skema, {"revisitation": form})


def _ophoer(request: HttpRequest, user: User, sag: Sag, skema: Opfoelgningsskema) -> Any:
    form = OphoerForm(request.POST)
    if form.is_valid():
        try:
            decision = opfoelgning_end(actor=user, skema=skema, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            virkning = form.cleaned_data["virkningsdato"]
            messages.success(
                request,
                f"Afgørelsen om ophør (nr. {decision.pk}) er truffet med virkning fra "
                f"{virkning:%d.%m.%Y}, og afgørelsesbrevet er sendt. Bestillingerne ophører "
                "denne dag, og sagen er afsluttet.",
            )
            return redirect(_page_url(sag, skema.opfoelgning_id))
    return _failed(request, sag, skema, {"ophoer": form})


def _fraflytning(request: HttpRequest, user: User, sag: Sag, skema: Opfoelgningsskema) -> Any:
    form = FraflytningForm(request.POST)
    if form.is_valid():
        try:
            udlevering_ = opfoelgning_move_away(
                actor=user, skema=skema, modtager=form.cleaned_data["modtager"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Sagen er udleveret til {udlevering_.modtager} og afsluttet her. Send zip-filen "
                "til den nye handlekommune.",
            )
            return redirect(reverse("followup:udlevering", args=[sag.pk, udlevering_.pk]))
    return _failed(request, sag, skema, {"fraflytning": form})


# The case file for the new municipality


@login_required
@require_http_methods(["GET", "POST"])
def udlevering(request: HttpRequest, sag_pk: int, pk: int) -> HttpResponse:
    """The case file; a POST is the confirmed request for one that shows a protected address
    (vum.protected_documents)."""
    user = request_user(request)
    sag = get_sag_or_404(user, sag_pk)
    try:
        found = selectors.sagsudlevering_get(
            user=user, sag=sag, pk=pk, confirmed=request.method == "POST"
        )
    except AddressNotConfirmed:
        return confirmation_page(
            request, document="Sagsudleveringen", back=reverse("sag_detail", args=[sag.pk])
        )
    response = HttpResponse(bytes(found.indhold), content_type="application/zip")
    name = f"sagsudlevering-sag-{sag.pk}-{found.oprettet:%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
