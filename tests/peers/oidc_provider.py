"""A real OpenID Connect provider on a loopback port, for the relying-party tests.

It plays a municipality's directly federated identity provider (Microsoft Entra ID, say): the
authorization-code flow with client_secret_basic or client_secret_post, RS256 ID tokens, nonce,
optional PKCE (S256), userinfo, RP-initiated logout, and signed Back-Channel Logout tokens.

pyop does the protocol work a provider must get right: it validates the authentication request,
issues single-use authorization codes that expire, authenticates the client, binds the code to its
client and redirect_uri, checks PKCE, and makes the ID token's claims (the peer signs them again,
see `_id_token`). This module adds what a test needs on top: who logs in next (`next_login`),
deliberate faults in the ID token, a record of every request (`received`), and logout tokens.

Every time comes from `time.time()`, so under the suite's time-machine clock the provider and the
relying party agree on "now".

Post-logout redirects: `post_logout_redirect_uri` must equal, character for character, a URI
registered with `register_post_logout_redirect_uri`, as with a client's registered
`post_logout_redirect_uris`; the client is the audience of `id_token_hint`, or the `client_id`
parameter. An unregistered one is refused with a 400 page, never followed.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit
from wsgiref.types import StartResponse, WSGIEnvironment

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwkest.jwk import RSAKey, import_rsa_key  # type: ignore[import-untyped]
from pyop.authz_state import AuthorizationState  # type: ignore[import-untyped]
from pyop.exceptions import (  # type: ignore[import-untyped]
    BearerTokenError,
    InvalidAccessToken,
    InvalidAuthenticationRequest,
    InvalidClientAuthentication,
    OAuthError,
)
from pyop.provider import Provider  # type: ignore[import-untyped]
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory  # type: ignore[import-untyped]
from pyop.userinfo import Userinfo  # type: ignore[import-untyped]

from tests.peers.loopback import LoopbackServer

ID_TOKEN_LIFETIME = 300
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
ID_TOKEN_FAULTS = frozenset(
    {"wrong_audience", "expired", "bad_signature", "wrong_nonce", "wrong_issuer"}
)
LOGOUT_TOKEN_FAULTS = frozenset({"wrong_audience", "expired", "bad_signature", "with_nonce"})
# Claims the provider sets itself; a login's claims may not replace them.
PROTOCOL_CLAIMS = frozenset(
    {"iss", "sub", "aud", "iat", "exp", "nbf", "auth_time", "nonce", "sid", "at_hash", "c_hash"}
)

Json = dict[str, Any]
Response = tuple[str, list[tuple[str, str]], bytes]


@dataclass
class OidcLogin:
    """Who logs in at the next /authorize; it stays in place for later logins until replaced."""

    sub: str
    claims: dict[str, Any] = field(default_factory=dict)
    fault: str | None = None

    def __post_init__(self) -> None:
        if self.fault is not None and self.fault not in ID_TOKEN_FAULTS:
            raise ValueError(
                f"unknown ID-token fault {self.fault!r}: one of {sorted(ID_TOKEN_FAULTS)}"
            )
        reserved = PROTOCOL_CLAIMS & self.claims.keys()
        if reserved:
            raise ValueError(f"the provider sets these claims itself: {sorted(reserved)}")


@dataclass(frozen=True)
class OidcReceived:
    """One request as the provider received it, and what it answered."""

    kind: str  # "authorize", "token", "userinfo" or "end_session"
    params: dict[str, str]  # query or form parameters, secrets included, as sent
    error: str | None  # the OAuth error (or page reason) answered; None when accepted
    client_auth: str | None = None  # token: "client_secret_basic" or "client_secret_post"
    sid: str | None = None  # authorize/token: the session the login opened


@dataclass(frozen=True)
class _Login:
    """A login made at /authorize, kept until its code is redeemed."""

    login: OidcLogin
    sid: str
    auth_time: int


class _AllClaims(Userinfo):
    """A directory provider such as Entra answers with every claim it has for the user, not only
    those the scope names, so `roles` and the like reach the relying party. `sub` is left to pyop,
    which sets it in the ID token and the userinfo answer itself."""

    def get_claims_for(
        self, user_id: str | None, requested_claims: Any, userinfo: Json | None = None
    ) -> Json:
        claims = userinfo or (self._db[user_id] if user_id else {})
        return {name: value for name, value in claims.items() if name != "sub"}


@cache
def _rsa_key(purpose: str) -> rsa.RSAPrivateKey:
    """One key per purpose and test process: a new RSA key costs a few hundred milliseconds,
    and every login test starts a provider. Each provider still has its own key id."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class OidcProvider(LoopbackServer):
    name = "oidc-provider"

    def __init__(
        self,
        *,
        client_id: str = "vum",
        client_secret: str = "vum-oidc-test-secret",  # noqa: S107 - a test peer's own secret
        redirect_uris: list[str],
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.next_login: OidcLogin | None = None
        self.received: list[OidcReceived] = []
        self._redirect_uris = list(redirect_uris)
        self._post_logout_redirect_uris: list[str] = []
        self._kid = uuid.uuid4().hex
        self._key = _rsa_key("signing")
        # Signs the "bad_signature" tokens: a key the JWKS does not hold, under the same kid, as
        # when a token is forged or the provider's key was rolled without telling the RP.
        self._stranger_key = _rsa_key("stranger")
        self._logins: dict[str, _Login] = {}  # authorization code -> the login behind it
        self._claims_by_sub: dict[str, Json] = {}  # what /userinfo answers
        # pyop's storage is plain dicts and the server is threaded: one request at a time.
        self._lock = threading.Lock()
        self._provider: Any = None

    # -- life cycle ------------------------------------------------------------------------

    def _bound(self) -> None:
        self._provider = self._make_provider()

    # -- addresses -------------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        return self.base_url

    @property
    def authorization_endpoint(self) -> str:
        return f"{self.issuer}/authorize"

    @property
    def token_endpoint(self) -> str:
        return f"{self.issuer}/token"

    @property
    def userinfo_endpoint(self) -> str:
        return f"{self.issuer}/userinfo"

    @property
    def jwks_uri(self) -> str:
        return f"{self.issuer}/jwks"

    @property
    def end_session_endpoint(self) -> str:
        return f"{self.issuer}/logout"

    # -- client registration ---------------------------------------------------------------

    def register_redirect_uri(self, uri: str) -> None:
        with self._lock:
            self._redirect_uris.append(uri)
            if self._provider is not None:
                self._provider.clients[self.client_id]["redirect_uris"] = list(self._redirect_uris)

    def register_post_logout_redirect_uri(self, uri: str) -> None:
        with self._lock:
            self._post_logout_redirect_uris.append(uri)

    # -- Back-Channel Logout ---------------------------------------------------------------

    def backchannel_logout_token(
        self, *, sub: str, sid: str | None, fault: str | None = None
    ) -> str:
        """A Logout Token (OpenID Connect Back-Channel Logout 1.0, section 2.4), signed as the
        provider signs ID tokens, or with the named fault."""
        if fault is not None and fault not in LOGOUT_TOKEN_FAULTS:
            raise ValueError(
                f"unknown logout-token fault {fault!r}: one of {sorted(LOGOUT_TOKEN_FAULTS)}"
            )
        now = int(time.time())
        claims: Json = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 120,
            "jti": uuid.uuid4().hex,
            "sub": sub,
            "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
        }
        if sid is not None:
            claims["sid"] = sid
        key = self._key
        if fault == "wrong_audience":
            claims["aud"] = "another-client"
        elif fault == "expired":
            claims["iat"] = now - 7200
            claims["exp"] = now - 6900
        elif fault == "bad_signature":
            key = self._stranger_key
        elif fault == "with_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        return jwt.encode(
            claims, key, algorithm="RS256", headers={"kid": self._kid, "typ": "logout+jwt"}
        )

    def send_backchannel_logout(self, url: str, token: str) -> requests.Response:
        """POST the token to the RP's backchannel_logout_uri, form-encoded, as an OP does."""
        return requests.post(url, data={"logout_token": token}, timeout=10)

    # -- pyop ------------------------------------------------------------------------------

    def _make_provider(self) -> Any:
        configuration = {
            "issuer": self.issuer,
            "authorization_endpoint": self.authorization_endpoint,
            "token_endpoint": self.token_endpoint,
            "userinfo_endpoint": self.userinfo_endpoint,
            "jwks_uri": self.jwks_uri,
            "end_session_endpoint": self.end_session_endpoint,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid"],
            "backchannel_logout_supported": True,
            "backchannel_logout_session_supported": True,
        }
        signing_key = RSAKey(
            key=import_rsa_key(_pem(self._key)), kid=self._kid, alg="RS256", use="sig"
        )
        clients = {
            self.client_id: {
                "client_secret": self.client_secret,
                "redirect_uris": list(self._redirect_uris),
                "response_types": ["code"],
                # client_secret_post is accepted too: _token moves those credentials to Basic.
                "token_endpoint_auth_method": "client_secret_basic",
                "subject_type": "public",
            }
        }
        authz_state = AuthorizationState(HashBasedSubjectIdentifierFactory(secrets.token_hex(16)))
        # oic refuses an issuer that is not https; this peer serves plain HTTP on loopback, so
        # pyop checks the configuration with an https issuer and then gets the real one.
        provider = Provider(
            signing_key,
            {**configuration, "issuer": "https://127.0.0.1"},
            authz_state,
            clients,
            _AllClaims(self._claims_by_sub),
            id_token_lifetime=ID_TOKEN_LIFETIME,
        )
        provider.configuration_information["issuer"] = self.issuer
        return provider

    # -- WSGI ------------------------------------------------------------------------------

    def _wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        routes: dict[tuple[str, str], Callable[[WSGIEnvironment], Response]] = {
            ("GET", "/.well-known/openid-configuration"): self._configuration,
            ("GET", "/jwks"): self._jwks,
            ("GET", "/authorize"): lambda env: self._authorize(query),
            ("POST", "/token"): self._token,
            ("GET", "/userinfo"): self._userinfo,
            ("POST", "/userinfo"): self._userinfo,
            ("GET", "/logout"): lambda env: self._end_session(query),
            ("POST", "/logout"): lambda env: self._end_session(_body(env)),
        }
        handler = routes.get((method, path))
        if handler is None:
            status, headers, body = _page("404 Not Found", f"no {method} {path} here")
        else:
            with self._lock:
                status, headers, body = handler(environ)
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def _configuration(self, environ: WSGIEnvironment) -> Response:
        return _json("200 OK", self._provider.provider_configuration.to_dict())

    def _jwks(self, environ: WSGIEnvironment) -> Response:
        return _json("200 OK", self._provider.jwks)

    def _authorize(self, query: str) -> Response:
        params = dict(parse_qsl(query))

        def record(error: str | None, sid: str | None = None) -> None:
            self.received.append(OidcReceived("authorize", params, error, sid=sid))

        # Checked before pyop parses the rest: pyop redirects its errors about a malformed request
        # to the request's redirect_uri before it has checked that the URI is registered.
        if params.get("client_id") != self.client_id:
            record("unauthorized_client")
            return _page("400 Bad Request", f"unknown client_id {params.get('client_id')!r}")
        if params.get("redirect_uri") not in self._redirect_uris:
            record("invalid_request")
            return _page(
                "400 Bad Request", f"redirect_uri not registered: {params.get('redirect_uri')}"
            )
        try:
            request = self._provider.parse_authentication_request(query)
        except InvalidAuthenticationRequest as exc:
            record(exc.oauth_error)
            return _redirect_error(params, exc.oauth_error, str(exc))
        if request.get("code_challenge") and request.get("code_challenge_method") != "S256":
            # "plain" would let whoever sees the authorization request redeem the code.
            record("invalid_request")
            return _redirect_error(params, "invalid_request", "code_challenge_method must be S256")
        login = self.next_login
        if login is None:
            record("no login prepared")
            return _page("400 Bad Request", "no login prepared: set OidcProvider.next_login")
        self._claims_by_sub[login.sub] = {"sub": login.sub, **login.claims}
        response = self._provider.authorize(request, login.sub)
        sid = uuid.uuid4().hex
        self._logins[response["code"]] = _Login(login, sid, int(time.time()))
        record(None, sid)
        return _redirect(response.request(request["redirect_uri"]))

    def _token(self, environ: WSGIEnvironment) -> Response:
        body = _body(environ)
        params = dict(parse_qsl(body))
        authorization = environ.get("HTTP_AUTHORIZATION")
        client_auth = (
            "client_secret_basic"
            if authorization
            else "client_secret_post"
            if "client_secret" in params
            else None
        )
        login = self._logins.get(params.get("code", ""))
        sid = login.sid if login else None

        def record(error: str | None) -> None:
            self.received.append(OidcReceived("token", params, error, client_auth, sid))

        if authorization and "client_secret" in params:
            # RFC 6749 section 2.3: a client must not use more than one authentication method.
            record("invalid_request")
            return _oauth_error(
                "400 Bad Request",
                OAuthError("two client authentication methods", "invalid_request"),
            )
        if client_auth == "client_secret_post":
            # pyop holds a client to the one method it registered (Basic): the same credentials,
            # moved to the header, so that a client may use either, as at Entra.
            authorization = _basic(params.get("client_id", ""), params["client_secret"])
            body = urlencode({k: v for k, v in params.items() if k != "client_secret"})
        try:
            response = self._provider.handle_token_request(
                body,
                {"Authorization": authorization} if authorization else {},
                extra_id_token_claims=(
                    {"auth_time": login.auth_time, "sid": login.sid, **login.login.claims}
                    if login
                    else None
                ),
            )
        except InvalidClientAuthentication as exc:
            record(exc.oauth_error)
            answer = _oauth_error("401 Unauthorized", exc)
            return answer[0], [*answer[1], ("WWW-Authenticate", 'Basic realm="token"')], answer[2]
        except OAuthError as exc:
            record(exc.oauth_error)
            return _oauth_error("400 Bad Request", exc)
        assert login is not None, "pyop redeemed a code this provider did not issue"
        tokens = response.to_dict()
        tokens["id_token"] = self._id_token(tokens["id_token"], login.login.fault)
        record(None)
        return _json("200 OK", tokens, ("Cache-Control", "no-store"), ("Pragma", "no-cache"))

    def _id_token(self, issued: str, fault: str | None) -> str:
        """The ID token pyop made, signed again with the same key: with `aud` the one client id
        as a string, as Entra sends it (oic always writes a list), and spoilt by the fault, if
        any, as a broken or hostile provider would spoil it."""
        claims: Json = jwt.decode(issued, options={"verify_signature": False})
        claims["aud"] = self.client_id
        key = self._key
        now = int(time.time())
        if fault == "wrong_audience":
            claims["aud"] = "another-client"
        elif fault == "expired":
            claims["iat"] = claims["auth_time"] = now - 7200
            claims["exp"] = now - 6900
        elif fault == "bad_signature":
            key = self._stranger_key
        elif fault == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        elif fault == "wrong_issuer":
            claims["iss"] = "https://login.microsoftonline.com/another-tenant/v2.0"
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self._kid})

    def _userinfo(self, environ: WSGIEnvironment) -> Response:
        body = _body(environ) if environ["REQUEST_METHOD"] == "POST" else ""
        params = dict(parse_qsl(body))
        authorization = environ.get("HTTP_AUTHORIZATION")
        try:
            claims = self._provider.handle_userinfo_request(
                body, {"Authorization": authorization} if authorization else {}
            )
        except (BearerTokenError, InvalidAccessToken) as exc:
            self.received.append(OidcReceived("userinfo", params, "invalid_token"))
            # RFC 6750 section 3: the error goes in the WWW-Authenticate header.
            return (
                "401 Unauthorized",
                [("WWW-Authenticate", f'Bearer error="invalid_token", error_description="{exc}"')],
                b"",
            )
        self.received.append(OidcReceived("userinfo", params, None))
        return _json("200 OK", claims.to_dict())

    def _end_session(self, query: str) -> Response:
        params = dict(parse_qsl(query))

        def refuse(reason: str) -> Response:
            self.received.append(OidcReceived("end_session", params, reason))
            return _page("400 Bad Request", reason)

        client_id = params.get("client_id")
        sub: str | None = None
        hint = params.get("id_token_hint")
        if hint:
            try:
                # The hint may have expired: RP-Initiated Logout 1.0 lets the RP send an old one.
                claims = jwt.decode(
                    hint,
                    self._key.public_key(),
                    algorithms=["RS256"],
                    audience=client_id or self.client_id,
                    issuer=self.issuer,
                    options={"verify_exp": False},
                )
            except jwt.InvalidTokenError as exc:
                return refuse(f"invalid id_token_hint: {exc}")
            client_id = client_id or self.client_id
            sub = claims["sub"]
        if client_id is not None and client_id != self.client_id:
            return refuse(f"unknown client_id {client_id!r}")
        redirect_uri = params.get("post_logout_redirect_uri")
        if redirect_uri is not None:
            if client_id is None:
                return refuse("post_logout_redirect_uri needs id_token_hint or client_id")
            if redirect_uri not in self._post_logout_redirect_uris:
                return refuse(f"post_logout_redirect_uri not registered: {redirect_uri}")
        if sub is not None:
            # The login ends: its codes and access tokens with it.
            self._provider.authz_state.delete_state_for_subject_identifier(sub)
        self.received.append(OidcReceived("end_session", params, None))
        if redirect_uri is None:
            return _page("200 OK", "You are signed out.")
        state = params.get("state")
        return _redirect(_with_query(redirect_uri, {"state": state} if state else {}))


def _body(environ: WSGIEnvironment) -> str:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    data: bytes = environ["wsgi.input"].read(length) if length else b""
    return data.decode()


def _basic(client_id: str, client_secret: str) -> str:
    # RFC 6749 section 2.3.1: each part form-encoded, then Base64.
    pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def _json(status: str, data: Json, *headers: tuple[str, str]) -> Response:
    return status, [("Content-Type", "application/json"), *headers], json.dumps(data).encode()


def _oauth_error(status: str, exc: OAuthError) -> Response:
    return _json(
        status,
        {"error": exc.oauth_error, "error_description": str(exc)},
        ("Cache-Control", "no-store"),
    )


def _page(status: str, text: str) -> Response:
    return status, [("Content-Type", "text/plain; charset=utf-8")], text.encode()


def _redirect(location: str) -> Response:
    return "302 Found", [("Location", location)], b""


def _redirect_error(params: dict[str, str], error: str, description: str) -> Response:
    """An error for a registered redirect_uri (RFC 6749 section 4.1.2.1), with the state."""
    answer = {"error": error, "error_description": description}
    if "state" in params:
        answer["state"] = params["state"]
    return _redirect(_with_query(params["redirect_uri"], answer))


def _with_query(uri: str, params: dict[str, str]) -> str:
    if not params:
        return uri
    return uri + ("&" if urlsplit(uri).query else "?") + urlencode(params)


def s256(code_verifier: str) -> str:
    """The PKCE S256 code_challenge for a code_verifier (RFC 7636 section 4.2)."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
