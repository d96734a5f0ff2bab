"""The user's own security pages: "Sikkerhed" (second factor on or off, the session's limits),
setting up the app, the code at login, and keeping the session alive from its warning. The rules
are in `vum.accounts.two_factor`; the session's clocks in `vum.accounts.middleware`."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from vum.access import request_user
from vum.accounts.forms import KodeForm
from vum.accounts.middleware import session_times
from vum.accounts.two_factor import (
    NO_SECOND_FACTOR,
    confirmed_device,
    qr_code_svg,
    secret_for_display,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_remove,
    totp_verify,
    two_factor_enabled,
    two_factor_mandatory,
)


def _next(request: HttpRequest, default: str) -> str:
    """The page to go on to, from `next`, if it is on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default)


def _verified(request: HttpRequest, device: TOTPDevice) -> None:
    """The session has given its second factor. A new session key for the stronger session, so
    that a key learnt before (session fixation) is not worth more now."""
    request.session.cycle_key()
    otp_login(request, device)
    request.session.pop(NO_SECOND_FACTOR, None)


def _sikkerhed(request: HttpRequest, form: KodeForm) -> HttpResponse:
    user = request_user(request)
    times = session_times(request)
    return render(
        request,
        "accounts/sikkerhed.html",
        {
            "enabled": two_factor_enabled(),
            "mandatory": two_factor_mandatory(user),
            "device": confirmed_device(user),
            "form": form,
            "idle_minutes": settings.SESSION_IDLE_MINUTES,
            "absolute_hours": settings.SESSION_ABSOLUTE_HOURS,
            "absolute_minutes_left": (times.absolute_seconds_left // 60) if times else None,
        },
    )


@never_cache
@login_required
def sikkerhed(request: HttpRequest) -> HttpResponse:
    return _sikkerhed(request, KodeForm())


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Set up the app: the secret as a QR code and as text; a code from the app confirms it.
    Never cached, as it shows the secret."""
    user = request_user(request)
    if not two_factor_enabled():
        messages.info(request, "Totrinsbekræftelse klares af kommunens login, ikke i vum.")
        return redirect("accounts:sikkerhed")
    if confirmed_device(user) is not None:
        messages.info(
            request,
            "Du har allerede totrinsbekræftelse. Slå den fra først, hvis du vil skifte app.",
        )
        return redirect("accounts:sikkerhed")
    device = totp_enrolment_start(user=user)
    form = KodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = totp_enrolment_confirm(
            user=user, device_id=device.pk, token=form.cleaned_data["kode"]
        )
        if result.device is not None:
            _verified(request, result.device)
            messages.success(
                request,
                "Totrinsbekræftelse er slået til. Fremover skal du give en kode fra appen, "
                "hver gang du logger ind.",
            )
            return redirect(_next(request, "accounts:sikkerhed"))
        form.add_error("kode", result.error)
    return render(
        request,
        "accounts/totp_enrol.html",
        {
            "form": form,
            "mandatory": two_factor_mandatory(user),
            "secret": secret_for_display(device),
            "qr_svg": qr_code_svg(device),
            "config_url": device.config_url,
            "next": _next(request, "home"),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def totp_verify_page(request: HttpRequest) -> HttpResponse:
    """The code at login. The middleware sends every page here until it is given."""
    user = request_user(request)
    go_on = _next(request, "home")
    if not two_factor_enabled() or user.is_verified():  # type: ignore[attr-defined]
        return redirect(go_on)
    if confirmed_device(user) is None:
        if two_factor_mandatory(user):
            return redirect(f"{resolve_url('accounts:totp_enrol')}?{urlencode({'next': go_on})}")
        return redirect(go_on)
    form = KodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = totp_verify(user=user, token=form.cleaned_data["kode"])
        if result.device is not None:
            _verified(request, result.device)
            return redirect(go_on)
        form.add_error("kode", result.error)
    return render(request, "accounts/totp_verify.html", {"form": form, "next": go_on})


@never_cache
@login_required
@require_POST
def totp_remove_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = KodeForm(request.POST)
    if form.is_valid():
        result = totp_remove(user=user, token=form.cleaned_data["kode"])
        if result.ok:
            if two_factor_mandatory(user):
                messages.success(
                    request,
                    "Den gamle app er fjernet. Som administrator skal du nu opsætte en ny.",
                )
                return redirect("accounts:totp_enrol")
            messages.success(request, "Totrinsbekræftelse er slået fra.")
            return redirect("accounts:sikkerhed")
        form.add_error("kode", result.error)
    return _sikkerhed(request, form)


@login_required
def logged_in_again(request: HttpRequest) -> HttpResponse:
    """Where the login in a new tab ends when an in-place save met an ended session: it says to go
    back to the page with the unsaved work, which kept it, and send it again."""
    return render(request, "accounts/logged_in_again.html")


@login_required
@require_POST
def session_keepalive(request: HttpRequest) -> HttpResponse:
    """The warning's "Forbliv logget ind": the request itself is the activity
    (SessionLimitMiddleware has recorded it); nothing to answer."""
    return HttpResponse(status=204)
