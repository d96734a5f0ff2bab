"""The notification inbox behind the bell: list, open (marks read and follows the link), and mark
all as read. Reads through vum.notifications.selectors, writes through its services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from vum.accounts.models import User
from vum.notifications import selectors
from vum.notifications.services import notifikation_mark_read, notifikationer_mark_all_read

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    # login_required guarantees an authenticated user; narrow the type for the services.
    assert isinstance(request.user, User)
    return request.user


@login_required
def notifikationer(request: HttpRequest) -> HttpResponse:
    rows = selectors.notifikationer_for(user=_user(request))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("side"))
    return render(request, "notifications/notifikationer.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def notifikation_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go where it points. GET too, so that it is a plain link
    (middle-click, open in new tab); marking read twice is harmless."""
    user = _user(request)
    notifikation = selectors.notifikation_get(user=user, pk=pk)
    notifikation_mark_read(user=user, notifikation_id=notifikation.pk)
    # Links are written by the system, but never follow one off this site.
    if notifikation.link and url_has_allowed_host_and_scheme(
        notifikation.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notifikation.link)
    return redirect("notifikationer")


@login_required
@require_POST
def notifikationer_laest(request: HttpRequest) -> HttpResponse:
    count = notifikationer_mark_all_read(user=_user(request))
    if count:
        messages.success(
            request, f"{count} notifikation{'er' if count != 1 else ''} er markeret som læst."
        )
    return redirect("notifikationer")
