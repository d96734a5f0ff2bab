"""The caseworker's start: the inbox, "Mine frister", the team's cases and the citizens."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET
from django_filters import FilterSet

from cases import selectors
from cases.filters import FristListeFilter, SagListeFilter
from vum.access import request_user
from vum.accounts.models import Role

# Start pages


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role starts where its work is."""
    role = request_user(request).role
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
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """'Mine sager': the user's open cases, the nearest deadline first."""
    user = request_user(request)
    rows = SagListeFilter(
        request.GET, queryset=selectors.open_sager(user=user, own=True), request=request, own=True
    )
    return _list(request, "cases/inbox.html", rows, summary="Mine sager")


@login_required
@require_GET
def frister(request: HttpRequest) -> HttpResponse:
    """'Mine frister': the open deadlines the user answers for, soonest first."""
    rows = FristListeFilter(
        request.GET, queryset=selectors.open_frister(user=request_user(request)), request=request
    )
    return _list(request, "cases/frister.html", rows, summary="Mine frister")


@login_required
@require_GET
def sager(request: HttpRequest) -> HttpResponse:
    """The open cases of the user's teams, a leader's area or a committee member's agendas."""
    user = request_user(request)
    if user.role == Role.VISITATIONSUDVALG:
        title = "Sager på udvalgets dagsordener"
    elif user.role == Role.LEDER:
        title = "Sager i dit område"
    else:
        title = "Sager i dine teams"
    # A leader's area is the municipality's whole caseload: it opens with the newest cases.
    newest_first = user.role == Role.LEDER
    rows = SagListeFilter(
        request.GET,
        queryset=selectors.open_sager(user=user, newest_first=newest_first),
        request=request,
    )
    return _list(
        request,
        "cases/sager.html",
        rows,
        summary="Sagsliste",
        title=title,
        default_sort="-oprettet" if newest_first else "frist",
    )


def _list(
    request: HttpRequest, template: str, rows: FilterSet, *, summary: str, **context: object
) -> HttpResponse:
    """A filtered list, one page of it. Invalid filter values are ignored and named above the
    list, so the page always shows something."""
    page = selectors.list_page_get(
        user=request_user(request), rows=rows.qs, number=request.GET.get("side"), summary=summary
    )
    return render(request, template, {"filter": rows, "page": page, **context})


@login_required
def borgere(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if user.role == Role.SAGSBEHANDLER:
        # A caseworker's scope is the whole register: they search it instead of listing it.
        return redirect("borger_search")
    return render(request, "cases/borgere.html", {"borgere": selectors.borgere_list(user=user)})
