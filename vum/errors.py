"""Error pages. Under /api/ every error is a JSON body with a Danish `detail`, as DRF's own are:
a client that reads JSON must not get Django's HTML page for a path the router did not match (a
non-integer id), nor for a crash. Elsewhere Django's templated pages answer."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Forespørgslen er ugyldig."}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Du har ikke adgang til dette."}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Ikke fundet."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"detail": "Der opstod en fejl på serveren. Prøv igen om lidt."}, status=500
        )
    return defaults.server_error(request)
