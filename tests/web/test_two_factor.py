"""Issue 19, the second factor (vum.accounts.two_factor): required of administrators, optional
for others, asked for at login before any other page, throttled and audited.

These tests log in through the login page and give real TOTP codes, computed from the device's
key at the frozen instant (django_otp.oath.totp); `client.force_login` would skip the code
(tests/conftest.py)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, UserFactory
from vum.accounts.models import User
from vum.accounts.two_factor import secret_for_display, two_factor_required
from vum.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

START = "2026-11-18 09:00"
ENROL = "/sikkerhed/totrin/opsaet/"
VERIFY = "/sikkerhed/totrin/kode/"
REMOVE = "/sikkerhed/totrin/fjern/"


@contextmanager
def later(**delta: float) -> Iterator[None]:
    with time_machine.travel(timezone.now() + timedelta(**delta), tick=False):
        yield


def code(device: TOTPDevice) -> str:
    """What the user's app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong(device: TOTPDevice) -> str:
    return f"{(int(code(device)) + 500_000) % 1_000_000:06d}"


def password_login(client: Client, user: User) -> Any:
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def administrator() -> User:
    return UserFactory(administrator=True, teams=[])


def enrolled(user: User) -> TOTPDevice:
    """The user has set up their app already (through the page, as they would)."""
    client = Client()
    password_login(client, user)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    assert client.post(ENROL, {"kode": code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


# Administrators


@pytest.mark.now(START, tick=False)
def test_an_administrator_must_set_up_the_app_before_any_page() -> None:
    admin = administrator()
    client = Client()
    assert password_login(client, admin)["Location"] == reverse("home")
    for page in ("/", "/log/", "/admin/", "/sikkerhed/", "/notifikationer/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == f"{ENROL}?next={page}", page

    page = client.get(f"{ENROL}?next=/admin/")
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=admin)
    assert not device.confirmed
    # The secret as text and as an inline SVG QR code: no image fetched from anywhere.
    assert secret_for_display(device) in html
    assert '<svg role="img" aria-label="QR-kode' in html
    assert "<img" not in html
    assert page["Cache-Control"].startswith("max-age=0")
    assert "no-store" in page["Cache-Control"]
    # Reloading the page keeps the secret the app may already have.
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=admin).get() == device

    response = client.post(ENROL, {"kode": code(device), "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    event = AuditEvent.objects.get(actor=admin, action=AuditAction.CREATE)
    assert event.object_type == "otp_totp.TOTPDevice"
    assert "slået til" in event.summary


@pytest.mark.now(START, tick=False)
def test_an_administrator_with_the_app_gives_a_code_at_each_login() -> None:
    admin = administrator()
    device = enrolled(admin)
    with later(minutes=1):
        client = Client()
        password_login(client, admin)
        response = client.get("/admin/")
        assert response["Location"] == f"{VERIFY}?next=/admin/"
        page = client.get(response["Location"])
        assert "Bekræft dit login" in page.content.decode()
        assert 'autocomplete="one-time-code"' in page.content.decode()
        session_key = client.session.session_key

        response = client.post(VERIFY, {"kode": code(device), "next": "/admin/"})
        assert response["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200
        assert client.get("/log/").status_code == 200
        # The verified session has a new key.
        assert client.session.session_key != session_key


@pytest.mark.now(START, tick=False)
def test_a_wrong_code_is_refused_in_danish_throttled_and_audited_without_the_code() -> None:
    admin = administrator()
    device = enrolled(admin)
    with later(minutes=1):
        client = Client()
        password_login(client, admin)
        bad = wrong(device)
        response = client.post(VERIFY, {"kode": bad})
        assert response.status_code == 200
        assert "Koden er forkert eller for gammel" in response.content.decode()
        assert client.get("/log/")["Location"].startswith(VERIFY)

        # Straight after, even the right code is not tried: django-otp's throttling.
        response = client.post(VERIFY, {"kode": code(device)})
        assert response.status_code == 200
        assert "For mange forkerte koder i træk. Vent 1 sekund" in response.content.decode()
        assert client.get("/log/").status_code == 302

        failures = AuditEvent.objects.filter(actor=admin, action=AuditAction.UPDATE)
        assert failures.count() == 2
        for event in failures:
            assert "afvist" in event.summary
            assert event.object_id == str(device.pk)
            assert bad not in str(event.changes) + event.summary
            assert code(device) not in str(event.changes) + event.summary

    with later(minutes=1, seconds=5):
        assert client.post(VERIFY, {"kode": code(device)}).status_code == 302
        assert client.get("/log/").status_code == 200
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 0


@pytest.mark.now(START, tick=False)
def test_a_code_that_is_not_six_digits_is_refused_without_counting() -> None:
    admin = administrator()
    device = enrolled(admin)
    with later(minutes=1):
        client = Client()
        password_login(client, admin)
        response = client.post(VERIFY, {"kode": "12345"})
        assert "Koden skal være 6 cifre." in response.content.decode()
        # Spaces as the apps show them are fine.
        spaced = f"{code(device)[:3]} {code(device)[3:]}"
        assert client.post(VERIFY, {"kode": spaced})["Location"] == reverse("home")


@pytest.mark.now(START, tick=False)
def test_a_used_code_does_not_work_twice() -> None:
    admin = administrator()
    device = enrolled(admin)
    client = Client()
    password_login(client, admin)
    # The code that confirmed the app, in the same 30 seconds.
    assert client.post(VERIFY, {"kode": code(device)}).status_code == 200


@pytest.mark.now(START, tick=False)
def test_an_unverified_htmx_request_or_api_call_is_stopped_too() -> None:
    admin = administrator()
    enrolled(admin)
    client = Client()
    password_login(client, admin)
    response = client.get(
        "/log/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/log/"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{VERIFY}?next=/log/"
    api = client.get("/api/v1/sager/")
    assert api.status_code == 403
    assert "totrinsbekræftelse" in api.json()["detail"]
    # Logging out still works.
    assert client.post(reverse("logout"))["Location"] == reverse("login")


@pytest.mark.now(START, tick=False)
def test_another_users_login_signal_does_not_lift_the_code_of_this_session() -> None:
    """The API's token login sends `user_logged_in` too, for whoever's password it was given.
    Sent with the cookie of a session that still owes its code, for someone without a second
    factor, it must not mark that session as needing none."""
    caseworker = UserFactory()
    device = enrolled(caseworker)
    other = UserFactory()
    with later(minutes=1):
        client = Client()
        password_login(client, caseworker)
        # The API answers an unverified session not at all...
        token_login = client.post(
            "/api/v1/auth/token/",
            {"username": other.username, "password": PASSWORD},
            content_type="application/json",
        )
        assert token_login.status_code == 403
        # ...and a login signal for someone else leaves the session's mark alone.
        request = HttpRequest()
        request.path = "/api/v1/auth/token/"
        request.session = client.session
        user_logged_in.send(sender=User, request=request, user=other)
        request.path = "/login/"
        user_logged_in.send(sender=User, request=request, user=other)
        request.session.save()
        assert client.get("/mine-sager/")["Location"] == f"{VERIFY}?next=/mine-sager/"
        assert client.post(VERIFY, {"kode": code(device)}).status_code == 302
        assert client.get("/mine-sager/").status_code == 200


@pytest.mark.now(START, tick=False)
def test_staff_without_the_administrator_role_need_the_app_too() -> None:
    staff = UserFactory(is_staff=True)
    assert two_factor_required(staff)
    client = Client()
    password_login(client, staff)
    assert client.get("/admin/")["Location"] == f"{ENROL}?next=/admin/"


@pytest.mark.now(START, tick=False)
def test_an_administrator_who_replaces_the_app_must_set_up_a_new_one() -> None:
    admin = administrator()
    device = enrolled(admin)
    with later(minutes=1):
        client = Client()
        password_login(client, admin)
        client.post(VERIFY, {"kode": code(device)})
    with later(minutes=2):
        response = client.post(REMOVE, {"kode": code(device)})
        assert response["Location"] == ENROL
        assert not TOTPDevice.objects.filter(user=admin).exists()
        assert client.get("/log/")["Location"] == f"{ENROL}?next=/log/"


@override_settings(VUM_LOCAL_LOGIN_2FA=False)
@pytest.mark.now(START, tick=False)
def test_with_an_identity_provider_no_code_is_asked_here() -> None:
    admin = administrator()
    client = Client()
    password_login(client, admin)
    assert client.get("/admin/").status_code == 200
    assert client.get(ENROL)["Location"] == reverse("accounts:sikkerhed")
    assert "kommunens fælles login" in client.get("/sikkerhed/").content.decode()


# Everyone else


@pytest.mark.now(START, tick=False)
def test_a_caseworker_needs_no_code_but_may_turn_it_on_from_the_user_menu() -> None:
    caseworker = UserFactory()
    client = Client()
    password_login(client, caseworker)
    page = client.get("/mine-sager/")
    assert page.status_code == 200
    assert f'href="{reverse("accounts:sikkerhed")}"' in page.content.decode()
    html = client.get("/sikkerhed/").content.decode()
    assert "Slået fra." in html
    assert f'href="{ENROL}"' in html

    client.get(ENROL)
    device = TOTPDevice.objects.get(user=caseworker)
    response = client.post(ENROL, {"kode": wrong(device)})
    assert "Koden passer ikke" in response.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    with later(seconds=5):
        response = client.post(ENROL, {"kode": code(device)})
        assert response["Location"] == reverse("accounts:sikkerhed")
        assert "Slået til." in client.get("/sikkerhed/").content.decode()
    assert AuditEvent.objects.filter(actor=caseworker, action=AuditAction.CREATE).exists()

    # From the next login on, the code is asked for.
    with later(minutes=1):
        client.post(reverse("logout"))
        password_login(client, caseworker)
        assert client.get("/mine-sager/")["Location"] == f"{VERIFY}?next=/mine-sager/"
        client.post(VERIFY, {"kode": code(device)})
        assert client.get("/mine-sager/").status_code == 200


@pytest.mark.now(START, tick=False)
def test_a_caseworker_turns_it_off_with_a_code_and_is_not_asked_again() -> None:
    caseworker = UserFactory()
    device = enrolled(caseworker)
    with later(minutes=1):
        client = Client()
        password_login(client, caseworker)
        client.post(VERIFY, {"kode": code(device)})
    with later(minutes=2):
        refused = client.post(REMOVE, {"kode": wrong(device)})
        assert "Koden er forkert" in refused.content.decode()
        assert TOTPDevice.objects.filter(user=caseworker).exists()
    with later(minutes=3):
        response = client.post(REMOVE, {"kode": code(device)})
        assert response["Location"] == reverse("accounts:sikkerhed")
        assert not TOTPDevice.objects.filter(user=caseworker).exists()
        removal = AuditEvent.objects.get(actor=caseworker, summary__contains="slået fra")
        assert removal.object_id == str(device.pk)
        assert client.get("/mine-sager/").status_code == 200
    with later(minutes=4):
        client.post(reverse("logout"))
        password_login(client, caseworker)
        assert client.get("/mine-sager/").status_code == 200


@pytest.mark.now(START, tick=False)
def test_the_secret_is_shown_only_while_setting_up_and_never_audited() -> None:
    caseworker = UserFactory()
    device = enrolled(caseworker)
    secret = secret_for_display(device)
    client = Client()
    with later(minutes=1):
        password_login(client, caseworker)
        client.post(VERIFY, {"kode": code(device)})
        assert secret not in client.get("/sikkerhed/").content.decode()
        # Set up already: the set-up page does not show it again.
        assert client.get(ENROL)["Location"] == reverse("accounts:sikkerhed")
    for event in AuditEvent.objects.all():
        text = f"{event.summary} {event.changes}"
        assert device.key not in text
        assert secret.replace(" ", "") not in text.replace(" ", "")


@pytest.mark.now(START, tick=False)
def test_the_pages_are_for_signed_in_users_only() -> None:
    client = Client()
    for page in ("/sikkerhed/", ENROL, VERIFY):
        assert client.get(page)["Location"].startswith(reverse("login")), page
    assert client.post(REMOVE, {"kode": "123456"})["Location"].startswith(reverse("login"))
