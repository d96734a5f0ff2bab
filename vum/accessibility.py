"""The accessibility statement (tilgængelighedserklæring) that the law on accessible public web
sites (webtilgængelighedsloven) requires, in the form Digitaliseringsstyrelsen asks for: the
compliance status, what is not accessible and why, how the statement was made, where to give
feedback, and the enforcement procedure. Public: the footer of every page links to it, the login
page's too."""

from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vum.catalog.selectors import CatalogNotLoaded, current_kommune


@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    try:
        kommune = current_kommune().navn
    except CatalogNotLoaded:
        kommune = ""
    context = {
        "kommune": kommune,
        "kontakt": settings.VUM_ACCESSIBILITY_CONTACT,
        "udarbejdet": date.fromisoformat(settings.VUM_ACCESSIBILITY_REVIEWED),
        "adresse": settings.VUM_BASE_URL,
    }
    return render(request, "tilgaengelighed.html", context)
