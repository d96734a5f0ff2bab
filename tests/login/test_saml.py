"""Login through KOMBIT's Context Handler (SAML 2.0, OIOSAML 3), against a real identity provider
on a loopback port (tests/peers/saml_idp.py): the whole browser round trip, the role mapping,
and every attack the provider can be made to answer with."""

import base64
from datetime import timedelta
from typing import Any

import pytest
import requests
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.utils import timezone

from tests.factories import OrganisationFactory, TeamFactory, UserFactory
from tests.login.flows import (
    ADMIN_ROLE,
    LEADER_ROLE,
    ORG_UNIT_SOCIAL,
    PERSON,
    PROVIDER_ROLE,
    caseworker_login,
    idp_answer,
    local,
    logged_in,
    refusal_code,
    saml_login,
)
from tests.peers.saml_idp import SamlIdentityProvider
from vum.accounts.federation.saml import PRIVILEGES
from vum.accounts.models import FoederetSession, Role, Rolletilknytning, Team, User
from vum.audit.models import AuditAction, AuditEvent


@pytest.mark.django_db
def test_a_caseworker_logs_in_and_gets_the_team_of_her_organisation_unit(
    client: Client, idp: SamlIdentityProvider, handicap: Team
) -> None:
    response = saml_login(client, idp, caseworker_login())

    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/mine-sager/"
    user = User.objects.get(idp_subjekt=PERSON)
    assert user.role == Role.SAGSBEHANDLER
    assert list(user.teams.all()) == [handicap]
    assert (user.first_name, user.last_name, user.email) == ("Signe", "Holm", "sho@kommune.dk")
    assert not user.has_usable_password()
    assert client.get("/mine-sager/").status_code == 200
    login = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert PERSON in login.summary
    assert "Substantial" in login.summary


@pytest.mark.django_db
def test_the_metadata_to_hand_to_kombit_is_at_a_stable_address(
    client: Client, idp: SamlIdentityProvider
) -> None:
    response = client.get("/saml2/metadata/")

    assert response["Content-Type"].startswith("text/xml")
    metadata = response.content.decode()
    assert 'entityID="http://testserver/saml2/metadata/"' in metadata
    assert 'AuthnRequestsSigned="true"' in metadata
    assert 'WantAssertionsSigned="true"' in metadata
    assert 'Location="http://testserver/saml2/acs/"' in metadata
    assert 'Location="http://testserver/saml2/ls/"' in metadata
    assert 'use="signing"' in metadata
    assert 'use="encryption"' in metadata


@pytest.mark.django_db
def test_the_request_is_signed_and_asks_for_substantial_assurance(
    client: Client, idp: SamlIdentityProvider, handicap: Team
) -> None:
    saml_login(client, idp, caseworker_login())

    request = next(r for r in idp.received if r.kind == "authn_request")
    assert request.signed
    assert request.verified
    assert request.refused is None
    assert request.requested_authn_context == (
        "https://data.gov.dk/concept/core/nsis/loa/Substantial",
    )


@pytest.mark.django_db
def test_roles_follow_the_assertion_at_every_login(
    client: Client, idp: SamlIdentityProvider, handicap: Team
) -> None:
    """Just in time: a leader role for an organisation unit gives the teams under it; the next
    login without it takes it away again, and one with no vum role at all is refused."""
    psykiatri = TeamFactory(navn="Psykiatri", slug="psykiatri")
    leader_rule = Rolletilknytning.objects.create(
        brugersystemrolle=LEADER_ROLE, afgraensning=ORG_UNIT_SOCIAL, rolle=Role.LEDER
    )
    leader_rule.teams.set([handicap, psykiatri])
    saml_login(client, idp, caseworker_login())
    client.logout()

    saml_login(client, idp, caseworker_login(groups=((LEADER_ROLE, [ORG_UNIT_SOCIAL]),)))
    user = User.objects.get(idp_subjekt=PERSON)
    assert user.role == Role.LEDER
    assert set(user.teams.all()) == {handicap, psykiatri}
    client.logout()

    saml_login(client, idp, caseworker_login())
    user.refresh_from_db()
    assert user.role == Role.SAGSBEHANDLER
    assert list(user.teams.all()) == [handicap]
    client.logout()

    response = saml_login(client, idp, caseworker_login(groups=((LEADER_ROLE, ["en-anden"]),)))
    assert refusal_code(response) == "ingen_rolle"
    assert not logged_in(client)
    assert User.objects.filter(idp_subjekt=PERSON).count() == 1
    updates = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(user.pk))
    assert updates.count() == 2  # to leader, back to caseworker; the refusal changed nothing


@pytest.mark.django_db
def test_a_provider_gets_the_organisation_of_its_p_number(
    client: Client, idp: SamlIdentityProvider
) -> None:
    organisation = OrganisationFactory(navn="Bostedet Lærkely", p_nummer="1017654321")
    Rolletilknytning.objects.create(brugersystemrolle=PROVIDER_ROLE, rolle=Role.UDFOERER)

    saml_login(client, idp, caseworker_login(groups=((PROVIDER_ROLE, ["1017654321"]),)))

    user = User.objects.get(idp_subjekt=PERSON)
    assert (user.role, user.organisation) == (Role.UDFOERER, organisation)
    assert list(user.teams.all()) == []


@pytest.mark.django_db
def test_a_user_without_a_vum_role_is_refused_with_a_page_that_says_why(
    client: Client, idp: SamlIdentityProvider, handicap: Team
) -> None:
    response = saml_login(
        client, idp, caseworker_login(groups=(("http://andet.system/roller/bruger", []),))
    )

    assert refusal_code(response) == "ingen_rolle"
    assert "ingen rolle, der giver adgang til vum" in response.content.decode()
    assert not logged_in(client)
    assert not User.objects.filter(idp_subjekt=PERSON).exists()
    refusal = AuditEvent.objects.get(action=AuditAction.LOGIN_REFUSED)
    assert PERSON in refusal.summary
    assert refusal.changes == {"aarsag": "ingen_rolle"}


@pytest.mark.django_db
def test_a_login_below_substantial_assurance_is_refused(
    client: Client, idp: SamlIdentityProvider, handicap: Team
) -> None:
    response = saml_login(client, idp, caseworker_login(assurance="Low"))

    assert refusal_code(response) == "for_lavt_sikringsniveau"
    assert "sikringsniveau lav" in response.content.decode()
    assert not logged_in(client)
    refusal = AuditEvent.objects.get(action=AuditAction.LOGIN_REFUSED)
    assert "sikringsniveau Low" in refusal.summary
    assert refusal.changes == {"aarsag": "for_lavt_sikringsniveau"}  # a code, kept readable


@pytest.mark.parametrize(
    "fault", ["tampered", "unsigned", "foreign_key", "expired", "wrong_audience"]
)
@pytest.mark.django_db
def test_an_answer_that_cannot_be_trusted_is_refused(
    client: Client, idp: SamlIdentityProvider, handicap: Team, fault: str
) -> None:
    response = saml_login(client, idp, caseworker_login(fault=fault))

    assert refusal_code(response) in {"ugyldigt_svar", "ikke_krypteret"}
    assert not logged_in(client)
    assert not User.objects.filter(idp_subjekt=PERSON).exists()
    refusal = AuditEvent.objects.get(action=AuditAction.LOGIN_REFUSED)
    assert refusal.actor is None  # an untrusted answer names nobody


@pytest.mark.django_db
def test_an_unencrypted_assertion_is_refused(
    client: Client, idp: SamlIdentityProvider, handicap: Team
) -> None:
    idp.encrypt_assertions = False

    response = saml_login(client, idp, caseworker_login())

    assert refusal_code(response) == "ikke_krypteret"
    assert not logged_in(client)


@pytest.mark.django_db
def test_a_replayed_answer_is_refused(
    client: Client, idp: SamlIdentityProvider, handicap: Team
) -> None:
    """The same answer posted again: in another browser (no request of its own to answer), and
    in the same browser with its request restored, which gets past pysaml2's InResponseTo check
    and is stopped by the assertion ids vum remembers."""
    answer = idp_answer(client, idp, caseworker_login())
    saml_cookie = client.cookies["vum_saml"].value
    outstanding = SessionStore(saml_cookie).load()
    assert client.post("/saml2/acs/", answer).status_code == 302

    other = Client()
    assert refusal_code(other.post("/saml2/acs/", answer)) == "ugyldigt_svar"
    assert not logged_in(other)

    client.logout()
    client.cookies["vum_saml"] = saml_cookie
    restored = SessionStore(saml_cookie)
    restored.update(outstanding)
    restored.save()
    assert refusal_code(client.post("/saml2/acs/", answer)) == "svar_genbrugt"
    assert not logged_in(client)
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN).count() == 1


@pytest.mark.django_db
def test_logging_out_of_vum_logs_out_at_the_identity_provider(
    client: Client, idp: SamlIdentityProvider, handicap: Team
) -> None:
    saml_login(client, idp, caseworker_login())

    to_idp = client.post("/logout/")
    assert to_idp.status_code == 302
    assert to_idp["Location"].startswith(idp.base_url)
    assert not logged_in(client)
    back = requests.get(to_idp["Location"], timeout=10, allow_redirects=False)
    assert back.status_code == 302, back.text
    finished = client.get(local(back.headers["Location"]))

    assert finished.status_code == 302
    assert finished["Location"] == "/login/"
    request = next(r for r in idp.received if r.kind == "logout_request")
    assert request.verified
    assert request.name_id == PERSON
    assert request.refused is None
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT).count() == 1
    assert not FoederetSession.objects.exists()


@pytest.mark.django_db
def test_logging_out_at_the_identity_provider_ends_the_vum_session(
    client: Client, idp: SamlIdentityProvider, handicap: Team
) -> None:
    saml_login(client, idp, caseworker_login())
    session = FoederetSession.objects.get()

    url, fields = idp.idp_initiated_logout(
        name_id=PERSON, session_index=session.sid, sp_entity_id="http://testserver/saml2/metadata/"
    )
    assert fields == {}
    answer = client.get(local(url))

    assert not logged_in(client)
    assert client.get("/mine-sager/").status_code == 302
    assert answer.status_code == 302
    assert answer["Location"].startswith(idp.base_url)
    requests.get(answer["Location"], timeout=10)
    response = next(r for r in idp.received if r.kind == "logout_response")
    assert response.verified
    assert response.refused is None
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT).count() == 1


@pytest.mark.django_db
def test_local_passwords_are_off_except_for_break_glass_users(
    client: Client, idp: SamlIdentityProvider, settings: Any
) -> None:
    caseworker = UserFactory(username="sagsbehandler")
    caseworker.set_password("en-lang-adgangskode-1")
    caseworker.save()
    admin = UserFactory(username="noedadgang", role=Role.ADMINISTRATOR)
    admin.set_password("en-lang-adgangskode-2")
    admin.save()
    settings.VUM_LOCAL_LOGIN_USERS = ["noedadgang"]

    page = client.get("/login/").content.decode()
    assert "Log ind med kommunens login" in page
    assert "Nødadgang med adgangskode" in page

    client.post("/login/", {"username": "sagsbehandler", "password": "en-lang-adgangskode-1"})
    assert not logged_in(client)
    client.post("/login/", {"username": "noedadgang", "password": "en-lang-adgangskode-2"})
    assert logged_in(client)


@pytest.mark.parametrize(
    ("late", "accepted"),
    [(timedelta(minutes=5, seconds=45), True), (timedelta(minutes=6, seconds=30), False)],
)
@pytest.mark.django_db
def test_the_identity_providers_clock_may_differ_by_the_configured_skew(
    client: Client, idp: SamlIdentityProvider, handicap: Team, late: timedelta, accepted: bool
) -> None:
    """The assertion is good for 5 minutes; with 60 s of tolerance (VUM_SAML_CLOCK_SKEW_SECONDS),
    vum's clock may be 5 min 45 s past its issue, not 6 min 30 s."""
    answer = idp_answer(client, idp, caseworker_login())

    with time_machine.travel(timezone.now() + late, tick=False):
        response = client.post("/saml2/acs/", answer)

    if accepted:
        assert response.status_code == 302
        assert logged_in(client)
    else:
        assert refusal_code(response) == "ugyldigt_svar"
        assert not logged_in(client)


@pytest.mark.django_db
def test_the_identity_providers_metadata_can_come_from_its_url(
    client: Client, idp: SamlIdentityProvider, handicap: Team, settings: Any
) -> None:
    settings.VUM_SAML_IDP_METADATA_FILE = ""
    settings.VUM_SAML_IDP_METADATA_URL = f"{idp.base_url}/metadata"

    assert saml_login(client, idp, caseworker_login()).status_code == 302
    assert logged_in(client)


@pytest.mark.parametrize(
    "privileges",
    [
        "ikke base64!",
        base64.b64encode(b"<ikke xml").decode(),
        # An entity declaration: refused before it is expanded (defusedxml).
        base64.b64encode(
            b'<!DOCTYPE x [<!ENTITY a "aaaa">]><PrivilegeList>&a;</PrivilegeList>'
        ).decode(),
    ],
)
@pytest.mark.django_db
def test_a_privilege_list_that_cannot_be_read_is_refused(
    client: Client, idp: SamlIdentityProvider, handicap: Team, privileges: str
) -> None:
    login = caseworker_login()
    login.attributes[PRIVILEGES] = [privileges]

    assert refusal_code(saml_login(client, idp, login)) == "privilegier_ulaeselige"
    assert not logged_in(client)


@pytest.mark.django_db
def test_an_administrator_gets_the_admin_site_and_loses_it_with_the_role(
    client: Client, idp: SamlIdentityProvider, handicap: Team
) -> None:
    """The administrator's permissions (vum.access) come with the role, so that a federated
    administrator can keep the role mapping; the provider's second factor counts for the admin
    site too. A later login as a caseworker takes them away."""
    Rolletilknytning.objects.create(brugersystemrolle=ADMIN_ROLE, rolle=Role.ADMINISTRATOR)

    saml_login(client, idp, caseworker_login(groups=((ADMIN_ROLE, []),)))

    assert client.get("/admin/accounts/rolletilknytning/").status_code == 200
    client.logout()
    saml_login(client, idp, caseworker_login())
    user = User.objects.get(idp_subjekt=PERSON)
    assert not user.is_staff
    assert not user.user_permissions.exists()
    assert client.get("/admin/accounts/rolletilknytning/").status_code == 302
