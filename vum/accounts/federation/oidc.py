"""OpenID Connect relying party for direct federation (e.g. Microsoft Entra ID), on
mozilla-django-oidc: authorization code flow with PKCE and a nonce, the ID token verified
with pyjwt against the provider's published keys (signature, issuer, audience, expiry), the
roles from a configured claim through the same role mapping as SAML, and back-channel logout.

The provider's endpoints come from its discovery document (`VUM_OIDC_ISSUER`), fetched once
per process and issuer.
"""

import json
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from mozilla_django_oidc import views as oidc_views
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from vum.accounts.backends import UserBackend
from vum.accounts.federation.config import oidc_enabled
from vum.accounts.federation.refusals import (
    IDENTITY,
    REFUSAL,
    UNTRUSTED_ANSWER,
    LoginRefused,
    refusal_page,
)
from vum.accounts.federation.roles import Privilege
from vum.accounts.federation.services import (
    FederatedIdentity,
    federated_login_record,
    federated_sessions_end,
    federated_user_sync,
    login_proof_use,
    login_refusal_record,
)
from vum.accounts.models import User

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
TIMEOUT_SECONDS = 10
# A logout token without an expiry is taken as good for this long after it was issued.
LOGOUT_TOKEN_LIFETIME = timedelta(minutes=5)


@lru_cache(maxsize=4)
def _discovery(issuer: str) -> dict[str, Any]:
    response = requests.get(
        issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=TIMEOUT_SECONDS
    )
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    if document.get("issuer") != issuer:
        raise SuspiciousOperation("Identitetsudbyderens discovery-dokument har en anden udsteder.")
    return document


def discovery() -> dict[str, Any]:
    return _discovery(settings.VUM_OIDC_ISSUER)


# mozilla-django-oidc reads these as settings; here they come from vum's settings and the
# provider's discovery document.
_FROM_DISCOVERY = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def oidc_setting(attr: str, *default: Any) -> Any:
    if attr in _FROM_DISCOVERY:
        return discovery().get(_FROM_DISCOVERY[attr], *default)
    fixed = {
        "OIDC_RP_CLIENT_ID": settings.VUM_OIDC_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": settings.VUM_OIDC_CLIENT_SECRET,
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_RP_SCOPES": "openid email profile",
        "OIDC_USE_PKCE": True,
        "OIDC_USE_NONCE": True,
        "OIDC_STORE_ID_TOKEN": True,
        "OIDC_TIMEOUT": TIMEOUT_SECONDS,
    }
    if attr in fixed:
        return fixed[attr]
    return import_from_settings(attr, *default)


def _claim_list(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name, [])
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value] if isinstance(value, list) else []


def identity_from_claims(claims: dict[str, Any]) -> FederatedIdentity:
    assurance = str(claims.get(settings.VUM_OIDC_ASSURANCE_CLAIM) or settings.VUM_OIDC_ASSURANCE)
    return FederatedIdentity(
        protocol="OIDC",
        udsteder=str(claims["iss"]),
        subjekt=str(claims["sub"]),
        sikringsniveau=assurance,
        privileges=[
            Privilege(rolle=role) for role in _claim_list(claims, settings.VUM_OIDC_ROLES_CLAIM)
        ],
        fornavn=str(claims.get("given_name", "")),
        efternavn=str(claims.get("family_name", "")),
        email=str(claims.get("email", "")),
        sid=str(claims.get("sid", "")),
    )


def _verified(token: str, key: Any, **options: Any) -> dict[str, Any]:
    """A JWT from the provider, verified: RS256 with its published key, from its issuer, for
    vum (audience), within its time (with the SAML clock skew as leeway)."""
    claims: dict[str, Any] = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        audience=settings.VUM_OIDC_CLIENT_ID,
        issuer=settings.VUM_OIDC_ISSUER,
        leeway=settings.VUM_SAML_CLOCK_SKEW_SECONDS,
        **options,
    )
    return claims


class OidcBackend(UserBackend, OIDCAuthenticationBackend):
    """Authenticates the answer of the provider's login (mozilla-django-oidc's callback calls it
    with the code): the ID token verified in full, then the user the role mapping gives."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes a backend for every authenticate() and every request's user; the
        # provider's endpoints are looked up only when this backend is actually used.
        self.UserModel = User

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, **kwargs: Any
    ) -> AbstractBaseUser | None:
        if request is None or not oidc_enabled() or "nonce" not in kwargs:
            return None
        OIDCAuthenticationBackend.__init__(self)
        try:
            # Not super(): next in line is UserBackend, the local password's.
            user: AbstractBaseUser | None = OIDCAuthenticationBackend.authenticate(
                self, request, **kwargs
            )
        except LoginRefused as refusal:
            setattr(request, REFUSAL, refusal)
            login_refusal_record(
                refusal=refusal, identity=getattr(request, IDENTITY, None), protocol="OIDC"
            )
            return None
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            claims = _verified(
                token,
                self.retrieve_matching_jwk(token),
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except (jwt.InvalidTokenError, SuspiciousOperation) as error:
            raise LoginRefused(
                UNTRUSTED_ANSWER,
                "Svaret fra kommunens login kunne ikke godkendes (underskrift, udsteder, "
                "modtager eller gyldighedstid passer ikke). Prøv at logge ind igen.",
            ) from error
        if claims.get("nonce") != kwargs.get("nonce"):
            raise LoginRefused(
                UNTRUSTED_ANSWER, "Svaret fra kommunens login hører ikke til dette login."
            )
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        identity = identity_from_claims(payload)
        assert self.request is not None
        setattr(self.request, IDENTITY, identity)
        return federated_user_sync(identity=identity)


class OidcLoginView(oidc_views.OIDCAuthenticationRequestView):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not oidc_enabled():
            raise Http404("Login gennem OpenID Connect er ikke sat op.")
        super().__init__(*args, **kwargs)

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)


class OidcCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """The provider's answer. A refusal gets the page that says why, not a bare redirect."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404("Login gennem OpenID Connect er ikke sat op.")
        return super().get(request)

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        identity = getattr(self.request, IDENTITY)
        assert isinstance(self.user, User)
        federated_login_record(request=self.request, user=self.user, identity=identity)
        return response

    def login_failure(self) -> HttpResponse:
        refusal = getattr(self.request, REFUSAL, None) or LoginRefused(
            UNTRUSTED_ANSWER,
            "Login gennem kommunens login blev afbrudt eller kunne ikke godkendes. Prøv igen.",
        )
        if not hasattr(self.request, REFUSAL):
            login_refusal_record(refusal=refusal, identity=None, protocol="OIDC")
        return refusal_page(self.request, refusal)


def oidc_logout_url(request: HttpRequest, id_token: str) -> str | None:
    """Where to send the browser to end the provider's session too (RP-initiated logout)."""
    endpoint = discovery().get("end_session_endpoint")
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.VUM_OIDC_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
    )
    return f"{endpoint}?{query}"


def _logout_token_claims(token: str) -> dict[str, Any]:
    """OpenID Connect Back-Channel Logout 1.0, 2.6: verify the logout token like an ID token,
    then its own rules."""
    key = jwt.PyJWKClient(
        discovery()["jwks_uri"], timeout=TIMEOUT_SECONDS
    ).get_signing_key_from_jwt(token)
    claims = _verified(token, key, options={"require": ["iss", "aud", "iat", "jti"]})
    issued = datetime.fromtimestamp(int(claims["iat"]), tz=UTC)
    if "exp" not in claims and timezone.now() - issued > LOGOUT_TOKEN_LIFETIME + timedelta(
        seconds=settings.VUM_SAML_CLOCK_SKEW_SECONDS
    ):
        raise jwt.ExpiredSignatureError("logout token too old")
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_EVENT not in events:
        raise jwt.InvalidTokenError("no back-channel logout event")
    if "nonce" in claims:
        raise jwt.InvalidTokenError("a logout token must not have a nonce")
    if not claims.get("sub") and not claims.get("sid"):
        raise jwt.InvalidTokenError("neither sub nor sid")
    return claims


@csrf_exempt
@never_cache
@require_POST
def backchannel_logout(request: HttpRequest) -> HttpResponse:
    """The provider says a session of its has ended: end the vum sessions opened from it."""
    if not oidc_enabled():
        raise Http404("Login gennem OpenID Connect er ikke sat op.")
    token = request.POST.get("logout_token", "")
    try:
        claims = _logout_token_claims(token)
    except (jwt.InvalidTokenError, jwt.PyJWKClientError, KeyError, ValueError) as error:
        return JsonResponse(
            {"error": "invalid_request", "error_description": f"Ugyldigt logout-token: {error}"},
            status=400,
        )
    expires = datetime.fromtimestamp(
        int(claims.get("exp") or int(claims["iat"]) + LOGOUT_TOKEN_LIFETIME.total_seconds()),
        tz=UTC,
    )
    if not login_proof_use(udsteder=claims["iss"], bevis_id=str(claims["jti"]), udloeber=expires):
        return JsonResponse(
            {"error": "invalid_request", "error_description": "Logout-tokenet er brugt før."},
            status=400,
        )
    ended = federated_sessions_end(
        udsteder=claims["iss"], subjekt=str(claims.get("sub", "")), sid=str(claims.get("sid", ""))
    )
    return HttpResponse(json.dumps({"sessioner_afsluttet": ended}), content_type="application/json")
