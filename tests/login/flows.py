"""What the login tests share: OIOSAML 3 attributes as KOMBIT's Context Handler sends them, the
browser's round trip through vum and the identity provider on its loopback port, and how a
refusal and a session look."""

import base64
import re
from urllib.parse import urlsplit

import requests
from django.http import HttpResponse
from django.test import Client

from tests.peers.saml_idp import SamlIdentityProvider, SamlLogin, post_form
from vum.accounts.federation.saml import (
    ASSURANCE,
    EMAIL,
    FIRST_NAME,
    LAST_NAME,
    PRIVILEGES,
)

MUNICIPALITY_CVR = "29189846"
CASEWORKER_ROLE = "http://vum.kommune.dk/roller/sagsbehandler"
LEADER_ROLE = "http://vum.kommune.dk/roller/leder"
PROVIDER_ROLE = "http://vum.kommune.dk/roller/udfoerer"
ADMIN_ROLE = "http://vum.kommune.dk/roller/administrator"
ORG_UNIT_HANDICAP = "6f1c2a52-5d3e-4b8e-9c61-0f7d2b1e9a11"
ORG_UNIT_PSYKIATRI = "0b9e4c33-7a2f-4e5d-8f10-3c6b5a4d2e22"
ORG_UNIT_SOCIAL = "9a8b7c6d-1e2f-4a3b-8c5d-6e7f8a9b0c33"
PERSON = "https://data.gov.dk/model/core/eid/professional/uuid/5e6f7a8b-0c1d-4e2f-9a3b-4c5d6e7f8a9b"


def privileges(*groups: tuple[str, list[str]], cvr: str = MUNICIPALITY_CVR) -> str:
    """An OIOSAML basic privilege list, base64-encoded as the attribute carries it: one group
    per (role, constraint values)."""
    body = "".join(
        f'<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:{cvr}">'
        f"<Privilege>{role}</Privilege>"
        + "".join(
            f'<Constraint Name="http://sts.kombit.dk/constraints/orgenhed/1">{value}</Constraint>'
            for value in constraints
        )
        + "</PrivilegeGroup>"
        for role, constraints in groups
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{body}</bpp:PrivilegeList>"
    )
    return base64.b64encode(document.encode()).decode("ascii")


def caseworker_login(
    *,
    name_id: str = PERSON,
    assurance: str = "Substantial",
    groups: tuple[tuple[str, list[str]], ...] = ((CASEWORKER_ROLE, [ORG_UNIT_HANDICAP]),),
    fault: str | None = None,
) -> SamlLogin:
    return SamlLogin(
        name_id=name_id,
        attributes={
            "https://data.gov.dk/model/core/specVersion": ["OIO-SAML-3.0"],
            ASSURANCE: [assurance],
            FIRST_NAME: ["Signe"],
            LAST_NAME: ["Holm"],
            EMAIL: ["sho@kommune.dk"],
            PRIVILEGES: [privileges(*groups)],
        },
        fault=fault,
    )


def local(url: str) -> str:
    """vum's own URL as the test client asks for it: path and query."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def idp_answer(client: Client, idp: SamlIdentityProvider, login: SamlLogin) -> dict[str, str]:
    """Start a login at vum, follow its redirect to the identity provider (a real HTTP request
    to the loopback port), and return what the provider's page would post back to vum."""
    idp.next_login = login
    start = client.get("/saml2/login/", {"next": "/mine-sager/"})
    assert start.status_code == 302, start.content
    assert start["Location"].startswith(idp.base_url)
    page = requests.get(start["Location"], timeout=10)
    assert page.status_code == 200, page.text
    action, fields = post_form(page.text)
    assert action == "http://testserver/saml2/acs/"
    return fields


def saml_login(client: Client, idp: SamlIdentityProvider, login: SamlLogin) -> HttpResponse:
    response: HttpResponse = client.post("/saml2/acs/", idp_answer(client, idp, login))
    return response


def refusal_code(response: HttpResponse) -> str:
    """The reason's code on the refusal page (vum's own page, not a bare 403)."""
    assert response.status_code == 403, response.content.decode()
    match = re.search(r'data-refusal="([a-z_]+)"', response.content.decode())
    assert match is not None, response.content.decode()
    return match.group(1)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session
