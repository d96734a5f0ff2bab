"""Token authentication, and the OpenAPI schema and its documentation pages."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD, SagFactory, UserFactory
from vum.accounts.models import User

pytestmark = pytest.mark.django_db


def test_token_auth_works(caseworker: User) -> None:
    sag = SagFactory(team=caseworker.teams.get())
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": caseworker.username, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    token = response.data["token"]

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = client.get("/api/v1/sager/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.data["results"]] == [sag.pk]


def test_wrong_password_gets_no_token(caseworker: User) -> None:
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": caseworker.username, "password": "forkert"},
        format="json",
    )
    assert response.status_code == 400
    assert "token" not in response.data


def test_session_auth_works(client: Client) -> None:
    user = UserFactory()
    sag = SagFactory(team=user.teams.get())
    # force_login sets a real session cookie, which the API's SessionAuthentication reads.
    client.force_login(user)
    response = client.get("/api/v1/sager/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [sag.pk]


def test_bad_token_is_refused() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token ikke-et-token")
    response = client.get("/api/v1/sager/")
    # Token authentication comes first, so the client is challenged to authenticate.
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.data["detail"]


def test_schema_and_docs_answer(client: Client) -> None:
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    body = schema.content.decode()
    for path in (
        "/api/v1/borgere/",
        "/api/v1/sager/{id}/sagsaabning/",
        "/api/v1/sager/{sag_pk}/transitions/{name}/",
        "/api/v1/henvendelser/",
    ):
        assert path in body
    assert client.get("/api/docs/").status_code == 200
