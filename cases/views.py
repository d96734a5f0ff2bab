"""The caseworker's pages.

Views only translate between HTTP and the services/selectors: reads go through cases.selectors
(which audit them), writes through cases.services (which check the access policy, validate and
audit). Objects outside the user's scope answer 404 through vum.access. A service's Danish
ValidationError is shown on the form that caused it, with the user's input kept.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_http_methods, require_POST

from cases import selectors, services
from cases.forms import (
    ROW_FORMS,
    AnsoegningForm,
    BorgerCreateForm,
    BorgerLogForm,
    BorgerSearchForm,
    FormaalForm,
    FristAnnullerForm,
    FristFlytForm,
    HenvendelseForm,
    JournalnotatForm,
    RelationForm,
    SagsaabningForm,
    SamtykkeForm,
    SamtykkeWithdrawForm,
    TransitionForm,
    add_service_errors,
)
from cases.lifecycle import Fase
from cases.models import (
    Aftale,
    Borger,
    Diagnose,
    EksisterendeOplysning,
    Journalnotat,
    Sag,
    Samtykke,
    TidligereHenvendelse,
)
from vum.access import Action, get_borger_or_404, get_sag_or_404, may, require
from vum.accounts.models import Role, User
from vum.calendar import end_of_day
from vum.deadlines.models import Frist

ROW_MODELS: dict[str, type[TidligereHenvendelse | Diagnose | EksisterendeOplysning | Aftale]] = {
    "tidligere-henvendelse": TidligereHenvendelse,
    "diagnose": Diagnose,
    "eksisterende-oplysning": EksisterendeOplysning,
    "aftale": Aftale,
}

LOG_PAGE_SIZE = 50
FRISTER_LIMIT = 200


def _user(request: HttpRequest) -> User:
    # login_required guarantees an authenticated user; narrow the type for the services.
    assert isinstance(request.user, User)
    return request.user


# Start pages


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role starts where its work is."""
    role = _user(request).role
    if role == Role.SAGSBEHANDLER:
        return redirect("inbox")
    if role == Role.VISITATIONSUDVALG:
        return redirect("udvalg_moeder")
    if role == Role.LEDER:
        return redirect("followup:dashboard")
    if role == Role.UDFOERER:
        return redirect("orders:udfoerer-borgere")
    if role == Role.ADMINISTRATOR:
        return redirect("borger_log")
    if role == Role.OEKONOMI:
        return redirect("orders:oekonomi")
    raise Http404("Din rolle har ingen startside.")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    sager = selectors.inbox_sager(user=_user(request))
    return render(request, "cases/inbox.html", {"sager": sager})


@login_required
def frister(request: HttpRequest) -> HttpResponse:
    """'Mine frister': the open deadlines the user answers for, soonest first."""
    rows = selectors.mine_frister(user=_user(request), limit=FRISTER_LIMIT)
    return render(
        request,
        "cases/frister.html",
        {"frister": rows[:FRISTER_LIMIT], "afkortet": len(rows) > FRISTER_LIMIT},
    )


@login_required
def sager(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role == Role.VISITATIONSUDVALG:
        title = "Sager på udvalgets dagsordener"
    elif user.role == Role.LEDER:
        title = "Sager i dit område"
    else:
        title = "Sager i dine teams"
    rows = selectors.sager_list(user=user)
    return render(request, "cases/sager.html", {"sager": rows, "title": title})


@login_required
def borgere(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role == Role.SAGSBEHANDLER:
        # A caseworker's scope is the whole register: they search it instead of listing it.
        return redirect("borger_search")
    return render(request, "cases/borgere.html", {"borgere": selectors.borgere_list(user=user)})


# Citizens


@login_required
@require_http_methods(["GET", "POST"])
def borger_search(request: HttpRequest) -> HttpResponse:
    """Search by name or full CPR number. POST, so that a CPR number never lands in a URL."""
    user = _user(request)
    require(user, Action.SEARCH_BORGER)
    results: list[Borger] | None = None
    if request.method == "POST":
        form = BorgerSearchForm(request.POST)
        if form.is_valid():
            results = selectors.borger_search(user=user, query=form.cleaned_data["q"])
    else:
        form = BorgerSearchForm()
    return render(request, "cases/borger_search.html", {"form": form, "results": results})


@login_required
@require_http_methods(["GET", "POST"])
def borger_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE_BORGER)
    if request.method == "POST":
        form = BorgerCreateForm(request.POST)
        if form.is_valid():
            try:
                borger = services.borger_create(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{borger.navn} er oprettet.")
                return redirect("borger_detail", pk=borger.pk)
    else:
        form = BorgerCreateForm()
    return render(request, "cases/borger_create.html", {"form": form})


def _borger_page(
    request: HttpRequest, borger: Borger, relation_form: RelationForm | None = None
) -> HttpResponse:
    user = _user(request)
    context = {
        "borger": borger,
        "relationer": borger.relationer.all(),
        "sager": selectors.borger_sager(user=user, borger=borger),
        "henvendelser": selectors.borger_henvendelser(user=user, borger=borger),
        "relation_form": relation_form or RelationForm(),
    }
    return render(request, "cases/borger_detail.html", context)


@login_required
def borger_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    if user.role == Role.UDFOERER:
        # A provider's way to a citizen is the workspace, which shows only what the bestilling
        # carries; the register's page is not theirs.
        borger = get_borger_or_404(user, pk)
        return redirect("orders:udfoerer-borger", borger_pk=borger.pk)
    return _borger_page(request, selectors.borger_get(user=user, pk=pk))


@login_required
@require_POST
def relation_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    borger = get_borger_or_404(user, pk)
    require(user, Action.EDIT_BORGER, borger)
    form = RelationForm(request.POST)
    if form.is_valid():
        try:
            relation = services.relation_create(actor=user, borger=borger, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{relation} er registreret.")
            return redirect(reverse("borger_detail", args=[borger.pk]) + "#relationer")
    return _borger_page(request, selectors.borger_get(user=user, pk=pk), relation_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def henvendelse_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.OPEN_CASE)
    borger = selectors.borger_get(user=user, pk=pk)
    if request.method == "POST":
        form = HenvendelseForm(request.POST, user=user)
        if form.is_valid():
            try:
                henvendelse = services.henvendelse_register(
                    actor=user, borger=borger, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if henvendelse.sag_id is not None:
                    messages.success(request, "Henvendelsen er registreret, og sagen er oprettet.")
                    return redirect("sag_detail", pk=henvendelse.sag_id)
                messages.success(request, "Henvendelsen er registreret (ingen sag oprettet).")
                return redirect(reverse("borger_detail", args=[borger.pk]) + "#henvendelser")
    else:
        teams = list(user.teams.all()[:2])
        form = HenvendelseForm(
            user=user,
            initial={
                "modtaget": timezone.localdate(),
                "team": teams[0] if len(teams) == 1 else None,
            },
        )
    return render(request, "cases/henvendelse_form.html", {"form": form, "borger": borger})


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
        pairs.append((option, form))
    return pairs


def _sag_page(
    request: HttpRequest,
    sag: Sag,
    *,
    transition_form: TransitionForm | None = None,
    journal_form: JournalnotatForm | None = None,
    frist_forms: dict[int, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    overgange = list(sag.overgange.select_related("udfoert_af"))
    visited = {o.fra_fase for o in overgange} | {o.til_fase for o in overgange}
    timeline = [
        {
            "value": value,
            "label": label,
            "current": value == sag.fase,
            "visited": value in visited and value != sag.fase,
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
        "henvendelser": sag.henvendelser.all(),
        "notater": sag.journalnotater.select_related("retter", "rettet_af"),
        "journal_form": journal_form
        or JournalnotatForm(initial={"dato": timezone.localdate()}, auto_id="id_notat_%s"),
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
    return _sag_page(request, selectors.sag_get(user=_user(request), pk=pk))


@login_required
@require_POST
def sag_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    sag = get_sag_or_404(user, pk)
    require(user, Action.TRANSITION, sag)
    form = TransitionForm(request.POST, auto_id=f"id_{request.POST.get('name', '')}_%s")
    if not form.is_valid():
        messages.error(request, "Faseskiftet kunne ikke gennemføres. Prøv igen.")
        return redirect("sag_detail", pk=sag.pk)
    try:
        moved = services.sag_transition(
            actor=user,
            sag=sag,
            name=form.cleaned_data["name"],
            begrundelse=form.cleaned_data["begrundelse"],
            expected_fase=form.cleaned_data["expected_fase"],
        )
    except ValidationError as exc:
        # A missing reason: show the form again with the error, the rest of the page unchanged.
        add_service_errors(form, exc)
        return _sag_page(request, selectors.sag_get(user=user, pk=pk), transition_form=form)
    except services.TransitionBlocked as exc:
        messages.error(request, " ".join([exc.message, *exc.reasons]))
    except services.TransitionError as exc:
        # A conflict (someone else moved the case) or an unknown move: the page is reloaded so
        # the user sees the case as it is now.
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Sagen er flyttet til {moved.get_fase_display().lower()}.")
    return redirect("sag_detail", pk=sag.pk)


@login_required
@require_POST
def journal_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    sag = get_sag_or_404(user, pk)
    require(user, Action.EDIT, sag)
    form = JournalnotatForm(request.POST, auto_id="id_notat_%s")
    if form.is_valid():
        try:
            notat = services.journalnotat_create(actor=user, sag=sag, **form.cleaned_data)
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
    user = _user(request)
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
                notat = services.journalnotat_create(
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
    sag = get_sag_or_404(_user(request), pk)
    frist = Frist.objects.filter(sag=sag, pk=frist_pk).first()
    if frist is None:
        raise Http404("Fristen findes ikke i denne sag.")
    return sag, frist


def _frist_anchor(sag: Sag, frist: Frist) -> str:
    return reverse("sag_detail", args=[sag.pk]) + f"#frist-{frist.pk}"


def _frist_failed(request: HttpRequest, sag: Sag, frist: Frist, form: forms.Form) -> HttpResponse:
    page = selectors.sag_get(user=_user(request), pk=sag.pk)
    return _sag_page(request, page, frist_forms={frist.pk: form})


@login_required
@require_POST
def frist_flyt(request: HttpRequest, pk: int, frist_pk: int) -> HttpResponse:
    sag, frist = _sag_frist(request, pk, frist_pk)
    form = _flyt_form(frist, request.POST)
    if form.is_valid():
        try:
            # A deadline runs until the end of its last day (vum.calendar).
            moved = services.sag_frist_move(
                actor=_user(request),
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
        met = services.sag_frist_meet(actor=_user(request), sag=sag, frist=frist)
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
            services.sag_frist_cancel(
                actor=_user(request),
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


# Sagsåbning


def _display(obj: Model, name: str) -> str:
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if getattr(field, "choices", None) and value not in (None, ""):
        return str(getattr(obj, f"get_{name}_display")())
    if value is None or value == "":
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value)
    return str(formats.localize(value))


def _row_section(sag: Sag, kind: str, form: forms.ModelForm | None = None) -> dict[str, Any]:
    model = ROW_MODELS[kind]
    shown = [f for f in model._meta.fields if f.name not in ("id", "sag")]
    names = [f.name for f in shown]
    rows = model.objects.filter(sag=sag)
    return {
        "kind": kind,
        "title": str(model._meta.verbose_name_plural).capitalize(),
        "headers": [str(f.verbose_name).capitalize() for f in shown],
        "rows": [{"pk": row.pk, "cells": [_display(row, n) for n in names]} for row in rows],
        "form": form or ROW_FORMS[kind](auto_id=f"id_{kind}_%s"),
    }


def _sagsaabning_page(
    request: HttpRequest,
    sag: Sag,
    *,
    form: SagsaabningForm | None = None,
    row_forms: dict[str, forms.ModelForm] | None = None,
    formaal_form: FormaalForm | None = None,
    ansoegning_form: AnsoegningForm | None = None,
    samtykke_form: SamtykkeForm | None = None,
    withdraw_forms: dict[int, SamtykkeWithdrawForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    # Every render shows the citizen's data, also after a failed POST: an audited read.
    sag = selectors.sag_get(user=_user(request), pk=sag.pk)
    row_forms = row_forms or {}
    withdraw_forms = withdraw_forms or {}
    latest = sag.formaal_versioner.first()
    samtykker = list(sag.samtykker.select_related("registreret_af", "tilbud"))
    context = {
        "sag": sag,
        "borger": sag.borger,
        "form": form or SagsaabningForm(instance=sag.sagsaabning),
        "sections": [_row_section(sag, kind, row_forms.get(kind)) for kind in ROW_MODELS],
        "formaal_versioner": sag.formaal_versioner.select_related("oprettet_af"),
        "ansoegning_form": ansoegning_form
        or AnsoegningForm(
            initial={
                "kommunal_ydelse": sag.kommunal_ydelse_id,
                "ansoegningstype": sag.ansoegningstype,
            }
        ),
        "sagsbehandlingsfrist": selectors.sagsbehandlingsfrist(sag=sag),
        "formaal_form": formaal_form
        or FormaalForm(
            initial={
                "formaal": latest.formaal if latest else "",
                "analysespoergsmaal": latest.analysespoergsmaal if latest else "",
            }
        ),
        "samtykker": [
            (
                s,
                withdraw_forms.get(s.pk)
                or SamtykkeWithdrawForm(
                    initial={"tilbagekaldt": timezone.localdate()}, auto_id=f"id_tb{s.pk}_%s"
                ),
            )
            for s in samtykker
        ],
        "samtykke_form": samtykke_form
        or SamtykkeForm(initial={"givet": timezone.localdate()}, auto_id="id_samtykke_%s"),
    }
    return render(request, "cases/sagsaabning.html", context, status=status)


def _editable_sag(request: HttpRequest, pk: int) -> Sag:
    user = _user(request)
    sag = get_sag_or_404(user, pk)
    require(user, Action.EDIT, sag)
    return sag


@login_required
@require_http_methods(["GET", "POST"])
def sagsaabning(request: HttpRequest, pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    if request.method == "GET":
        # The page shows the citizen's data: read it through the audited selector.
        return _sagsaabning_page(request, sag)
    form = SagsaabningForm(request.POST, instance=sag.sagsaabning)
    if form.is_valid():
        try:
            services.sagsaabning_update(actor=_user(request), sag=sag, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Sagsåbningen er gemt.")
            return redirect("sagsaabning", pk=sag.pk)
    return _sagsaabning_page(request, sag, form=form)


def _row_response(request: HttpRequest, sag: Sag, kind: str, form: Any = None) -> HttpResponse:
    """After a row add/delete: HTMX gets the section back, a plain form post the whole page."""
    if request.htmx:  # type: ignore[attr-defined]
        section = _row_section(sag, kind, form)
        return render(request, "cases/partials/row_section.html", {"section": section, "sag": sag})
    if form is not None and form.errors:
        return _sagsaabning_page(request, sag, row_forms={kind: form})
    return redirect(reverse("sagsaabning", args=[sag.pk]) + f"#raekker-{kind}")


@login_required
@require_POST
def row_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    sag = _editable_sag(request, pk)
    if kind not in ROW_MODELS:
        raise Http404("Ukendt rækketype.")
    form = ROW_FORMS[kind](request.POST, auto_id=f"id_{kind}_%s")
    if form.is_valid():
        try:
            # Any: mypy cannot pick the service's row type from a value known only at runtime.
            model: Any = ROW_MODELS[kind]
            services.sagsaabning_row_add(
                actor=_user(request), sag=sag, model=model, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                # An HTMX swap shows the new row itself; a message would surface on a later page.
                messages.success(
                    request, f"{str(ROW_MODELS[kind]._meta.verbose_name).capitalize()} er tilføjet."
                )
            return _row_response(request, sag, kind)
    return _row_response(request, sag, kind, form)


@login_required
@require_POST
def row_delete(request: HttpRequest, pk: int, kind: str, row_pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    if kind not in ROW_MODELS:
        raise Http404("Ukendt rækketype.")
    row = ROW_MODELS[kind].objects.filter(sag=sag, pk=row_pk).first()
    if row is None:
        raise Http404("Rækken findes ikke i denne sag.")
    services.sagsaabning_row_delete(actor=_user(request), row=row)
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, f"{str(row._meta.verbose_name).capitalize()} er slettet.")
    return _row_response(request, sag, kind)


@login_required
@require_POST
def ansoegning_set(request: HttpRequest, pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    form = AnsoegningForm(request.POST)
    if form.is_valid():
        try:
            services.sag_ansoegning_set(actor=_user(request), sag=sag, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, "Ansøgningen er gemt, og sagsbehandlingsfristen er opdateret."
            )
            return redirect(reverse("sagsaabning", args=[sag.pk]) + "#ansoegning")
    return _sagsaabning_page(request, sag, ansoegning_form=form)


@login_required
@require_POST
def formaal_add(request: HttpRequest, pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    form = FormaalForm(request.POST)
    if form.is_valid():
        try:
            services.formaal_set(actor=_user(request), sag=sag, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Formålet er gemt som en ny version.")
            return redirect(reverse("sagsaabning", args=[sag.pk]) + "#formaal")
    return _sagsaabning_page(request, sag, formaal_form=form)


@login_required
@require_POST
def samtykke_add(request: HttpRequest, pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    form = SamtykkeForm(request.POST, auto_id="id_samtykke_%s")
    if form.is_valid():
        try:
            services.samtykke_register(actor=_user(request), sag=sag, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Samtykket er registreret.")
            return redirect(reverse("sagsaabning", args=[sag.pk]) + "#samtykker")
    return _sagsaabning_page(request, sag, samtykke_form=form)


@login_required
@require_POST
def samtykke_withdraw(request: HttpRequest, pk: int, samtykke_pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    samtykke = Samtykke.objects.filter(sag=sag, pk=samtykke_pk).first()
    if samtykke is None:
        raise Http404("Samtykket findes ikke i denne sag.")
    form = SamtykkeWithdrawForm(request.POST, auto_id=f"id_tb{samtykke.pk}_%s")
    if form.is_valid():
        try:
            services.samtykke_withdraw(
                actor=_user(request),
                samtykke=samtykke,
                tilbagekaldt=form.cleaned_data["tilbagekaldt"],
                begrundelse=form.cleaned_data["begrundelse"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Samtykket er tilbagekaldt.")
            return redirect(reverse("sagsaabning", args=[sag.pk]) + "#samtykker")
    return _sagsaabning_page(request, sag, withdraw_forms={samtykke.pk: form})


# The administrator's audit log


@login_required
@require_http_methods(["GET", "POST"])
def borger_log_search(request: HttpRequest) -> HttpResponse:
    """Look up a citizen's log by CPR number. POST, then a redirect by the citizen's id, so the
    CPR number is never part of a URL."""
    user = _user(request)
    require(user, Action.VIEW_AUDIT_LOG)
    if request.method == "POST":
        form = BorgerLogForm(request.POST)
        if form.is_valid():
            try:
                borger_id = selectors.borger_log_lookup(user=user, cpr=form.cleaned_data["cpr"])
            except ValidationError as exc:
                form.add_error("cpr", exc)
            else:
                if borger_id is not None:
                    return redirect("borger_log_detail", borger_id=borger_id)
                form.add_error("cpr", "Der findes ingen borger med dette CPR-nummer.")
    else:
        form = BorgerLogForm()
    return render(request, "cases/borger_log.html", {"form": form})


@login_required
def borger_log_detail(request: HttpRequest, borger_id: int) -> HttpResponse:
    user = _user(request)
    borger, events = selectors.borger_log(user=user, borger_id=borger_id)
    page = Paginator(events, LOG_PAGE_SIZE).get_page(request.GET.get("side"))
    return render(
        request,
        "cases/borger_log.html",
        {"form": BorgerLogForm(), "log_borger": borger, "page": page},
    )
