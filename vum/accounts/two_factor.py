"""The second factor of a local login: a TOTP app (django-otp's `otp_totp`).

Required of administrators and of anyone who can reach the admin site; optional for everyone
else, who may turn it on from the "Sikkerhed" page and are then asked for a code at each login.
All of it is off when `VUM_LOCAL_LOGIN_2FA` is false, i.e. when an identity provider does the
login and answers for the second factor itself.

Wrong codes are throttled by django-otp (each failure doubles the wait before the next attempt
is tried at all). Turning it on, a wrong code and turning it off are audited; the secret and the
codes never are.
"""

import math
from base64 import b32encode
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from vum.accounts.models import Role, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record

DEVICE_NAME = "Autentificeringsapp"

WRONG_CODE = "Koden er forkert eller for gammel. Skriv den kode, din app viser lige nu."
ENROL_WRONG_CODE = (
    "Koden passer ikke. Tjek, at du har tilføjet nøglen ovenfor i din app, og at telefonens ur "
    "går rigtigt, og skriv så den kode, appen viser lige nu."
)


def two_factor_enabled() -> bool:
    """Does this deployment ask local logins for a second factor at all?"""
    return bool(settings.VUM_LOCAL_LOGIN_2FA)


def two_factor_mandatory(user: User) -> bool:
    """Must this user have a second factor? Administrators, and anyone the admin site lets in:
    between them they manage every user and the reference data."""
    return two_factor_enabled() and (
        user.role == Role.ADMINISTRATOR or user.is_staff or user.is_superuser
    )


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def two_factor_required(user: User) -> bool:
    """Must this user give a code before anything else works in a session: those who must have
    a second factor, and those who have chosen one."""
    if not two_factor_enabled():
        return False
    return two_factor_mandatory(user) or confirmed_device(user) is not None


# Session key: set at login when the user will not be asked for a code, so that the pages of the
# many users without a second factor do not each ask the database for their devices
# (vum.accounts.middleware.TwoFactorMiddleware). A device set up in another session takes effect
# at the next login; setting one up in this session verifies it at once.
NO_SECOND_FACTOR = "vum_no_second_factor"
# Session key: set at a login through the municipality's identity provider, which has given the
# second factor itself (NSIS Substantial or higher); it names the user, as above.
SECOND_FACTOR_AT_IDP = "vum_second_factor_at_idp"


def session_login_of(request: Any, user: Any) -> bool:
    """Is this `user_logged_in` a login of `user` into the request's session? The API's token
    login sends the signal too, for whoever's password it was given, and must not touch the
    session of the browser that may have sent it."""
    session = getattr(request, "session", None)
    return (
        session is not None
        and isinstance(user, User)
        and not str(getattr(request, "path", "")).startswith("/api/")
        and session.get(SESSION_KEY) == str(user.pk)
    )


@receiver(user_logged_in, dispatch_uid="vum.accounts.second_factor_at_login")
def _second_factor_at_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """At a session login, one query decides whether this session will be asked for a code.
    The mark names the user, so that it is worth nothing to a session of anyone else."""
    if not session_login_of(request, user):
        return
    if two_factor_required(user):
        request.session.pop(NO_SECOND_FACTOR, None)
    else:
        request.session[NO_SECOND_FACTOR] = user.pk


@dataclass(frozen=True)
class Verification:
    """A code's outcome: the device it verified, or the Danish reason it did not."""

    device: TOTPDevice | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.device is not None


def _throttled(device: TOTPDevice) -> str | None:
    """The message for a device that may not try a code yet, or None when it may."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (info or {}).get("locked_until")
    seconds = (
        max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
        if locked_until is not None
        else 1
    )
    return (
        f"For mange forkerte koder i træk. Vent {seconds} sekund{'er' if seconds != 1 else ''}, "
        "og prøv så igen med den kode, appen viser."
    )


def _check(*, user: User, device: TOTPDevice, token: str, wrong: str) -> Verification:
    """Try `token` on a locked device; a wrong one (and one tried too soon) is audited."""
    waiting = _throttled(device)
    if waiting is None and device.verify_token(token):
        return Verification(device=device)
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        obj=device,
        summary=(
            "Totrinsbekræftelse afvist: forsøgt før ventetiden efter forkerte koder var gået"
            if waiting is not None
            else "Totrinsbekræftelse afvist: forkert kode"
        ),
        changes={"forkerte_i_traek": device.throttling_failure_count},
    )
    return Verification(device=None, error=waiting or wrong)


NOT_SET_UP = "Du har ikke opsat totrinsbekræftelse."


def _confirmed_device_locked(user: User) -> TOTPDevice | None:
    """The user's confirmed device, as `confirmed_device`, locked for a check of its code."""
    return (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=True)
        .order_by("pk")
        .first()
    )


def totp_verify(*, user: User, token: str) -> Verification:
    """The code a user gives at login, checked against their confirmed device."""
    with transaction.atomic():
        device = _confirmed_device_locked(user)
        if device is None:
            return Verification(device=None, error=NOT_SET_UP)
        return _check(user=user, device=device, token=token, wrong=WRONG_CODE)


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device the user is setting up: the same one until it is confirmed, so
    that reloading the page does not change the secret they may already have scanned. Not
    audited: a device does nothing until a code from it confirms it (`totp_enrolment_confirm`)."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        return device


def totp_enrolment_confirm(*, user: User, device_id: int, token: str) -> Verification:
    """A code from the new device proves the app has its secret: the device is confirmed, and
    any other (older) device of the user's is removed, so that there is one to verify against."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False, pk=device_id)
            .first()
        )
        if device is None:
            return Verification(
                device=None, error="Opsætningen er udløbet. Start forfra fra siden Sikkerhed."
            )
        waiting = _throttled(device)
        if waiting is not None:
            return Verification(device=None, error=waiting)
        if not device.verify_token(token):
            return Verification(device=None, error=ENROL_WRONG_CODE)
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            obj=device,
            summary="Totrinsbekræftelse slået til (autentificeringsapp)",
        )
        return Verification(device=device)


def totp_remove(*, user: User, token: str) -> Verification:
    """The user turns their second factor off, proving with a current code that it is them at
    the keyboard and not someone at a session left open. (A lost phone is removed by an
    administrator in the admin site.) An administrator is then sent to set up a new one."""
    with transaction.atomic():
        device = _confirmed_device_locked(user)
        if device is None:
            return Verification(device=None, error=NOT_SET_UP)
        checked = _check(user=user, device=device, token=token, wrong=WRONG_CODE)
        if not checked.ok:
            return checked
        # Through the queryset, so that the instance keeps its id for the event.
        TOTPDevice.objects.filter(user=user).delete()
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=device,
            summary="Totrinsbekræftelse slået fra (autentificeringsapp fjernet)",
        )
        return checked


def secret_for_display(device: TOTPDevice) -> str:
    """The secret as the apps take it typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// link as an inline SVG QR code: no image request, nothing leaves the page.
    segno writes the markup from the link's bits (no text of ours in it but the label)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff"
    )
    label = "QR-kode med nøglen til din autentificeringsapp"
    return mark_safe(  # noqa: S308 (segno's own markup; the label is a constant)
        svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    )
