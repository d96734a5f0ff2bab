"""The provider's (udfører's) pages, made for a phone or tablet during the working day: the inbox
and list of citizens, a bestilling with its answer, and the citizen's workspace with sub-goals,
notes, use of force and requests to the caseworker.

Views only translate between HTTP and orders.selectors (audited reads) and orders.services
(writes that check the access policy, validate and audit). A provider sees only what its current
bestilling carries and what its own organisation wrote; everything else answers 404. The pages
are the provider's: other roles get 404 here (the caseworker has the case's bestilling page).
A service's Danish ValidationError is shown on the form that caused it, with the input kept.
The sub-goal forms answer htmx with the sub-goal's fragment and plain posts with a redirect.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from assessment.models import Indsatsmaal
from cases.forms import add_service_errors
from cases.models import Borger
from orders.fhir import OrderMessageError, fhir_response, order_message
from orders.forms.udfoerer import (
    AnmodningForm,
    DelmaalForm,
    DelmaalsnotatForm,
    DelmaalStatusForm,
    HandlingForm,
    LeveringsnotatForm,
    MagtanvendelseForm,
    SvarForm,
)
from orders.models import (
    Anmodning,
    Bestilling,
    Delmaal,
    Delmaalsnotat,
    Leveringsnotat,
    Magtanvendelse,
)
from orders.selectors import bestilling as bestilling_selectors
from orders.selectors.levering import Leveringsmappe, delmaal_get, levering_for_borger
from orders.services import bestilling as bestilling_services
from orders.services import levering as levering_services
from vum.access import (
    Action,
    NotFoundForUser,
    bestillinger_visible_to,
    get_bestilling_or_404,
    may,
)
from vum.accounts.models import Role, User
from vum.catalog.models import Undertema

Failed = dict[str, forms.BaseForm]
Choices = list[Any]

# How far back the page follows a chain of replaced versions to the current one.
MAX_VERSIONS = 50


def _provider(request: HttpRequest) -> User:
    """The signed-in provider; the workspace is not a page of any other role."""
    user = request.user
    assert isinstance(user, User)
    if user.role != Role.UDFOERER:
        raise NotFoundForUser("Siden findes ikke.")
    return user


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _workspace_url(bestilling: Bestilling, anchor: str = "") -> str:
    url = reverse("orders:udfoerer-borger", args=[bestilling.sag.borger_id])
    return f"{url}#{anchor}" if anchor else url


def _bestilling_for_delivery(request: HttpRequest, pk: int) -> tuple[User, Bestilling]:
    user = _provider(request)
    return user, get_bestilling_or_404(user, pk)


def _dato(value: Any) -> str:
    """An ISO date from the frozen content as the page shows it (dd.mm.yyyy)."""
    if not value:
        return ""
    try:
        return date.fromisoformat(str(value)[:10]).strftime("%d.%m.%Y")
    except ValueError:
        return str(value)


def _readable(bestilling: Bestilling) -> dict[str, Any]:
    """The bestilling's frozen content as it may be shown today, with its dates written the
    Danish way."""
    content = bestilling.shown_indhold
    baggrund = dict(content.get("baggrund") or {})
    baggrund["diagnoser"] = [
        {**d, "dato": _dato(d.get("dato"))} for d in baggrund.get("diagnoser") or []
    ]
    content["baggrund"] = baggrund
    content["indsatser"] = [
        {**i, "start": _dato(i.get("start")), "slut": _dato(i.get("slut"))}
        for i in content.get("indsatser") or []
    ]
    if content.get("afgoerelse"):
        content["afgoerelse"] = {
            **content["afgoerelse"],
            "truffet": _dato(content["afgoerelse"].get("truffet")),
        }
    return content


def _delmaal_or_404(bestilling: Bestilling, delmaal_pk: int) -> Delmaal:
    try:
        return delmaal_get(bestilling=bestilling, pk=delmaal_pk)
    except Delmaal.DoesNotExist as exc:
        raise Http404("Delmålet findes ikke.") from exc


# The inbox and the list of citizens


@dataclass
class BorgerRow:
    borger: Borger
    bestillinger: list[Bestilling] = field(default_factory=list)


@login_required
@require_GET
def borgere(request: HttpRequest) -> HttpResponse:
    """Orders awaiting an answer first, then the citizens with an accepted, active order."""
    user = _provider(request)
    rows = bestilling_selectors.udfoerer_bestillinger(user=user)
    afventer = sorted(
        (b for b in rows if b.awaits_answer),
        key=lambda b: (b.status != "sendt", -b.sendt.timestamp()),
    )
    citizens: dict[int, BorgerRow] = {}
    for b in rows:
        if b.status == Bestilling.Status.ACCEPTERET:
            citizens.setdefault(b.sag.borger_id, BorgerRow(b.sag.borger)).bestillinger.append(b)
    return render(
        request,
        "orders/udfoerer_borgere.html",
        {"afventer": afventer, "borgere": list(citizens.values())},
    )


# A bestilling and the provider's answer


def _newer_version(user: User, pk: int) -> int | None:
    """The visible version that replaced order `pk` (following a chain of replacements)."""
    visible = bestillinger_visible_to(user)
    current = pk
    for _ in range(MAX_VERSIONS):
        newer = (
            Bestilling.objects.filter(erstatter_id=current, erstatter__status="erstattet")
            .values_list("pk", flat=True)
            .first()
        )
        if newer is None:
            return None
        if visible.filter(pk=newer).exists():
            return int(newer)
        current = newer
    return None


def _bestilling_page(
    request: HttpRequest, bestilling: Bestilling, svar_form: SvarForm | None = None
) -> HttpResponse:
    user = _provider(request)
    return render(
        request,
        "orders/udfoerer_bestilling.html",
        {
            "bestilling": bestilling,
            "indhold": _readable(bestilling),
            "kan_svare": bestilling.awaits_answer
            and may(user, Action.ANSWER_BESTILLING, bestilling),
            "svar_form": svar_form or SvarForm(auto_id="id_svar_%s"),
            "har_bilag": bool(bestilling.bilag_pdf),
        },
    )


@login_required
@require_GET
def bestilling(request: HttpRequest, pk: int) -> HttpResponse:
    user = _provider(request)
    try:
        found = bestilling_selectors.bestilling_get(user=user, pk=pk)
    except NotFoundForUser:
        newer = _newer_version(user, pk)
        if newer is None:
            raise
        messages.info(request, "Bestillingen er erstattet af en nyere version, som vises her.")
        return redirect("orders:udfoerer-bestilling", pk=newer)
    return _bestilling_page(request, found)


@login_required
@require_POST
def bestilling_svar(request: HttpRequest, pk: int) -> HttpResponse:
    user, found = _bestilling_for_delivery(request, pk)
    if not found.awaits_answer:
        messages.info(request, f"Bestillingen er allerede {found.get_status_display().lower()}.")
        return redirect("orders:udfoerer-bestilling", pk=found.pk)
    form = SvarForm(request.POST, auto_id="id_svar_%s")
    if form.is_valid():
        svar = form.cleaned_data["svar"]
        try:
            if svar == "modtaget":
                bestilling_services.bestilling_receive(actor=user, bestilling=found)
            elif svar == "accepteret":
                bestilling_services.bestilling_accept(actor=user, bestilling=found)
            else:
                bestilling_services.bestilling_reject(
                    actor=user, bestilling=found, begrundelse=form.cleaned_data["begrundelse"]
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if svar == "modtaget":
                messages.success(request, "Du har kvitteret for modtagelsen.")
                return redirect("orders:udfoerer-bestilling", pk=found.pk)
            if svar == "accepteret":
                messages.success(request, "Bestillingen er accepteret.")
                return redirect(_workspace_url(found))
            messages.success(request, "Bestillingen er afvist. Sagsbehandleren har fået besked.")
            return redirect("orders:udfoerer-borgere")
    return _bestilling_page(request, bestilling_selectors.bestilling_get(user=user, pk=pk), form)


def _pdf(request: HttpRequest, pk: int, *, bilag: bool) -> HttpResponse:
    user = _provider(request)
    try:
        found, pdf = bestilling_selectors.bestilling_pdf(user=user, pk=pk, bilag=bilag)
    except Bestilling.DoesNotExist as exc:
        raise Http404("Bestillingen har ingen vedlagt handleplan.") from exc
    name = (
        f"handleplan-til-bestilling-{found.pk}.pdf"
        if bilag
        else f"bestilling-{found.pk}-version-{found.version}.pdf"
    )
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def bestilling_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, pk, bilag=False)


@login_required
@require_GET
def bestilling_fhir(request: HttpRequest, pk: int) -> HttpResponse:
    """The bestilling as KL's FHIR OrderMessage, as a download (orders.fhir)."""
    user = _provider(request)
    try:
        found, message = order_message(
            user=user, pk=pk, base_url=request.build_absolute_uri("/").rstrip("/")
        )
    except OrderMessageError as exc:
        messages.error(request, f"Bestillingen kan ikke hentes som FHIR: {exc}")
        return redirect("orders:udfoerer-bestilling", pk=pk)
    return fhir_response(message, f"bestilling-{found.pk}-version-{found.version}")


@login_required
@require_GET
def bestilling_bilag(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, pk, bilag=True)


# The citizen's workspace


def _goal_choices(bestilling: Bestilling) -> Choices:
    """The bestilling's own goals, as its frozen content words them."""
    return [
        (g["id"], f"Mål {g.get('nr', '')}: {g.get('formulering', '')}")
        for g in (bestilling.indhold or {}).get("maal", [])
    ]


def _undertema_choices() -> Choices:
    """The current FFB sub-themes grouped by theme, for tagging a note."""
    groups: dict[str, list[tuple[int, str]]] = {}
    rows = (
        Undertema.objects.current()
        .select_related("tema")
        .order_by("tema__raekkefoelge", "tema__navn", "raekkefoelge", "navn")
    )
    for u in rows:
        groups.setdefault(u.tema.navn, []).append((u.pk, u.navn))
    return list(groups.items())


@dataclass
class DelmaalRow:
    delmaal: Delmaal
    bestilling: Bestilling
    maal: list[str]
    notat_form: forms.BaseForm
    handling_form: forms.BaseForm
    status_form: forms.BaseForm
    kan_dokumentere: bool
    gemt: str = ""


@dataclass
class Sektion:
    """One bestilling on the citizen's workspace, with what the provider wrote on its case."""

    bestilling: Bestilling
    indhold: dict[str, Any]
    delmaal: list[DelmaalRow]
    notater: list[Leveringsnotat]
    magtanvendelser: list[Magtanvendelse]
    anmodninger: list[Anmodning]
    delmaal_form: forms.BaseForm
    notat_form: forms.BaseForm
    magt_form: forms.BaseForm
    anmodning_form: forms.BaseForm
    kan_dokumentere: bool


def _delmaal_row(
    delmaal: Delmaal,
    bestilling: Bestilling,
    failed: Failed,
    gemt: str = "",
    *,
    kan_dokumentere: bool,
) -> DelmaalRow:
    numbers = {g["id"]: g.get("nr") for g in (bestilling.indhold or {}).get("maal", [])}
    key = str(delmaal.pk)
    return DelmaalRow(
        delmaal=delmaal,
        bestilling=bestilling,
        maal=[f"Mål {numbers.get(g.pk, g.raekkefoelge)}" for g in delmaal.indsatsmaal.all()],
        notat_form=failed.get(f"notat-{key}") or DelmaalsnotatForm(auto_id=f"id_notat_{key}_%s"),
        handling_form=failed.get(f"handling-{key}")
        or HandlingForm(auto_id=f"id_handling_{key}_%s"),
        status_form=failed.get(f"status-{key}")
        or DelmaalStatusForm(initial={"status": delmaal.status}, auto_id=f"id_status_{key}_%s"),
        kan_dokumentere=kan_dokumentere,
        gemt=gemt,
    )


def _sektion(
    mappe: Leveringsmappe, bestilling: Bestilling, undertemaer: Choices, failed: Failed
) -> Sektion:
    key = str(bestilling.pk)

    def on_case(rows: list[Any]) -> list[Any]:
        return [r for r in rows if r.sag_id == bestilling.sag_id]

    # Read once for the section and its rows (a new version looks back through the old ones).
    taken_on = bestilling.taken_on
    return Sektion(
        bestilling=bestilling,
        indhold=_readable(bestilling),
        delmaal=[
            _delmaal_row(d, bestilling, failed, kan_dokumentere=taken_on)
            for d in on_case(mappe.delmaal)
        ],
        notater=on_case(mappe.notater),
        magtanvendelser=on_case(mappe.magtanvendelser),
        anmodninger=on_case(mappe.anmodninger),
        delmaal_form=failed.get(f"delmaal-{key}")
        or DelmaalForm(maal=_goal_choices(bestilling), auto_id=f"id_delmaal_{key}_%s"),
        notat_form=failed.get(f"leveringsnotat-{key}")
        or LeveringsnotatForm(undertemaer=undertemaer, auto_id=f"id_leveringsnotat_{key}_%s"),
        magt_form=failed.get(f"magt-{key}") or MagtanvendelseForm(auto_id=f"id_magt_{key}_%s"),
        anmodning_form=failed.get(f"anmodning-{key}")
        or AnmodningForm(auto_id=f"id_anmodning_{key}_%s"),
        kan_dokumentere=taken_on,
    )


def _workspace(request: HttpRequest, borger_pk: int, failed: Failed | None = None) -> HttpResponse:
    user = _provider(request)
    mappe = levering_for_borger(user=user, borger_pk=borger_pk)
    undertemaer = _undertema_choices()
    sektioner = [_sektion(mappe, b, undertemaer, failed or {}) for b in mappe.bestillinger]
    return render(
        request,
        "orders/udfoerer_borger.html",
        {
            "borger": mappe.borger,
            "stamdata": sektioner[0].indhold.get("baggrund", {}),
            "sektioner": sektioner,
        },
    )


@login_required
@require_GET
def borger(request: HttpRequest, borger_pk: int) -> HttpResponse:
    return _workspace(request, borger_pk)


def _failed(request: HttpRequest, bestilling: Bestilling, key: str, form: Any) -> HttpResponse:
    """A plain post with errors: the workspace again, with the form and its input."""
    return _workspace(request, bestilling.sag.borger_id, {key: form})


# Writes on the workspace


@login_required
@require_POST
def delmaal_create(request: HttpRequest, pk: int) -> HttpResponse:
    user, found = _bestilling_for_delivery(request, pk)
    form = DelmaalForm(request.POST, maal=_goal_choices(found), auto_id=f"id_delmaal_{found.pk}_%s")
    if form.is_valid():
        goals = list(Indsatsmaal.objects.filter(pk__in=form.cleaned_data["indsatsmaal"]))
        try:
            delmaal = levering_services.delmaal_create(
                actor=user,
                bestilling=found,
                formulering=form.cleaned_data["formulering"],
                indsatsmaal=goals,
                tidsfrist=form.cleaned_data["tidsfrist"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Delmålet er oprettet.")
            return redirect(_workspace_url(found, f"delmaal-{delmaal.pk}"))
    return _failed(request, found, f"delmaal-{found.pk}", form)


def _delmaal_response(
    request: HttpRequest,
    bestilling: Bestilling,
    delmaal: Delmaal,
    *,
    failed: tuple[str, forms.BaseForm] | None = None,
    gemt: str = "",
) -> HttpResponse:
    """After a write on a sub-goal: htmx gets the sub-goal's fragment; a plain post is sent back
    to the workspace (or shown it again with the failed form)."""
    if _htmx(request):
        fresh = Delmaal.objects.get(pk=delmaal.pk)
        prefetch_related_objects(
            [fresh],
            "indsatsmaal",
            "handlinger",
            Prefetch("notater", queryset=Delmaalsnotat.objects.select_related("oprettet_af")),
        )
        row = _delmaal_row(
            fresh,
            bestilling,
            dict([failed]) if failed else {},
            gemt,
            kan_dokumentere=bestilling.taken_on,
        )
        return render(request, "orders/_udfoerer_delmaal.html", {"row": row})
    if failed is not None:
        return _failed(request, bestilling, *failed)
    messages.success(request, gemt)
    return redirect(_workspace_url(bestilling, f"delmaal-{delmaal.pk}"))


@login_required
@require_POST
def delmaalsnotat_add(request: HttpRequest, pk: int, delmaal_pk: int) -> HttpResponse:
    user, found = _bestilling_for_delivery(request, pk)
    delmaal = _delmaal_or_404(found, delmaal_pk)
    form = DelmaalsnotatForm(request.POST, auto_id=f"id_notat_{delmaal.pk}_%s")
    if form.is_valid():
        try:
            levering_services.delmaalsnotat_add(
                actor=user,
                bestilling=found,
                delmaal=delmaal,
                tekst=form.cleaned_data["tekst"],
                dato=form.cleaned_data["dato"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _delmaal_response(request, found, delmaal, gemt="Notatet er gemt.")
    return _delmaal_response(request, found, delmaal, failed=(f"notat-{delmaal.pk}", form))


@login_required
@require_POST
def handling_add(request: HttpRequest, pk: int, delmaal_pk: int) -> HttpResponse:
    user, found = _bestilling_for_delivery(request, pk)
    delmaal = _delmaal_or_404(found, delmaal_pk)
    form = HandlingForm(request.POST, auto_id=f"id_handling_{delmaal.pk}_%s")
    if form.is_valid():
        try:
            levering_services.handling_add(
                actor=user,
                bestilling=found,
                delmaal=delmaal,
                beskrivelse=form.cleaned_data["beskrivelse"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _delmaal_response(request, found, delmaal, gemt="Handlingen er tilføjet.")
    return _delmaal_response(request, found, delmaal, failed=(f"handling-{delmaal.pk}", form))


@login_required
@require_POST
def delmaal_status(request: HttpRequest, pk: int, delmaal_pk: int) -> HttpResponse:
    user, found = _bestilling_for_delivery(request, pk)
    delmaal = _delmaal_or_404(found, delmaal_pk)
    form = DelmaalStatusForm(request.POST, auto_id=f"id_status_{delmaal.pk}_%s")
    if form.is_valid():
        try:
            changed = levering_services.delmaal_set_status(
                actor=user, bestilling=found, delmaal=delmaal, status=form.cleaned_data["status"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            gemt = f"Delmålets status er nu: {changed.get_status_display().lower()}."
            return _delmaal_response(request, found, delmaal, gemt=gemt)
    return _delmaal_response(request, found, delmaal, failed=(f"status-{delmaal.pk}", form))


@login_required
@require_POST
def leveringsnotat_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, found = _bestilling_for_delivery(request, pk)
    form = LeveringsnotatForm(
        request.POST,
        undertemaer=_undertema_choices(),
        auto_id=f"id_leveringsnotat_{found.pk}_%s",
    )
    if form.is_valid():
        tags = list(Undertema.objects.filter(pk__in=form.cleaned_data["undertemaer"]))
        try:
            levering_services.leveringsnotat_add(
                actor=user,
                bestilling=found,
                tekst=form.cleaned_data["tekst"],
                undertemaer=tags,
                dato=form.cleaned_data["dato"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Notatet er gemt.")
            return redirect(_workspace_url(found, f"notater-{found.pk}"))
    return _failed(request, found, f"leveringsnotat-{found.pk}", form)


@login_required
@require_POST
def magtanvendelse_report(request: HttpRequest, pk: int) -> HttpResponse:
    user, found = _bestilling_for_delivery(request, pk)
    form = MagtanvendelseForm(request.POST, auto_id=f"id_magt_{found.pk}_%s")
    if form.is_valid():
        try:
            levering_services.magtanvendelse_report(
                actor=user,
                bestilling=found,
                tidspunkt=form.tidspunkt(),
                type=form.cleaned_data["type"],
                beskrivelse=form.cleaned_data["beskrivelse"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "tidspunkt" in exc.error_dict:
                for error in exc.error_dict.pop("tidspunkt"):
                    form.add_error("klokken", error)
            add_service_errors(form, exc)
        else:
            messages.success(
                request, "Magtanvendelsen er indberettet. Sagsbehandleren har fået besked."
            )
            return redirect(_workspace_url(found, f"magtanvendelser-{found.pk}"))
    return _failed(request, found, f"magt-{found.pk}", form)


@login_required
@require_POST
def anmodning_create(request: HttpRequest, pk: int) -> HttpResponse:
    user, found = _bestilling_for_delivery(request, pk)
    form = AnmodningForm(request.POST, auto_id=f"id_anmodning_{found.pk}_%s")
    if form.is_valid():
        try:
            anmodning = levering_services.anmodning_create(
                actor=user,
                bestilling=found,
                art=form.cleaned_data["art"],
                begrundelse=form.cleaned_data["begrundelse"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Anmodningen om {anmodning.get_art_display().lower()} er sendt til "
                "sagsbehandleren.",
            )
            return redirect(_workspace_url(found, f"anmodninger-{found.pk}"))
    return _failed(request, found, f"anmodning-{found.pk}", form)
