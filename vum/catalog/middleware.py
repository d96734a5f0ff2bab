from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vum.catalog.selectors import CatalogNotLoaded


class CatalogNotLoadedMiddleware:
    """A page that needs the municipality's catalog when none is loaded answers 503 with what an
    administrator must do, instead of failing with a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, CatalogNotLoaded):
            return render(
                request, "catalog_not_loaded.html", {"besked": str(exception)}, status=503
            )
        return None
