"""The citizen register's pages: search, create, a citizen's overview across their cases (with
relatives, consents and enquiries), and the log of who read or changed a citizen's data."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cases import letters, selectors
from cases.forms import (
    BorgerCprForm,
    BorgerCprRefreshForm,
    BorgerCreateForm,
    BorgerLogForm,
    BorgerSearchForm,
    HenvendelseForm,
    RelationForm,
    add_service_errors,
)
from cases.models import (
    Borger,
)
from cases.panels import borger_panels
from cases.services import borger as borger_services
from cases.services import henvendelse as henvendelse_services
from vum.access import Action, get_borger_or_404, may, request_user, require
from vum.accounts.models import Role
from vum.catalog.selectors import current_kommune
from vum.serviceplatformen.client import ServiceplatformenError
from vum.serviceplatformen.cpr import PersonIkkeFundet, lookup_enabled
from vum.versions import StaleVersion

LOG_PAGE_SIZE = 50


# Citizens


@login_required
@require_http_methods(["GET", "POST"])
def borger_search(request: HttpRequest) -> HttpResponse:
    """Search by name or full CPR number. POST, so that a CPR number never lands in a URL."""
    user = request_user(request)
    require(user, Action.SEARCH_BORGER)
    results: list[selectors.SearchHit] | None = None
    if request.method == "POST":
        form = BorgerSearchForm(request.POST)
        if form.is_valid():
            results = selectors.borger_search(
                user=user, query=form.cleaned_data["q"], formaal=form.cleaned_data["formaal"]
            )
    else:
        form = BorgerSearchForm()
    return render(request, "cases/borger_search.html", {"form": form, "results": results})


@login_required
@require_http_methods(["GET", "POST"])
def borger_create(request: HttpRequest) -> HttpResponse:
    """With CPR lookup on, the caseworker types the CPR number and vum fetches the rest from CPR;
    when CPR cannot answer, the typed form comes back with the number in it. With it off (the
    demo), the typed form."""
    user = request_user(request)
    require(user, Action.CREATE_BORGER)
    if request.method == "POST" and "hent_fra_cpr" in request.POST and lookup_enabled():
        return _borger_create_from_cpr(request)
    if request.method == "POST":
        form = BorgerCreateForm(request.POST)
        if form.is_valid():
            try:
                borger = borger_services.borger_create(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{borger.navn} er oprettet. Ikke verificeret i CPR.")
                return redirect("borger_detail", pk=borger.pk)
        return render(request, "cases/borger_create.html", {"form": form})
    if lookup_enabled():
        return render(request, "cases/borger_create.html", {"cpr_form": BorgerCprForm()})
    return render(request, "cases/borger_create.html", {"form": BorgerCreateForm()})


def _borger_create_from_cpr(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    cpr_form = BorgerCprForm(request.POST)
    if cpr_form.is_valid():
        try:
            borger = borger_services.borger_create_from_cpr(
                actor=user, cpr=cpr_form.cleaned_data["cpr"]
            )
        except ValidationError as exc:
            add_service_errors(cpr_form, exc)
        except PersonIkkeFundet as exc:
            cpr_form.add_error("cpr", exc.reason)
        except ServiceplatformenError as exc:
            # CPR cannot answer now: the typed registration, with the number already in it.
            form = BorgerCreateForm(initial={"cpr": request.POST.get("cpr", "")})
            return render(
                request,
                "cases/borger_create.html",
                {"form": form, "cpr_fejl": exc.reason},
            )
        else:
            messages.success(request, f"{borger.navn} er oprettet med oplysningerne fra CPR.")
            return redirect("borger_detail", pk=borger.pk)
    return render(request, "cases/borger_create.html", {"cpr_form": cpr_form})


@login_required
@require_POST
def borger_cpr_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Hent fra CPR" on the citizen page: CPR's facts replace the stored ones."""
    user = request_user(request)
    borger = get_borger_or_404(user, pk)
    require(user, Action.EDIT_BORGER, borger)
    form = BorgerCprRefreshForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Siden er forældet: genindlæs den, før du henter fra CPR.")
        return redirect("borger_detail", pk=borger.pk)
    try:
        borger_services.borger_cpr_refresh(
            actor=user, borger=borger, expected_version=form.cleaned_data["version"]
        )
    except StaleVersion:
        messages.error(
            request,
            "Borgeren er ændret af en anden, efter du åbnede siden. Siden viser nu det gemte; "
            "hent fra CPR igen, hvis det stadig er nødvendigt.",
        )
        return _borger_page(request, selectors.borger_get(user=user, pk=pk), status=409)
    except ServiceplatformenError as exc:
        messages.error(request, f"CPR kunne ikke svare: {exc.reason} Intet er ændret.")
        return _borger_page(request, selectors.borger_get(user=user, pk=pk))
    messages.success(request, "Oplysningerne er hentet fra CPR.")
    return redirect("borger_detail", pk=borger.pk)


def _borger_page(
    request: HttpRequest,
    borger: Borger,
    relation_form: RelationForm | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    overblik = selectors.borger_overblik(user=user, borger=borger)
    context = {
        "borger": borger,
        "overblik": overblik,
        "panels": borger_panels.render(user, borger, overblik.sager),
        "relationer": borger.relationer.all(),
        "henvendelser": selectors.borger_henvendelser(user=user, borger=borger),
        "relation_form": relation_form or RelationForm(),
        "cpr_opslag_muligt": lookup_enabled(),
    }
    return render(request, "cases/borger_detail.html", context, status=status)


@login_required
def borger_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    if user.role == Role.UDFOERER:
        # A provider's way to a citizen is the workspace, which shows only what the bestilling
        # carries; the register's page is not theirs.
        borger = get_borger_or_404(user, pk)
        return redirect("orders:udfoerer-borger", borger_pk=borger.pk)
    return _borger_page(request, selectors.borger_get(user=user, pk=pk))


@login_required
@require_POST
def relation_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    borger = get_borger_or_404(user, pk)
    require(user, Action.EDIT_BORGER, borger)
    form = RelationForm(request.POST)
    if form.is_valid():
        try:
            relation = borger_services.relation_create(
                actor=user, borger=borger, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{relation} er registreret.")
            return redirect(reverse("borger_detail", args=[borger.pk]) + "#relationer")
    return _borger_page(request, selectors.borger_get(user=user, pk=pk), relation_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def henvendelse_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    require(user, Action.OPEN_CASE)
    borger = selectors.borger_for_henvendelse(user=user, pk=pk)
    adgang = may(user, Action.VIEW, borger)
    if request.method == "POST":
        form = HenvendelseForm(request.POST, user=user)
        if form.is_valid():
            try:
                henvendelse = henvendelse_services.henvendelse_register(
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
    return render(
        request, "cases/henvendelse_form.html", {"form": form, "borger": borger, "adgang": adgang}
    )


# The administrator's audit log


@login_required
@require_http_methods(["GET", "POST"])
def borger_log_search(request: HttpRequest) -> HttpResponse:
    """Look up a citizen's log by CPR number. POST, then a redirect by the citizen's id, so the
    CPR number is never part of a URL."""
    user = request_user(request)
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
def borger_log_export(request: HttpRequest, borger_id: int, fmt: str) -> HttpResponse:
    """The citizen's log as a file to hand to the citizen: PDF or CSV."""
    borger, lines = selectors.borger_log_export(
        user=request_user(request), borger_id=borger_id, fmt=fmt
    )
    filename = f"log-{borger.pk}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "pdf":
        pdf = letters.borger_log_pdf(borger=borger, lines=lines, kommune=current_kommune().navn)
        response = HttpResponse(pdf.content, content_type="application/pdf")
    else:
        csv_text = letters.borger_log_csv(lines=lines)
        response = HttpResponse(csv_text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def borger_log_detail(request: HttpRequest, borger_id: int) -> HttpResponse:
    user = request_user(request)
    borger, events = selectors.borger_log(user=user, borger_id=borger_id)
    page = Paginator(events, LOG_PAGE_SIZE).get_page(request.GET.get("side"))
    return render(
        request,
        "cases/borger_log.html",
        {"form": BorgerLogForm(), "log_borger": borger, "page": page},
    )
