"""The OIDC provider peer checks what a real provider checks, and its faults are real faults.

The client here is plain `requests`, so that a fault found later in the relying party's tests is
the relying party's, not the peer's.
"""

import base64
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from tests.peers.oidc_provider import OidcLogin, OidcProvider, s256

REDIRECT_URI = "http://testserver/oidc/callback/"
LOGGED_OUT_URI = "http://testserver/logged-out/"


@pytest.fixture
def provider() -> Iterator[OidcProvider]:
    with OidcProvider(client_id="vum", client_secret="s3cret", redirect_uris=[REDIRECT_URI]) as op:
        op.next_login = OidcLogin(
            sub="entra-4711",
            claims={"name": "Mette Sagsbehandler", "email": "mette@kommune.dk", "roles": ["vum"]},
        )
        yield op


def authorize(op: OidcProvider, **extra: str) -> tuple[requests.Response, dict[str, str]]:
    params = {
        "client_id": op.client_id,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "openid email profile",
        "state": secrets.token_urlsafe(8),
        "nonce": secrets.token_urlsafe(8),
        **extra,
    }
    answer = requests.get(
        op.authorization_endpoint, params=params, allow_redirects=False, timeout=10
    )
    return answer, params


def code_from(op: OidcProvider, **extra: str) -> tuple[str, dict[str, str]]:
    answer, params = authorize(op, **extra)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [params["state"]]
    return query["code"][0], params


def redeem(op: OidcProvider, code: str, *, secret: str | None = None, **extra: str) -> Any:
    """The token request, with client_secret_post."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": op.client_id,
        "client_secret": op.client_secret if secret is None else secret,
        **extra,
    }
    return requests.post(op.token_endpoint, data=data, timeout=10)


def signing_keys(op: OidcProvider) -> jwt.PyJWKSet:
    jwks_uri = requests.get(f"{op.issuer}/.well-known/openid-configuration", timeout=10).json()[
        "jwks_uri"
    ]
    return jwt.PyJWKSet.from_dict(requests.get(jwks_uri, timeout=10).json())


def verify(
    op: OidcProvider, token: str, require: tuple[str, ...] = ("iss", "aud", "iat", "exp")
) -> dict[str, Any]:
    """Verify a token as a relying party does: the provider's key by kid, RS256 only."""
    kid = jwt.get_unverified_header(token)["kid"]
    key = signing_keys(op)[kid].key
    claims: dict[str, Any] = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        audience=op.client_id,
        issuer=op.issuer,
        options={"require": list(require)},
    )
    return claims


def test_discovery_announces_the_endpoints(provider: OidcProvider) -> None:
    config = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=10).json()

    assert config["issuer"] == provider.issuer
    assert config["authorization_endpoint"] == provider.authorization_endpoint
    assert config["token_endpoint"] == provider.token_endpoint
    assert config["userinfo_endpoint"] == provider.userinfo_endpoint
    assert config["jwks_uri"] == provider.jwks_uri
    assert config["end_session_endpoint"] == provider.end_session_endpoint
    assert config["response_types_supported"] == ["code"]
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(config["token_endpoint_auth_methods_supported"]) == {
        "client_secret_post",
        "client_secret_basic",
    }
    assert config["backchannel_logout_supported"] is True
    assert config["backchannel_logout_session_supported"] is True


def test_the_code_flow_gives_a_verifiable_id_token_and_userinfo(provider: OidcProvider) -> None:
    code, params = code_from(provider)

    answer = redeem(provider, code)

    assert answer.status_code == 200, answer.text
    tokens = answer.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] > 0
    claims = verify(provider, tokens["id_token"])
    assert claims["sub"] == "entra-4711"
    assert claims["aud"] == "vum"
    assert claims["nonce"] == params["nonce"]
    assert claims["exp"] - claims["iat"] == 300
    assert claims["auth_time"] <= claims["iat"]
    assert claims["roles"] == ["vum"]
    assert claims["sid"] == provider.received[-1].sid
    assert [(r.kind, r.error, r.client_auth) for r in provider.received] == [
        ("authorize", None, None),
        ("token", None, "client_secret_post"),
    ]

    userinfo = requests.get(
        provider.userinfo_endpoint,
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    )

    assert userinfo.status_code == 200
    assert userinfo.json() == {
        "sub": "entra-4711",
        "name": "Mette Sagsbehandler",
        "email": "mette@kommune.dk",
        "roles": ["vum"],
    }


def test_each_login_opens_a_new_session(provider: OidcProvider) -> None:
    first = verify(provider, redeem(provider, code_from(provider)[0]).json()["id_token"])
    second = verify(provider, redeem(provider, code_from(provider)[0]).json()["id_token"])

    assert first["sid"] != second["sid"]


def test_client_secret_basic_is_accepted(provider: OidcProvider) -> None:
    code, _ = code_from(provider)

    answer = requests.post(
        provider.token_endpoint,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        auth=(provider.client_id, provider.client_secret),
        timeout=10,
    )

    assert answer.status_code == 200, answer.text
    assert provider.received[-1].client_auth == "client_secret_basic"


def test_a_code_is_single_use(provider: OidcProvider) -> None:
    code, _ = code_from(provider)
    assert redeem(provider, code).status_code == 200

    again = redeem(provider, code)

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_wrong_client_secret_is_refused(provider: OidcProvider) -> None:
    code, _ = code_from(provider)

    answer = redeem(provider, code, secret="guessed")

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    # The code is still good for the real client.
    assert redeem(provider, code).status_code == 200


def test_a_wrong_basic_secret_is_refused(provider: OidcProvider) -> None:
    code, _ = code_from(provider)
    credentials = base64.b64encode(f"{provider.client_id}:guessed".encode()).decode()

    answer = requests.post(
        provider.token_endpoint,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        headers={"Authorization": f"Basic {credentials}"},
        timeout=10,
    )

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_the_redirect_uri_must_match_the_authorization_request(provider: OidcProvider) -> None:
    provider.register_redirect_uri("http://testserver/other/callback/")
    code, _ = code_from(provider)

    answer = redeem(provider, code, redirect_uri="http://testserver/other/callback/")

    assert answer.status_code == 400


def test_a_token_request_without_redirect_uri_is_refused(provider: OidcProvider) -> None:
    code, _ = code_from(provider)

    answer = requests.post(
        provider.token_endpoint,
        data={"grant_type": "authorization_code", "code": code},
        auth=(provider.client_id, provider.client_secret),
        timeout=10,
    )

    assert answer.status_code == 400


def test_pkce_verifier_is_checked(provider: OidcProvider) -> None:
    verifier = secrets.token_urlsafe(48)
    challenge = {"code_challenge": s256(verifier), "code_challenge_method": "S256"}
    wrong_code, _ = code_from(provider, **challenge)
    right_code, _ = code_from(provider, **challenge)

    assert redeem(provider, wrong_code, code_verifier=secrets.token_urlsafe(48)).status_code == 400
    assert redeem(provider, right_code, code_verifier=verifier).status_code == 200


def test_an_unregistered_redirect_uri_is_refused_without_a_redirect(
    provider: OidcProvider,
) -> None:
    answer, _ = authorize(provider, redirect_uri="https://attacker.example/callback")

    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert provider.received[-1].error == "invalid_request"


def test_a_malformed_request_to_an_unregistered_redirect_uri_is_not_redirected(
    provider: OidcProvider,
) -> None:
    answer, _ = authorize(provider, redirect_uri="https://attacker.example/cb", scope="email")

    assert answer.status_code == 400
    assert "Location" not in answer.headers


def test_an_unknown_client_is_refused_without_a_redirect(provider: OidcProvider) -> None:
    answer, _ = authorize(provider, client_id="someone-else")

    assert answer.status_code == 400
    assert "Location" not in answer.headers


def test_a_request_without_openid_scope_is_answered_with_an_error_redirect(
    provider: OidcProvider,
) -> None:
    answer, params = authorize(provider, scope="email")

    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["error"] == ["invalid_request"]
    assert query["state"] == [params["state"]]


def test_no_prepared_login_is_a_400(provider: OidcProvider) -> None:
    provider.next_login = None

    answer, _ = authorize(provider)

    assert answer.status_code == 400
    assert "no login prepared" in answer.text


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("wrong_audience", jwt.InvalidAudienceError),
        ("expired", jwt.ExpiredSignatureError),
        ("bad_signature", jwt.InvalidSignatureError),
        ("wrong_issuer", jwt.InvalidIssuerError),
    ],
)
def test_an_id_token_fault_fails_verification(
    provider: OidcProvider, fault: str, error: type[Exception]
) -> None:
    provider.next_login = OidcLogin(sub="entra-4711", claims={}, fault=fault)
    code, _ = code_from(provider)
    id_token = redeem(provider, code).json()["id_token"]

    with pytest.raises(error):
        verify(provider, id_token)


def test_a_wrong_nonce_fails_the_nonce_check(provider: OidcProvider) -> None:
    provider.next_login = OidcLogin(sub="entra-4711", claims={}, fault="wrong_nonce")
    code, params = code_from(provider)

    claims = verify(provider, redeem(provider, code).json()["id_token"])

    assert claims["nonce"] != params["nonce"]


def test_a_logout_token_verifies_and_says_what_the_spec_says(provider: OidcProvider) -> None:
    token = provider.backchannel_logout_token(sub="entra-4711", sid="s-1")

    claims = verify(provider, token, require=("iss", "aud", "iat", "exp", "jti"))

    assert jwt.get_unverified_header(token)["typ"] == "logout+jwt"
    assert claims["sub"] == "entra-4711"
    assert claims["sid"] == "s-1"
    assert claims["events"] == {"http://schemas.openid.net/event/backchannel-logout": {}}
    assert "nonce" not in claims


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("wrong_audience", jwt.InvalidAudienceError),
        ("expired", jwt.ExpiredSignatureError),
        ("bad_signature", jwt.InvalidSignatureError),
    ],
)
def test_a_logout_token_fault_fails_verification(
    provider: OidcProvider, fault: str, error: type[Exception]
) -> None:
    token = provider.backchannel_logout_token(sub="entra-4711", sid="s-1", fault=fault)

    with pytest.raises(error):
        verify(provider, token)


def test_a_logout_token_with_a_nonce_is_detectable(provider: OidcProvider) -> None:
    token = provider.backchannel_logout_token(sub="entra-4711", sid=None, fault="with_nonce")

    assert "nonce" in verify(provider, token)


def test_end_session_redirects_only_to_a_registered_uri(provider: OidcProvider) -> None:
    provider.register_post_logout_redirect_uri(LOGGED_OUT_URI)
    tokens = redeem(provider, code_from(provider)[0]).json()
    logout = {"id_token_hint": tokens["id_token"], "state": "st-1"}

    refused = requests.get(
        provider.end_session_endpoint,
        params={**logout, "post_logout_redirect_uri": "https://attacker.example/"},
        allow_redirects=False,
        timeout=10,
    )
    accepted = requests.get(
        provider.end_session_endpoint,
        params={**logout, "post_logout_redirect_uri": LOGGED_OUT_URI},
        allow_redirects=False,
        timeout=10,
    )

    assert refused.status_code == 400
    assert "Location" not in refused.headers
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == f"{LOGGED_OUT_URI}?state=st-1"
    assert [(r.kind, r.error is None) for r in provider.received[-2:]] == [
        ("end_session", False),
        ("end_session", True),
    ]
    # The login has ended at the provider: its access token no longer works.
    userinfo = requests.get(
        provider.userinfo_endpoint,
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    )
    assert userinfo.status_code == 401
