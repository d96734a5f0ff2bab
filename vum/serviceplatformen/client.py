"""One client for every call to Serviceplatformen.

A call goes out with the municipality's certificate (OCES3/FOCES, mutual TLS) and a bearer
token for the service. The token comes in two steps, as KOMBIT's REST services require: a SAML
token from KOMBIT's STS for the service's entity id and the municipality's CVR number (the
service agreement), exchanged at Serviceplatformen's AccessTokenService for an access token.
Both are cached until shortly before they expire, per service.

What is safe to repeat is repeated, with a growing wait: a broken connection, a timeout, and
Serviceplatformen's "try later" answers (429, 502, 503, 504); a 401 is answered once with a
fresh token. Anything else is a `ServiceplatformenError` with a Danish message that says what
failed. Every call writes one log line: the service, the operation, the outcome and the time it
took; never a CPR number or a message's content.
"""

import base64
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

# The two environments KOMBIT runs; VUM_SERVICEPLATFORMEN_URL and _STS_URL override them (a
# test double on a loopback port).
ENVIRONMENTS = {
    "test": (
        "https://exttest.serviceplatformen.dk",
        "https://n2adgangsstyring.eksterntest-stoettesystemerne.dk/runtime/api/rest/wstrust/v1/issue",
    ),
    "prod": (
        "https://prod.serviceplatformen.dk",
        "https://n2adgangsstyring.stoettesystemerne.dk/runtime/api/rest/wstrust/v1/issue",
    ),
}
ACCESS_TOKEN_PATH = "/service/AccessTokenService_1/token"  # noqa: S105 - an address
# A token is renewed this long before it expires, so that it does not expire on the way.
TOKEN_MARGIN = timedelta(minutes=5)
RETRY_STATUSES = frozenset({429, 502, 503, 504})


class ServiceplatformenError(Exception):
    """A call that failed; `reason` is Danish and names the service, never a citizen."""

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        detail: str = "",
        body: bytes = b"",
    ):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retryable = retryable
        # The service's own explanation of a refusal, for the person who must act on it, and
        # the refusal as it came (a SOAP fault), for the service's module to read. Never logged.
        self.detail = detail
        self.body = body


@dataclass(frozen=True)
class Service:
    """A service of the municipality's service agreement: its name for people and logs, the
    entity id the STS issues tokens for, and its path on Serviceplatformen."""

    name: str
    entity_id: str
    path: str


@dataclass(frozen=True)
class Config:
    base_url: str
    sts_url: str
    cvr: str
    cert_file: str
    key_file: str
    verify: str | bool
    timeout: float
    attempts: int
    backoff: float

    @classmethod
    def from_settings(cls) -> "Config":
        mode = settings.VUM_SERVICEPLATFORMEN
        if mode not in ENVIRONMENTS:
            raise ServiceplatformenError(
                "Serviceplatformen er ikke slået til (VUM_SERVICEPLATFORMEN er hverken "
                "'test' eller 'prod')."
            )
        base_url, sts_url = ENVIRONMENTS[mode]
        return cls(
            base_url=(settings.VUM_SERVICEPLATFORMEN_URL or base_url).rstrip("/"),
            sts_url=settings.VUM_SERVICEPLATFORMEN_STS_URL or sts_url,
            cvr=settings.VUM_SERVICEPLATFORMEN_CVR,
            cert_file=settings.VUM_SERVICEPLATFORMEN_CERT_FILE,
            key_file=settings.VUM_SERVICEPLATFORMEN_KEY_FILE,
            verify=settings.VUM_SERVICEPLATFORMEN_CA_FILE or True,
            timeout=settings.VUM_SERVICEPLATFORMEN_TIMEOUT_SECONDS,
            attempts=settings.VUM_SERVICEPLATFORMEN_ATTEMPTS,
            backoff=settings.VUM_SERVICEPLATFORMEN_BACKOFF_SECONDS,
        )


@dataclass(frozen=True)
class _Token:
    value: str
    renew_at: datetime


def _certificate_body(cert_file: str) -> str:
    """The certificate as the STS wants it in UseKey: base64 DER, on one line."""
    with open(cert_file, "rb") as pem:
        certificate = x509.load_pem_x509_certificate(pem.read())
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


class ServiceplatformenClient:
    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config.from_settings()
        self._session = requests.Session()
        self._session.cert = (self.config.cert_file, self.config.key_file)
        self._tokens: dict[str, _Token] = {}
        self._lock = threading.Lock()

    # -- tokens ------------------------------------------------------------------------------

    def access_token(self, service: Service) -> str:
        """ "Bearer …" for `service`, from the cache while it has more than TOKEN_MARGIN left."""
        return self._cached(
            service.entity_id,
            lambda: self._access_token(self._saml_token(service).value, service),
        )

    def saml_token(self, service: Service) -> str:
        """The STS's SAML token for `service` itself, for a service that takes it as it is (an
        AMQP login to Beskedfordeleren); cached until shortly before the lifetime the STS gave
        it."""
        return self._cached("saml:" + service.entity_id, lambda: self._saml_token(service))

    def _cached(self, key: str, fetch: Callable[[], _Token]) -> str:
        with self._lock:
            cached = self._tokens.get(key)
            if cached is None or timezone.now() >= cached.renew_at:
                cached = self._tokens[key] = fetch()
            return cached.value

    def forget_token(self, service: Service) -> None:
        with self._lock:
            self._tokens.pop(service.entity_id, None)
            self._tokens.pop("saml:" + service.entity_id, None)

    def _saml_token(self, service: Service) -> _Token:
        payload = {
            "TokenType": "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
            "RequestType": "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
            "KeyType": "http://docs.oasis-open.org/ws-sx/ws-trust/200512/PublicKey",
            "AnvenderKontekst": {"Cvr": self.config.cvr},
            "UseKey": _certificate_body(self.config.cert_file),
            "AppliesTo": {"EndpointReference": {"Address": service.entity_id}},
            "OnBehalfOf": None,
        }
        response = self._send(
            service, "STS", "POST", self.config.sts_url, idempotent=True, json=payload
        )
        try:
            answer = response.json()
            value = str(answer["RequestedSecurityToken"]["Assertion"])
        except (ValueError, KeyError, TypeError) as error:
            raise ServiceplatformenError(
                f"KOMBITs STS gav et svar, vum ikke kan læse, for {service.name}."
            ) from error
        return _Token(value=value, renew_at=_renew_at(answer.get("Lifetime")))

    def _access_token(self, saml_token: str, service: Service) -> _Token:
        response = self._send(
            service,
            "AccessTokenService",
            "POST",
            self.config.base_url + ACCESS_TOKEN_PATH,
            idempotent=True,
            data={"saml-token": saml_token},
        )
        try:
            answer = response.json()
            value = f"{answer['token_type']} {answer['access_token']}"
            lifetime = timedelta(seconds=int(answer["expires_in"]))
        except (ValueError, KeyError, TypeError) as error:
            raise ServiceplatformenError(
                f"Serviceplatformens AccessTokenService gav et svar, vum ikke kan læse, for "
                f"{service.name}."
            ) from error
        return _Token(value=value, renew_at=timezone.now() + lifetime - TOKEN_MARGIN)

    # -- calls -------------------------------------------------------------------------------

    def call(
        self,
        service: Service,
        operation: str,
        *,
        method: str = "POST",
        path: str = "",
        idempotent: bool,
        headers: Mapping[str, str] | None = None,
        **body: Any,
    ) -> requests.Response:
        """Call `operation` of `service` with a token. `idempotent`: may a call whose answer
        was lost be sent again (a read, or a write the service recognises by its id)?"""
        url = self.config.base_url + service.path + path
        for fresh_token in (False, True):
            all_headers = {"Authorization": self.access_token(service), **(headers or {})}
            try:
                return self._send(
                    service,
                    operation,
                    method,
                    url,
                    idempotent=idempotent,
                    headers=all_headers,
                    **body,
                )
            except ServiceplatformenError as error:
                if error.status != 401 or fresh_token:
                    raise
                # The token was refused (it expired early, or the agreement changed): once more
                # with a new one.
                self.forget_token(service)
        raise AssertionError("unreachable")

    def _send(
        self,
        service: Service,
        operation: str,
        method: str,
        url: str,
        *,
        idempotent: bool,
        **kwargs: Any,
    ) -> requests.Response:
        attempts = self.config.attempts if idempotent else 1
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            try:
                # verify per request: on the session, REQUESTS_CA_BUNDLE would override it.
                response = self._session.request(
                    method, url, timeout=self.config.timeout, verify=self.config.verify, **kwargs
                )
            except requests.Timeout:
                failure = ServiceplatformenError(
                    f"{service.name} svarede ikke inden for {self.config.timeout:g} sekunder.",
                    retryable=True,
                )
                outcome = "timeout"
            except requests.ConnectionError:
                failure = ServiceplatformenError(
                    f"vum kunne ikke få forbindelse til Serviceplatformen ({service.name}).",
                    retryable=True,
                )
                outcome = "ingen forbindelse"
            else:
                _log(service, operation, str(response.status_code), started, attempt)
                if response.ok:
                    return response
                failure = ServiceplatformenError(
                    _refusal(service, response),
                    status=response.status_code,
                    retryable=response.status_code in RETRY_STATUSES,
                    detail=_detail(response),
                    body=response.content,
                )
                if not failure.retryable or attempt == attempts:
                    raise failure
                time.sleep(self.config.backoff * 2 ** (attempt - 1))
                continue
            _log(service, operation, outcome, started, attempt)
            if attempt == attempts:
                # Not chained: the cause's text holds the URL, whose query may hold a CPR number
                # (PostForespørg), and the error is logged with its traceback.
                raise failure from None
            time.sleep(self.config.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")


_clients: dict[Config, ServiceplatformenClient] = {}
_clients_lock = threading.Lock()


def shared_client() -> ServiceplatformenClient:
    """The process's client for the configured Serviceplatformen: one per configuration, so
    its tokens serve every call until they expire."""
    config = Config.from_settings()
    with _clients_lock:
        client = _clients.get(config)
        if client is None:
            client = _clients[config] = ServiceplatformenClient(config)
        return client


def _renew_at(lifetime: object) -> datetime:
    """When to renew a SAML token whose lifetime the STS gave as "MM/DD/YYYY HH:MM:SS" (UTC);
    at once where it gave none vum can read."""
    try:
        expires = datetime.strptime(str(lifetime), "%m/%d/%Y %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return timezone.now()
    return expires - TOKEN_MARGIN


def _detail(response: requests.Response) -> str:
    """A refusal's explanation: a JSON answer's message field, or a short plain text."""
    try:
        answer = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:300] if "text/plain" in response.headers.get("Content-Type", "") else ""
    if isinstance(answer, dict):
        for field in ("fejl", "detail", "message", "title"):
            if isinstance(answer.get(field), str):
                return str(answer[field])[:300]
    return ""


def _refusal(service: Service, response: requests.Response) -> str:
    if response.status_code == 401:
        return f"Serviceplatformen afviste vums adgang til {service.name} (401)."
    if response.status_code == 403:
        return (
            f"Kommunens serviceaftale giver ikke adgang til {service.name} (403). Tjek aftalen "
            "i KOMBITs administrationsmodul."
        )
    if response.status_code in RETRY_STATUSES or response.status_code >= 500:
        return f"{service.name} er ikke til rådighed lige nu ({response.status_code})."
    return f"{service.name} afviste kaldet ({response.status_code})."


def _log(service: Service, operation: str, outcome: str, started: float, attempt: int) -> None:
    logger.info(
        "Serviceplatformen %s %s: %s efter %d ms (forsøg %d)",
        service.name,
        operation,
        outcome,
        round((time.monotonic() - started) * 1000),
        attempt,
    )
