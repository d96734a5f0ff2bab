"""The manager's page on KL's FFB data set: the last deliveries with how many citizens each held,
and the cases the validation refused, with the rule and the reason. Leaders and administrators
only (Action.VIEW_FFB_DELIVERIES); everyone else gets 404. Case numbers and rules only: no
citizen's name or CPR number, so an administrator sees no case data."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from followup.ffb_dataset.selectors import ffb_afvisninger_open, ffb_leveringer_latest
from vum.access import Action, request_user, require


@login_required
@require_GET
def leveringer(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require(user, Action.VIEW_FFB_DELIVERIES)
    context = {
        "leveringer": ffb_leveringer_latest(),
        "afvisninger": ffb_afvisninger_open(user=user),
    }
    # The refresh button asks for the tables alone.
    template = "followup/_ffb_tabeller.html" if request.htmx else "followup/ffb_leveringer.html"  # type: ignore[attr-defined]
    return render(request, template, context)
