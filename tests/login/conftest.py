from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.factories import TeamFactory
from tests.login.flows import CASEWORKER_ROLE, ORG_UNIT_HANDICAP
from tests.peers.certificates import make_certificate
from tests.peers.oidc_provider import OidcProvider
from tests.peers.saml_idp import SamlIdentityProvider
from tests.programs import require_program
from vum.accounts.models import Role, Rolletilknytning, Team


@pytest.fixture
def saml_sp(tmp_path: Path, settings: Any) -> Path:
    """vum as a SAML service provider: its own certificate, addressed as the test client's host."""
    require_program("/usr/bin/xmlsec1", install="xmlsec1")
    cert, key = make_certificate("vum-test-sp", tmp_path)
    settings.VUM_BASE_URL = "http://testserver"
    settings.VUM_SAML_ENTITY_ID = "http://testserver/saml2/metadata/"
    settings.VUM_SAML_CERT_FILE = str(cert)
    settings.VUM_SAML_KEY_FILE = str(key)
    settings.VUM_LOCAL_LOGIN_2FA = True
    return tmp_path


@pytest.fixture
def idp(saml_sp: Path, settings: Any, db: None) -> Iterator[SamlIdentityProvider]:
    """KOMBIT's Context Handler, played by pysaml2's IdP on a loopback port, and vum configured
    to trust it (its metadata from a file) and it to trust vum (vum's metadata, as handed to
    KOMBIT)."""
    directory = saml_sp / "idp"
    directory.mkdir()
    with SamlIdentityProvider(directory) as provider:
        settings.VUM_SAML_IDP_METADATA_FILE = str(provider.metadata_path)
        metadata = Client().get("/saml2/metadata/")
        assert metadata.status_code == 200
        provider.trust_sp(metadata.content.decode())
        yield provider


@pytest.fixture
def handicap(db: None) -> Team:
    """The caseworkers' team for the organisation unit ORG_UNIT_HANDICAP."""
    team = TeamFactory(navn="Handicap", slug="handicap")
    rule = Rolletilknytning.objects.create(
        brugersystemrolle=CASEWORKER_ROLE, afgraensning=ORG_UNIT_HANDICAP, rolle=Role.SAGSBEHANDLER
    )
    rule.teams.set([team])
    return team


@pytest.fixture
def op(settings: Any, db: None) -> Iterator[OidcProvider]:
    """The municipality's own identity provider (direct federation, as Microsoft Entra ID) on a
    loopback port, with vum registered as its client."""
    settings.VUM_BASE_URL = "http://testserver"
    settings.VUM_LOCAL_LOGIN_2FA = True
    with OidcProvider(
        client_id="vum-test", redirect_uris=["http://testserver/oidc/callback/"]
    ) as provider:
        provider.register_post_logout_redirect_uri("http://testserver/login/")
        settings.VUM_OIDC_ISSUER = provider.issuer
        settings.VUM_OIDC_CLIENT_ID = provider.client_id
        settings.VUM_OIDC_CLIENT_SECRET = provider.client_secret
        yield provider
