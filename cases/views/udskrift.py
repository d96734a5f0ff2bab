"""Printable pages of a case: its summary and its journal, for the paper file or a meeting.

Both read the case through `selectors.sag_get`, as the case page does: the same users may print
it, anyone else gets the same 404, and a print is audited as a view of the case.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases import selectors
from cases.panels import borger_panels
from vum.access import request_user
from vum.deadlines.models import Frist


@login_required
def sag_udskrift(request: HttpRequest, pk: int) -> HttpResponse:
    """What the case page shows, without its forms: citizen, case, phase changes, open
    deadlines, the later phases' panels and the case opening."""
    user = request_user(request)
    sag = selectors.sag_get(user=user, pk=pk)
    context = {
        "sag": sag,
        "borger": sag.borger,
        "aabning": sag.sagsaabning,
        "formaal": sag.gaeldende_formaal,
        "overgange": sag.overgange.select_related("udfoert_af"),
        "aabne_frister": [
            f for f in selectors.sag_frister(sag=sag) if f.status == Frist.Status.AABEN
        ],
        # The citizen page's panels for this one case: its letters, services and orders.
        "panels": borger_panels.render(user, sag.borger, [sag]),
        "henvendelser": sag.henvendelser.all(),
        # Shown in the print header, so that the paper says when it was true.
        "udskrevet": timezone.now(),
    }
    return render(request, "cases/udskrift_sag.html", context)


@login_required
def sag_journal_udskrift(request: HttpRequest, pk: int) -> HttpResponse:
    """Every journal note of the case, oldest first as a journal is read on paper (the case
    page shows the newest first), each with the corrections it makes or has had."""
    sag = selectors.sag_get(user=request_user(request), pk=pk)
    notater = (
        selectors.sag_journalnotater(sag=sag)
        .select_related("retter", "rettet_af")
        .order_by("dato", "oprettet", "pk")
    )
    context = {
        "sag": sag,
        "borger": sag.borger,
        "notater": notater,
        "udskrevet": timezone.now(),
    }
    return render(request, "cases/udskrift_journal.html", context)
