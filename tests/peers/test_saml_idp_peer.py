"""The SAML identity provider peer (tests/peers/saml_idp.py) against pysaml2's own SP.

A `Saml2Client` stands in for the project's SP, configured as OIOSAML 3 wants an SP: signed
AuthnRequests and LogoutRequests, signed assertions, an encryption key in its metadata. What it
accepts and refuses here is what the project's SP (djangosaml2 on pysaml2) will meet.
"""
# pysaml2 ships without type information.
# mypy: disable-error-code="import-untyped"

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.response import StatusResponse
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.samlp import response_from_string
from saml2.sigver import SignatureError, verify_redirect_signature
from saml2.validate import ResponseLifetimeExceed
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from tests.peers.certificates import certificate_body, make_certificate
from tests.peers.saml_idp import FAULTS, SamlIdentityProvider, SamlLogin, post_form
from tests.programs import require_program

SP_ENTITY_ID = "https://vum.test/saml/metadata/"
ACS_URL = "https://vum.test/saml/acs/"
SLO_URL = "https://vum.test/saml/ls/"

PERSON = "https://data.gov.dk/model/core/eid/professional/uuid/0b7c8a8e-5a0d-4c5e-9a3e-1f2d3c4b5a69"
ATTRIBUTES = {
    "https://data.gov.dk/model/core/eid/email": ["sagsbehandler@kommune.test"],
    "https://data.gov.dk/model/core/eid/professional/orgName": ["Testkommune"],
    "https://data.gov.dk/model/core/eid/privilegesIntermediate": ["PHByaXZpbGVnZXM+"],
}
LOA_SUBSTANTIAL = "https://data.gov.dk/concept/core/nsis/loa/Substantial"
TIMEOUT = 10


@pytest.fixture
def idp(tmp_path: Path) -> Iterator[SamlIdentityProvider]:
    require_program("/usr/bin/xmlsec1", install="xmlsec1")
    with SamlIdentityProvider(tmp_path / "idp") as provider:
        yield provider


@pytest.fixture
def sp(idp: SamlIdentityProvider, tmp_path: Path, request: pytest.FixtureRequest) -> Saml2Client:
    """pysaml2's SP, trusting the IdP's metadata and trusted by it. Its SingleLogoutService takes
    HTTP-Redirect, or the binding an indirect parametrization names."""
    slo_binding = getattr(request, "param", BINDING_HTTP_REDIRECT)
    cert, key = make_certificate("sp-signing", tmp_path / "sp")
    encryption_cert, encryption_key = make_certificate("sp-encryption", tmp_path / "sp")
    config = SPConfig()
    config.load(
        {
            "entityid": SP_ENTITY_ID,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "cert_file": str(cert),
            "key_file": str(key),
            "encryption_keypairs": [
                {"cert_file": str(encryption_cert), "key_file": str(encryption_key)}
            ],
            "metadata": {"inline": [idp.metadata_xml]},
            "only_use_keys_in_metadata": True,
            "allow_unknown_attributes": True,
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [(ACS_URL, BINDING_HTTP_POST)],
                        "single_logout_service": [(SLO_URL, slo_binding)],
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "authn_requests_signed": True,
                    "logout_requests_signed": True,
                    "want_assertions_signed": True,
                    "want_response_signed": True,
                    "allow_unsolicited": False,
                }
            },
        }
    )
    idp.trust_sp(str(entity_descriptor(config)))
    return Saml2Client(config)


def send_authn_request(
    sp: Saml2Client,
    idp: SamlIdentityProvider,
    *,
    binding: str = BINDING_HTTP_REDIRECT,
    **kwargs: Any,
) -> tuple[str, requests.Response]:
    """The browser takes the SP's AuthnRequest to the IdP: (the request's ID, the IdP's answer)."""
    request_id, info = sp.prepare_for_authenticate(
        entityid=idp.entity_id,
        relay_state="/after-login/",
        binding=binding,
        sigalg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
        requested_authn_context={"authn_context_class_ref": [LOA_SUBSTANTIAL]},
        **kwargs,
    )
    if binding == BINDING_HTTP_REDIRECT:
        answer = requests.get(redirect_url(info), allow_redirects=False, timeout=TIMEOUT)
    else:
        url, fields = post_form(info["data"])
        answer = requests.post(url, data=fields, allow_redirects=False, timeout=TIMEOUT)
    return request_id, answer


def redirect_url(info: dict[str, Any]) -> str:
    """The URL pysaml2's HTTP-Redirect binding sends the browser to."""
    return str(dict(info["headers"])["Location"])


def deliver(sp: Saml2Client, idp: SamlIdentityProvider, login: SamlLogin) -> tuple[str, str]:
    """The browser goes to the IdP with the SP's AuthnRequest and comes back with the IdP's
    auto-posting form: (the request's ID, the SAMLResponse the form posts to the SP's ACS)."""
    idp.next_login = login
    request_id, answer = send_authn_request(sp, idp)
    assert answer.status_code == 200, answer.text
    action, fields = post_form(answer.text)
    assert action == ACS_URL
    assert fields["RelayState"] == "/after-login/"
    return request_id, fields["SAMLResponse"]


def consume(sp: Saml2Client, request_id: str, saml_response: str) -> Any:
    """What the SP makes of the IdP's Response."""
    return sp.parse_authn_request_response(
        saml_response, BINDING_HTTP_POST, outstanding={request_id: "/after-login/"}
    )


def test_metadata_is_served(idp: SamlIdentityProvider) -> None:
    answer = requests.get(f"{idp.base_url}/metadata", timeout=TIMEOUT)
    assert answer.text == idp.metadata_xml == idp.metadata_path.read_text()
    for endpoint in ("sso/redirect", "sso/post", "slo/redirect", "slo/post"):
        assert f"{idp.base_url}/{endpoint}" in idp.metadata_xml
    assert certificate_body(idp.cert_path) in idp.metadata_xml


@pytest.mark.parametrize("binding", [BINDING_HTTP_REDIRECT, BINDING_HTTP_POST])
def test_login_round_trip(sp: Saml2Client, idp: SamlIdentityProvider, binding: str) -> None:
    idp.next_login = SamlLogin(name_id=PERSON, attributes=ATTRIBUTES)
    request_id, answer = send_authn_request(sp, idp, binding=binding)
    assert answer.status_code == 200, answer.text
    _action, fields = post_form(answer.text)
    response = sp.parse_authn_request_response(
        fields["SAMLResponse"], BINDING_HTTP_POST, outstanding={request_id: "/after-login/"}
    )

    assert response.ava == ATTRIBUTES
    assert response.name_id.text == PERSON
    assert response.name_id.format == NAMEID_FORMAT_PERSISTENT
    assert response.assertion.authn_statement[0].session_index
    assert response.authn_info()[0][0] == LOA_SUBSTANTIAL
    assert "EncryptedAssertion" in idp.last_response_xml
    assert idp.next_login is None, "a login serves one AuthnRequest"
    received = idp.received[-1]
    assert (received.kind, received.binding, received.message_id) == (
        "authn_request",
        binding,
        request_id,
    )
    assert received.signed
    assert received.verified
    assert received.refused is None
    assert received.requested_authn_context == (LOA_SUBSTANTIAL,)


def test_assertion_in_clear_when_encryption_is_off(
    sp: Saml2Client, idp: SamlIdentityProvider
) -> None:
    idp.encrypt_assertions = False
    response = consume(sp, *deliver(sp, idp, SamlLogin(name_id=PERSON, attributes=ATTRIBUTES)))
    assert response.ava == ATTRIBUTES
    assert "EncryptedAssertion" not in idp.last_response_xml


@pytest.mark.parametrize("binding", [BINDING_HTTP_REDIRECT, BINDING_HTTP_POST])
def test_unsigned_authn_request_is_refused(
    sp: Saml2Client, idp: SamlIdentityProvider, binding: str
) -> None:
    idp.next_login = SamlLogin(name_id=PERSON, attributes=ATTRIBUTES)
    _request_id, answer = send_authn_request(sp, idp, binding=binding, sign=False)
    assert answer.status_code == 400
    assert "signed" in answer.text
    assert idp.received[-1].refused == answer.text
    assert not idp.received[-1].signed
    assert idp.next_login is not None, "a refused request uses no login"


def test_authn_request_altered_after_signing_is_refused(
    sp: Saml2Client, idp: SamlIdentityProvider
) -> None:
    idp.next_login = SamlLogin(name_id=PERSON, attributes=ATTRIBUTES)
    _request_id, info = sp.prepare_for_authenticate(
        entityid=idp.entity_id, relay_state="/after-login/", sigalg=SIG_RSA_SHA256
    )
    url = redirect_url(info).replace("after-login", "somewhere-else")
    answer = requests.get(url, allow_redirects=False, timeout=TIMEOUT)
    assert answer.status_code == 400
    assert answer.text == "the SAMLRequest's signature does not verify"
    assert idp.received[-1].signed
    assert not idp.received[-1].verified


def test_acs_outside_the_metadata_is_refused(sp: Saml2Client, idp: SamlIdentityProvider) -> None:
    idp.next_login = SamlLogin(name_id=PERSON, attributes=ATTRIBUTES)
    _request_id, answer = send_authn_request(
        sp, idp, assertion_consumer_service_url="https://attacker.test/acs/"
    )
    assert answer.status_code == 400
    assert "AssertionConsumerService" in answer.text


def test_without_a_prepared_login_the_request_is_refused(
    sp: Saml2Client, idp: SamlIdentityProvider
) -> None:
    _request_id, answer = send_authn_request(sp, idp)
    assert answer.status_code == 400
    assert answer.text == "no login prepared"


def test_unknown_sp_is_refused(sp: Saml2Client, idp: SamlIdentityProvider) -> None:
    idp.trust_sp(idp.metadata_xml.replace(idp.entity_id, "https://someone-else.test/"))
    idp.next_login = SamlLogin(name_id=PERSON, attributes=ATTRIBUTES)
    _request_id, answer = send_authn_request(sp, idp)
    assert answer.status_code == 400
    assert "unknown service provider" in answer.text


# How pysaml2's SP refuses each fault's Response.
REFUSALS: dict[str, tuple[type[Exception], str]] = {
    "tampered": (SignatureError, "Failed to verify signature"),
    "expired": (ResponseLifetimeExceed, "too old"),
    "unsigned": (SignatureError, "Signature missing"),
    "foreign_key": (SignatureError, "Failed to verify signature"),
    # pysaml2 raises a bare Exception here.
    "wrong_audience": (Exception, "AudienceRestrictions conditions not satisfied"),
}


def test_every_fault_has_a_refusal() -> None:
    assert set(REFUSALS) == FAULTS


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_is_refused_by_the_sp(
    sp: Saml2Client, idp: SamlIdentityProvider, fault: str
) -> None:
    request_id, saml_response = deliver(
        sp, idp, SamlLogin(name_id=PERSON, attributes=ATTRIBUTES, fault=fault)
    )
    error, message = REFUSALS[fault]
    with pytest.raises(error, match=message):
        consume(sp, request_id, saml_response)


def test_tampered_response_is_in_clear_with_an_attribute_altered(
    sp: Saml2Client, idp: SamlIdentityProvider
) -> None:
    deliver(sp, idp, SamlLogin(name_id=PERSON, attributes=ATTRIBUTES, fault="tampered"))
    assert "EncryptedAssertion" not in idp.last_response_xml
    assert "sagsbehandler@kommune.test-tampered" in idp.last_response_xml


def test_expired_assertion_was_issued_two_hours_ago(
    sp: Saml2Client, idp: SamlIdentityProvider
) -> None:
    idp.encrypt_assertions = False
    deliver(sp, idp, SamlLogin(name_id=PERSON, attributes=ATTRIBUTES, fault="expired"))
    assertion = response_from_string(idp.last_response_xml).assertion[0]
    issued = datetime.strptime(assertion.issue_instant, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert datetime.now(UTC) - issued >= timedelta(hours=2)
    assert assertion.conditions.not_on_or_after == (issued + timedelta(minutes=5)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def test_sp_initiated_logout_gets_a_signed_logout_response(
    sp: Saml2Client, idp: SamlIdentityProvider
) -> None:
    destination = f"{idp.base_url}/slo/redirect"
    request_id, logout_request = sp.create_logout_request(
        destination,
        idp.entity_id,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=PERSON),
        session_indexes=["session-1"],
        sign=False,
    )
    info = sp.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(logout_request),
        destination,
        "/after-logout/",
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    answer = requests.get(redirect_url(info), allow_redirects=False, timeout=TIMEOUT)

    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(SLO_URL)
    query = dict(parse_qsl(urlsplit(location).query))
    assert query["RelayState"] == "/after-logout/"
    assert query["SigAlg"] == SIG_RSA_SHA256
    assert verify_redirect_signature(query, sp.sec.sec_backend, certificate_body(idp.cert_path))
    logout_response = sp.parse_logout_request_response(query["SAMLResponse"], BINDING_HTTP_REDIRECT)
    assert isinstance(logout_response, StatusResponse)
    assert logout_response.in_response_to == request_id
    assert logout_response.status_ok()
    received = idp.received[-1]
    assert (received.kind, received.name_id, received.verified) == ("logout_request", PERSON, True)


def test_unsigned_logout_request_is_refused(sp: Saml2Client, idp: SamlIdentityProvider) -> None:
    destination = f"{idp.base_url}/slo/redirect"
    _request_id, logout_request = sp.create_logout_request(
        destination,
        idp.entity_id,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=PERSON),
        sign=False,
    )
    info = sp.apply_binding(BINDING_HTTP_REDIRECT, str(logout_request), destination, sign=False)
    answer = requests.get(redirect_url(info), allow_redirects=False, timeout=TIMEOUT)
    assert answer.status_code == 400
    assert answer.text == "the SAMLRequest is not signed"
    assert idp.received[-1].kind == "logout_request"
    assert idp.received[-1].refused


def test_idp_initiated_logout_parses_at_the_sp(sp: Saml2Client, idp: SamlIdentityProvider) -> None:
    url, fields = idp.idp_initiated_logout(
        name_id=PERSON, session_index="session-1", sp_entity_id=SP_ENTITY_ID
    )
    assert url.startswith(SLO_URL)
    assert fields == {}, "the SP's metadata offers HTTP-Redirect"
    query = dict(parse_qsl(urlsplit(url).query))
    assert verify_redirect_signature(query, sp.sec.sec_backend, certificate_body(idp.cert_path))
    request = sp.parse_logout_request(
        query["SAMLRequest"],
        BINDING_HTTP_REDIRECT,
        relay_state=query["RelayState"],
        sigalg=query["SigAlg"],
        signature=query["Signature"],
    )
    assert request.message.name_id.text == PERSON
    assert [index.text for index in request.message.session_index] == ["session-1"]

    # The SP answers; the IdP takes the answer once.
    logout_response = sp.create_logout_response(
        request.message, [BINDING_HTTP_REDIRECT], sign=False
    )
    answer_info = sp.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(logout_response),
        f"{idp.base_url}/slo/redirect",
        query["RelayState"],
        response=True,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    answer = requests.get(redirect_url(answer_info), allow_redirects=False, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    received = idp.received[-1]
    assert (received.kind, received.in_response_to, received.verified, received.refused) == (
        "logout_response",
        request.message.id,
        True,
        None,
    )
    replayed = requests.get(redirect_url(answer_info), allow_redirects=False, timeout=TIMEOUT)
    assert replayed.status_code == 400
    assert "answers no LogoutRequest" in replayed.text


@pytest.mark.parametrize("sp", [BINDING_HTTP_POST], indirect=True)
def test_logout_both_ways_with_an_sp_that_only_takes_http_post(
    sp: Saml2Client, idp: SamlIdentityProvider
) -> None:
    # SP-initiated: the IdP's LogoutResponse comes as an auto-posting form, signed in the XML.
    destination = f"{idp.base_url}/slo/post"
    request_id, logout_request = sp.create_logout_request(
        destination,
        idp.entity_id,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=PERSON),
        sign=True,
        sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
    )
    url, fields = post_form(
        sp.apply_binding(BINDING_HTTP_POST, str(logout_request), destination, "/bye/")["data"]
    )
    answer = requests.post(url, data=fields, allow_redirects=False, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    action, response_fields = post_form(answer.text)
    assert action == SLO_URL
    assert response_fields["RelayState"] == "/bye/"
    logout_response = sp.parse_logout_request_response(
        response_fields["SAMLResponse"], BINDING_HTTP_POST
    )
    assert logout_response.in_response_to == request_id
    assert logout_response.response.signature is not None

    # IdP-initiated: the LogoutRequest is for the browser to post, signed in the XML.
    url, fields = idp.idp_initiated_logout(
        name_id=PERSON, session_index=None, sp_entity_id=SP_ENTITY_ID
    )
    assert url == SLO_URL
    request = sp.parse_logout_request(fields["SAMLRequest"], BINDING_HTTP_POST)
    assert request.message.signature is not None
    assert request.message.name_id.text == PERSON

    signed_response = sp.create_logout_response(
        request.message,
        [BINDING_HTTP_POST],
        sign=True,
        sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
    )
    url, fields = post_form(
        sp.apply_binding(
            BINDING_HTTP_POST,
            str(signed_response),
            f"{idp.base_url}/slo/post",
            fields["RelayState"],
            response=True,
        )["data"]
    )
    answer = requests.post(url, data=fields, allow_redirects=False, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    assert idp.received[-1].kind == "logout_response"
    assert idp.received[-1].refused is None
