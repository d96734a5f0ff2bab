"""The indstilling and the visitationsudvalg's pages: the caseworker writes the recommendation,
adds the tilbud obtained and sends it to a meeting; committee members see their meetings, record
each item's outcome and close the meeting with its minutes.

Views only translate between HTTP and the services/selectors: reads go through the selectors
(which audit them), writes through assessment.services (which check the access policy, the phase,
validate and audit). Objects outside the user's scope answer 404. A service's Danish
ValidationError is shown on the form that caused it, with the user's input kept.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment.forms.udvalg import (
    AfslutForm,
    IndstillingForm,
    SendForm,
    TilbudForm,
    UdfaldForm,
    moede_label,
)
from assessment.models import (
    Dagsordenspunkt,
    Indstilling,
    Udvalgsmoede,
)
from assessment.selectors import udvalg as udvalg_selectors
from assessment.services import udvalg as udvalg_services
from assessment.services import vurdering as vurdering_services
from cases import selectors as case_selectors
from cases.forms import add_service_errors
from cases.lifecycle import Fase
from cases.models import Sag
from vum.access import Action, get_sag_or_404, may, request_user, require
from vum.accounts.models import Role, User
from vum.catalog.models import Visitationsudfald

# An indstilling the caseworker may still add tilbud to and send: not on an agenda or decided.
SENDABLE = (Indstilling.Status.KLADDE, Indstilling.Status.RETURNERET)


def _editable_sag(request: HttpRequest, pk: int) -> Sag:
    user = request_user(request)
    sag = get_sag_or_404(user, pk)
    require(user, Action.EDIT, sag)
    return sag


def _indstilling_or_404(sag: Sag, indstilling_pk: int) -> Indstilling:
    indstilling = (
        sag.indstillinger.defer("pdf").select_related("sag", "vurdering").filter(pk=indstilling_pk)
    ).first()
    if indstilling is None:
        raise Http404("Indstillingen findes ikke i denne sag.")
    return indstilling


def _pdf_response(content: bytes | memoryview | None, filename: str) -> HttpResponse:
    if content is None:  # the selectors only return frozen documents; never a 500 regardless
        raise Http404("Dokumentet findes ikke.")
    response = HttpResponse(bytes(content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# The indstilling page


@dataclass
class IndstillingRow:
    indstilling: Indstilling
    punkter: list[Dagsordenspunkt]


def _indstilling_page(
    request: HttpRequest,
    sag: Sag,
    *,
    failed: dict[str, forms.BaseForm] | None = None,
) -> HttpResponse:
    # Every render shows the citizen's data, also after a failed POST: an audited read.
    sag = case_selectors.sag_get(user=request_user(request), pk=sag.pk)
    failed = failed or {}
    user = request_user(request)
    kan_redigere = may(user, Action.EDIT, sag)
    i_fase = sag.fase == Fase.SAGSVURDERING
    vurdering = vurdering_services.sagsvurdering_current(sag=sag)
    indstillinger = udvalg_selectors.sag_indstillinger(user=user, sag=sag)
    aktuel = indstillinger[0] if indstillinger else None
    sections = (
        udvalg_selectors.indstilling_sections(user=user, indstilling=aktuel) if aktuel else None
    )
    if sections is not None:
        route = sections["route"]
    else:
        route = vurdering_services.decision_route(vurdering=vurdering) if vurdering else None
    kan_skrive = kan_redigere and i_fase and vurdering is not None
    # While the indstilling is on an agenda the committee decides on that text: no new draft.
    if aktuel is not None and aktuel.status == Indstilling.Status.PAA_DAGSORDEN:
        kan_skrive = False
    kan_sende = kan_redigere and i_fase and aktuel is not None and aktuel.status in SENDABLE
    context: dict[str, Any] = {
        "sag": sag,
        "borger": sag.borger,
        "kan_redigere": kan_redigere,
        "i_fase": i_fase,
        "vurdering": vurdering,
        "aktuel": aktuel,
        "s": sections,
        "route": route,
        "rows": [
            IndstillingRow(indstilling=i, punkter=list(i.dagsordenspunkter.all()))
            for i in indstillinger
        ],
        "botilbud_antal": udvalg_services.REQUIRED_OFFERS_FOR_BOTILBUD,
        "indstilling_form": None,
        "tilbud_form": None,
        "send_form": None,
    }
    if kan_skrive:
        context["indstilling_form"] = failed.get("indstilling") or IndstillingForm(
            initial={"indstilling": aktuel.indstilling if aktuel else ""}, auto_id="id_ind_%s"
        )
    if kan_sende:
        context["tilbud_form"] = failed.get("tilbud") or TilbudForm(auto_id="id_tilbud_%s")
        send_form = failed.get("send")
        if send_form is None:
            moeder = udvalg_selectors.kommende_moeder()
            send_form = SendForm(
                moeder=moeder,
                initial={"moede": moeder[0].pk} if moeder else None,
                auto_id="id_send_%s",
            )
        context["send_form"] = send_form
    return render(request, "assessment/indstilling.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def indstilling(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    if request.method == "GET":
        return _indstilling_page(request, get_sag_or_404(user, pk))
    sag = _editable_sag(request, pk)
    form = IndstillingForm(request.POST, auto_id="id_ind_%s")
    if form.is_valid():
        try:
            udvalg_services.indstilling_create(
                actor=user, sag=sag, indstilling=form.cleaned_data["indstilling"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Indstillingen er gemt.")
            return redirect(reverse("indstilling", args=[sag.pk]) + "#indstillingen")
    return _indstilling_page(request, sag, failed={"indstilling": form})


@login_required
@require_POST
def indstilling_tilbud(request: HttpRequest, pk: int, indstilling_pk: int) -> HttpResponse:
    sag = _editable_sag(request, pk)
    indstilling = _indstilling_or_404(sag, indstilling_pk)
    form = TilbudForm(request.POST, auto_id="id_tilbud_%s")
    if form.is_valid():
        try:
            row = udvalg_services.tilbud_add(
                actor=request_user(request),
                indstilling=indstilling,
                tilbud=form.cleaned_data["tilbud"],
                pris_pr_aar=form.cleaned_data["pris_pr_aar"],
                dialog=form.cleaned_data["dialog"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Tilbuddet {row.tilbud} er tilføjet.")
            return redirect(reverse("indstilling", args=[sag.pk]) + "#tilbud")
    return _indstilling_page(request, sag, failed={"tilbud": form})


@login_required
@require_POST
def indstilling_send(request: HttpRequest, pk: int, indstilling_pk: int) -> HttpResponse:
    user = request_user(request)
    sag = _editable_sag(request, pk)
    indstilling = _indstilling_or_404(sag, indstilling_pk)
    moeder = udvalg_selectors.kommende_moeder()
    form = SendForm(request.POST, moeder=moeder, auto_id="id_send_%s")
    if form.is_valid():
        moede = next(m for m in moeder if m.pk == form.cleaned_data["moede"])
        try:
            punkt = udvalg_services.indstilling_send_to_committee(
                actor=user, indstilling=indstilling, moede=moede
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except IntegrityError:
            # The service does not check that the case is not already on that meeting's agenda
            # (one item per case and meeting); the database refuses, and the user is told why.
            form.add_error("moede", "Sagen er allerede på dagsordenen for dette møde.")
        else:
            messages.success(
                request,
                f"Indstillingen er sendt til visitationsudvalget: {moede_label(punkt.moede)}.",
            )
            return redirect(reverse("indstilling", args=[sag.pk]) + "#status")
    return _indstilling_page(request, sag, failed={"send": form})


@login_required
@require_GET
def indstilling_pdf(request: HttpRequest, pk: int, indstilling_pk: int) -> HttpResponse:
    user = request_user(request)
    sag = get_sag_or_404(user, pk)
    found = _indstilling_or_404(sag, indstilling_pk)
    indstilling = udvalg_selectors.indstilling_pdf(user=user, indstilling_id=found.pk)
    return _pdf_response(indstilling.pdf, f"indstilling-{indstilling.pk}.pdf")


# The committee's pages


def _require_committee_member(user: User) -> None:
    if user.role != Role.VISITATIONSUDVALG:
        raise Http404("Siden er kun for visitationsudvalgets medlemmer.")


@login_required
@require_GET
def udvalg_moeder(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _require_committee_member(user)
    moeder = udvalg_selectors.mine_moeder(user=user)
    return render(
        request,
        "assessment/udvalg_moeder.html",
        {"kommende": moeder.kommende, "seneste": moeder.seneste},
    )


@dataclass
class PunktRow:
    punkt: Dagsordenspunkt
    form: UdfaldForm | None


def _udfald_choices() -> list[Visitationsudfald]:
    return list(Visitationsudfald.objects.current())


def _moede_page(
    request: HttpRequest,
    moede: Udvalgsmoede,
    *,
    failed: dict[int, UdfaldForm] | None = None,
    afslut_form: AfslutForm | None = None,
) -> HttpResponse:
    failed = failed or {}
    user = request_user(request)
    punkter = udvalg_selectors.dagsorden(user=user, moede=moede)
    aaben = moede.afsluttet is None
    # Outcomes are recorded at the meeting: no forms before its day.
    registrerer = aaben and moede.has_begun
    udfald = _udfald_choices() if registrerer else []
    rows = []
    for p in punkter:
        form = failed.get(p.pk)
        if form is None and registrerer and p.udfald_id is None:
            form = UdfaldForm(udfald=udfald, auto_id=f"id_p{p.pk}_%s")
        rows.append(PunktRow(punkt=p, form=form))
    behandlet = sum(1 for p in punkter if p.udfald_id is not None)
    context = {
        "moede": moede,
        "rows": rows,
        "antal": len(punkter),
        "behandlet": behandlet,
        "aaben": aaben,
        "afslut_form": afslut_form or (AfslutForm() if registrerer else None),
    }
    return render(request, "assessment/udvalgsmoede.html", context)


@login_required
@require_GET
def udvalgsmoede(request: HttpRequest, moede_pk: int) -> HttpResponse:
    moede = udvalg_selectors.udvalgsmoede_get(user=request_user(request), pk=moede_pk)
    return _moede_page(request, moede)


@login_required
@require_GET
def udvalg_punkt(request: HttpRequest, moede_pk: int, punkt_pk: int) -> HttpResponse:
    """One item's indstilling as a page inside the meeting."""
    user = request_user(request)
    moede = udvalg_selectors.udvalgsmoede_get(user=user, pk=moede_pk)
    punkt = udvalg_selectors.dagsordenspunkt_get(moede=moede, pk=punkt_pk)
    if punkt.indstilling_id is None:
        raise Http404("Punktet har ingen indstilling.")
    indstilling = Indstilling.objects.defer("pdf").select_related("sag__borger", "vurdering")
    sections = udvalg_selectors.indstilling_sections(
        user=user, indstilling=indstilling.get(pk=punkt.indstilling_id)
    )
    return render(
        request,
        "assessment/udvalg_punkt.html",
        {"moede": moede, "punkt": punkt, "s": sections, "borger": punkt.sag.borger},
    )


@login_required
@require_GET
def udvalg_indstilling_pdf(request: HttpRequest, moede_pk: int, punkt_pk: int) -> HttpResponse:
    user = request_user(request)
    moede = udvalg_selectors.udvalgsmoede_get(user=user, pk=moede_pk)
    punkt = udvalg_selectors.dagsordenspunkt_get(moede=moede, pk=punkt_pk)
    if punkt.indstilling_id is None:
        raise Http404("Punktet har ingen indstilling.")
    indstilling = udvalg_selectors.indstilling_pdf(user=user, indstilling_id=punkt.indstilling_id)
    return _pdf_response(indstilling.pdf, f"indstilling-{indstilling.pk}.pdf")


@login_required
@require_POST
def udvalg_udfald(request: HttpRequest, moede_pk: int, punkt_pk: int) -> HttpResponse:
    user = request_user(request)
    moede = udvalg_selectors.udvalgsmoede_get(user=user, pk=moede_pk)
    punkt = udvalg_selectors.dagsordenspunkt_get(moede=moede, pk=punkt_pk)
    choices = _udfald_choices()
    form = UdfaldForm(request.POST, udfald=choices, auto_id=f"id_p{punkt.pk}_%s")
    if form.is_valid():
        udfald = next(u for u in choices if u.pk == form.cleaned_data["udfald"])
        try:
            udvalg_services.udvalg_outcome_record(
                actor=user,
                punkt=punkt,
                udfald=udfald,
                aendringer=form.cleaned_data["aendringer"],
                begrundelse=form.cleaned_data["begrundelse"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"Udfaldet for {punkt.sag.borger.navn} er registreret: {udfald.navn}."
            )
            return redirect(reverse("udvalgsmoede", args=[moede.pk]) + f"#punkt-{punkt.pk}")
    return _moede_page(request, moede, failed={punkt.pk: form})


@login_required
@require_POST
def udvalgsmoede_afslut(request: HttpRequest, moede_pk: int) -> HttpResponse:
    user = request_user(request)
    moede = udvalg_selectors.udvalgsmoede_get(user=user, pk=moede_pk)
    form = AfslutForm(request.POST)
    form.is_valid()
    try:
        udvalg_services.udvalgsmoede_close(actor=user, moede=moede)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _moede_page(request, moede, afslut_form=form)
    messages.success(request, "Mødet er afsluttet, og referatet er dannet.")
    return redirect(reverse("udvalgsmoede", args=[moede.pk]) + "#referat")


@login_required
@require_GET
def udvalgsmoede_referat(request: HttpRequest, moede_pk: int) -> HttpResponse:
    user = request_user(request)
    moede = udvalg_selectors.udvalgsmoede_get(user=user, pk=moede_pk)
    closed = udvalg_selectors.referat_pdf(user=user, moede_id=moede.pk)
    return _pdf_response(closed.referat_pdf, f"referat-{closed.dato:%Y-%m-%d}.pdf")
