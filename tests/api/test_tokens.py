"""API tokens (django-rest-knox): they expire, are stored as digests, are new at every login, can
be revoked one at a time or all at once, end when the password changes or the user is
deactivated, stay out of the audit, and the token login is throttled by django-axes like the
login page. `timezone.now()` here is the suite's frozen instant (tests/clock.py); expiry is
counted from it by moving the clock, never from today."""

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import PASSWORD, SagFactory, UserFactory
from vum.accounts.models import User
from vum.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
REVOKE_ALL_URL = "/api/v1/auth/token/alle/"
NEW_PASSWORD = "Andet-hest-batteri-2"
# How long a token lasts: the default of API_TOKEN_TTL_HOURS, a working day.
TTL = timedelta(hours=10)


def login(user: User, password: str = PASSWORD, **extra: Any) -> Any:
    return APIClient().post(
        TOKEN_URL, {"username": user.username, "password": password}, format="json", **extra
    )


def token_for(user: User) -> str:
    response = login(user)
    assert response.status_code == 200, response.content
    return str(response.data["token"])


def client_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def status_with(token: str) -> int:
    """What a call with the token gets: 200 while it works, 401 once it does not."""
    return int(client_with(token).get("/api/v1/sager/").status_code)


@pytest.fixture
def user(db: None) -> User:
    user = UserFactory()
    SagFactory(team=user.teams.get())
    return user


def test_login_answers_a_token_and_when_it_expires(user: User) -> None:
    before = timezone.now()
    response = login(user)
    after = timezone.now()

    assert response.status_code == 200
    assert set(response.data) == {"token", "udloeber"}
    udloeber = datetime.fromisoformat(response.data["udloeber"])
    assert before + TTL <= udloeber <= after + TTL
    assert status_with(response.data["token"]) == 200


def test_login_takes_a_form_as_well_as_json(user: User) -> None:
    response = APIClient().post(TOKEN_URL, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert status_with(response.data["token"]) == 200


def test_the_token_expires_after_its_time(user: User) -> None:
    token = token_for(user)

    with time_machine.travel(timezone.now() + TTL - timedelta(minutes=1), tick=False):
        assert status_with(token) == 200
    with time_machine.travel(timezone.now() + TTL + timedelta(minutes=1), tick=False):
        assert status_with(token) == 401


def test_the_token_is_stored_nowhere(user: User) -> None:
    """Not in its own row (a digest of it, and the first characters for the look-up), nor in
    any other table: whoever reads the database or a backup of it gets no working token."""
    token = token_for(user)
    assert status_with(token) == 200

    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            assert token not in repr(cursor.fetchall()), table
    assert AuthToken.objects.get(user=user).digest != token


def test_every_login_gives_a_new_token_and_the_old_one_keeps_working(user: User) -> None:
    first = token_for(user)
    second = token_for(user)

    assert first != second
    assert status_with(first) == 200
    assert status_with(second) == 200


def test_logout_revokes_the_token_it_is_sent_with(user: User) -> None:
    kept = token_for(user)
    token = token_for(user)

    response = client_with(token).delete(TOKEN_URL)

    assert response.status_code == 204
    assert status_with(token) == 401
    assert status_with(kept) == 200
    assert client_with(token).delete(TOKEN_URL).status_code == 401


def test_revoking_all_ends_every_token_of_the_user(user: User) -> None:
    tokens = [token_for(user) for _ in range(3)]
    other = UserFactory()
    others_token = token_for(other)

    response = client_with(tokens[0]).delete(REVOKE_ALL_URL)

    assert response.status_code == 204
    assert [status_with(token) for token in tokens] == [401, 401, 401]
    assert client_with(others_token).get("/api/v1/sager/").status_code == 200


def test_a_new_password_ends_the_tokens(user: User) -> None:
    token = token_for(user)

    user.set_password(NEW_PASSWORD)
    user.save()

    assert status_with(token) == 401
    assert login(user).status_code == 400
    assert status_with(token_for_password(user, NEW_PASSWORD)) == 200


def token_for_password(user: User, password: str) -> str:
    response = login(user, password)
    assert response.status_code == 200, response.content
    return str(response.data["token"])


@pytest.mark.parametrize(
    "data",
    [
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        {"usable_password": "false"},
    ],
    ids=["new-password", "password-disabled"],
)
def test_the_admins_password_form_ends_the_tokens(user: User, data: dict[str, str]) -> None:
    token = token_for(user)

    form = AdminPasswordChangeForm(user, data)
    assert form.is_valid(), form.errors
    form.save()

    assert status_with(token) == 401


def test_a_password_hash_upgrade_at_login_ends_no_token(user: User) -> None:
    """Django rehashes a password stored with weaker parameters when it is checked at login;
    that is not a new password, and the user's other clients keep their tokens."""
    token = token_for(user)
    weak = make_password(PASSWORD, salt="kort", hasher="md5")  # too short a salt: upgraded
    User.objects.filter(pk=user.pk).update(password=weak)

    assert login(user).status_code == 200

    user.refresh_from_db()
    assert user.password != weak
    assert status_with(token) == 200


def test_deactivation_ends_the_tokens_for_good(user: User) -> None:
    token = token_for(user)

    user.is_active = False
    user.save()
    assert status_with(token) == 401
    assert login(user).status_code == 400

    # Activated again, the user logs in anew: the token from before stays dead.
    user.is_active = True
    user.save()
    assert status_with(token) == 401
    assert status_with(token_for(user)) == 200


def test_a_stale_token_header_does_not_stop_a_login(user: User) -> None:
    response = login(user, HTTP_AUTHORIZATION="Token udloebet-for-laengst")
    assert response.status_code == 200


def test_logins_and_revocations_are_audited_without_the_token(user: User) -> None:
    first = token_for(user)
    second = token_for(user)
    assert client_with(first).delete(TOKEN_URL).status_code == 204
    assert client_with(second).delete(REVOKE_ALL_URL).status_code == 204
    third = token_for(user)
    user.set_password(NEW_PASSWORD)
    user.save()

    events = list(
        AuditEvent.objects.filter(object_type="accounts.User", object_id=str(user.pk))
        .order_by("occurred_at", "id")
        .values()
    )
    assert [(e["actor_id"], e["summary"]) for e in events] == [
        (user.pk, "API-nøgle udstedt ved login"),
        (user.pk, "API-nøgle udstedt ved login"),
        (user.pk, "API-nøgle tilbagekaldt: log ud"),
        (user.pk, "Alle API-nøgler tilbagekaldt: log ud overalt"),
        (user.pk, "API-nøgle udstedt ved login"),
        (None, "Alle API-nøgler tilbagekaldt: adgangskoden er skiftet"),
    ]
    everything = json.dumps(list(AuditEvent.objects.values()), default=str)
    for token in (first, second, third):
        assert token not in everything
        assert token[:15] not in everything  # not even the part knox keeps for its look-up


def test_five_wrong_passwords_lock_the_token_login(user: User) -> None:
    answers = [login(user, "forkert").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    # The failure that reaches the limit is the first to be told so.
    assert answers == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]

    locked = login(user)
    assert locked.status_code == 429
    assert "token" not in locked.data
    assert "For mange mislykkede loginforsøg" in locked.data["detail"]
    assert int(locked["Retry-After"]) > 0

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert login(user).status_code == 200


def test_an_inactive_user_gets_no_token(user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = login(user)
    assert response.status_code == 400
    assert "token" not in response.data


def test_the_admin_only_shows_and_revokes_tokens(user: User) -> None:
    """knox's own admin would mint a token for anyone, with no expiry and no audit."""
    token = token_for(user)
    administrator = UserFactory(administrator=True, is_superuser=True)
    request = RequestFactory().post("/admin/knox/authtoken/")
    request.user = administrator
    token_admin = admin.site.get_model_admin(AuthToken)

    assert not token_admin.has_add_permission(request)
    assert not token_admin.has_change_permission(request, AuthToken.objects.get())
    assert "digest" not in token_admin.get_list_display(request)

    token_admin.delete_queryset(request, AuthToken.objects.filter(user=user))

    assert status_with(token) == 401
    event = AuditEvent.objects.get(summary="API-nøgle tilbagekaldt: slettet af en administrator")
    assert (event.actor, event.object_id) == (administrator, str(user.pk))


def test_an_administrator_gets_no_token_with_a_password_alone() -> None:
    from rest_framework.test import APIClient

    from tests.factories import PASSWORD, UserFactory

    admin = UserFactory(administrator=True)
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": admin.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert "to-trins-login" in response.json()["detail"]


def test_a_login_is_never_stored_as_an_idempotent_answer(caseworker) -> None:  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    from tests.factories import PASSWORD
    from vum.idempotency.models import IdempotentRequest

    client = APIClient()
    body = {"username": caseworker.username, "password": PASSWORD}
    headers = {"Idempotency-Key": "login-1"}
    first = client.post("/api/v1/auth/token/", body, format="json", headers=headers)
    second = client.post("/api/v1/auth/token/", body, format="json", headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["token"] != second.json()["token"]
    assert not IdempotentRequest.objects.exists()
