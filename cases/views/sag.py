"""The case page: its phase moves, journal, and deadlines moved, met or cancelled."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_http_methods, require_POST

from cases import selectors
from cases.forms import (
    FristAnnullerForm,
    FristFlytForm,
    JournalnotatForm,
    TransitionForm,
    add_service_errors,
)
from cases.lifecycle import Fase, phase_page
from cases.models import (
    Journalnotat,
    Sag,
)
from cases.panels import case_panels
from cases.services import sag as sag_services
from vum.access import Action, get_sag_or_404, may, request_user, require
from vum.calendar import end_of_day
from vum.deadlines.models import Frist

# The case page: header, phase timeline, transitions, journal


def _transition_forms(
    sag: Sag, options: list[selectors.TransitionOption], failed: TransitionForm | None
) -> list[tuple[selectors.TransitionOption, TransitionForm]]:
    pairs = []
    for option in options:
        if failed is not None and failed.data.get("name") == option.name:
            form = failed
        else:
            form = TransitionForm(
                initial={"name": option.name, "expected_fase": sag.fase},
                auto_id=f"id_{option.name}_%s",
            )
        # Several moves may ask for a reason on one page: each field names its move.
        form.fields["begrundelse"].label = f"Begrundelse for «{option.label}»"
        pairs.append((option, form))
    return pairs


def _phase_url(fase: str, sag: Sag) -> str | None:
    page = phase_page(fase)
    return reverse(page, args=[sag.pk]) if page else None


def _sag_page(
    request: HttpRequest,
    sag: Sag,
    *,
    transition_form: TransitionForm | None = None,
    journal_form: JournalnotatForm | None = None,
    frist_forms: dict[int, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    overgange = list(sag.overgange.select_related("udfoert_af"))
    visited = {o.fra_fase for o in overgange} | {o.til_fase for o in overgange}
    timeline = [
        {
            "value": value,
            "label": label,
            "current": value == sag.fase,
            "visited": value in visited and value != sag.fase,
            # A reached phase leads to the page its work is done on.
            "url": _phase_url(value, sag) if value in visited | {sag.fase} else None,
        }
        for value, label in Fase.choices
    ]
    # Forward moves first; those that need a reason (backward moves, closing) after them.
    options = sorted(
        selectors.transition_options(user=user, sag=sag), key=lambda o: o.reason_required
    )
    context = {
        "sag": sag,
        "borger": sag.borger,
        "aabning": sag.sagsaabning,
        "formaal": sag.gaeldende_formaal,
        "kan_redigere": may(user, Action.EDIT, sag, as_loaded=True),
        "timeline": timeline,
        "overgange": overgange,
        "transitions": _transition_forms(sag, options, transition_form),
        # What blocks a move is put right on the current phase's page: its reasons link there.
        "fase_url": _phase_url(sag.fase, sag),
        "henvendelser": sag.henvendelser.all(),
        "notater": sag.journalnotater.select_related("retter", "rettet_af"),
        "journal_form": journal_form
        or JournalnotatForm(initial={"dato": timezone.localdate()}, auto_id="id_notat_%s"),
        "panels": case_panels.render(user, sag),
    }
    rows = _frist_rows(sag, frist_forms or {})
    context["aabne_frister"] = [r for r in rows if r["frist"].status == Frist.Status.AABEN]
    context["lukkede_frister"] = [r for r in rows if r["frist"].status != Frist.Status.AABEN]
    return render(request, "cases/sag_detail.html", context, status=status)


def _flyt_form(frist: Frist, data: Any = None) -> FristFlytForm:
    initial = {"til": timezone.localtime(frist.frist).date()}
    return FristFlytForm(data, initial=initial, auto_id=f"id_flyt{frist.pk}_%s")


def _annuller_form(frist: Frist, data: Any = None) -> FristAnnullerForm:
    return FristAnnullerForm(data, auto_id=f"id_annuller{frist.pk}_%s")


def _frist_rows(sag: Sag, failed: dict[int, forms.Form]) -> list[dict[str, Any]]:
    """Each deadline with its move and cancel forms; a form that failed is shown again as it
    was posted, with its errors, and opened."""
    rows = []
    for frist in selectors.sag_frister(sag=sag):
        form = failed.get(frist.pk)
        rows.append(
            {
                "frist": frist,
                "flyt_form": form if isinstance(form, FristFlytForm) else _flyt_form(frist),
                "annuller_form": (
                    form if isinstance(form, FristAnnullerForm) else _annuller_form(frist)
                ),
            }
        )
    return rows


@login_required
def sag_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _sag_page(request, selectors.sag_get(user=request_user(request), pk=pk))


@login_required
def phase_forward(request: HttpRequest, pk: int, fase: str) -> HttpResponse:
    """The end of a phase's page ("Videre i sagen"), read again after an in-place save there."""
    sag = get_sag_or_404(request_user(request), pk)
    return render(request, "cases/_phase_forward_page.html", {"sag": sag, "fase": fase})


@login_required
@require_POST
def sag_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    sag = get_sag_or_404(user, pk)
    require(user, Action.TRANSITION, sag)
    form = TransitionForm(request.POST, auto_id=f"id_{request.POST.get('name', '')}_%s")
    if not form.is_valid():
        messages.error(request, "Faseskiftet kunne ikke gennemføres. Prøv igen.")
        return redirect("sag_detail", pk=sag.pk)
    try:
        moved = sag_services.sag_transition(
            actor=user,
            sag=sag,
            name=form.cleaned_data["name"],
            begrundelse=form.cleaned_data["begrundelse"],
            expected_fase=form.cleaned_data["expected_fase"],
            begin_work=True,
        )
    except ValidationError as exc:
        # A missing reason: show the form again with the error, the rest of the page unchanged.
        add_service_errors(form, exc)
        return _sag_page(request, selectors.sag_get(user=user, pk=pk), transition_form=form)
    except sag_services.TransitionBlocked as exc:
        messages.error(request, " ".join([exc.message, *exc.reasons]))
    except sag_services.TransitionError as exc:
        # A conflict (someone else moved the case) or an unknown move: the page is reloaded so
        # the user sees the case as it is now.
        messages.error(request, exc.message)
    else:
        return _moved(request, moved, form.cleaned_data["name"])
    return redirect("sag_detail", pk=sag.pk)


def _moved(request: HttpRequest, moved: Sag, name: str) -> HttpResponse:
    messages.success(request, f"Sagen er flyttet til {moved.get_fase_display().lower()}.")
    page = phase_page(moved.fase)
    if page is not None and not sag_services.transition_meta(name).get("reason_required"):
        # Forward: on to where the new phase's work is done.
        return redirect(page, moved.pk)
    return redirect("sag_detail", pk=moved.pk)


def forward_options(request: HttpRequest, sag: Sag) -> list[selectors.TransitionOption]:
    """The moves that take the case on from its phase, read once for a page: its "Gem og ..."
    button and its "Videre i sagen" (`{% phase_forward sag fase options %}`)."""
    options = selectors.transition_options(user=request_user(request), sag=sag)
    return [o for o in options if not o.reason_required]


def move_forward(request: HttpRequest, *, sag: Sag, name: str, back: str) -> HttpResponse:
    """After a page's "Gem og ..." saved: the forward move, as "Videre i sagen" makes it. What
    blocks it is said on the page the user came from (`back`), where the input is saved."""
    try:
        moved = sag_services.sag_transition(
            actor=request_user(request),
            sag=sag,
            name=name,
            begrundelse="",
            expected_fase=sag.fase,
            begin_work=True,
        )
    except sag_services.TransitionBlocked as exc:
        messages.error(request, " ".join([exc.message, *exc.reasons]))
    except sag_services.TransitionError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        return _moved(request, moved, name)
    return redirect(back)


@login_required
@require_POST
def journal_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    sag = get_sag_or_404(user, pk)
    require(user, Action.EDIT, sag)
    form = JournalnotatForm(request.POST, auto_id="id_notat_%s")
    if form.is_valid():
        try:
            notat = sag_services.journalnotat_create(actor=user, sag=sag, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Journalnotatet er gemt.")
            return redirect(reverse("sag_detail", args=[sag.pk]) + f"#notat-{notat.pk}")
    return _sag_page(request, selectors.sag_get(user=user, pk=pk), journal_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def journal_correct(request: HttpRequest, pk: int, notat_pk: int) -> HttpResponse:
    """Write a correction of a note; the original stays as it was."""
    user = request_user(request)
    sag = selectors.sag_get(user=user, pk=pk)
    require(user, Action.EDIT, sag)
    try:
        original = sag.journalnotater.select_related("forfatter").get(pk=notat_pk)
    except Journalnotat.DoesNotExist as exc:
        raise Http404("Notatet findes ikke i denne sag.") from exc
    if request.method == "POST":
        form = JournalnotatForm(request.POST)
        if form.is_valid():
            try:
                notat = sag_services.journalnotat_create(
                    actor=user, sag=sag, retter=original, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Rettelsesnotatet er gemt.")
                return redirect(reverse("sag_detail", args=[sag.pk]) + f"#notat-{notat.pk}")
    else:
        form = JournalnotatForm(
            initial={
                "dato": timezone.localdate(),
                "emne": f"Rettelse: {original.emne}"[:200],
                "tekst": original.tekst,
            }
        )
    return render(
        request, "cases/journal_correct.html", {"sag": sag, "original": original, "form": form}
    )


# Deadlines on the case page


def _sag_frist(request: HttpRequest, pk: int, frist_pk: int) -> tuple[Sag, Frist]:
    """The case (in the user's scope, else 404) and one of its deadlines."""
    sag = get_sag_or_404(request_user(request), pk)
    frist = Frist.objects.filter(sag=sag, pk=frist_pk).first()
    if frist is None:
        raise Http404("Fristen findes ikke i denne sag.")
    return sag, frist


def _frist_anchor(sag: Sag, frist: Frist) -> str:
    return reverse("sag_detail", args=[sag.pk]) + f"#frist-{frist.pk}"


def _frist_failed(request: HttpRequest, sag: Sag, frist: Frist, form: forms.Form) -> HttpResponse:
    page = selectors.sag_get(user=request_user(request), pk=sag.pk)
    return _sag_page(request, page, frist_forms={frist.pk: form})


@login_required
@require_POST
def frist_flyt(request: HttpRequest, pk: int, frist_pk: int) -> HttpResponse:
    sag, frist = _sag_frist(request, pk, frist_pk)
    form = _flyt_form(frist, request.POST)
    if form.is_valid():
        try:
            # A deadline runs until the end of its last day (vum.calendar).
            moved = sag_services.sag_frist_move(
                actor=request_user(request),
                sag=sag,
                frist=frist,
                til=end_of_day(form.cleaned_data["til"]),
                begrundelse=form.cleaned_data["begrundelse"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            due = formats.date_format(timezone.localtime(moved.frist), "j. F Y")
            messages.success(request, f"Fristen er flyttet til {due}.")
            return redirect(_frist_anchor(sag, frist))
    return _frist_failed(request, sag, frist, form)


@login_required
@require_POST
def frist_overhold(request: HttpRequest, pk: int, frist_pk: int) -> HttpResponse:
    sag, frist = _sag_frist(request, pk, frist_pk)
    try:
        met = sag_services.sag_frist_meet(actor=request_user(request), sag=sag, frist=frist)
    except ValidationError as exc:
        # Nothing to correct on a form: e.g. someone else closed the deadline meanwhile.
        messages.error(request, " ".join(exc.messages))
    else:
        if met.status == Frist.Status.OVERHOLDT:
            messages.success(request, "Fristen er markeret som overholdt.")
        else:
            messages.warning(request, "Fristen er afsluttet som overskredet (den var udløbet).")
    return redirect(_frist_anchor(sag, frist))


@login_required
@require_POST
def frist_annuller(request: HttpRequest, pk: int, frist_pk: int) -> HttpResponse:
    sag, frist = _sag_frist(request, pk, frist_pk)
    form = _annuller_form(frist, request.POST)
    if form.is_valid():
        try:
            sag_services.sag_frist_cancel(
                actor=request_user(request),
                sag=sag,
                frist=frist,
                begrundelse=form.cleaned_data["begrundelse"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Fristen er annulleret.")
            return redirect(_frist_anchor(sag, frist))
    return _frist_failed(request, sag, frist, form)
