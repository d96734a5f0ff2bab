"""Issue 19, authentication: the password rules, and the session's idle and absolute limits
(vum.accounts.middleware.SessionLimitMiddleware) with the warning every signed-in page carries.
The second factor is in tests/web/test_two_factor.py."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory
from tooling.management.commands.seed_demo import DEMO_PASSWORD
from tooling.scale import SCALE_PASSWORD
from vum.accounts.middleware import LAST_ACTIVITY, LOGIN_AT
from vum.accounts.models import Role, User

pytestmark = pytest.mark.django_db

# A page every caseworker may open, and that does not redirect.
PAGE = "/mine-sager/"
# Frozen, so that "59 minutes later" is exactly that.
START = "2026-11-18 09:00"


@contextmanager
def later(**delta: float) -> Iterator[None]:
    """The clock moved on by `delta` from the test's instant (the `now` marker's, frozen)."""
    with time_machine.travel(timezone.now() + timedelta(**delta), tick=False):
        yield


def _signed_in(user: User | None = None) -> Client:
    client = Client()
    client.force_login(user or UserFactory())
    return client


def _ends_at_login(response: object, next_path: str) -> None:
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == f"{reverse('login')}?next={next_path}"  # type: ignore[index]


# Passwords


def _refusals(password: str, user: User | None = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def test_a_password_of_eleven_characters_or_a_common_one_is_refused() -> None:
    assert _refusals("Sommer2026")  # ten characters
    assert _refusals("Kaffe-2026!")  # eleven
    assert any("mindst 12 tegn" in m for m in _refusals("Kaffe-2026!"))
    # Twelve characters, but on the list of common passwords.
    assert _refusals("qwertyqwerty")
    assert _refusals("Qwertyqwerty")


def test_the_known_passwords_of_the_demo_the_tests_and_the_scale_data_still_pass() -> None:
    demo_admin = User(
        username="admin", first_name="Ada", last_name="Admin", role=Role.ADMINISTRATOR
    )
    assert _refusals(DEMO_PASSWORD, demo_admin) == []
    assert len(DEMO_PASSWORD) == 13
    assert _refusals(PASSWORD, User(username="bruger1")) == []
    assert _refusals(SCALE_PASSWORD, User(username="skala-sagsbehandler-00001")) == []


# The idle limit


@pytest.mark.now(START, tick=False)
def test_the_session_lasts_59_minutes_without_activity_but_not_61() -> None:
    client = _signed_in()
    assert client.get(PAGE).status_code == 200
    with later(minutes=59):
        assert client.get(PAGE).status_code == 200
        with later(minutes=61):
            response = client.get(PAGE)
    _ends_at_login(response, PAGE)
    assert "_auth_user_id" not in client.session
    # Logging in again shows why, and the page is reached again only after that.
    page = client.get(response["Location"])
    assert "ikke har været aktiv i 60 minutter" in page.content.decode()
    _ends_at_login(client.get(PAGE), PAGE)


@pytest.mark.now(START, tick=False)
def test_each_request_moves_the_idle_limit_on() -> None:
    client = _signed_in()
    for step in range(1, 5):
        with later(minutes=50 * step):
            assert client.get(PAGE).status_code == 200, step
            assert client.session[LAST_ACTIVITY] == timezone.now().timestamp()


@pytest.mark.now(START, tick=False)
@override_settings(SESSION_IDLE_MINUTES=15)
def test_the_idle_limit_is_a_setting() -> None:
    client = _signed_in()
    client.get(PAGE)
    with later(minutes=14):
        assert client.get(PAGE).status_code == 200
    with later(minutes=14 + 16):
        _ends_at_login(client.get(PAGE), PAGE)


@pytest.mark.now(START, tick=False)
def test_an_htmx_request_after_the_limit_keeps_the_page_and_asks_to_log_in_again() -> None:
    client = _signed_in()
    client.get(PAGE)
    with later(minutes=61):
        response = client.post(
            "/sager/123/journal/",
            {"tekst": "Det, brugeren skrev"},
            headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/sager/123/?fane=2"},
        )
    # Neither the login page swapped into the section nor the whole page sent to it: the page
    # keeps what was typed, and forms.js offers a login in a new tab, then to send again.
    assert response.status_code == 401
    assert response["HX-Reswap"] == "none"
    assert "HX-Redirect" not in response
    assert response["X-Vum-Login-Url"] == (
        f"{reverse('login')}?next={reverse('accounts:logged_in_again')}"
    )
    assert SESSION_KEY not in client.session


def test_an_htmx_request_without_a_session_is_answered_in_place() -> None:
    response = Client().post("/sager/123/journal/", {"tekst": "x"}, headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Reswap"] == "none"


@pytest.mark.now(START, tick=False)
def test_a_form_sent_after_the_limit_returns_to_its_page_after_login() -> None:
    client = _signed_in()
    client.get(PAGE)
    with later(minutes=61):
        response = client.post(
            "/sager/123/journal/",
            {"tekst": "x"},
            headers={"Referer": "http://testserver/sager/123/"},
        )
        elsewhere = _signed_in()
        elsewhere.get(PAGE)
    with later(minutes=61 + 61):
        offsite = elsewhere.post(
            "/sager/1/journal/", {}, headers={"Referer": "https://evil.example/"}
        )
    _ends_at_login(response, "/sager/123/")
    assert offsite["Location"] == reverse("login")


@pytest.mark.now(START, tick=False)
def test_an_api_call_on_an_expired_session_gets_401_not_the_login_page() -> None:
    client = _signed_in()
    client.get(PAGE)
    with later(minutes=61):
        response = client.get("/api/v1/sager/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Sessionen er udløbet. Log ind igen."}


# The absolute limit


@pytest.mark.now(START, tick=False)
def test_the_session_ends_twelve_hours_after_login_however_busy_the_user_is() -> None:
    client = _signed_in()
    login_at = client.session[LOGIN_AT]
    for minutes in range(30, 12 * 60, 30):
        with later(minutes=minutes):
            assert client.get(PAGE).status_code == 200, minutes
    with later(hours=12, minutes=1):
        response = client.get(PAGE)
    assert login_at == timezone.now().timestamp()
    _ends_at_login(response, PAGE)
    assert "der er gået 12 timer" in client.get(response["Location"]).content.decode()


@pytest.mark.now(START, tick=False)
def test_logging_in_again_starts_both_clocks_again() -> None:
    user = UserFactory()
    client = Client()
    credentials = {"username": user.username, "password": PASSWORD}
    assert client.post(reverse("login"), credentials)["Location"] == reverse("home")
    assert client.session[LOGIN_AT] == timezone.now().timestamp()
    for minutes in range(30, 11 * 60 + 1, 30):
        with later(minutes=minutes):
            assert client.get(PAGE).status_code == 200, minutes
    with later(hours=11, minutes=10):
        client.post(reverse("logout"))
        client.post(reverse("login"), credentials)
        assert client.session[LOGIN_AT] == timezone.now().timestamp()
    # Past twelve hours from the first login, not from the second.
    for minutes in range(11 * 60 + 40, 14 * 60, 30):
        with later(minutes=minutes):
            assert client.get(PAGE).status_code == 200, minutes


# The warning


@pytest.mark.now(START, tick=False)
def test_every_signed_in_page_carries_the_warning_and_its_script() -> None:
    client = _signed_in()
    html = client.get(PAGE).content.decode()
    assert 'id="session-advarsel"' in html
    assert 'data-idle-seconds="3600"' in html
    assert 'data-warning-seconds="300"' in html
    assert 'data-absolute-seconds="43200"' in html
    assert "Forbliv logget ind" in html
    assert 'role="alert"' in html
    assert '<script src="/static/vum/session.js" defer></script>' in html
    # The Content-Security-Policy allows no inline script.
    assert "<script>" not in html
    with later(minutes=50):
        later_html = client.get(PAGE).content.decode()
    assert f'data-absolute-seconds="{12 * 3600 - 50 * 60}"' in later_html
    # Not on the login page.
    assert "session-advarsel" not in Client().get(reverse("login")).content.decode()


def test_the_warnings_script_is_served() -> None:
    script = finders.find("vum/session.js")
    assert script is not None
    source = Path(script).read_text(encoding="utf-8")
    assert "htmx:afterRequest" in source
    assert "session-advarsel" in source


@pytest.mark.now(START, tick=False)
def test_staying_signed_in_from_the_warning_is_activity() -> None:
    client = _signed_in()
    client.get(PAGE)
    with later(minutes=56):
        response = client.post(
            reverse("accounts:session_keepalive"), headers={"HX-Request": "true"}
        )
        assert response.status_code == 204
    with later(minutes=56 + 59):
        assert client.get(PAGE).status_code == 200
