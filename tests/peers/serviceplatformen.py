"""KOMBIT's Serviceplatformen for tests, on a loopback port over HTTPS: the STS (REST), the
AccessTokenService and the services of a service agreement, checking what the real ones check
and answering with faults on demand.

- TLS with a client certificate: the handshake fails for any certificate other than the
  municipality's (mutual TLS, as Serviceplatformen requires).
- The STS checks the request's shape (token, request and key type), that UseKey is the
  certificate the request came with, that the CVR number has a service agreement, and that the
  service asked for is in it.
- The AccessTokenService takes only SAML tokens its STS issued; a service takes only access
  tokens for itself that have not expired.
- A service answers through its handler (`handlers`: path -> a function of the request's
  environ and body), which checks the request as that service does: Digital Post's MeMo message
  (tests/peers/digital_post.py), CPR's SOAP request (tests/peers/cpr.py). A service without a
  handler answers a generic JSON receipt.
- `fail_next(endpoint, *faults)` queues answers for the next requests to an endpoint ("sts",
  "token", or a service's path): a status code, a delay (a timeout for the client), or a body
  that is not JSON.
"""

import base64
import json
import ssl
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.types import StartResponse, WSGIEnvironment

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.peers.certificates import make_certificate
from tests.peers.loopback import LoopbackServer
from vum.serviceplatformen.client import Config

STS_PATH = "/runtime/api/rest/wstrust/v1/issue"
TOKEN_PATH = "/service/AccessTokenService_1/token"
WS_TRUST = {
    "TokenType": "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
    "RequestType": "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
    "KeyType": "http://docs.oasis-open.org/ws-sx/ws-trust/200512/PublicKey",
}
Response = tuple[str, list[tuple[str, str]], bytes]
Handler = Callable[[WSGIEnvironment, bytes], Response]
NEVER = datetime.min.replace(tzinfo=UTC)
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}


@dataclass(frozen=True)
class Fault:
    status: int | None = None
    delay: float = 0.0
    malformed: bool = False


@dataclass(frozen=True)
class Call:
    endpoint: str  # "sts", "token" or a service's path
    status: int
    detail: str = ""


class FakeServiceplatformen(LoopbackServer):
    name = "serviceplatformen"

    def __init__(
        self,
        directory: Path,
        *,
        municipality_cert: Path,
        cvr: str,
        services: dict[str, str],
        handlers: dict[str, Handler] | None = None,
    ) -> None:
        """`services`: the service agreement, entity id -> path on the platform; `handlers`:
        path -> the service's behaviour."""
        super().__init__()
        self.cert_path, self.key_path = make_certificate(
            "serviceplatformen", directory, server=True
        )
        self.municipality_cert = municipality_cert
        self.cvr = cvr
        self.services = dict(services)
        self.handlers = dict(handlers or {})
        self.token_lifetime = timedelta(hours=1)
        self.calls: list[Call] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._saml_tokens: dict[str, str] = {}  # token -> entity id
        self._access_tokens: dict[str, tuple[str, datetime]] = {}  # token -> (entity id, expiry)
        self._lock = threading.Lock()

    @property
    def sts_url(self) -> str:
        return self.base_url + STS_PATH

    def fail_next(self, endpoint: str, *faults: Fault) -> None:
        with self._lock:
            self._faults.setdefault(endpoint, deque()).extend(faults)

    def expire_tokens(self) -> None:
        """Every access token handed out is now expired (as when the platform restarts)."""
        with self._lock:
            self._access_tokens = {
                token: (entity_id, datetime.now(UTC) - timedelta(seconds=1))
                for token, (entity_id, _) in self._access_tokens.items()
            }

    def _ssl_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, self.key_path)
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cafile=str(self.municipality_cert))
        # The municipality's certificate itself is the trust anchor (no CA in between).
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
        return context

    # -- requests ----------------------------------------------------------------------------

    def _wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        endpoint = {STS_PATH: "sts", TOKEN_PATH: "token"}.get(path, path)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        with self._lock:
            queued = self._faults.get(endpoint)
            fault = queued.popleft() if queued else None
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.status is not None:
            status, headers, content = json_response(fault.status, {"fejl": "fremprovokeret"})
        elif fault is not None and fault.malformed:
            status, headers, content = "200 OK", [("Content-Type", "application/json")], b"<html>"
        elif endpoint == "sts":
            status, headers, content = self._sts(environ, body)
        elif endpoint == "token":
            status, headers, content = self._token(body)
        elif any(path.startswith(service) for service in self.services.values()):
            status, headers, content = self._service(environ, path, body)
        else:
            status, headers, content = json_response(404, {"fejl": f"ukendt adresse {path}"})
        with self._lock:
            self.calls.append(Call(endpoint, int(status.split()[0]), content.decode()[:200]))
        start_response(status, headers)
        return [content]

    def _sts(self, environ: WSGIEnvironment, body: bytes) -> Response:
        try:
            request = json.loads(body)
        except ValueError:
            return json_response(400, {"fejl": "ikke JSON"})
        for field, value in WS_TRUST.items():
            if request.get(field) != value:
                return json_response(400, {"fejl": f"{field} skal være {value}"})
        if request.get("UseKey") != _der_base64(environ.get("SSL_CLIENT_CERT", "")):
            return json_response(400, {"fejl": "UseKey er ikke certifikatet, kaldet kom med"})
        if (request.get("AnvenderKontekst") or {}).get("Cvr") != self.cvr:
            return json_response(400, {"fejl": "ingen serviceaftale for det CVR-nummer"})
        entity_id = ((request.get("AppliesTo") or {}).get("EndpointReference") or {}).get("Address")
        if entity_id not in self.services:
            return json_response(400, {"fejl": f"serviceaftalen omfatter ikke {entity_id}"})
        token = f'<saml:Assertion ID="_{uuid.uuid4()}">{entity_id}</saml:Assertion>'
        with self._lock:
            self._saml_tokens[token] = entity_id
        lifetime = datetime.now(UTC) + timedelta(hours=8)
        return json_response(
            200,
            {
                "RequestedSecurityToken": {"Assertion": token},
                "Lifetime": lifetime.strftime("%m/%d/%Y %H:%M:%S"),
            },
        )

    def _token(self, body: bytes) -> Response:
        saml_token = (parse_qs(body.decode()).get("saml-token") or [""])[0]
        with self._lock:
            entity_id = self._saml_tokens.get(saml_token)
            if entity_id is None:
                return json_response(401, {"fejl": "ukendt SAML-token"})
            token = uuid.uuid4().hex
            self._access_tokens[token] = (entity_id, datetime.now(UTC) + self.token_lifetime)
        return json_response(
            200,
            {
                "token_type": "Bearer",
                "access_token": token,
                "expires_in": int(self.token_lifetime.total_seconds()),
            },
        )

    def _service(self, environ: WSGIEnvironment, path: str, body: bytes) -> Response:
        scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        with self._lock:
            entity_id, expiry = self._access_tokens.get(token, ("", NEVER))
        service_path = self.services.get(entity_id, "")
        if scheme != "Bearer" or not service_path or not path.startswith(service_path):
            return json_response(401, {"fejl": "ugyldigt token for denne service"})
        if expiry <= datetime.now(UTC):
            return json_response(401, {"fejl": "tokenet er udløbet"})
        handler = self.handlers.get(service_path)
        if handler is not None:
            return handler(environ, body)
        return json_response(200, {"svar": "ok", "bytes": len(body)})


def json_response(status: int, data: Any) -> Response:
    reason = REASONS.get(status, "Fault")
    return (
        f"{status} {reason}",
        [("Content-Type", "application/json")],
        json.dumps(data, ensure_ascii=False).encode(),
    )


def _der_base64(pem: str) -> str:
    if not pem:
        return ""
    certificate = x509.load_pem_x509_certificate(pem.encode())
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def point_settings_at(
    settings: Any, platform: FakeServiceplatformen, *, cvr: str, cert: Path, key: Path
) -> Config:
    """The settings a deployment has for Serviceplatformen's test environment, pointed at the
    fake platform (short timeouts and waits); returns the client configuration they make."""
    settings.VUM_SERVICEPLATFORMEN = "test"
    settings.VUM_SERVICEPLATFORMEN_URL = platform.base_url
    settings.VUM_SERVICEPLATFORMEN_STS_URL = platform.sts_url
    settings.VUM_SERVICEPLATFORMEN_CVR = cvr
    settings.VUM_SERVICEPLATFORMEN_CERT_FILE = str(cert)
    settings.VUM_SERVICEPLATFORMEN_KEY_FILE = str(key)
    settings.VUM_SERVICEPLATFORMEN_CA_FILE = str(platform.cert_path)
    settings.VUM_SERVICEPLATFORMEN_TIMEOUT_SECONDS = 1.0
    settings.VUM_SERVICEPLATFORMEN_ATTEMPTS = 3
    settings.VUM_SERVICEPLATFORMEN_BACKOFF_SECONDS = 0.01
    return Config.from_settings()
