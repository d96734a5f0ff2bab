"""A SAML 2.0 identity provider on a loopback port, playing KOMBIT's Context Handler (OIOSAML 3).

The service provider's tests send the browser here as they would to the Context Handler: the IdP
checks what a real one checks (the AuthnRequest is signed with a key from the SP's metadata, over
the query string exactly as sent; the SP is known; the ACS URL is one of the SP's), then answers
with a signed, and if the SP's metadata offers an encryption key encrypted, Response carried by an
auto-posting HTML form. A test says who logs in, and may have the Response be one the SP must
refuse (`SamlLogin.fault`). Single logout works both ways: the SP's LogoutRequest gets a signed
LogoutResponse, and `idp_initiated_logout` builds the LogoutRequest the IdP would send the SP.

pysaml2 (`saml2.server.Server`) does the SAML work; the IdP adds the checks pysaml2 leaves to its
caller and the faults. Every instant comes from Python's clock (pysaml2 reads `time`/`datetime`
too), so under time-machine the IdP and the SP under test agree on what time it is.
"""
# pysaml2 ships without type information.
# mypy: disable-error-code="import-untyped"

import base64
import re
import shutil
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote_plus
from wsgiref.types import StartResponse, WSGIEnvironment

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.x509 import load_der_x509_certificate
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp
from saml2.assertion import Policy
from saml2.config import IdPConfig
from saml2.entity import Entity
from saml2.metadata import entity_descriptor
from saml2.saml import (
    NAME_FORMAT_URI,
    NAMEID_FORMAT_PERSISTENT,
    Audience,
    AudienceRestriction,
    Conditions,
    NameID,
)
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256
from werkzeug.wrappers import Request, Response

from tests.peers.certificates import make_certificate
from tests.peers.loopback import LoopbackServer

FAULTS: frozenset[str] = frozenset(
    {"tampered", "expired", "unsigned", "foreign_key", "wrong_audience"}
)

# How long an assertion holds: the Context Handler's assertions are short-lived.
ASSERTION_LIFETIME = timedelta(minutes=5)
# How long ago the "expired" fault's assertion was issued: long past its lifetime and any clock
# skew an SP allows.
EXPIRED_AGE = timedelta(hours=2)
# The audience the "wrong_audience" fault names instead of the SP.
FOREIGN_AUDIENCE = "https://other-sp.example/saml/metadata"
# The AuthnStatement echoes the first AuthnContextClassRef requested; this when none is.
UNSPECIFIED_AUTHN_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"
SAML_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
XMLSEC1 = shutil.which("xmlsec1") or "/usr/bin/xmlsec1"

MessageKind = Literal["authn_request", "logout_request", "logout_response"]


@dataclass
class SamlLogin:
    """Who the IdP says logged in, for the next SSO request (used up by it)."""

    name_id: str
    attributes: dict[str, list[str]]
    fault: str | None = None

    def __post_init__(self) -> None:
        if self.fault is not None and self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}: one of {sorted(FAULTS)}")
        if self.fault == "tampered" and not any(self.attributes.values()):
            raise ValueError("the tampered fault alters an attribute value: give one")


@dataclass(frozen=True)
class Received:
    """A SAML message the IdP received, refused or not."""

    kind: MessageKind
    binding: str  # saml2.BINDING_HTTP_REDIRECT or saml2.BINDING_HTTP_POST
    signed: bool  # it carried a signature (in the query string or in the XML)
    verified: bool  # ... which verified against a signing key in the sender's metadata
    message_id: str | None  # the message's own ID
    in_response_to: str | None  # a LogoutResponse's InResponseTo
    issuer: str | None
    relay_state: str | None
    requested_authn_context: tuple[str, ...]  # AuthnContextClassRefs an AuthnRequest asks for
    name_id: str | None  # a LogoutRequest's NameID
    refused: str | None  # why the IdP answered 400, None when it accepted the message
    xml: str


class _Refused(Exception):
    """The IdP refuses a message: HTTP 400 with this reason as plain text."""


@dataclass
class _Incoming:
    """A SAML message as an HTTP request carried it."""

    binding: str
    parameter: Literal["SAMLRequest", "SAMLResponse"]
    encoded: str
    relay_state: str | None
    sig_alg: str | None
    signature: str | None
    raw_query: str = ""
    xml: str = ""

    @property
    def signed_in_query(self) -> bool:
        return self.sig_alg is not None or self.signature is not None


class _Terms(Policy):
    """What an assertion says besides its attributes: when it was issued, how long it holds,
    whom it is for. pysaml2 asks its release policy for these; this one also releases exactly the
    attributes the test prepared, whatever the SP's metadata requests (a real Context Handler
    releases what the user system holds)."""

    def __init__(self, *, issued: datetime, lifetime: timedelta, audience: str) -> None:
        super().__init__()
        self.issued = issued
        self.lifetime = lifetime
        self.audience = audience

    def restrict(
        self, ava: dict[str, list[str]], sp_entity_id: str, metadata: object = None
    ) -> dict[str, list[str]]:
        return ava

    def get_name_form(self, sp_entity_id: str) -> str:
        return NAME_FORMAT_URI

    def not_on_or_after(self, sp_entity_id: str) -> str:
        return _saml_time(self.issued + self.lifetime)

    def conditions(self, sp_entity_id: str) -> Conditions:
        return Conditions(
            not_before=_saml_time(self.issued),
            not_on_or_after=self.not_on_or_after(sp_entity_id),
            audience_restriction=[AudienceRestriction(audience=[Audience(text=self.audience)])],
        )


class _ContextHandler(Server):
    """pysaml2's IdP, with each assertion stamped with the instant its terms say it was issued
    (pysaml2 stamps the present)."""

    def setup_assertion(
        self,
        authn: dict[str, Any] | None,
        sp_entity_id: str,
        in_response_to: str,
        consumer_url: str,
        name_id: NameID,
        policy: _Terms,
        _issuer: Any,
        authn_statement: Any,
        identity: dict[str, list[str]],
        best_effort: bool,
        sign_response: bool,
        farg: Any = None,
        session_not_on_or_after: str | None = None,
        sign_alg: str | None = None,
        digest_alg: str | None = None,
        **kwargs: Any,
    ) -> Any:
        assertion = super().setup_assertion(
            authn,
            sp_entity_id,
            in_response_to,
            consumer_url,
            name_id,
            policy,
            _issuer,
            authn_statement,
            identity,
            best_effort,
            sign_response,
            farg=farg,
            session_not_on_or_after=session_not_on_or_after,
            sign_alg=sign_alg,
            digest_alg=digest_alg,
            **kwargs,
        )
        assertion.issue_instant = _saml_time(policy.issued)
        return assertion


class SamlIdentityProvider(LoopbackServer):
    """The IdP on http://127.0.0.1:<OS-chosen port>, served from a daemon thread.

    Endpoints: GET /metadata; SSO at GET /sso/redirect (HTTP-Redirect) and POST /sso/post
    (HTTP-POST); SLO at GET /slo/redirect and POST /slo/post, for the SP's LogoutRequest and for
    its LogoutResponse to `idp_initiated_logout`."""

    name = "saml-idp"
    encrypt_assertions: bool = True

    def __init__(self, directory: Path, *, sp_metadata: str | None = None) -> None:
        super().__init__()
        self.directory = directory
        self.cert_path, self.key_path = make_certificate("context-handler", directory)
        # The "foreign_key" fault signs with this key, which the IdP's metadata does not hold.
        self._foreign_cert, self._foreign_key = make_certificate("impostor", directory)
        self._sp_metadata = sp_metadata
        self.next_login: SamlLogin | None = None
        self.received: list[Received] = []
        self.last_response_xml: str = ""
        self._outstanding_logouts: set[str] = set()
        self._lock = threading.Lock()
        self._server: _ContextHandler | None = None
        self._impostor: _ContextHandler | None = None
        self._metadata_xml = ""

    # --- lifecycle --------------------------------------------------------------------------

    def _bound(self) -> None:
        # The port is the OS's choice, and the entity id and endpoints depend on it.
        self._build()
        self._metadata_xml = str(entity_descriptor(self._config(self.cert_path, self.key_path)))
        self.metadata_path.write_text(self._metadata_xml)

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/metadata"

    @property
    def metadata_xml(self) -> str:
        """The IdP's EntityDescriptor (unsigned): SSO and SLO endpoints for HTTP-Redirect and
        HTTP-POST, persistent NameIDs, its signing certificate."""
        if not self._metadata_xml:
            raise RuntimeError("the IdP has not been started")
        return self._metadata_xml

    @property
    def metadata_path(self) -> Path:
        return self.directory / "context-handler-metadata.xml"

    def trust_sp(self, sp_metadata_xml: str) -> None:
        """(Re)load the SP's metadata: its signing and encryption certificates, ACS and SLO
        endpoints come from it. The IdP knows no other SP."""
        with self._lock:
            self._sp_metadata = sp_metadata_xml
            if self.running:
                self._build()

    # --- pysaml2 ----------------------------------------------------------------------------

    def _config(self, cert: Path, key: Path) -> IdPConfig:
        base = self.base_url
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": XMLSEC1,
                "cert_file": str(cert),
                "key_file": str(key),
                "metadata": {"inline": [self._sp_metadata] if self._sp_metadata else []},
                # Only keys the SP's metadata names may sign its messages, never one the message
                # carries itself.
                "only_use_keys_in_metadata": True,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "service": {
                    "idp": {
                        "name": "Context Handler (test peer)",
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{base}/sso/redirect", BINDING_HTTP_REDIRECT),
                                (f"{base}/sso/post", BINDING_HTTP_POST),
                            ],
                            "single_logout_service": [
                                (f"{base}/slo/redirect", BINDING_HTTP_REDIRECT),
                                (f"{base}/slo/post", BINDING_HTTP_POST),
                            ],
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        # pysaml2 then refuses unsigned AuthnRequests and LogoutRequests.
                        "want_authn_requests_signed": True,
                    }
                },
            }
        )
        return config

    def _build(self) -> None:
        self._server = _ContextHandler(config=self._config(self.cert_path, self.key_path))
        self._impostor = _ContextHandler(config=self._config(self._foreign_cert, self._foreign_key))

    def _pysaml2(self) -> _ContextHandler:
        if self._server is None:
            raise RuntimeError("the IdP has not been started")
        return self._server

    # --- HTTP -------------------------------------------------------------------------------

    def _wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        routes = {
            ("GET", "/metadata"): self._metadata_endpoint,
            ("GET", "/sso/redirect"): self._sso,
            ("POST", "/sso/post"): self._sso,
            ("GET", "/slo/redirect"): self._slo,
            ("POST", "/slo/post"): self._slo,
        }
        handler = routes.get((request.method, request.path))
        if handler is None:
            response = Response("not found", status=404, mimetype="text/plain")
        else:
            try:
                response = handler(request)
            except _Refused as refusal:
                response = Response(str(refusal), status=400, mimetype="text/plain")
        return response(environ, start_response)

    def _metadata_endpoint(self, request: Request) -> Response:
        return Response(self.metadata_xml, mimetype="application/samlmetadata+xml")

    @staticmethod
    def _incoming(request: Request) -> _Incoming:
        values = request.args if request.method == "GET" else request.form
        parameter: Literal["SAMLRequest", "SAMLResponse"]
        if "SAMLRequest" in values:
            parameter = "SAMLRequest"
        elif "SAMLResponse" in values:
            parameter = "SAMLResponse"
        else:
            raise _Refused("no SAMLRequest or SAMLResponse")
        incoming = _Incoming(
            binding=BINDING_HTTP_REDIRECT if request.method == "GET" else BINDING_HTTP_POST,
            parameter=parameter,
            encoded=values[parameter],
            relay_state=values.get("RelayState"),
            sig_alg=values.get("SigAlg"),
            signature=values.get("Signature"),
            raw_query=request.query_string.decode("ascii"),
        )
        try:
            xml = Entity.unravel(incoming.encoded, incoming.binding)
        except Exception as error:
            raise _Refused(f"{parameter} is not an encoded SAML message: {error}") from error
        incoming.xml = xml.decode() if isinstance(xml, bytes) else xml
        return incoming

    @staticmethod
    def _message(incoming: _Incoming, from_string: Any, what: str) -> Any:
        """The message as it says it is, before any check."""
        try:
            message = from_string(incoming.xml)
        except Exception as error:
            raise _Refused(f"not {what}: {error}") from error
        if message is None:
            raise _Refused(f"not {what}")
        return message

    def _verified_request(
        self,
        server: "_ContextHandler",
        incoming: _Incoming,
        message: Any,
        record: dict[str, Any],
        parse: Callable[..., Any],
        what: str,
    ) -> tuple[str, Any]:
        """A request from a known SP, its signature checked over the query as sent and by
        pysaml2's `parse` (Destination, times): the issuer and the parsed request."""
        issuer = self._known_sp(server, message)
        self._check_query_signature(server, incoming, issuer)
        try:
            parsed = parse(
                incoming.encoded,
                incoming.binding,
                relay_state=incoming.relay_state,
                sigalg=incoming.sig_alg,
                signature=incoming.signature,
            )
        except Exception as error:
            raise _Refused(f"{what} refused: {error!r}") from error
        if parsed is None:
            raise _Refused(f"{what} refused: it does not verify (Destination, times)")
        record["verified"] = True
        return issuer, parsed

    # --- single sign-on ---------------------------------------------------------------------

    def _sso(self, request: Request) -> Response:
        incoming = self._incoming(request)
        if incoming.parameter != "SAMLRequest":
            raise _Refused("not an AuthnRequest")
        message = self._message(incoming, samlp.authn_request_from_string, "an AuthnRequest")
        record = _record("authn_request", incoming, message)
        server = self._pysaml2()
        try:
            issuer, parsed = self._verified_request(
                server, incoming, message, record, server.parse_authn_request, "AuthnRequest"
            )
            try:
                acs_url = server.response_args(parsed.message, [BINDING_HTTP_POST])["destination"]
            except Exception as error:
                raise _Refused(
                    "the AssertionConsumerService is not one of the SP's in its metadata"
                    " (HTTP-POST binding)"
                ) from error
            with self._lock:
                login, self.next_login = self.next_login, None
            if login is None:
                raise _Refused("no login prepared")
        except _Refused as refusal:
            self.received.append(Received(**record, refused=str(refusal)))
            raise
        self.received.append(Received(**record, refused=None))
        self.last_response_xml = self._authn_response(
            server, parsed.message, acs_url, issuer, login, record["requested_authn_context"]
        )
        form = server.apply_binding(
            BINDING_HTTP_POST,
            self.last_response_xml,
            acs_url,
            incoming.relay_state or "",
            response=True,
        )
        return Response(form["data"], status=200, mimetype="text/html")

    def _authn_response(
        self,
        server: _ContextHandler,
        request: samlp.AuthnRequest,
        acs_url: str,
        sp_entity_id: str,
        login: SamlLogin,
        requested_authn_context: tuple[str, ...],
    ) -> str:
        now = datetime.now(UTC)
        issued = now - EXPIRED_AGE if login.fault == "expired" else now
        terms = _Terms(
            issued=issued,
            lifetime=ASSERTION_LIFETIME,
            audience=FOREIGN_AUDIENCE if login.fault == "wrong_audience" else sp_entity_id,
        )
        signer = self._impostor if login.fault == "foreign_key" else server
        assert signer is not None
        sign = login.fault != "unsigned"
        # An encrypted assertion cannot be altered after signing, so the tampered one goes
        # in clear for the SP to find its signature broken.
        encryption_cert = (
            _encryption_certificate(server, sp_entity_id)
            if self.encrypt_assertions and login.fault != "tampered"
            else None
        )
        response = signer.create_authn_response(
            identity=login.attributes,
            in_response_to=request.id,
            destination=acs_url,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=login.name_id),
            authn={
                "class_ref": (requested_authn_context or (UNSPECIFIED_AUTHN_CONTEXT,))[0],
                "authn_auth": self.entity_id,
                "authn_instant": int(issued.timestamp()),
            },
            sign_response=sign,
            sign_assertion=sign,
            encrypt_assertion=encryption_cert is not None,
            encrypt_cert_assertion=encryption_cert,
            encrypted_advice_attributes=False,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
            release_policy=terms,
        )
        xml = str(response)
        if login.fault == "tampered":
            xml = _alter_first_attribute_value(xml)
        return xml

    # --- single logout ----------------------------------------------------------------------

    def _slo(self, request: Request) -> Response:
        incoming = self._incoming(request)
        if incoming.parameter == "SAMLResponse":
            return self._logout_response(incoming)
        return self._logout_request(incoming)

    def _logout_request(self, incoming: _Incoming) -> Response:
        message = self._message(incoming, samlp.logout_request_from_string, "a LogoutRequest")
        record = _record("logout_request", incoming, message)
        server = self._pysaml2()
        try:
            issuer, parsed = self._verified_request(
                server, incoming, message, record, server.parse_logout_request, "LogoutRequest"
            )
            try:
                binding, destination = server.pick_binding(
                    "single_logout_service",
                    [BINDING_HTTP_REDIRECT, BINDING_HTTP_POST],
                    "spsso",
                    entity_id=issuer,
                )
            except Exception as error:
                raise _Refused("the SP's metadata has no SingleLogoutService") from error
        except _Refused as refusal:
            self.received.append(Received(**record, refused=str(refusal)))
            raise
        self.received.append(Received(**record, refused=None))
        # With HTTP-Redirect the signature goes in the query string, not in the XML.
        logout_response = server.create_logout_response(
            parsed.message,
            [binding],
            sign=binding == BINDING_HTTP_POST,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        info = server.apply_binding(
            binding,
            str(logout_response),
            destination,
            incoming.relay_state or "",
            response=True,
            sign=True,
            sigalg=SIG_RSA_SHA256,
        )
        if binding == BINDING_HTTP_REDIRECT:
            return Response(status=302, headers={"Location": _location(info)})
        return Response(info["data"], status=200, mimetype="text/html")

    def _logout_response(self, incoming: _Incoming) -> Response:
        message = self._message(incoming, samlp.logout_response_from_string, "a LogoutResponse")
        record = _record("logout_response", incoming, message)
        server = self._pysaml2()
        try:
            issuer = self._known_sp(server, message)
            self._check_query_signature(server, incoming, issuer)
            if incoming.binding == BINDING_HTTP_POST and message.signature is None:
                raise _Refused("the LogoutResponse is not signed")
            try:
                # Verifies the XML signature if there is one, Destination and status.
                parsed = server.parse_logout_request_response(incoming.encoded, incoming.binding)
            except Exception as error:
                raise _Refused(f"LogoutResponse refused: {error!r}") from error
            if parsed is None:
                raise _Refused("LogoutResponse refused: it does not verify")
            record["verified"] = True
            with self._lock:
                if message.in_response_to not in self._outstanding_logouts:
                    raise _Refused("the LogoutResponse answers no LogoutRequest of the IdP's")
                self._outstanding_logouts.discard(message.in_response_to)
        except _Refused as refusal:
            self.received.append(Received(**record, refused=str(refusal)))
            raise
        self.received.append(Received(**record, refused=None))
        return Response("logged out", status=200, mimetype="text/plain")

    def idp_initiated_logout(
        self, *, name_id: str, session_index: str | None, sp_entity_id: str
    ) -> tuple[str, dict[str, str]]:
        """A signed LogoutRequest for the SP's SingleLogoutService, as the IdP would send it when
        the user logs out at another SP of the session.

        HTTP-Redirect when the SP's metadata offers it: returns (the full URL with SAMLRequest,
        RelayState, SigAlg and Signature, {}) for the browser to GET. Otherwise HTTP-POST:
        returns (the SLO URL, {"SAMLRequest": base64 XML with an enveloped signature,
        "RelayState": ...}) for the browser to POST. The SP's LogoutResponse is welcome at
        /slo/redirect or /slo/post, and is recorded in `received`."""
        server = self._pysaml2()
        binding, destination = server.pick_binding(
            "single_logout_service",
            [BINDING_HTTP_REDIRECT, BINDING_HTTP_POST],
            "spsso",
            entity_id=sp_entity_id,
        )
        request_id, logout_request = server.create_logout_request(
            destination,
            sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=name_id),
            session_indexes=[session_index] if session_index else None,
            sign=binding == BINDING_HTTP_POST,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        with self._lock:
            self._outstanding_logouts.add(request_id)
        relay_state = f"idp-logout-{request_id}"
        if binding == BINDING_HTTP_REDIRECT:
            info = server.apply_binding(
                binding,
                str(logout_request),
                destination,
                relay_state,
                sign=True,
                sigalg=SIG_RSA_SHA256,
            )
            return _location(info), {}
        encoded = base64.b64encode(str(logout_request).encode()).decode("ascii")
        return destination, {"SAMLRequest": encoded, "RelayState": relay_state}

    # --- checks -----------------------------------------------------------------------------

    @staticmethod
    def _known_sp(server: _ContextHandler, message: Any) -> str:
        issuer = message.issuer.text.strip() if message.issuer is not None else ""
        if issuer not in server.metadata.with_descriptor("spsso"):
            raise _Refused(f"unknown service provider {issuer!r}")
        return issuer

    @staticmethod
    def _check_query_signature(server: _ContextHandler, incoming: _Incoming, issuer: str) -> None:
        """HTTP-Redirect: the signature covers the query string's parameters exactly as sent
        (SAML bindings 3.4.4.1). pysaml2 checks it over the values re-encoded its own way, which
        would let pass an SP that signs something other than what it sends."""
        if incoming.binding != BINDING_HTTP_REDIRECT:
            return
        if incoming.sig_alg is None or incoming.signature is None:
            raise _Refused(f"the {incoming.parameter} is not signed")
        if incoming.sig_alg != SIG_RSA_SHA256:
            raise _Refused(f"SigAlg {incoming.sig_alg} is not {SIG_RSA_SHA256}")
        raw = dict(part.split("=", 1) for part in incoming.raw_query.split("&") if "=" in part)
        signed = "&".join(
            f"{name}={raw[name]}"
            for name in (incoming.parameter, "RelayState", "SigAlg")
            if name in raw
        ).encode("ascii")
        signature = base64.b64decode(unquote_plus(raw["Signature"]))
        for _name, cert in server.metadata.certs(issuer, "spsso", "signing"):
            key = load_der_x509_certificate(base64.b64decode(cert)).public_key()
            if not isinstance(key, RSAPublicKey):
                continue
            try:
                key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
            except InvalidSignature:
                continue
            return
        raise _Refused(f"the {incoming.parameter}'s signature does not verify")


def post_form(html: str) -> tuple[str, dict[str, str]]:
    """The action and the hidden inputs of an auto-posting SAML form (the IdP's answer to an
    AuthnRequest, or an HTTP-POST LogoutResponse): what the browser would POST where."""
    parser = _FormParser()
    parser.feed(html)
    if parser.action is None:
        raise ValueError("no <form> in the page")
    return parser.action, parser.inputs


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.inputs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.action = values.get("action")
        elif tag == "input" and values.get("name"):
            self.inputs[values["name"] or ""] = values.get("value") or ""


def _record(kind: MessageKind, incoming: _Incoming, message: Any) -> dict[str, Any]:
    """What `Received` says of a message, but whether it was refused."""
    requested = getattr(message, "requested_authn_context", None)
    name_id = getattr(message, "name_id", None)
    return {
        "kind": kind,
        "binding": incoming.binding,
        "signed": incoming.signed_in_query or message.signature is not None,
        "verified": False,
        "message_id": message.id,
        "in_response_to": getattr(message, "in_response_to", None),
        "issuer": message.issuer.text.strip() if message.issuer is not None else None,
        "relay_state": incoming.relay_state,
        "requested_authn_context": tuple(
            ref.text.strip() for ref in (requested.authn_context_class_ref if requested else [])
        ),
        "name_id": name_id.text.strip() if name_id is not None else None,
        "xml": incoming.xml,
    }


def _encryption_certificate(server: _ContextHandler, sp_entity_id: str) -> str | None:
    """The SP's encryption certificate from its metadata (<KeyDescriptor use="encryption">),
    if it has one."""
    certs = server.metadata.certs(sp_entity_id, "spsso", "encryption")
    return str(certs[0][1]) if certs else None


def _alter_first_attribute_value(xml: str) -> str:
    """The signed Response with its first attribute value changed, the signatures left as
    they were."""
    altered, count = re.subn(
        r"(<(?:\w+:)?AttributeValue\b[^>]*>)([^<]*)(<)",
        lambda match: f"{match[1]}{match[2]}-tampered{match[3]}",
        xml,
        count=1,
    )
    if count != 1:
        raise ValueError("the Response holds no attribute value to tamper with")
    return altered


def _location(info: dict[str, Any]) -> str:
    """Where pysaml2's HTTP-Redirect binding sends the browser: the URL with the message."""
    return str(dict(info["headers"])["Location"])


def _saml_time(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime(SAML_TIME_FORMAT)
