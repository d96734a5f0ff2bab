"""Login through OpenID Connect (direct federation, e.g. Microsoft Entra ID), against a real
provider on a loopback port (tests/peers/oidc_provider.py): the code flow with PKCE, the role
mapping from the roles claim, every ID-token attack, back-channel and RP-initiated logout."""

from typing import Any

import pytest
import requests
from django.http import HttpResponse
from django.test import Client

from tests.factories import TeamFactory
from tests.login.flows import local, logged_in, refusal_code
from tests.peers.oidc_provider import OidcLogin, OidcProvider
from vum.accounts.models import FoederetSession, Role, Rolletilknytning, Team, User
from vum.audit.models import AuditAction, AuditEvent

SUBJECT = "b7c1d2e3-f4a5-4b6c-8d7e-9f0a1b2c3d4e"
APP_ROLE = "vum.sagsbehandler.handicap"
ASSURANCE = "https://data.gov.dk/concept/core/nsis/loa"


@pytest.fixture
def handicap(db: None) -> Team:
    """The team of the app role APP_ROLE (OIDC roles carry no constraints)."""
    team = TeamFactory(navn="Handicap", slug="handicap")
    rule = Rolletilknytning.objects.create(brugersystemrolle=APP_ROLE, rolle=Role.SAGSBEHANDLER)
    rule.teams.set([team])
    return team


def person(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "given_name": "Jonas",
        "family_name": "Krogh",
        "email": "jkr@kommune.dk",
        "roles": [APP_ROLE],
        ASSURANCE: "Substantial",
    }
    claims.update(overrides)
    return claims


def oidc_login(client: Client, op: OidcProvider, login: OidcLogin) -> HttpResponse:
    """Start at vum, follow the redirect to the provider (real HTTP), and bring its answer back
    to vum's callback, as the browser would."""
    op.next_login = login
    start = client.get("/oidc/authenticate/", {"next": "/mine-sager/"})
    assert start.status_code == 302
    assert start["Location"].startswith(op.authorization_endpoint)
    answer = requests.get(start["Location"], timeout=10, allow_redirects=False)
    assert answer.status_code == 302, answer.text
    assert answer.headers["Location"].startswith("http://testserver/oidc/callback/")
    response: HttpResponse = client.get(local(answer.headers["Location"]))
    return response


@pytest.mark.django_db
def test_a_caseworker_logs_in_with_the_role_from_the_roles_claim(
    client: Client, op: OidcProvider, handicap: Team
) -> None:
    response = oidc_login(client, op, OidcLogin(sub=SUBJECT, claims=person()))

    assert response.status_code == 302
    assert response["Location"] == "/mine-sager/"
    user = User.objects.get(idp_subjekt=SUBJECT)
    assert user.idp_udsteder == op.issuer
    assert user.role == Role.SAGSBEHANDLER
    assert list(user.teams.all()) == [handicap]
    assert client.get("/mine-sager/").status_code == 200
    authorize = next(r for r in op.received if r.kind == "authorize")
    assert authorize.params["code_challenge_method"] == "S256"
    assert authorize.params["nonce"]
    token = next(r for r in op.received if r.kind == "token")
    assert token.error is None
    login = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert SUBJECT in login.summary
    assert "Substantial" in login.summary


@pytest.mark.parametrize(
    "fault", ["wrong_audience", "expired", "bad_signature", "wrong_nonce", "wrong_issuer"]
)
@pytest.mark.django_db
def test_an_id_token_that_cannot_be_trusted_is_refused(
    client: Client, op: OidcProvider, handicap: Team, fault: str
) -> None:
    response = oidc_login(client, op, OidcLogin(sub=SUBJECT, claims=person(), fault=fault))

    assert refusal_code(response) == "ugyldigt_svar"
    assert not logged_in(client)
    assert not User.objects.filter(idp_subjekt=SUBJECT).exists()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_REFUSED).count() == 1


@pytest.mark.django_db
def test_a_user_without_a_vum_role_is_refused(
    client: Client, op: OidcProvider, handicap: Team
) -> None:
    response = oidc_login(client, op, OidcLogin(sub=SUBJECT, claims=person(roles=["andet"])))

    assert refusal_code(response) == "ingen_rolle"
    assert not logged_in(client)


@pytest.mark.django_db
def test_assurance_below_substantial_or_unstated_is_refused(
    client: Client, op: OidcProvider, handicap: Team, settings: Any
) -> None:
    low = oidc_login(client, op, OidcLogin(sub=SUBJECT, claims=person(**{ASSURANCE: "Low"})))
    assert refusal_code(low) == "for_lavt_sikringsniveau"

    unstated = person()
    del unstated[ASSURANCE]
    assert refusal_code(oidc_login(client, op, OidcLogin(sub=SUBJECT, claims=unstated))) == (
        "for_lavt_sikringsniveau"
    )

    # A provider without the claim (Entra ID), whose level the municipality vouches for.
    settings.VUM_OIDC_ASSURANCE = "Substantial"
    assert oidc_login(client, op, OidcLogin(sub=SUBJECT, claims=unstated)).status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_back_channel_logout_ends_the_session_it_names(
    client: Client, op: OidcProvider, handicap: Team
) -> None:
    oidc_login(client, op, OidcLogin(sub=SUBJECT, claims=person()))
    other = Client()
    oidc_login(other, op, OidcLogin(sub=SUBJECT, claims=person()))
    session = FoederetSession.objects.get(session_key=client.session.session_key)
    token = op.backchannel_logout_token(sub=SUBJECT, sid=session.sid)

    answer = Client().post("/oidc/backchannel-logout/", {"logout_token": token})

    assert answer.status_code == 200
    assert answer.json() == {"sessioner_afsluttet": 1}
    assert client.get("/mine-sager/").status_code == 302  # to the login page
    assert other.get("/mine-sager/").status_code == 200  # another session of the provider's
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT).count() == 1
    replayed = Client().post("/oidc/backchannel-logout/", {"logout_token": token})
    assert replayed.status_code == 400


@pytest.mark.parametrize("fault", ["wrong_audience", "expired", "bad_signature", "with_nonce"])
@pytest.mark.django_db
def test_a_logout_token_that_cannot_be_trusted_ends_nothing(
    client: Client, op: OidcProvider, handicap: Team, fault: str
) -> None:
    oidc_login(client, op, OidcLogin(sub=SUBJECT, claims=person()))
    token = op.backchannel_logout_token(sub=SUBJECT, sid=None, fault=fault)

    answer = Client().post("/oidc/backchannel-logout/", {"logout_token": token})

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    assert client.get("/mine-sager/").status_code == 200


@pytest.mark.django_db
def test_logging_out_of_vum_ends_the_session_at_the_provider(
    client: Client, op: OidcProvider, handicap: Team
) -> None:
    oidc_login(client, op, OidcLogin(sub=SUBJECT, claims=person()))

    to_op = client.post("/logout/")

    assert not logged_in(client)
    assert to_op.status_code == 302
    assert to_op["Location"].startswith(op.end_session_endpoint)
    back = requests.get(to_op["Location"], timeout=10, allow_redirects=False)
    assert back.status_code == 302, back.text
    assert back.headers["Location"] == "http://testserver/login/"
    end_session = next(r for r in op.received if r.kind == "end_session")
    assert end_session.error is None
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT).count() == 1
