"""The signed-in session's limits, and the second factor's gate.

`SessionLimitMiddleware`: a session ends `SESSION_IDLE_MINUTES` after its last request (htmx
requests count, being requests) and `SESSION_ABSOLUTE_HOURS` after login whatever the user did.
Both times are kept in the session itself, so they hold across processes and need no table.

`TwoFactorMiddleware`: a user who must give a second factor (`vum.accounts.two_factor`) gets no
page but the code's until they have given it: an administrator without a device is sent to set
one up first. The admin site is behind it like every other page.

An htmx request whose session has ended (or was never there) is answered in place with a 401
(`login_required_in_place`): the page keeps what the user typed and offers a login in a new tab.
One stopped by the second factor's gate is answered with HX-Redirect, so that the whole page goes
to the code page, which then returns to the page the user was on (`next`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from vum.accounts.models import User
from vum.accounts.two_factor import (
    NO_SECOND_FACTOR,
    SECOND_FACTOR_AT_IDP,
    confirmed_device,
    session_login_of,
    two_factor_enabled,
    two_factor_mandatory,
)

# Session keys: when the user logged in and when their last request came, as Unix seconds.
LOGIN_AT = "vum_login_at"
LAST_ACTIVITY = "vum_last_activity"

API_PREFIX = "/api/"


def _now() -> float:
    return timezone.now().timestamp()


def _idle_seconds() -> int:
    return int(settings.SESSION_IDLE_MINUTES) * 60


def _absolute_seconds() -> int:
    return int(settings.SESSION_ABSOLUTE_HOURS) * 3600


@receiver(user_logged_in, dispatch_uid="vum.accounts.session_login_time")
def _stamp_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Login starts both clocks. Only for a session login: the API's token login sends the same
    signal and has no session of its own."""
    if not session_login_of(request, user):
        return
    now = _now()
    request.session[LOGIN_AT] = now
    request.session[LAST_ACTIVITY] = now


@dataclass(frozen=True)
class SessionTimes:
    """Seconds left of the signed-in session: until it ends for inactivity (counted from this
    request) and until its absolute end, as the page's warning needs them."""

    idle_seconds: int
    absolute_seconds_left: int
    warning_seconds: int


def session_times(request: HttpRequest) -> SessionTimes | None:
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return None
    login_at = session.get(LOGIN_AT)
    elapsed = _now() - login_at if isinstance(login_at, int | float) else 0.0
    return SessionTimes(
        idle_seconds=_idle_seconds(),
        absolute_seconds_left=max(0, int(_absolute_seconds() - elapsed)),
        warning_seconds=int(settings.SESSION_WARNING_MINUTES) * 60,
    )


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _local_path(request: HttpRequest, url: str | None) -> str | None:
    """`url`'s path and query if it is on this site, else None."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def return_path(request: HttpRequest) -> str | None:
    """Where the user should come back to after logging in or giving their code: the page they
    are on. For an htmx request, the page that sent it (not the fragment's URL); for a form
    sent, the page the form was on (what it sent is lost, but not the way back)."""
    if _is_htmx(request):
        return _local_path(request, request.headers.get("HX-Current-URL"))
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    return _local_path(request, request.headers.get("Referer"))


def _send_to(request: HttpRequest, url: str) -> HttpResponse:
    if _is_htmx(request):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def _with_next(url: str, next_path: str | None) -> str:
    """`url?next=...` as Django's login_required writes it."""
    if not next_path:
        return url
    query = QueryDict(mutable=True)
    query["next"] = next_path
    return f"{url}?{query.urlencode(safe='/')}"


class SessionLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ended = self._enforce(request)
        if ended is not None:
            return ended
        response = self.get_response(request)
        if _is_htmx(request) and _is_login_redirect(response):
            # A request from a page whose session is already gone (login_required's redirect).
            return login_required_in_place()
        return response

    def _enforce(self, request: HttpRequest) -> HttpResponse | None:
        session = getattr(request, "session", None)
        # The session, not request.user: a request without a signed-in session costs nothing.
        if session is None or SESSION_KEY not in session:
            return None
        now = _now()
        login_at = session.get(LOGIN_AT)
        last = session.get(LAST_ACTIVITY)
        if isinstance(login_at, int | float) and isinstance(last, int | float):
            if now - login_at > _absolute_seconds():
                return self._end(
                    request,
                    f"Du er blevet logget ud, fordi der er gået {settings.SESSION_ABSOLUTE_HOURS} "
                    "timer, siden du loggede ind. Log ind igen for at fortsætte.",
                )
            if now - last > _idle_seconds():
                return self._end(
                    request,
                    "Du er blevet logget ud, fordi du ikke har været aktiv i "
                    f"{settings.SESSION_IDLE_MINUTES} minutter. Log ind igen for at fortsætte.",
                )
        else:
            # A session from before these limits (or a login this process did not see): its
            # clocks start now rather than ending it on the spot.
            session[LOGIN_AT] = now
        # Written on every signed-in request, which is what saves the session (and renews its
        # stored expiry): SESSION_SAVE_EVERY_REQUEST is off.
        session[LAST_ACTIVITY] = now
        return None

    def _end(self, request: HttpRequest, reason: str) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            logout(request)
            return JsonResponse({"detail": "Sessionen er udløbet. Log ind igen."}, status=401)
        back = return_path(request)
        logout(request)
        # After logout: the message lives in the message cookie until the login page shows it.
        messages.warning(request, reason)
        if _is_htmx(request):
            return login_required_in_place()
        return _send_to(request, _with_next(resolve_url(settings.LOGIN_URL), back))


def _is_login_redirect(response: HttpResponse) -> bool:
    if not isinstance(response, HttpResponseRedirect):
        return False
    return urlsplit(response.url).path == resolve_url(settings.LOGIN_URL)


def login_required_in_place() -> HttpResponse:
    """An htmx request (an in-place save, say) whose session has ended: not the login page
    swapped into the section, nor the whole page sent to it, which would throw away what the user
    typed. The page keeps its input; vum/static/vum/forms.js asks the user to log in again in a
    new tab (the URL below) and then to send it again."""
    response = HttpResponse(
        "Du er blevet logget ud. Log ind igen, og send derefter igen.",
        status=401,
        content_type="text/plain; charset=utf-8",
    )
    response["HX-Reswap"] = "none"
    response["X-Vum-Login-Url"] = _with_next(
        resolve_url(settings.LOGIN_URL), reverse("accounts:logged_in_again")
    )
    return response


@cache
def _open_paths() -> tuple[str, ...]:
    """What an unverified session may still reach: the code pages, logging out, keeping the
    session alive from the code page, and what serves no user data."""
    return (
        reverse("accounts:totp_verify"),
        reverse("accounts:totp_enrol"),
        reverse("accounts:session_keepalive"),
        reverse("logout"),
        reverse("admin:logout"),
        reverse("healthz"),
    )


def _is_open(path: str) -> bool:
    return path in _open_paths() or path.startswith("/" + settings.STATIC_URL.lstrip("/"))


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        stopped = self._gate(request)
        if stopped is not None:
            return stopped
        return self.get_response(request)

    def _gate(self, request: HttpRequest) -> HttpResponse | None:
        if not two_factor_enabled():
            return None
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        # Installed on the user by django_otp's OTPMiddleware, just above in MIDDLEWARE.
        if user.is_verified() or _is_open(request.path):  # type: ignore[attr-defined]
            return None
        if request.session.get(SECOND_FACTOR_AT_IDP) == user.pk:
            return None
        mandatory = two_factor_mandatory(user)
        if not mandatory and request.session.get(NO_SECOND_FACTOR) == user.pk:
            return None
        has_device = confirmed_device(user) is not None
        if not mandatory and not has_device:
            request.session[NO_SECOND_FACTOR] = user.pk
            return None
        if request.path.startswith(API_PREFIX):
            return JsonResponse(
                {"detail": "Dit login mangler totrinsbekræftelse. Giv koden fra din app i vum."},
                status=403,
            )
        page = "accounts:totp_verify" if has_device else "accounts:totp_enrol"
        return _send_to(request, _with_next(reverse(page), return_path(request)))
