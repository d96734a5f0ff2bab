"""The caseworker's pages of the bestilling phase: the case's bestillinger (what the decision
orders, sending, the providers' answers and what they report back), the citizen's handleplan,
and the finance function's list of orders to pay.

Views only translate between HTTP and orders.services (writes) and orders.selectors (audited
reads); both ask the access policy. Objects outside the user's scope answer 404; a leader reads
without forms. A service's Danish ValidationError is shown on the form that caused it, with the
input kept.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment.models import Indsats
from cases.forms import add_service_errors
from cases.models import Sag
from orders.content import latest_grant
from orders.fhir import OrderMessageError, fhir_response, order_message
from orders.forms.sagsbehandler import (
    AnmodningSvarForm,
    HandleplanForm,
    LedsagetimerForm,
    SendForm,
    UdfoererForm,
)
from orders.models import Anmodning, Bestilling, Delmaal, HandleplanVersion
from orders.selectors import bestilling as bestilling_selectors
from orders.selectors import handleplan as handleplan_selectors
from orders.selectors import ledsagelse as ledsagelse_selectors
from orders.selectors import levering as levering_selectors
from orders.services import bestilling as bestilling_services
from orders.services import handleplan as handleplan_services
from orders.services import ledsagelse as ledsagelse_services
from orders.services import levering as levering_services
from vum.access import Action, get_borger_or_404, get_sag_or_404, may, request_user, require
from vum.accounts.models import Organisation
from vum.protected_documents import AddressNotConfirmed, confirmation_page
from vum.versions import StaleVersion, show_conflict

NO_DECISION = "Sagen har ingen afgørelse, der bevilger en indsats."
OEKONOMI_LIMIT = 200

Failed = dict[str, forms.Form]


def _editable_sag(request: HttpRequest, sag_pk: int) -> Sag:
    user = request_user(request)
    sag = get_sag_or_404(user, sag_pk)
    require(user, Action.EDIT, sag)
    return sag


def _page_url(sag: Sag, anchor: str = "") -> str:
    url = reverse("orders:sag-bestillinger", args=[sag.pk])
    return f"{url}#{anchor}" if anchor else url


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _iso_date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _form_errors(form: forms.Form) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


# The case's bestillinger


@dataclass
class Skift:
    """A form to choose another provider for one of a refusing provider's indsatser."""

    indsats: Indsats
    form: UdfoererForm


@dataclass
class UdfoererGruppe:
    """One provider's bestillinger on the case, newest version first."""

    udfoerer: Organisation
    bestillinger: list[Bestilling]
    afvist: Bestilling | None = None
    skift: list[Skift] = field(default_factory=list)


@dataclass
class AnmodningRow:
    anmodning: Anmodning
    form: AnmodningSvarForm | None = None


def _udfoerer_choices() -> list[tuple[int, str]]:
    return list(Organisation.objects.order_by("navn").values_list("pk", "navn"))


def _groups(
    view: bestilling_selectors.SagensBestillinger,
    kan_redigere: bool,
    failed: Failed,
    placed: set[str],
) -> list[UdfoererGruppe]:
    groups: dict[int, UdfoererGruppe] = {}
    for b in view.bestillinger:  # ordered by provider, newest version first
        groups.setdefault(b.udfoerer_id, UdfoererGruppe(b.udfoerer, [])).bestillinger.append(b)
    ordered_by = {u.udfoerer.pk: u for u in view.udkast}
    choices: list[tuple[int, str]] | None = None
    for group in groups.values():
        latest = group.bestillinger[0]
        if latest.status != Bestilling.Status.AFVIST:
            continue
        group.afvist = latest
        udkast = ordered_by.get(group.udfoerer.pk)
        if not kan_redigere or udkast is None:
            continue
        if choices is None:
            choices = _udfoerer_choices()
        for indsats in udkast.indsatser:
            key = f"udfoerer-{indsats.pk}"
            form = failed.get(key)
            if isinstance(form, UdfoererForm):
                placed.add(key)
            else:
                form = UdfoererForm(
                    udfoerere=[c for c in choices if c[0] != group.udfoerer.pk],
                    auto_id=f"id_udf{indsats.pk}_%s",
                )
            group.skift.append(Skift(indsats, form))
    return list(groups.values())


def _delmaal_groups(delmaal: list[Delmaal]) -> list[tuple[Organisation, list[Delmaal]]]:
    groups: dict[int, tuple[Organisation, list[Delmaal]]] = {}
    for d in delmaal:
        groups.setdefault(d.udfoerer_id, (d.udfoerer, []))[1].append(d)
    return sorted(groups.values(), key=lambda g: g[0].navn)


def _sag_page(
    request: HttpRequest,
    sag: Sag,
    *,
    failed: Failed | None = None,
    send_fejl: list[str] | None = None,
    ledsagelse_form: LedsagetimerForm | None = None,
) -> HttpResponse:
    user = request_user(request)
    failed = failed or {}
    view = bestilling_selectors.sag_bestillinger(user=user, sag=sag)
    kan_redigere = may(user, Action.EDIT, sag, as_loaded=True)
    ledsagelse = ledsagelse_selectors.ledsagelse(user=user, sag=sag)
    placed: set[str] = set()
    anmodninger = []
    for a in view.anmodninger:
        row = AnmodningRow(a)
        if kan_redigere and a.besvaret is None:
            key = f"svar-{a.pk}"
            found = failed.get(key)
            if isinstance(found, AnmodningSvarForm):
                placed.add(key)
                row.form = found
            else:
                row.form = AnmodningSvarForm(auto_id=f"id_svar{a.pk}_%s")
        anmodninger.append(row)
    groups = _groups(view, kan_redigere, failed, placed)
    fejl = list(send_fejl or [])
    for key, form in failed.items():
        if key not in placed:  # e.g. the row was answered meanwhile: say why on top
            fejl.extend(_form_errors(form))
    mangler = view.mangler if view.afgoerelse is not None else [NO_DECISION]
    context = {
        "sag": sag,
        "borger": sag.borger,
        "view": view,
        "kan_redigere": kan_redigere,
        "mangler": mangler,
        "kan_sende": kan_redigere and not mangler and bool(view.udkast),
        "send_form": SendForm(initial={"afgoerelse": view.afgoerelse.pk})
        if view.afgoerelse is not None
        else None,
        "fejl": fejl,
        "grupper": groups,
        "delmaal_grupper": _delmaal_groups(view.delmaal),
        "anmodninger": anmodninger,
        "ubesvarede": sum(1 for a in view.anmodninger if a.besvaret is None),
        "ledsagelse": ledsagelse,
        "ledsagelse_form": (
            ledsagelse_form or LedsagetimerForm(auto_id="id_ledsagelse_%s")
            if ledsagelse is not None and kan_redigere
            else None
        ),
    }
    return render(request, "orders/sag_bestillinger.html", context)


@login_required
@require_POST
def ledsagetimer(request: HttpRequest, sag_pk: int) -> HttpResponse:
    """Record the hours of ledsagelse (§ 97) used in a month."""
    sag = _editable_sag(request, sag_pk)
    form = LedsagetimerForm(request.POST, auto_id="id_ledsagelse_%s")
    if form.is_valid():
        try:
            row = ledsagelse_services.ledsagetimer_register(
                actor=request_user(request), sag=sag, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"{row.timer} timer til ledsagelse er registreret for {row.maaned:%m.%Y}."
            )
            return redirect(_page_url(sag, "ledsagelse"))
    return _sag_page(request, sag, ledsagelse_form=form)


@login_required
@require_GET
def sag_bestillinger(request: HttpRequest, sag_pk: int) -> HttpResponse:
    return _sag_page(request, get_sag_or_404(request_user(request), sag_pk))


@login_required
@require_POST
def bestillinger_send(request: HttpRequest, sag_pk: int) -> HttpResponse:
    user = request_user(request)
    sag = _editable_sag(request, sag_pk)
    decision = latest_grant(sag)
    if decision is None:
        return _sag_page(request, sag, send_fejl=[NO_DECISION])
    form = SendForm(request.POST)
    if not form.is_valid() or form.cleaned_data["afgoerelse"] != decision.pk:
        messages.error(
            request,
            "Der er truffet en ny afgørelse, siden siden blev vist. "
            "Se bestillingerne igennem og send igen.",
        )
        return redirect(_page_url(sag))
    try:
        sent = bestilling_services.bestillinger_send(actor=user, afgoerelse=decision)
    except ValidationError as exc:
        return _sag_page(request, sag, send_fejl=exc.messages)
    if not sent:
        messages.info(
            request,
            "Intet er ændret siden de seneste bestillinger; der er ikke sendt nye bestillinger.",
        )
    else:
        names = ", ".join(f"{b.udfoerer} (version {b.version})" for b in sent)
        noun = "Bestillingen" if len(sent) == 1 else "Bestillingerne"
        messages.success(request, f"{noun} er sendt: {names}.")
    return redirect(_page_url(sag, "bestillinger"))


@login_required
@require_GET
def bestilling_pdf(request: HttpRequest, sag_pk: int, pk: int) -> HttpResponse:
    user = request_user(request)
    sag = get_sag_or_404(user, sag_pk)
    try:
        bestilling, pdf = bestilling_selectors.sag_bestilling_pdf(user=user, sag=sag, pk=pk)
    except Bestilling.DoesNotExist as exc:
        raise Http404(str(exc)) from exc
    return _pdf(pdf.content, f"bestilling-{bestilling.pk}-version-{bestilling.version}.pdf")


@login_required
@require_GET
def bestilling_fhir(request: HttpRequest, sag_pk: int, pk: int) -> HttpResponse:
    """A bestilling of the case as KL's FHIR OrderMessage, as a download (orders.fhir)."""
    user = request_user(request)
    sag = get_sag_or_404(user, sag_pk)
    try:
        found, message = order_message(
            user=user,
            pk=pk,
            sag_pk=sag.pk,
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
    except OrderMessageError as exc:
        messages.error(request, f"Bestillingen kan ikke hentes som FHIR: {exc}")
        return redirect(_page_url(sag, "bestillinger"))
    return fhir_response(message, f"bestilling-{found.pk}-version-{found.version}")


@login_required
@require_POST
def indsats_udfoerer(request: HttpRequest, sag_pk: int, pk: int) -> HttpResponse:
    user = request_user(request)
    sag = _editable_sag(request, sag_pk)
    indsats = (
        Indsats.objects.select_related("vurdering__sag", "udfoerer")
        .filter(pk=pk, vurdering__sag=sag)
        .first()
    )
    if indsats is None:
        raise Http404("Indsatsen findes ikke i denne sag.")
    form = UdfoererForm(request.POST, udfoerere=_udfoerer_choices(), auto_id=f"id_udf{pk}_%s")
    if form.is_valid():
        udfoerer = Organisation.objects.get(pk=form.cleaned_data["udfoerer"])
        try:
            bestilling_services.indsats_udfoerer_set(actor=user, indsats=indsats, udfoerer=udfoerer)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"{udfoerer} leverer nu indsatsen. Send bestillingerne igen, så {udfoerer} "
                "får sin bestilling.",
            )
            return redirect(_page_url(sag, "udkast"))
    return _sag_page(request, sag, failed={f"udfoerer-{pk}": form})


@login_required
@require_POST
def anmodning_svar(request: HttpRequest, sag_pk: int, pk: int) -> HttpResponse:
    user = request_user(request)
    sag = _editable_sag(request, sag_pk)
    try:
        anmodning = levering_selectors.anmodning_get(user=user, sag=sag, pk=pk)
    except Anmodning.DoesNotExist as exc:
        raise Http404(str(exc)) from exc
    form = AnmodningSvarForm(request.POST, auto_id=f"id_svar{anmodning.pk}_%s")
    if form.is_valid():
        try:
            levering_services.anmodning_answer(
                actor=user, anmodning=anmodning, svar=form.cleaned_data["svar"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Svaret er sendt til udføreren.")
            return redirect(_page_url(sag, f"anmodning-{anmodning.pk}"))
    return _sag_page(request, sag, failed={f"svar-{anmodning.pk}": form})


# The handleplan


@dataclass
class PlanIndsats:
    content: dict[str, Any]
    start: date | None
    slut: date | None


def _handleplan_page(
    request: HttpRequest,
    borger_pk: int,
    *,
    form: HandleplanForm | None = None,
    finalise_fejl: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    view = handleplan_selectors.handleplan_view(user=request_user(request), borger_pk=borger_pk)
    plan = view.plan
    if view.kan_redigere and form is None:
        form = HandleplanForm(initial=HandleplanForm.initial_from(plan), auto_id="id_plan_%s")
    context = {
        "borger": plan.borger,
        "view": view,
        "plan": plan,
        "form": form if view.kan_redigere else None,
        "saerlige_forhold": [
            (str(HandleplanForm.base_fields[name].label), getattr(plan, name))
            for name in HandleplanForm.SAERLIGE_FORHOLD
        ],
        "foraeldet": "ændret siden" in view.status,
        "gemt": plan.pk is not None,
        "maal": view.indhold.get("maal", []),
        "indsatser": [
            PlanIndsats(i, _iso_date(i.get("start")), _iso_date(i.get("slut")))
            for i in view.indhold.get("indsatser", [])
        ],
        "finalise_fejl": finalise_fejl or [],
    }
    return render(request, "orders/handleplan.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def handleplan(request: HttpRequest, borger_pk: int) -> HttpResponse:
    """GET shows the plan (an unsaved one until it is first saved); POST saves its texts."""
    if request.method != "POST":
        return _handleplan_page(request, borger_pk)
    user = request_user(request)
    borger = get_borger_or_404(user, borger_pk)
    form = HandleplanForm(request.POST, auto_id="id_plan_%s")
    if form.is_valid():
        fields = dict(form.cleaned_data)
        read_version = fields.pop("version")
        try:
            handleplan_services.handleplan_update(
                actor=user, borger=borger, expected_version=read_version, **fields
            )
        except StaleVersion as stale:
            show_conflict(form, stale)
            return _handleplan_page(request, borger.pk, form=form, status=409)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Handleplanen er gemt.")
            return redirect(reverse("orders:handleplan", args=[borger.pk]))
    return _handleplan_page(request, borger.pk, form=form)


@login_required
@require_POST
def handleplan_finalise(request: HttpRequest, borger_pk: int) -> HttpResponse:
    user = request_user(request)
    borger = get_borger_or_404(user, borger_pk)
    try:
        version = handleplan_services.handleplan_finalise(actor=user, borger=borger)
    except ValidationError as exc:
        return _handleplan_page(request, borger.pk, finalise_fejl=exc.messages)
    messages.success(
        request,
        f"Handleplanen er færdiggjort som version {version.nummer}. "
        "Hent PDF'en til borgeren under Versioner.",
    )
    return redirect(reverse("orders:handleplan", args=[borger.pk]) + "#versioner")


@login_required
@require_http_methods(["GET", "POST"])
def handleplan_pdf(request: HttpRequest, borger_pk: int, nummer: int) -> HttpResponse:
    """The frozen version; a POST is the confirmed request for one that shows a protected
    address (vum.protected_documents)."""
    try:
        version = handleplan_selectors.handleplan_version_pdf(
            user=request_user(request),
            borger_pk=borger_pk,
            nummer=nummer,
            confirmed=request.method == "POST",
        )
    except HandleplanVersion.DoesNotExist as exc:
        raise Http404(str(exc)) from exc
    except AddressNotConfirmed:
        return confirmation_page(
            request,
            document=f"Handleplanens version {nummer}",
            back=reverse("orders:handleplan", args=[borger_pk]) + "#versioner",
        )
    return _pdf(bytes(version.pdf), f"handleplan-version-{version.nummer}.pdf")


# The finance function


@dataclass
class OekonomiRow:
    bestilling: Bestilling
    pris_i_alt: str
    ean: str
    konti: list[str]


@login_required
@require_GET
def oekonomi(request: HttpRequest) -> HttpResponse:
    """Sent orders with what they cost and where the invoice goes: no citizen's name or CPR."""
    rows = []
    for b in bestilling_selectors.oekonomi_bestillinger(
        user=request_user(request), limit=OEKONOMI_LIMIT
    ):
        indhold = b.indhold if isinstance(b.indhold, dict) else {}
        rows.append(
            OekonomiRow(
                bestilling=b,
                pris_i_alt=str(indhold.get("pris_i_alt", "")),
                ean=str((indhold.get("betaling") or {}).get("ean", "")),
                konti=[str(i.get("konto", "")) for i in indhold.get("indsatser", [])],
            )
        )
    return render(
        request,
        "orders/oekonomi.html",
        {"rows": rows, "afkortet": len(rows) >= OEKONOMI_LIMIT, "graense": OEKONOMI_LIMIT},
    )
