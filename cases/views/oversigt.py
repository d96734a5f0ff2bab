"""The caseworker's start: the inbox, "Mine frister", the team's cases and the citizens."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cases import selectors
from vum.access import request_user
from vum.accounts.models import Role

FRISTER_LIMIT = 200


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
def inbox(request: HttpRequest) -> HttpResponse:
    sager = selectors.inbox_sager(user=request_user(request))
    return render(request, "cases/inbox.html", {"sager": sager})


@login_required
def frister(request: HttpRequest) -> HttpResponse:
    """'Mine frister': the open deadlines the user answers for, soonest first."""
    rows = selectors.mine_frister(user=request_user(request), limit=FRISTER_LIMIT)
    return render(
        request,
        "cases/frister.html",
        {"frister": rows[:FRISTER_LIMIT], "afkortet": len(rows) > FRISTER_LIMIT},
    )


@login_required
def sager(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
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
    user = request_user(request)
    if user.role == Role.SAGSBEHANDLER:
        # A caseworker's scope is the whole register: they search it instead of listing it.
        return redirect("borger_search")
    return render(request, "cases/borgere.html", {"borgere": selectors.borgere_list(user=user)})
