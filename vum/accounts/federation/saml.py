"""SAML 2.0 service provider for KOMBIT's Context Handler (OIOSAML 3), on djangosaml2/pysaml2.

vum signs its requests (SHA-256), wants the assertions signed and encrypted, asks for at least
the configured NSIS level, and checks, beyond what pysaml2 checks (signature, audience, time
with `VUM_SAML_CLOCK_SKEW_SECONDS` of tolerance, InResponseTo): that no assertion is used twice
(its id is kept until it expires), that it was encrypted, the assurance level, and the roles.
"""

import base64
import shutil
import time
from datetime import datetime, timedelta
from threading import Lock
from typing import Any

import saml2
from defusedxml import ElementTree
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from djangosaml2 import views as djangosaml2_views
from djangosaml2.backends import Saml2Backend
from saml2.config import SPConfig
from saml2.response import AuthnResponse
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.saml import NAMESPACE as SAML_NAMESPACE
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from vum.accounts.backends import UserBackend
from vum.accounts.federation.config import saml_enabled
from vum.accounts.federation.refusals import (
    IDENTITY,
    REFUSAL,
    UNTRUSTED_ANSWER,
    LoginRefused,
    refusal_page,
)
from vum.accounts.federation.roles import privileges_from_oiosaml
from vum.accounts.federation.services import (
    FederatedIdentity,
    federated_login_record,
    federated_user_sync,
    login_proof_use,
    login_refusal_record,
)
from vum.accounts.models import Sikringsniveau, User

# OIOSAML 3 attribute names (OIO SAML Web SSO Profile 3.0, "professional" persons).
ASSURANCE = "https://data.gov.dk/concept/core/nsis/loa"
PRIVILEGES = "https://data.gov.dk/model/core/eid/privilegesIntermediate"
FIRST_NAME = "https://data.gov.dk/model/core/eid/firstName"
LAST_NAME = "https://data.gov.dk/model/core/eid/lastName"
EMAIL = "https://data.gov.dk/model/core/eid/email"
ASSURANCE_CONTEXT_PREFIX = "https://data.gov.dk/concept/core/nsis/loa/"


def _absolute(path: str) -> str:
    return settings.VUM_BASE_URL.rstrip("/") + path


def saml_config() -> dict[str, Any]:
    """The pysaml2 configuration, from vum's settings."""
    if settings.VUM_SAML_IDP_METADATA_FILE:
        metadata: dict[str, Any] = {"local": [settings.VUM_SAML_IDP_METADATA_FILE]}
    else:
        metadata = {"remote": [{"url": settings.VUM_SAML_IDP_METADATA_URL}]}
    encryption_cert = settings.VUM_SAML_ENCRYPTION_CERT_FILE or settings.VUM_SAML_CERT_FILE
    encryption_key = settings.VUM_SAML_ENCRYPTION_KEY_FILE or settings.VUM_SAML_KEY_FILE
    minimum = Sikringsniveau(settings.VUM_LOGIN_MIN_ASSURANCE)
    config: dict[str, Any] = {
        "entityid": settings.VUM_SAML_ENTITY_ID,
        "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
        "metadata": metadata,
        "key_file": settings.VUM_SAML_KEY_FILE,
        "cert_file": settings.VUM_SAML_CERT_FILE,
        "encryption_keypairs": [{"key_file": encryption_key, "cert_file": encryption_cert}],
        "accepted_time_diff": settings.VUM_SAML_CLOCK_SKEW_SECONDS,
        # OIOSAML's attributes are URIs that pysaml2's maps do not know; they are kept as named.
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": settings.VUM_SAML_ORGANISATION,
                # Here, not at the top: pysaml2 reads them from the service's section, and
                # falls back to SHA-1 otherwise.
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "endpoints": {
                    "assertion_consumer_service": [
                        (_absolute("/saml2/acs/"), saml2.BINDING_HTTP_POST)
                    ],
                    "single_logout_service": [
                        (_absolute("/saml2/ls/"), saml2.BINDING_HTTP_REDIRECT),
                        (_absolute("/saml2/ls/post/"), saml2.BINDING_HTTP_POST),
                    ],
                },
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "allow_unsolicited": False,
                "requested_authn_context": {
                    "authn_context_class_ref": [f"{ASSURANCE_CONTEXT_PREFIX}{minimum.value}"],
                    "comparison": "minimum",
                },
            }
        },
        "organization": {
            "name": [(settings.VUM_SAML_ORGANISATION, "da")],
            "display_name": [(settings.VUM_SAML_ORGANISATION, "da")],
            "url": [(settings.VUM_BASE_URL, "da")],
        },
    }
    if settings.VUM_SAML_CONTACT_EMAIL:
        config["contact_person"] = [
            {"contact_type": "technical", "email_address": settings.VUM_SAML_CONTACT_EMAIL}
        ]
    return config


_cache_lock = Lock()
_cached: tuple[str, float, SPConfig] | None = None


def sp_config_load(request: HttpRequest | None = None) -> SPConfig:
    """djangosaml2's config loader. Loading parses the provider's metadata (and fetches it, from
    a URL), so the result is kept until the settings change or it is
    `VUM_SAML_METADATA_REFRESH_SECONDS` old."""
    global _cached
    if not saml_enabled():
        raise Http404("Login gennem SAML er ikke sat op.")
    config = saml_config()
    key = repr(config)
    with _cache_lock:
        if (
            _cached is None
            or _cached[0] != key
            or time.monotonic() - _cached[1] > settings.VUM_SAML_METADATA_REFRESH_SECONDS
        ):
            loaded = SPConfig()
            loaded.load(config)
            _cached = (key, time.monotonic(), loaded)
        return _cached[2]


def _first(attributes: dict[str, list[str]], name: str) -> str:
    values = attributes.get(name) or [""]
    return str(values[0] or "")


def identity_from_session_info(session_info: dict[str, Any]) -> FederatedIdentity:
    attributes: dict[str, list[str]] = session_info.get("ava", {})
    assurance = _first(attributes, ASSURANCE)
    if not assurance:
        # The level as the authentication context instead of an attribute.
        for class_ref, *_ in session_info.get("authn_info", []):
            if str(class_ref).startswith(ASSURANCE_CONTEXT_PREFIX):
                assurance = str(class_ref).removeprefix(ASSURANCE_CONTEXT_PREFIX)
    encoded = _first(attributes, PRIVILEGES)
    privileges = privileges_from_oiosaml(encoded) if encoded else []
    name_id = session_info["name_id"]
    return FederatedIdentity(
        protocol="SAML",
        udsteder=str(session_info["issuer"]),
        subjekt=str(name_id.text),
        sikringsniveau=assurance,
        privileges=privileges,
        fornavn=_first(attributes, FIRST_NAME),
        efternavn=_first(attributes, LAST_NAME),
        email=_first(attributes, EMAIL),
        sid=str(session_info.get("session_index") or ""),
    )


class SamlBackend(UserBackend, Saml2Backend):
    """Authenticates a verified SAML answer (djangosaml2 calls it with `session_info`): the user
    the role mapping gives, created or updated now. A refusal is left on the request for the
    page that explains it; other credentials are not this backend's."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        session_info: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        if request is None or session_info is None:
            return None
        identity = None
        try:
            identity = identity_from_session_info(session_info)
            user = federated_user_sync(identity=identity)
        except LoginRefused as refusal:
            setattr(request, REFUSAL, refusal)
            login_refusal_record(refusal=refusal, identity=identity, protocol="SAML")
            return None
        setattr(request, IDENTITY, identity)
        return user


def _replay_window_end(response: AuthnResponse) -> datetime:
    """Until when the assertion could be accepted, and so must be remembered: its bearer
    confirmation's limit (OIOSAML requires one), plus the clock skew pysaml2 tolerates."""
    skew = timedelta(seconds=settings.VUM_SAML_CLOCK_SKEW_SECONDS)
    for confirmation in response.assertion.subject.subject_confirmation:
        data = confirmation.subject_confirmation_data
        if data is not None and data.not_on_or_after:
            return datetime.fromisoformat(data.not_on_or_after) + skew
    return timezone.now() + timedelta(hours=1) + skew


def _assertion_was_encrypted(encoded_response: str) -> bool:
    """Did the assertion come encrypted? Read from the response as sent: pysaml2 decrypts it
    in place, after which the two look alike."""
    root = ElementTree.fromstring(base64.b64decode(encoded_response))
    children = {child.tag for child in root}
    return f"{{{SAML_NAMESPACE}}}EncryptedAssertion" in children and (
        f"{{{SAML_NAMESPACE}}}Assertion" not in children
    )


class SamlEnabledMixin:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not saml_enabled():
            raise Http404("Login gennem SAML er ikke sat op.")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class SamlLoginView(SamlEnabledMixin, djangosaml2_views.LoginView):
    pass


class SamlMetadataView(SamlEnabledMixin, djangosaml2_views.MetadataView):
    pass


class SamlAcsView(SamlEnabledMixin, djangosaml2_views.AssertionConsumerServiceView):
    """The identity provider's answer. After pysaml2's checks: not used before, encrypted as
    required; then the backend maps the roles; every outcome is audited."""

    def custom_validation(self, response: AuthnResponse) -> None:
        encrypted = _assertion_was_encrypted(self.request.POST["SAMLResponse"])
        if settings.VUM_SAML_WANT_ENCRYPTED_ASSERTIONS and not encrypted:
            refusal = LoginRefused(
                "ikke_krypteret", "Svaret fra kommunens login var ikke krypteret."
            )
            setattr(self.request, REFUSAL, refusal)
            raise PermissionDenied(refusal.reason)
        if not login_proof_use(
            udsteder=str(response.issuer()),
            bevis_id=str(response.assertion.id),
            udloeber=_replay_window_end(response),
        ):
            refusal = LoginRefused(
                "svar_genbrugt",
                "Svaret fra kommunens login er allerede brugt én gang. Log ind igen.",
            )
            setattr(self.request, REFUSAL, refusal)
            raise PermissionDenied(refusal.reason)

    def handle_acs_failure(
        self,
        request: HttpRequest,
        exception: Exception | None = None,
        status: int = 403,
        **kwargs: Any,
    ) -> HttpResponse:
        refusal: LoginRefused | None = getattr(request, REFUSAL, None)
        if refusal is None:
            # pysaml2 refused the answer itself (signature, time, audience, InResponseTo):
            # nothing in it can be trusted, not even who it names.
            refusal = LoginRefused(
                UNTRUSTED_ANSWER,
                "Svaret fra kommunens login kunne ikke godkendes (underskrift, gyldighedstid "
                "eller modtager passer ikke). Prøv at logge ind igen.",
            )
            login_refusal_record(refusal=refusal, identity=None, protocol="SAML")
        elif refusal.code in ("ikke_krypteret", "svar_genbrugt"):
            login_refusal_record(refusal=refusal, identity=None, protocol="SAML")
        return refusal_page(request, refusal)

    def post_login_hook(
        self, request: HttpRequest, user: Any, session_info: dict[str, Any]
    ) -> None:
        assert isinstance(user, User)
        federated_login_record(request=request, user=user, identity=getattr(request, IDENTITY))


class SamlLogoutView(SamlEnabledMixin, djangosaml2_views.LogoutInitView):
    """vum's "Log ud" in a SAML session: a signed LogoutRequest to the provider (single
    logout). POST only, as every logout in vum, so that a link cannot log anyone out."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().get(request, *args, **kwargs)


class SamlLogoutServiceView(SamlEnabledMixin, djangosaml2_views.LogoutView):
    """The provider's side of single logout: its answer to vum's request, or its own request
    (the user logged out of another system), which ends the vum session."""


def saml_session_subject(request: HttpRequest) -> Any:
    saml_session = getattr(request, "saml_session", None)
    return djangosaml2_views._get_subject_id(saml_session) if saml_session is not None else None
