"""A form's address opened as a page.

Many forms post to an address of their own (`/sager/5/ansoegning/`) that has no page: a GET there
(a bookmarked or reloaded address, or one typed from the address bar) would get Django's empty
405. Instead the user is sent to the page the address belongs to, the nearest address above it
that is a page, with a note of why. The API keeps its JSON 405 (vum.errors).
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve

API_PREFIX = "/api/"


def _page_above(path: str) -> str:
    """The nearest address above `path` that resolves; a form's own address is itself answered
    the same way, so a chain of them ends at a page."""
    parts = [part for part in path.split("/") if part]
    while parts:
        parts.pop()
        candidate = "/" + "/".join(parts) + ("/" if parts else "")
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return candidate
    return "/"


class FormAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.method in ("GET", "HEAD")
            and not request.path.startswith(API_PREFIX)
        ):
            messages.info(
                request,
                "Adressen bruges kun til at gemme en formular. "
                "Du er sendt til siden, den hører til.",
            )
            return HttpResponseRedirect(_page_above(request.path))
        return response
